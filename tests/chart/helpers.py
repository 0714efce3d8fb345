"""Small builders shared by the chart tests (songs made in code; no files)."""

from __future__ import annotations

import fractions
import sys
from collections import Counter
from fractions import Fraction

from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


class FakeClock:
    """Injectable clock for the merge window: ``advance`` moves time without sleeping."""

    def __init__(self, start_s: float = 100.0) -> None:
        self.now_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


def tap(beat, lane: int) -> Note:
    return Note(Fraction(beat), lane)


def hold(beat, lane: int, length, kind: NoteKind = NoteKind.HOLD) -> Note:
    return Note(Fraction(beat), lane, kind, Fraction(length))


def stream(first_beat: int, count: int, step=Fraction(1, 2)) -> list[Note]:
    """``count`` taps cycling through the 4 lanes every ``step`` beats."""
    return [tap(first_beat + i * Fraction(step), i % 4) for i in range(count)]


def make_song(bpm: int = 120, slots=(Slot.EASY, Slot.HARD), notes_per_chart: int = 16) -> Song:
    charts = [Chart(slot=slot, meter=2 + 3 * i, notes=stream(0, notes_per_chart)) for i, slot in enumerate(slots)]
    return Song(title="Test", artist="Nobody", music="song.ogg", timing=TimingData.constant(bpm), charts=charts)


def fraction_calls(fn) -> Counter[str]:
    """Calls into ``fractions.py`` made by ``fn()``, by function name (``numerator`` and ``denominator`` are the
    property reads)."""
    calls: Counter[str] = Counter()
    source = fractions.__file__

    def profile(frame, event, _arg):
        if event == "call" and frame.f_code.co_filename == source:
            calls[frame.f_code.co_name] += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return calls


def fraction_work(fn) -> int:
    """Calls into ``fractions.py`` made by ``fn()``: arithmetic, comparisons, hashing, construction (reading a
    Fraction's numerator or denominator is free and not counted)."""
    calls = fraction_calls(fn)
    return sum(n for name, n in calls.items() if name not in ("numerator", "denominator"))


def converted(chart, notes, kind, length):
    """A kind change as the editor's Edit > Convert pushes it (``editor.controllers.reshape``): one
    ``ReplaceNotes`` of the notes for their converted copies, hitsounds following in place. Holds and rolls keep
    their length between each other; a new one gets ``length``; other kinds have none."""
    from chart.commands import ReplaceNotes, in_place

    kind, notes = NoteKind(kind), list(notes)
    new = [n.replace(kind=kind, length=(n.length if n.kind.has_length else Fraction(length)) if kind.has_length
                     else Fraction(0)) for n in notes]
    return ReplaceNotes(chart, notes, new, f"Convert to {kind.value}s", follow=in_place(notes))
