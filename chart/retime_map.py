"""The beat map of Keep notes in time (:mod:`chart.retime`): where a note's beat goes when the timing changes, for
thousands of beats at once.

:func:`map_beat` is the rule, one beat at a time in exact Fractions (module docstring of :mod:`chart.retime`).
It took ~90 us per beat, and a timing nudge with Keep notes in time maps every head and hold end of every chart
that uses the timing: one F12 froze the window for 3.5 s on a 28k-note song. :class:`BeatMap` gives the very same
beats (the tests compare them on random timings) at a fraction of that, because the rule's Fractions are needed
only where it branches:

* each *distinct* beat is mapped once, for every chart of the song (charts share most of their rows), keyed by
  its numerator and denominator (hashing a Fraction costs a pow());
* the time of a beat under the old timing and the beat at that time under the new one are worked out on the
  timings' exact knots in plain integers (a numerator over a denominator, as ``TimingData.seconds_floats`` does),
  and every float the rule compares (the snap's, the time error's) is an integer division, which Python rounds
  correctly, exactly as ``float(Fraction)`` does: the same float, so the same decision at every tie;
* the snap of the beats that land off the 1/192 grid is one vectorised call for the lot;
* beats the fast path does not cover (a custom snap off the 1/192 grid, numbers too large for a float) go
  through :func:`map_beat` itself; warps are looked up per beat as :func:`map_beat` does (an indexed bisection).

Two beats do not keep their time: a beat inside an old warp has none of its own (:func:`warped_beat`), and a
beat at or after beat 0 whose time now falls before beat 0 goes to beat 0 (no chart file keeps a note before it;
:func:`map_beat`). Their notes give way to the others on a taken cell (:attr:`BeatMap.yields`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from chart.formats.display_segments import past_warps
from chart.formats.timing_tags import cached_on, in_warp
from chart.snap import DIVISORS, is_on_grid, snap_preferring_coarse
from chart.timing import TimingData

SNAP_TOLERANCE_S = 0.001
MIN_HOLD = Fraction(1, 48)

Ratio = tuple[int, int]  # numerator, denominator > 0; not necessarily in lowest terms


def map_beat(old: TimingData, new: TimingData, beat: Fraction) -> tuple[Fraction, float]:
    """(``beat``'s beat under ``new`` at its time under ``old``, how far in time (s) that moves it: 0.0 for a beat
    inside an old warp, which is never judged). The rule, one beat in exact Fractions: :class:`BeatMap` gives the
    same for many beats at once. A beat inside an old warp goes where :func:`warped_beat` puts it; a beat at or
    after beat 0 that would land before it goes to beat 0 (past a warp there), its shift then how late it sounds
    there: no chart file keeps a note before beat 0 (an offset nudge put the note on beat 0 at -1/48, and Save
    refused the song; docs/editor.md, "No note is placed ... before beat 0")."""
    return _mapped(old, new, beat)[:2]


def _mapped(old: TimingData, new: TimingData, beat: Fraction) -> tuple[Fraction, float, bool]:
    """:func:`map_beat`, and whether the beat was pulled up to beat 0."""
    if in_warp(old, beat):
        return warped_beat(old, new, beat), 0.0, False
    at_s = old.beat_to_seconds(beat)
    exact = new.seconds_to_beat(at_s)
    tolerance = SNAP_TOLERANCE_S * float(new.bpm_at(exact)) / 60.0
    own = _on_own_grid(beat, exact)
    if is_on_grid(exact, 192):
        moved = exact
    elif own is not None and abs(float(own - exact)) <= tolerance:
        moved = own  # a custom-snap note (1/20...) stays on its own snap, not the nearest 1/48 row
    else:
        moved = snap_preferring_coarse(np.array([float(exact)]), DIVISORS, tolerance)[0]
    if new.warps:  # a judged note snapped onto a new warp's start stays judged
        moved = past_warps(new, moved)
    moved = _nearest_sounding(new, exact, moved, at_s)
    raised = moved < 0 <= beat
    if raised:
        moved = _beat_zero(new)
    return moved, abs(float(new.beat_to_seconds(moved) - at_s)), raised


def warped_beat(old: TimingData, new: TimingData, beat: Fraction) -> Fraction:
    """The new beat of ``beat``, inside a warp of ``old`` (the caller checks: :func:`in_warp`). A warp passes over
    its beats in no time: every beat of it is at the one instant, and mapped by its time the warp's notes (20kmh
    charts dozens of mines in its two warps) all went to one row, where all but one per lane were deleted as
    dropped on a taken cell. Such a note has no time of its own to keep; its place is in the warp, which a timing
    edit leaves on its beats (a BPM, stop or offset change moves the judged notes around it, not the warp): so it
    keeps its beat. When the edit moved the warp itself (one warp gone and one of the same length come, a whole
    number of 1/48 rows away: its row's beat edited in the Timing panel), the note moves with it, keeping its
    beat in the warp; a warp removed or resized leaves its notes on their beats (now judged there, if outside a
    warp)."""
    return _carried(beat, _warp_move(old, new))


def _carried(beat: Fraction, move: tuple[Fraction, Fraction, Fraction] | None) -> Fraction:
    """:func:`warped_beat` with the edit's :func:`_warp_move` (found once per map)."""
    if move is not None:
        start, length, to = move
        if start <= beat < start + length and beat + to - start >= 0:  # (never before beat 0)
            return beat + to - start
    return beat


def _warp_move(old: TimingData, new: TimingData) -> tuple[Fraction, Fraction, Fraction] | None:
    """(start, length, new start) of the one warp of ``old`` that ``new`` has moved: one warp gone, one of the same
    length come, a whole number of 1/48 rows away (the rows of the notes it carries stay rows); else None."""
    if not old.warps or old.warps == new.warps:
        return None
    gone = set(old.warps) - set(new.warps)
    came = set(new.warps) - set(old.warps)
    if len(gone) != 1 or len(came) != 1:
        return None
    (start, length), (to, length_to) = gone.pop(), came.pop()
    if length != length_to or length <= 0 or ((to - start) * 48).denominator != 1:
        return None
    return start, length, to


def _beat_zero(new: TimingData) -> Fraction:
    """Where a note pulled up to beat 0 goes: beat 0, or past a warp there (as a judged note is)."""
    return past_warps(new, Fraction(0)) if new.warps else Fraction(0)


def _on_own_grid(beat: Fraction, exact: Fraction) -> Fraction | None:
    """The row of ``beat``'s own snap nearest ``exact``, for a note off the 1/192 grid (a custom snap such as
    osu!'s 1/5 beat); None for the others, which the usual snaps serve. Without it a 1 ms nudge with Keep notes in
    time moved such a note to the nearest 1/48 row, 3 ms from where it sounded and off its snap."""
    if is_on_grid(beat, 192):
        return None
    step = Fraction(1, beat.denominator)
    return round(exact / step) * step


def _nearest_sounding(new: TimingData, exact: Fraction, beat: Fraction, at_s: Fraction) -> Fraction:
    """``beat``, or a 1/48-beat row next to ``exact`` that is *judged* nearer ``at_s``. The exact beat at a time
    is where the grid arrives then, but a stop's or a delay's notes are judged at another instant: a note heard at
    a stop's end would go to the stop's beat (judged when the pause starts, a whole stop early), one heard on a
    new delay's beat to that beat (judged after the delay). The row after the stop, the row before the delay,
    is within half a row."""
    error = abs(float(new.beat_to_seconds(beat) - at_s))
    if error <= SNAP_TOLERANCE_S or not (new.stops or new.delays):
        return beat
    row = exact - exact % MIN_HOLD
    for near in (row - MIN_HOLD, row, row + MIN_HOLD, row + 2 * MIN_HOLD):
        if in_warp(new, near):
            continue
        e = abs(float(new.beat_to_seconds(near) - at_s))
        if e < error - 1e-9:
            beat, error = near, e
    return beat


def _ratio(value: Fraction) -> Ratio:
    return value.numerator, value.denominator


@dataclass(frozen=True)
class _ExactKnots:
    """A timing's exact knots (``TimingData._knots``, the ones its own conversions use) as integer ratios, with
    their floats to bisect on and to compare first (float() keeps the order of the values it rounds: two floats
    that differ order their values, and only equal floats need the exact values), and per knot the snap
    tolerance in beats at the tempo there."""

    beats: list[Ratio]
    beats_f: list[float]
    arrive: list[Ratio]
    arrive_f: list[float]
    judged: list[Ratio]
    leave: list[Ratio]
    leave_f: list[float]
    spb: list[Ratio]
    spb_before: Ratio
    tolerance: list[float]  # SNAP_TOLERANCE_S in beats at bpm_at(beats[j])
    tolerance_before: float

    @classmethod
    def of(cls, timing: TimingData) -> _ExactKnots:
        k = timing._knots  # the exact knots, so that the arithmetic is the timing's own
        leave = [k.leave(j) for j in range(len(k.beats))]
        return cls(
            beats=[_ratio(b) for b in k.beats], beats_f=[float(b) for b in k.beats],
            arrive=[_ratio(a) for a in k.arrive], arrive_f=[float(a) for a in k.arrive],
            judged=[_ratio(a + d) for a, d in zip(k.arrive, k.delay)],
            leave=[_ratio(t) for t in leave], leave_f=[float(t) for t in leave],
            spb=[_ratio(s) for s in k.spb], spb_before=_ratio(k.spb_before),
            tolerance=[SNAP_TOLERANCE_S * float(timing.bpm_at(b)) / 60.0 for b in k.beats],
            tolerance_before=SNAP_TOLERANCE_S * float(timing.bpms[0][1]) / 60.0,
        )

    def beat_to_seconds(self, p: int, q: int) -> Ratio:
        """``TimingData.beat_to_seconds(Fraction(p, q))`` as a ratio of integers (``q`` > 0)."""
        x = p / q
        approx = self.beats_f
        j = bisect_right(approx, x) - 1
        while j >= 0 and approx[j] == x and self.beats[j][0] * q > p * self.beats[j][1]:
            j -= 1  # a knot whose float equals the beat's but lies after it
        if j < 0:
            (an, ad), (kn, kd), (sn, sd) = self.arrive[0], self.beats[0], self.spb_before
            return an * kd * q * sd - (kn * q - p * kd) * sn * ad, ad * kd * q * sd
        kn, kd = self.beats[j]
        if approx[j] == x and kn * q == p * kd:
            return self.judged[j]
        (ln, ld), (sn, sd) = self.leave[j], self.spb[j]
        return ln * kd * q * sd + (p * kd - kn * q) * sn * ld, ld * kd * q * sd

    def seconds_to_beat(self, tn: int, td: int) -> tuple[Ratio, float]:
        """(``TimingData.seconds_to_beat(Fraction(tn, td))`` as a ratio of integers; the snap tolerance in beats
        at the tempo there: ``bpm_at`` of the result is the BPM of the knot it lies at or after, as every BPM
        change is a knot)."""
        t = tn / td
        approx = self.arrive_f
        j = bisect_right(approx, t) - 1
        while j >= 0 and approx[j] == t and self.arrive[j][0] * td > tn * self.arrive[j][1]:
            j -= 1
        if j < 0:
            (an, ad), (kn, kd), (sn, sd) = self.arrive[0], self.beats[0], self.spb_before
            return (kn * ad * td * sn - (an * td - tn * ad) * kd * sd, kd * ad * td * sn), self.tolerance_before
        (ln, ld), (sn, sd) = self.leave[j], self.spb[j]
        lf = self.leave_f[j]
        if t < lf or (t == lf and tn * ld <= ln * td) or sn == 0:  # in the pause at the knot (or after a warp)
            return self.beats[j], self.tolerance[j]
        kn, kd = self.beats[j]
        return (kn * td * ld * sn + (tn * ld - ln * td) * sd * kd, kd * td * ld * sn), self.tolerance[j]


def _exact_knots(timing: TimingData) -> _ExactKnots:
    return cached_on(timing, "_retime_knots", _ExactKnots.of)


class BeatMap:
    """:func:`map_beat` for ``old`` -> ``new``, cached per distinct beat (module docstring): :meth:`prepare` maps
    many beats in one go, calling it maps one. Per beat (numerator, denominator): ``moved`` holds the new beat,
    ``shift`` the time shift (s), and ``stays`` the beats that keep their beat. Three tables rather than one of
    tuples: a tuple holding a Fraction per beat stays tracked by the garbage collector, and 13k of them, with the
    edit's other objects, set off a full collection in the middle of an offset nudge (~40 ms with a 28k-note
    song open). ``yields``: the beats that do not keep a time of their own (inside an old warp, or pulled up to
    beat 0: ``raised``), whose notes give way to the others on a taken cell.

    The re-beats of a timing edit share its map (:mod:`chart.retime`), and add up on it what the status line
    says besides the moved and dropped notes: ``shortened`` (holds ending a row before a note they came to reach),
    ``pulled`` (notes pulled up to beat 0) and ``late_s`` (how late the latest of those sounds)."""

    def __init__(self, old: TimingData, new: TimingData):
        self.old, self.new = old, new
        self.moved: dict[Ratio, Fraction] = {}
        self.shift: dict[Ratio, float] = {}
        self.stays: set[Ratio] = set()
        self.yields: set[Ratio] = set()
        self.raised: set[Ratio] = set()
        self.exact_calls = 0  # beats mapped by map_beat itself (the fast path's exceptions; tests count them)
        self.shortened = self.pulled = 0
        self.late_s = 0.0
        self._move = _warp_move(old, new) if old.warps else None

    def __call__(self, beat: Fraction) -> Fraction:
        key = (beat.numerator, beat.denominator)
        if key not in self.moved:
            self.prepare((beat,))
        return self.moved[key]

    def entry(self, beat: Fraction) -> tuple[Fraction, float, bool]:
        """(the new beat, the time shift, whether it stays) of a mapped beat."""
        key = (beat.numerator, beat.denominator)
        return self.moved[key], self.shift[key], key in self.stays

    def prepare(self, beats: Iterable[Fraction]) -> None:
        """Map every beat of ``beats`` not mapped yet."""
        moved = self.moved
        todo = {}
        for b in {id(b): b for b in beats}.values():  # a row's notes share their beat's object
            key = (b.numerator, b.denominator)
            if key not in moved:
                todo[key] = b
        if not todo:
            return
        old, new = _exact_knots(self.old), _exact_knots(self.new)
        snapping: list[Fraction] = []  # beats landing off the grid, snapped together below (parallel lists: no
        times: list[Ratio] = []  # tuple per beat that holds a Fraction)
        exacts: list[Ratio] = []
        floats: list[float] = []
        tolerances: list[float] = []
        for (p, q), beat in todo.items():
            if (p * 48) % q:  # off the 1/192 grid: a custom snap, whose own rows are tried first
                self._exactly(beat)
                continue
            try:
                at = old.beat_to_seconds(p, q)
                exact, tolerance = new.seconds_to_beat(*at)
                en, ed = exact
                if (en * 48) % ed == 0:  # on the 1/192 grid: kept as it is
                    self._finish(new, beat, at, exact, beat if en * q == p * ed else Fraction(en, ed))
                    continue
                floats.append(en / ed)
            except OverflowError:  # a number no float holds: the Fractions handle it
                self._exactly(beat)
                continue
            snapping.append(beat)
            times.append(at)
            exacts.append(exact)
            tolerances.append(tolerance)
        if snapping:
            rows = snap_preferring_coarse(np.array(floats), DIVISORS, np.array(tolerances))
            for beat, at, exact, row in zip(snapping, times, exacts, rows, strict=True):
                self._finish(new, beat, at, exact, row)

    def _store(self, beat: Fraction, moved: Fraction, shift: float, yields: bool = False,
               raised: bool = False) -> None:
        key = (beat.numerator, beat.denominator)
        self.moved[key] = moved
        self.shift[key] = shift
        if moved is beat or (moved.numerator == beat.numerator and moved.denominator == beat.denominator):
            self.stays.add(key)  # (both in lowest terms: no Fraction.__eq__ and its type checks)
        if yields or raised:
            self.yields.add(key)
        if raised:
            self.raised.add(key)

    def _exactly(self, beat: Fraction) -> None:
        self.exact_calls += 1
        moved, shift, raised = _mapped(self.old, self.new, beat)
        self._store(beat, moved, shift, bool(self.old.warps) and in_warp(self.old, beat), raised)

    def _finish(self, knots: _ExactKnots, beat: Fraction, at: Ratio, exact: Ratio, moved: Fraction) -> None:
        """:func:`map_beat` after the snap: warps, pauses and the time shift (``knots``: the new timing's, ``at``:
        the beat's time, ``exact``: the new beat at that time)."""
        if self.old.warps and in_warp(self.old, beat):  # no time of its own: warped_beat
            self._store(beat, _carried(beat, self._move), 0.0, yields=True)
            return
        new = self.new
        if new.warps:
            moved = past_warps(new, moved)
        try:
            error = abs(_minus(knots.beat_to_seconds(moved.numerator, moved.denominator), at))
            if error > SNAP_TOLERANCE_S and (new.stops or new.delays):  # judged away from its time: _nearest_sounding
                en, ed = exact
                row = (en * 48) // ed  # the 1/48 row at or before the exact beat
                for r in (row - 1, row, row + 1, row + 2):
                    if new.warps and in_warp(new, Fraction(r, 48)):
                        continue
                    e = abs(_minus(knots.beat_to_seconds(r, 48), at))
                    if e < error - 1e-9:
                        moved, error = Fraction(r, 48), e
            if moved.numerator < 0 <= beat.numerator:  # before beat 0, where no chart file keeps a note: map_beat
                moved = _beat_zero(new)
                error = abs(_minus(knots.beat_to_seconds(moved.numerator, moved.denominator), at))
                self._store(beat, moved, error, raised=True)
                return
        except OverflowError:
            self._exactly(beat)
            return
        self._store(beat, moved, error)


def paused_beats(beats: BeatMap) -> dict[Ratio, tuple[str, Fraction]]:
    """The beats of ``beats`` (mapped already) whose time falls inside a pause of the new timing: a stop's or a
    delay's, that the edit added or lengthened (or a tempo change moved notes into). No beat is judged during a
    pause, so such a beat went to the pause's beat or the row after it, moved in time by up to half the pause, not
    by the half row of a rounding; and several of a run can now share one row (a jump). By beat (numerator,
    denominator): ("stop" or "delay", the pause's beat). Only the beats moved more than a rounding can move one
    (half a 1/48 row at the fastest tempo, or :data:`SNAP_TOLERANCE_S`) are looked at, in integers: every beat
    of an offset nudge moves by a rounding, and a nudge converts no beat in Fractions."""
    new = beats.new
    if not (new.stops or new.delays):
        return {}
    fastest = max(abs(float(bpm)) for _, bpm in new.bpms)
    skip, least = beats.yields, max(SNAP_TOLERANCE_S, 30.0 / fastest / 48 if fastest else 0.0)
    far = [key for key, s in beats.shift.items() if s > least and key not in skip]
    if not far:
        return {}
    old, knots = _exact_knots(beats.old), _exact_knots(new)
    found: dict[Ratio, tuple[str, Fraction]] = {}
    for p, q in far:
        at = old.beat_to_seconds(p, q)
        try:
            j = bisect_right(knots.arrive_f, at[0] / at[1]) - 1
        except OverflowError:  # a time no float holds: no pause of a chart is there
            continue
        while j >= 0 and _minus(knots.arrive[j], at) > 0:  # a knot whose float equals the time's but lies after it
            j -= 1
        if j < 0 or not _minus(knots.arrive[j], at) < 0 < _minus(knots.leave[j], at):
            continue
        judged = _minus(knots.judged[j], at)  # a delay comes before the row is judged, a stop after
        if judged:
            found[(p, q)] = ("delay" if judged > 0 else "stop", Fraction(*knots.beats[j]))
    return found


def _minus(a: Ratio, b: Ratio) -> float:
    """float(Fraction(*a) - Fraction(*b)): Python divides ints correctly rounded, as Fraction.__float__ does."""
    return (a[0] * b[1] - b[0] * a[1]) / (a[1] * b[1])

