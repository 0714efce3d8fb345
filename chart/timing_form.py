"""Whether two timings place every beat at the same second, however they are written.

A timing edit can change the lists without moving a beat: a BPM row that repeats the BPM in force (a designer's
marker, or one an edit put in to hold a beat), a stop or delay of 0 s, the first BPM written at another beat (it
runs from the song's start either way), two stops on one row instead of their sum, touching warps instead of one.
What is drawn on the beats of a timing (the AI's ghosts, a result drafted against it) still sits on the music
after such an edit, so it is compared by :func:`same_times`, on one form per map of beats to seconds
(:func:`placement`), not by the lists as written.
"""

from __future__ import annotations

from fractions import Fraction

from chart.timing import Pair, TimingData

Placement = tuple[Fraction, Fraction, tuple[Pair, ...], tuple[Pair, ...], tuple[Pair, ...], tuple[Pair, ...]]


def same_times(a: TimingData, b: TimingData) -> bool:
    """Whether every beat sounds at the same second under ``a`` and ``b`` and the same beats are warped (module
    docstring). Time signatures and ``extra`` (labels, scrolls, fakes...) are not compared. Equal forms mean
    equal times; the form does not see through rarer equivalences (a BPM change moved inside a warp), which then
    count as a change."""
    return a is b or placement(a) == placement(b)


def placement(timing: TimingData) -> Placement:
    """(offset, first BPM, the later BPM changes that change the tempo, stops and delays per row above 0 s, warps
    merged into disjoint ``(start, end)`` ranges): one form for timings that place beats alike."""
    steps: list[Pair] = []
    for beat, bpm in timing.bpms:  # sorted: of two at one beat the later is in force, as bpm_at finds
        if steps and steps[-1][0] == beat:
            steps.pop()
        if not steps or steps[-1][1] != bpm:
            steps.append((beat, bpm))
    warps: list[Pair] = []
    for beat, length in timing.warps:  # sorted by start
        if length and warps and beat <= warps[-1][1]:
            warps[-1] = (warps[-1][0], max(warps[-1][1], beat + length))
        elif length:
            warps.append((beat, beat + length))
    return (timing.offset, steps[0][1], tuple(steps[1:]), _summed(timing.stops), _summed(timing.delays),
            tuple(warps))


def _summed(pairs: tuple[Pair, ...]) -> tuple[Pair, ...]:
    """Seconds per row, added up as the timing adds a row listed twice; rows of 0 s left out."""
    at: dict[Fraction, Fraction] = {}
    for beat, seconds in pairs:
        at[beat] = at.get(beat, Fraction(0)) + seconds
    return tuple((b, s) for b, s in sorted(at.items()) if s)
