"""The osu! hitsounds of the notes on the clipboard (:mod:`chart.paste_sounds`), for the TransformController.

Copy keeps each copied note's sound by its cell relative to the copy's start (only from a chart that keeps
sounds), and puts them in the clipboard's JSON beside the notes so another window's paste gives them too; a paste
into an osu! map is then a :class:`chart.paste_sounds.PasteNotes`, one undo step with the sounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from chart.commands import ReplaceNotes
from chart.formats.osu_hitsounds import Sound
from chart.notes import Note
from chart.paste_sounds import Cell, PasteNotes, copied_sounds, pasted_sounds
from chart.song import Chart


@dataclass
class ClipSounds:
    """``sounds``: {(beat from the copy's start, lane): sound}; ``source`` and ``base``: the chart copied from and
    the copy's start (None for notes another window copied), so that a paste back there takes back the lost lines
    its own cut left (Save then reports nothing dropped)."""

    sounds: dict[Cell, Sound] = field(default_factory=dict)
    source: Chart | None = None
    base: Fraction = Fraction(0)

    @classmethod
    def copied(cls, chart: Chart, notes: Iterable[Note], base: Fraction) -> ClipSounds:
        return cls(copied_sounds(chart, notes, base), chart, base)

    def payload(self) -> dict[str, Any]:
        """The clipboard JSON's ``sounds`` entry (none when the notes carry no sounds)."""
        if not self.sounds:
            return {}
        return {"sounds": [[str(b), lane, hs, sample] for (b, lane), (hs, sample) in self.sounds.items()]}

    @classmethod
    def parse(cls, data: dict[str, Any]) -> ClipSounds:
        """The sounds of another window's clipboard JSON (raises ValueError, TypeError... on damaged text)."""
        return cls({(Fraction(b), int(lane)): (str(hs), str(sample))
                    for b, lane, hs, sample in data.get("sounds", [])})

    def at(self, beat: Fraction, new: Iterable[Note]) -> Callable[..., ReplaceNotes]:
        """What makes the command of a paste of ``new`` (the clipboard's notes at ``beat``), called as
        :class:`~chart.commands.ReplaceNotes` is: a :class:`PasteNotes` with their sounds when one has a sound."""
        sounds = pasted_sounds(self.sounds, new, beat)

        def make(chart: Chart, old: Iterable[Note], notes: Iterable[Note], name: str,
                 follow: dict[Cell, Cell] | None = None) -> ReplaceNotes:
            if not sounds:
                return ReplaceNotes(chart, old, notes, name=name, follow=follow)
            origin = ({(b - beat + self.base, lane): s for (b, lane), s in sounds.items()}
                      if chart is self.source else {})
            return PasteNotes(chart, old, notes, name, follow, sounds, origin)
        return make
