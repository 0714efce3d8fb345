"""Hitsound editing: the osu! editor's whistle / finish / clap toggles and sample sets, on notes of an osu! map.

A kept sound (:mod:`chart.formats.osu_hitsounds`) is the text of a hit object's ``hitSound`` and ``hitSample``;
here it is read into a :class:`HitSound` (the ``hitSound`` bits and ``normalSet:additionSet:index:volume:
filename``, osu! wiki "osu! (file format)", *Hitsounds*), changed by a :class:`HitsoundChange` and written back.
Only the notes a change really changes are rewritten: a sound written in an unusual spelling (``0:0:0`` without the
volume, as old maps have it) stays byte for byte as read unless the designer edits that very note.

Which charts: osu! maps (:func:`takes_sounds`: keyboard charts read from a ``.osu``, or charts that already keep
osu! sounds). A StepMania chart has no place a game plays them from, so pressing W while charting a dance chart
does not slip osu! data into its ``.ssc``; which notes: those osu! writes as hit objects (:func:`sounded`: taps,
holds and rolls; mines, fakes and lifts are dropped by the ``.osu`` writer, so a sound on them would be lost).

:class:`SetHitsounds` is one undoable step through the chart's history, as every note edit is: it replaces the
chart's sounds line (in ``extra``) and undo gives the old one back (:func:`chart.extra_patch.patch_extra`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from fractions import Fraction

from chart.document import ChartRef, Document
from chart.extra_patch import patch_extra
from chart.formats.osu_hitsounds import Sound, carries_sounds, kept_sounds, set_sounds
from chart.keyboard import is_keyboard
from chart.notes import Note, NoteKind
from chart.song import Chart

WHISTLE, FINISH, CLAP = 2, 4, 8  # hitSound bits (1, "normal", is osu!'s default sound and is left as it is)
ADDITIONS = {WHISTLE: "Whistle", FINISH: "Finish", CLAP: "Clap"}
SAMPLE_SETS = ("Auto", "Normal", "Soft", "Drum")  # hitSample set numbers 0-3; Auto: the timing point's set
MAX_VOLUME = 100
_UNSOUNDED = (NoteKind.MINE, NoteKind.FAKE, NoteKind.LIFT)  # not written to .osu (osu_mania._written)

Cell = tuple[Fraction, int]


def _int(text: str) -> int:
    """A number field as osu! reads it; anything else is 0 (osu!'s default for the field)."""
    try:
        return max(int(text.strip()), 0)
    except ValueError:
        return 0


@dataclass(frozen=True)
class HitSound:
    """One hit object's sound: ``bits`` (2 whistle, 4 finish, 8 clap), the normal and addition sample sets (0 Auto,
    1 Normal, 2 Soft, 3 Drum), the custom sample ``index`` (0: the timing point's), ``volume`` (0: the timing
    point's, else 1-100 %) and a custom sample ``filename`` (played in place of the normal sound)."""

    bits: int = 0
    normal_set: int = 0
    addition_set: int = 0
    index: int = 0
    volume: int = 0
    filename: str = ""

    @classmethod
    def parse(cls, sound: Sound | None) -> HitSound:
        """The sound of kept text ``(hitSound, hitSample)``; None is the default."""
        if sound is None:
            return cls()
        parts = sound[1].split(":", 4)
        normal_set, addition_set, index, volume = (_int(p) for p in (parts + ["0"] * 4)[:4])
        return cls(_int(sound[0]), min(normal_set, 3), min(addition_set, 3), index, min(volume, MAX_VOLUME),
                   parts[4] if len(parts) > 4 else "")

    def text(self) -> Sound:
        """``(hitSound, hitSample)`` as the ``.osu`` writer puts them on the hit object line."""
        return (str(self.bits),
                f"{self.normal_set}:{self.addition_set}:{self.index}:{self.volume}:{self.filename}")

    def custom(self) -> bool:
        """Whether it has a custom index, volume or file (the notefield marks such a note)."""
        return bool(self.index or self.volume or self.filename)


def _or(value: int | None, kept: int) -> int:
    return kept if value is None else value


@dataclass(frozen=True)
class HitsoundChange:
    """What one action does to each note's sound; None fields stay as they are.

    ``addition`` is ``(bit, on)``: the toggle's decision is taken once for the whole selection by the caller
    (:func:`addition_state`), as osu! does (all have it: off for all; else on for all), so each note is not
    flipped on its own."""

    addition: tuple[int, bool] | None = None
    normal_set: int | None = None
    addition_set: int | None = None
    index: int | None = None
    volume: int | None = None
    reset: bool = False

    def __post_init__(self) -> None:
        if self.addition is not None and self.addition[0] not in ADDITIONS:
            raise ValueError(f"hitSound bit {self.addition[0]} is not whistle (2), finish (4) or clap (8)")
        for name in ("normal_set", "addition_set"):
            value = getattr(self, name)
            if value is not None and not 0 <= value < len(SAMPLE_SETS):
                raise ValueError(f"sample set {value} is not 0-3 (Auto, Normal, Soft, Drum)")
        if self.index is not None and self.index < 0:
            raise ValueError("the sample index is 0 (the timing point's) or more")
        if self.volume is not None and not 0 <= self.volume <= MAX_VOLUME:
            raise ValueError("the volume is 0 (the timing point's) or 1-100 %")

    def apply(self, sound: HitSound) -> HitSound:
        if self.reset:
            return HitSound()
        if self.addition is not None:
            bit, on = self.addition
            sound = replace(sound, bits=sound.bits | bit if on else sound.bits & ~bit)
        return replace(sound, normal_set=_or(self.normal_set, sound.normal_set),
                       addition_set=_or(self.addition_set, sound.addition_set), index=_or(self.index, sound.index),
                       volume=_or(self.volume, sound.volume))

    def what(self) -> str:
        """What the change does, in words: "Whistle on", "Soft normal set", "Sample index 2, volume 70 %"."""
        if self.reset:
            return "Default hitsounds"
        parts = []
        if self.addition is not None:
            parts.append(f"{ADDITIONS[self.addition[0]]} {'on' if self.addition[1] else 'off'}")
        for value, kind in ((self.normal_set, "normal"), (self.addition_set, "addition")):
            if value is not None:
                parts.append(f"{SAMPLE_SETS[value]} {kind} set")
        if self.index is not None:
            parts.append(f"sample index {self.index or 'of the timing point'}")
        if self.volume is not None:
            parts.append(f"volume {f'{self.volume} %' if self.volume else 'of the timing point'}")
        text = ", ".join(parts) or "Hitsounds"
        return f"{text[0].upper()}{text[1:]}"

    def describe(self, count: int) -> str:
        """The undo step's name and status line: "Whistle on 12 notes", "Soft normal set on 3 notes"."""
        notes = f"{count} note{'s' * (count != 1)}"
        what = self.what()
        return f"{what} {notes}" if what.endswith((" on", " off")) else f"{what} on {notes}"


def takes_sounds(chart: Chart) -> bool:
    """Whether ``chart`` is an osu! map the hitsound tool edits (module docstring)."""
    return is_keyboard(chart) or carries_sounds(chart.extra)


def sounded(notes: Iterable[Note]) -> list[Note]:
    """The notes of ``notes`` that osu! writes as hit objects (the others cannot keep a sound)."""
    return [n for n in notes if n.kind not in _UNSOUNDED]


def sounds_of(chart: Chart, cells: Iterable[Cell]) -> list[HitSound]:
    """The sound of each cell (the default where none is kept)."""
    kept = kept_sounds(chart.extra)
    return [HitSound.parse(kept.get(cell)) for cell in cells]


def addition_state(sounds: list[HitSound], bit: int) -> bool | None:
    """True when every sound has the addition, False when none has it, None when some have it (and when empty)."""
    have = sum(bool(s.bits & bit) for s in sounds)
    return None if not sounds else True if have == len(sounds) else False if have == 0 else None


def common(sounds: list[HitSound], field: str) -> int | None:
    """The value of ``field`` that every sound shares, else None (a mixed selection, or none)."""
    values = {getattr(s, field) for s in sounds}
    return values.pop() if len(values) == 1 else None


def changes_for(chart: Chart, cells: Iterable[Cell], change: HitsoundChange) -> dict[Cell, Sound]:
    """The new text of each cell whose sound ``change`` really changes (the others are left untouched)."""
    kept = kept_sounds(chart.extra)
    out: dict[Cell, Sound] = {}
    for cell in cells:
        old = HitSound.parse(kept.get(cell))
        new = change.apply(old)
        if new != old:
            out[cell] = new.text()  # the default text for the default sound: set_sounds drops its line
    return out


class SetHitsounds:
    """Change the sounds of the notes on ``cells`` of one chart as one undo step (its ``extra`` before and after).

    What changes is worked out when the step is done (:func:`changes_for`), so redo after other edits fits the
    chart as it is then; ``do`` raises ValueError, changing nothing, when no note's sound would change."""

    provenance: dict | None = None

    def __init__(self, chart: ChartRef, cells: Iterable[Cell], change: HitsoundChange, name: str | None = None):
        self.chart = chart
        self.cells = tuple(cells)
        self.change = change
        self._named = name
        self.name = name or change.describe(len(self.cells))  # how many it changes, once done
        self._pinned: Chart | None = None
        self._old: list[tuple[str, str]] | None = None  # the chart's extra before this step, and after
        self._new: list[tuple[str, str]] = []
        self.changed = 0  # notes whose sound the last do changed

    def _target(self, doc: Document) -> Chart:
        if self._pinned is None:  # pinned on first use, as chart.commands does: a rename must not redirect redo
            self._pinned = doc.resolve_chart(self.chart)
        return self._pinned

    def do(self, doc: Document) -> None:
        chart = self._target(doc)
        changes = changes_for(chart, self.cells, self.change)
        if not changes:
            raise ValueError("the notes already sound so")
        self._old = chart.extra
        self.changed = len(changes)
        if self._named is None:
            self.name = self.change.describe(self.changed)
        self._new = set_sounds(chart.extra, changes)
        doc.set_chart_fields(chart, extra=self._new)

    def undo(self, doc: Document) -> None:
        if self._old is not None:  # the sounds' line only: a chart's #MUSIC relinked since by Save As stays
            chart = self._target(doc)
            doc.set_chart_fields(chart, extra=patch_extra(chart.extra, self._new, self._old))
            self._old = None

    def merge_with(self, other: object) -> bool:
        return False  # W then E within a second are two steps, as in osu!

    def __repr__(self) -> str:
        return f"SetHitsounds({self.name!r})"
