"""The checks on a note plugin's result (:func:`check_result`) and what they need: :class:`PluginContext` (what a
plugin sees) and :class:`PluginError`. ``chart.plugins`` re-exports them; the plugin worker and the editor both
check a result (the editor does not trust the worker's process).
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from chart.checks.base import describe_beat
from chart.formats.errors import MAX_NOTES
from chart.notes import Note, sort_notes
from chart.sorted_notes import inside_holds
from chart.timestamp import MAX_BEATS
from chart.timing import TimingData

CHECK_EVERY = 2048  # notes between two looks at Stop and the time limit while a result is read and checked


class PluginError(ValueError):
    """A plugin that could not be loaded or run, or whose result was refused (one line). ``details``: what a
    plugin author needs to see behind the line (the traceback, the end of what the plugin printed), or ""."""

    def __init__(self, message: str = "", details: str = ""):
        super().__init__(message)
        self.details = details


class PluginCancelled(PluginError):
    """The run was stopped by the user."""


@dataclass(frozen=True)
class PluginContext:
    """What a plugin sees."""

    notes: tuple[Note, ...]  # the notes to transform: the selection, else the whole chart (in order)
    chart_notes: tuple[Note, ...]  # every note of the chart
    timing: TimingData  # the chart's timing (beat_to_seconds, seconds_to_beat, bpm_at...)
    lanes: int
    slot: str  # "beginner" ... "edit"
    meter: int
    divisor: int  # the editor's snap (4 = quarter notes, 16 = sixteenths...)
    cursor_beat: Fraction
    scope: str  # "selection" (notes, or a beat range: see range_beats) or "chart"
    range_beats: tuple[Fraction, Fraction] | None = None  # the selected beat range (start <= end), if one is


def check_result(result: object, ctx: PluginContext, stop: Callable[[], None] = lambda: None) -> list[Note]:
    """The plugin's result as notes, or PluginError saying what is wrong with it.

    Notes must be what a chart file can store: from beat 0 to :data:`~chart.timestamp.MAX_BEATS`, on the
    1/48-beat grid (the finest .sm/.ssc rows, every snap of the editor), unless at a beat the chart's notes
    already use. A lane must be a whole number
    (a numpy integer is taken as one); a kind without a length (tap, mine, lift, fake) gets length 0, as
    ``note.replace(kind="tap")`` on a hold would otherwise keep the hold's. At most
    :data:`~chart.formats.errors.MAX_NOTES` notes (what a chart file may hold); ``stop`` is called every
    :data:`CHECK_EVERY` notes (it raises to end the check: Stop, the time limit).
    """
    if result is None or isinstance(result, (str, bytes, Note)):
        raise PluginError("run(ctx) must return the new notes (a list of Note)")
    if isinstance(result, Mapping):  # iterating it would check its keys
        raise PluginError(f"run(ctx) returned a {type(result).__name__}; return a list of notes")
    try:
        items = list(result)  # type: ignore[call-overload]
    except TypeError:
        raise PluginError(f"run(ctx) returned {type(result).__name__}, not a list of Note") from None
    if len(items) > MAX_NOTES:
        raise PluginError(f"run(ctx) returned {len(items)} notes, more than the {MAX_NOTES} a chart may hold")
    gone = set(ctx.notes)
    kept = [n for n in ctx.chart_notes if n not in gone]
    taken = {(n.beat, n.lane) for n in kept}
    seen: set[tuple[Fraction, int]] = set()
    notes: list[Note] = []
    known = {b for n in ctx.chart_notes for b in (n.beat, n.end_beat)}  # beats the chart has: not the plugin's
    for i, n in enumerate(items):
        if i % CHECK_EVERY == 0:
            stop()
        if not isinstance(n, Note):
            raise PluginError(f"run(ctx) returned a {type(n).__name__} among the notes")
        n = _normal(n)
        if not 0 <= n.lane < ctx.lanes:
            raise PluginError(f"a note at beat {describe_beat(n.beat)} is in lane {n.lane}, outside the chart's {ctx.lanes} lanes")
        if n.kind.has_length and n.length <= 0:
            raise PluginError(f"the {n.kind.value} at beat {describe_beat(n.beat)} has no length")
        _storable(n, known)
        cell = (n.beat, n.lane)
        if cell in seen or cell in taken:
            raise PluginError(f"two notes at beat {describe_beat(n.beat)} in lane {n.lane}")
        seen.add(cell)
        notes.append(n)
    # a chart may already have notes inside holds (Verify's note-in-hold): not ours, also when the plugin moves such
    # a pair together (the hold and its note by the same beats and lane, unchanged otherwise)
    stop()
    before = inside_holds(ctx.chart_notes)
    moved = Counter(_shape(a, b) for a, b in before if a in gone and b in gone)
    for a, b in sorted(inside_holds([*notes, *kept]) - before):
        if moved[_shape(a, b)] > 0:
            moved[_shape(a, b)] -= 1
            continue
        raise PluginError(f"the note at beat {describe_beat(b.beat)} in lane {b.lane} is inside the "
                          f"{a.kind.value} from beat {describe_beat(a.beat)}")
    return sort_notes(notes)


def _normal(n: Note) -> Note:
    """``n`` with an int lane and length 0 when its kind has none; PluginError for a lane that is not whole."""
    try:
        lane = operator.index(n.lane)  # int, numpy integers; not 1.5 (nor 1.0: a float lane is a bug upstream)
    except TypeError:
        raise PluginError(f"a note at beat {describe_beat(n.beat)} has lane {n.lane!r}, not a whole number") from None
    length = n.length if n.kind.has_length else Fraction(0)
    return n if type(n.lane) is int and length == n.length else Note(n.beat, lane, n.kind, length)


def _storable(n: Note, known: set[Fraction]) -> None:
    """PluginError unless chart files can store ``n`` (the editor refuses the same notes in its own edits), at a
    beat the chart did not already use (an imported chart may have notes off the grid: not the plugin's doing).
    Past :data:`~chart.timestamp.MAX_BEATS` (where Go To stops too) no song goes, and a .sm/.ssc writes every
    measure up to its last note: a note at beat 10**9 was 250 million empty measures that Save ran out of memory
    building."""
    if n.beat < 0 and n.beat not in known:
        raise PluginError(f"a note at beat {describe_beat(n.beat)} in lane {n.lane} is before beat 0, where "
                          "chart files keep no notes")
    for beat, what in ((n.beat, "a note at"), (n.end_beat, f"the {n.kind.value} ending at")):
        if beat > MAX_BEATS and beat not in known:
            raise PluginError(f"{what} beat {describe_beat(beat)} in lane {n.lane} is past beat {MAX_BEATS}, "
                              "further than any song goes")
        if (beat * 48).denominator != 1 and beat not in known:
            raise PluginError(f"{what} beat {describe_beat(beat)} in lane {n.lane} is off the 1/48-beat grid, "
                              "the finest a .sm/.ssc file stores")


def _shape(a: Note, b: Note) -> tuple:
    """A (hold, note) pair up to where it is: what moving both by the same beats and lanes keeps."""
    return a.kind, a.length, b.kind, b.length, b.beat - a.beat, b.lane - a.lane
