"""The straightforward Fraction implementations that the fast paths replaced, kept as the reference the
equivalence tests compare with (``test_fast_paths_equal.py``), and random songs to compare them on.

Each function is the code as it was before the change (one scan per warp, per-note Fraction arithmetic), trimmed to
what decides the result.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np

from chart.formats.display_segments import fake_ranges
from chart.notes import Note, NoteKind, beat_rows
from chart.parity import _FEET, _HANDS, START, STATES, FootParse, FootRow, _tables, pressure
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

_DENOMINATORS = (1, 2, 3, 4, 4, 4, 6, 8, 8, 12, 16, 24, 48, 64, 96, 192, 7, 10, 1000)


def in_warp(timing: TimingData, beat: Fraction) -> bool:
    if not any(b <= beat < b + length for b, length in timing.warps):
        return False
    return not any(b == beat and s > 0 for b, s in timing.stops + timing.delays)


def never_judged(timing: TimingData, beat: Fraction) -> bool:
    return in_warp(timing, beat) or any(a <= beat < b for a, b in fake_ranges(timing))


def past_warps(timing: TimingData, beat: Fraction) -> Fraction:
    moved = beat
    for _ in range(len(timing.warps) + 1):
        if not in_warp(timing, moved):
            break
        moved = max(b + length for b, length in timing.warps if b <= moved < b + length)
    return moved if (moved * 48).denominator == 1 else beat


def judged_notes(notes, timing: TimingData) -> list[Note]:
    return [n for n in notes if not never_judged(timing, n.beat)]


def contact_rows(notes: list[Note]):
    running: dict[int, Note] = {}
    for beat, row in beat_rows(notes):
        steps = tuple(n for n in row if n.kind.is_onset)
        if steps:
            lanes = {n.lane for n in steps}
            held = tuple(h for lane, h in sorted(running.items()) if lane not in lanes and h.end_beat > beat)
            yield beat, steps, held
        for n in steps:
            if n.kind.has_length and (n.lane not in running or n.end_beat > running[n.lane].end_beat):
                running[n.lane] = n


def step_rows(notes) -> list[tuple[Fraction, tuple[Note, ...], int, int]]:
    out = []
    running: dict[int, Note] = {}
    for beat, row in beat_rows(sorted(notes, key=lambda n: (n.beat, n.lane))):
        steps = tuple(n for n in row if n.kind.is_onset)
        if steps:
            lanes = {n.lane for n in steps}
            first = {n.lane: n for n in reversed(steps)}
            mask = ending = 0
            for lane, h in running.items():
                if lane not in lanes:
                    mask |= (h.end_beat > beat) << lane
                    ending |= (h.end_beat == beat) << lane
            out.append((beat, tuple(first[lane] for lane in sorted(first)), mask, ending))
        for n in steps:
            if n.kind.has_length and (n.lane not in running or n.end_beat > running[n.lane].end_beat):
                running[n.lane] = n
    return out


def parse_feet(notes, timing: TimingData) -> FootParse:
    """The Viterbi loop as it was: every candidate computed the same way in every row, the chosen flat option kept
    per state, numpy scalars converted one by one."""
    rows = step_rows(judged_notes(list(notes), timing))
    if not rows:
        return FootParse((), 0.0)
    times = timing.beats_to_seconds_array(np.array([float(b) for b, *_ in rows], dtype=np.float64))
    gaps = np.empty_like(times)
    gaps[0] = np.inf
    gaps[1:] = np.maximum(np.diff(times), 0.0)
    press = pressure(gaps).tolist()
    every = np.arange(len(STATES))
    value = np.full(len(STATES), np.inf)
    value[START] = 0.0
    back = []
    for (_, row, held, ending), p in zip(rows, press, strict=True):
        tab = _tables(tuple(n.lane for n in row), held, ending)
        cand = value[:, None] + tab.base + p * tab.fast
        if not back:  # the first row is never stepped crossed (chart.parity's docstring)
            cand = np.where(tab.flags & 1, np.inf, cand)
        cand = cand.ravel()
        pick = cand[tab.gather]
        best = np.argmin(pick, axis=1)
        back.append((tab, tab.gather[every, best]))
        value = pick[every, best]
    state = int(np.argmin(value))
    cost = float(value[state])
    picks = []
    for tab, chosen in reversed(back):
        prev, j = divmod(int(chosen[state]), tab.nxt.shape[1])
        picks.append((prev, j, tab))
        state = prev
    picks.reverse()
    out = []
    for (beat, row, *_), t, g, (prev, j, tab) in zip(rows, times, gaps, picks, strict=True):
        fl = int(tab.flags[prev, j])
        feet = tuple(_FEET[f] for f in tab.feet[prev, j].tolist())
        out.append(FootRow(beat, float(t), float(g), row, feet, crossover=bool(fl & 1), double_step=bool(fl & 4),
                           footswitch=bool(fl & 8), jack=bool(fl & 16), hands=bool(fl & _HANDS)))
    return FootParse(tuple(out), cost)


# ---------------------------------------------------------------------------------------------- random songs
def random_beat(rng: random.Random, span: int, negative: bool = False) -> Fraction:
    d = rng.choice(_DENOMINATORS)
    low = -4 * d if negative else 0
    return Fraction(rng.randint(low, span * d), d)


def random_timing(rng: random.Random, span: int = 64) -> TimingData:
    """Tempo changes, stops and delays (some of 0 s, some on one beat), overlapping and empty warps, fakes."""
    bpms = [(Fraction(0), Fraction(rng.choice((60, 120, 150, 173, 240)), rng.choice((1, 1, 3))))]
    bpms += [(random_beat(rng, span), Fraction(rng.randint(30, 400))) for _ in range(rng.randint(0, 4))]
    pauses = [(random_beat(rng, span), Fraction(rng.randint(0, 3), rng.choice((1, 2, 7)))) for _ in range(6)]
    warps = [(random_beat(rng, span), Fraction(rng.randint(0, 12), rng.choice((1, 2, 3, 4, 48))))
             for _ in range(rng.randint(0, 12))]
    if warps and rng.random() < 0.5:  # a stop on a warped row: StepMania does not skip it
        pauses.append((warps[0][0] + Fraction(1, 4), Fraction(1, 2)))
    fakes = ",".join(f"{float(random_beat(rng, span, False)):.3f}={rng.randint(1, 6)}" for _ in range(rng.randint(0, 3)))
    k = rng.randint(0, len(pauses))
    return TimingData(offset=Fraction(rng.randint(-500, 500), 1000), bpms=tuple(dict(bpms).items()),
                      stops=tuple(pauses[:k]), delays=tuple(pauses[k:]), warps=tuple(warps),
                      extra=(("FAKES", fakes),) if fakes else ())


def random_notes(rng: random.Random, n: int, span: int = 64, lanes: int = 4) -> list[Note]:
    """Taps, holds, rolls, mines, fakes and lifts: duplicates, notes in holds, zero and off-grid lengths."""
    out = []
    for _ in range(n):
        beat = random_beat(rng, span, negative=rng.random() < 0.05)
        kind = rng.choice((NoteKind.TAP,) * 6 + tuple(NoteKind))
        length = Fraction(0)
        if kind.has_length:
            length = Fraction(rng.randint(0, 24), rng.choice((4, 8, 12, 16, 7, 1000)))
        elif rng.random() < 0.02:
            length = Fraction(1, 4)  # a length on a note that cannot have one (the holds check's PROBLEM)
        out.append(Note(beat, rng.randrange(lanes), kind, length))
    if out and rng.random() < 0.3:
        out.append(out[0])  # an exact duplicate
    return out


def random_song(rng: random.Random, n: int = 120) -> Song:
    timing = random_timing(rng)
    charts = [Chart(slot=rng.choice(list(Slot)), meter=5, notes=random_notes(rng, n)),
              Chart(slot=rng.choice(list(Slot)), meter=5, notes=random_notes(rng, n),
                    timing=random_timing(rng) if rng.random() < 0.5 else None)]
    return Song(title="random", timing=timing, charts=charts)


# ---------------------------------------------------------------------------------------------- checks as they were
def check_unsnapped(ctx):
    from chart.checks.base import Severity
    from chart.checks.unsnapped import GRID_DIVISOR, LOW_SLOT_MAX_DIVISOR, CheckUnsnapped, _summary
    from chart.snap import UNUSUAL_DIVISORS, is_on_grid, quantization

    low_limit = LOW_SLOT_MAX_DIVISOR.get(ctx.chart.slot)
    unusual, fine = [], []
    for beat, row in beat_rows(ctx.notes):
        off = [n for n in row if not is_on_grid(n.beat, GRID_DIVISOR)]
        if off:
            yield CheckUnsnapped._off_grid(ctx, beat, tuple(off), "note")
            continue
        divisor = quantization(beat)
        if divisor in UNUSUAL_DIVISORS:
            unusual += row
        elif low_limit is not None and divisor > low_limit:
            fine += row
    for n in ctx.notes:
        if n.kind.has_length and n.length > 0 and not is_on_grid(n.end_beat, GRID_DIVISOR):
            yield CheckUnsnapped._off_grid(ctx, n.end_beat, (n,), "hold end")
    if unusual:
        yield _summary(Severity.WARNING, unusual, "on unusual 1/96 or 1/192 snaps")
    if fine and low_limit is not None:
        yield _summary(Severity.INFO, fine, f"finer than {ctx.chart.slot.sm_name} charts usually go (1/{low_limit})")


def check_duplicates(ctx):
    from chart.checks.base import Issue, Severity, describe_beat

    for beat, row in beat_rows(ctx.notes):
        for lane in sorted({n.lane for n in row}):
            same = tuple(n for n in row if n.lane == lane)
            if len(same) > 1:
                kinds = ", ".join(n.kind.value for n in same)
                yield Issue(Severity.PROBLEM, f"{len(same)} notes ({kinds}) on lane {lane + 1} at beat "
                            f"{describe_beat(beat)}", beat, same)


def check_note_in_hold(ctx):
    from chart.checks.base import Issue, Severity, describe_beat

    for lane in sorted({n.lane for n in ctx.notes}):
        held = None
        for n in (n for n in ctx.notes if n.lane == lane):
            if held is not None and held.beat < n.beat <= held.end_beat and not n.kind.has_length:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} at beat {describe_beat(n.beat)} lies inside "
                            f"the {held.kind.value} from beat {describe_beat(held.beat)} (lane {lane + 1})",
                            n.beat, (n, held))
            if n.kind.has_length and (held is None or n.end_beat > held.end_beat):
                held = n


def check_holds(ctx):
    from chart.checks.base import Issue, Severity, describe_beat
    from chart.checks.holds import SHORT_HOLD_BEATS, _where

    for n in ctx.notes:
        if n.kind.has_length and n.length == 0:
            yield Issue(Severity.PROBLEM, f"{n.kind.value} without length at {_where(n)}", n.beat, (n,))
        elif not n.kind.has_length and n.length != 0:
            yield Issue(Severity.PROBLEM, f"{n.kind.value} with a length ({n.length} beats) at {_where(n)}",
                        n.beat, (n,))
        elif n.kind.has_length and n.length < SHORT_HOLD_BEATS:
            yield Issue(Severity.WARNING, f"{n.kind.value} of {n.length} beat at {_where(n)} is shorter "
                        f"than {SHORT_HOLD_BEATS} beat", n.beat, (n,))
    for lane in sorted({n.lane for n in ctx.notes if n.kind.has_length}):
        held = None
        for n in (n for n in ctx.notes if n.lane == lane and n.kind.has_length and n.length > 0):
            if held is not None and n.beat <= held.end_beat:
                yield Issue(Severity.PROBLEM, f"{n.kind.value} at beat {describe_beat(n.beat)} overlaps the "
                            f"{held.kind.value} from beat {describe_beat(held.beat)} (lane {lane + 1})",
                            n.beat, (n, held))
            if held is None or n.end_beat > held.end_beat:
                held = n


def check_audio_range(ctx):
    from chart.checks.audio_range import per_row

    return per_row(_audio_range_per_note(ctx))


def _audio_range_per_note(ctx):
    from chart.checks.audio_range import TOLERANCE_S, CheckAudioRange

    times = ctx.note_times_s
    for early in np.flatnonzero(times < -TOLERANCE_S):
        yield CheckAudioRange.early(ctx.notes[early], float(times[early]))
    if ctx.audio_length_s is None:
        return
    end_s = ctx.audio_length_s + TOLERANCE_S
    for i, n in enumerate(ctx.notes):
        if times[i] < -TOLERANCE_S:
            continue
        last_s = ctx.seconds(n.end_beat) if n.kind.has_length else float(times[i])
        if last_s > end_s:
            yield CheckAudioRange.late(n, float(times[i]), last_s, ctx.audio_length_s)


def check_unjudged(ctx):
    from chart.checks.base import Issue, Severity, describe_beat
    from chart.checks.unjudged import tag_issues

    timing = ctx.timing
    yield from tag_issues(timing)  # (no fast path there: the check's own wording)
    notes = [n for n in ctx.notes if n.kind not in (NoteKind.FAKE, NoteKind.MINE)]
    segments = [(b, b + length, "warp", Severity.WARNING) for b, length in timing.warps]
    segments += [(a, b, "fake segment", Severity.INFO) for a, b in fake_ranges(timing)]
    listed = set()
    for start, end, what, severity in sorted(segments, key=lambda s: s[0]):
        inside = tuple(n for n in notes if start <= n.beat < end and (what, n) not in listed
                       and (what != "warp" or in_warp(timing, n.beat)))
        listed.update((what, n) for n in inside)
        if inside:
            count = f"{len(inside)} note{'s' * (len(inside) > 1)}"
            verb = "is passed over" if len(inside) == 1 else "are passed over"
            if what != "warp":
                verb = "is drawn but never judged" if len(inside) == 1 else "are drawn but never judged"
            yield Issue(severity, f"{count} inside the {what} at beat {describe_beat(start)} {verb}", start, inside)


def hands_rows(ctx):
    """What the hands check reports from: the contact rows of the judged notes with 3+ panels."""
    return [(b, s, h) for b, s, h in contact_rows(judged_notes(ctx.notes, ctx.timing)) if len(s) + len(h) >= 3]


CHECKS = {"unsnapped": check_unsnapped, "duplicates": check_duplicates, "note-in-hold": check_note_in_hold,
          "holds": check_holds, "audio-range": check_audio_range, "unjudged": check_unjudged}
