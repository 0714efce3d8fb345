"""Keep notes in time through :class:`chart.retime_map.BeatMap` gives exactly what the per-beat Fraction code it
replaced gave (``retime_reference``: new beats, dropped notes, the time shift to the last bit, the count of
changed notes, osu! sounds and tokens), on random timings with BPM changes, stops, delays and warps and random
notes with holds, duplicates and custom snaps (``test_retime_cost.py`` counts the work it saves). The reference
was changed on purpose where the rules were (notes in warps, before beat 0, holds reaching a later note: its
docstring), in its own plain code, so that every case is still compared."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from chart.formats import osu_hitsounds as hs
from chart.formats.osu_beats import BOOKMARKS, INHERITED
from chart.notes import Note, NoteKind
from chart.retime import BeatMap, retime_notes_counted, retime_osu_extra, retime_replacement
from chart.retime_map import map_beat
from chart.timing import TimingData
from tests.chart import retime_reference as ref
from tests.chart import slow_reference as songs

SEEDS = range(25)


def edits(rng: random.Random, old: TimingData) -> list[TimingData]:
    """What a designer does to a timing: nudge the offset or a BPM, add a stop, a delay or a warp, move a warp
    (its notes go with it), or start over."""
    index = rng.randrange(len(old.bpms))
    bpms = list(old.bpms)
    bpms[index] = (bpms[index][0], bpms[index][1] + F(rng.choice((-10, -1, 1, 10)), 100))
    moved = []
    if old.warps:
        start, length = old.warps[0]
        moved = [old.with_changes(warps=((start + F(rng.randint(-96, 96), 48), length), *old.warps[1:]))]
    return [*moved,
        old.with_changes(offset=old.offset + F(rng.choice((-10, -2, -1, 1, 2, 10)), 1000)),
        old.with_changes(bpms=tuple(bpms)),
        old.with_changes(stops=(*old.stops, (songs.random_beat(rng, 64), F(rng.randint(1, 6), 8)))),
        old.with_changes(delays=(*old.delays, (songs.random_beat(rng, 64), F(rng.randint(1, 6), 8)))),
        old.with_changes(warps=(*old.warps, (songs.random_beat(rng, 64), F(rng.randint(1, 16), 4)))),
        songs.random_timing(rng),
    ]


def charted(rng: random.Random) -> list[Note]:
    """Random notes (odd snaps, zero-length holds, duplicates, negative beats) and a dense on-grid chart."""
    notes = songs.random_notes(rng, 120)
    for _ in range(300):
        kind = rng.choice((NoteKind.TAP,) * 5 + (NoteKind.HOLD, NoteKind.ROLL, NoteKind.MINE))
        length = F(rng.randint(1, 32), rng.choice((4, 8, 12, 48))) if kind.has_length else F(0)
        notes.append(Note(F(rng.randint(-96, 64 * 48), 48), rng.randrange(4), kind, length))
    return notes


def test_the_fast_map_covers_most_beats():
    """The equivalence below compares the fast path, not only its exceptions (map_beat itself)."""
    rng = random.Random(7)
    old = TimingData(bpms=((F(0), F(170)), (F(32), F(150))), stops=((F(16), F(1, 4)),))
    beats = BeatMap(old, old.with_changes(offset=F(1, 1000)))
    grid = [F(rng.randint(0, 64 * 48), 48) for _ in range(500)]
    beats.prepare(grid)
    assert beats.exact_calls == 0
    assert all(beats(b) == map_beat(beats.old, beats.new, b)[0] for b in grid)


@pytest.mark.parametrize("seed", SEEDS)
def test_retimed_notes_equal_the_fraction_code(seed):
    rng = random.Random(seed)
    old = songs.random_timing(rng)
    notes = charted(rng)
    for new in edits(rng, old):
        shared = BeatMap(old, new)
        got = retime_notes_counted(notes, old, new, shared)
        tally: dict = {}
        want = ref.retime_notes_counted(notes, old, new, tally)
        assert got == want  # the same notes in order, drops, shift (the same float) and count
        assert {"shortened": shared.shortened, "pulled": shared.pulled, "late_s": shared.late_s} == tally
        gone, came, dropped, shift, changed = retime_replacement(notes, old, new)
        assert (set(gone), set(came)) == (set(notes) - set(want[0]), set(want[0]) - set(notes))
        assert (len(gone), len(came)) == (len(set(gone)), len(set(came)))
        assert (dropped, shift, changed) == want[1:]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_beat_maps_as_map_beat_and_the_old_mapper_map_it(seed):
    """Edges included: every knot of both timings, a 1/192 row either side, and beats far before beat 0."""
    rng = random.Random(1000 + seed)
    old = songs.random_timing(rng)
    for new in edits(rng, old):
        knots = [b for t in (old, new) for name in ("bpms", "stops", "delays", "warps") for b, _ in getattr(t, name)]
        knots += [b + n for b, n in old.warps + new.warps]
        probes = [k + d for k in knots for d in (F(0), F(1, 48), -F(1, 48))]
        probes += [songs.random_beat(rng, 70, negative=True) for _ in range(60)] + [F(-400), F(10**6, 3)]
        beats = BeatMap(old, new)
        beats.prepare(probes)
        to_new, _shift, yields, raised = ref._mapper(old, new)
        for beat in probes:
            moved, shift = map_beat(old, new, beat)
            assert beats.entry(beat) == (moved, shift, moved == beat)
            assert to_new(beat) == moved
            key = (beat.numerator, beat.denominator)
            assert (key in beats.yields, key in beats.raised) == (beat in yields, beat in raised)


@pytest.mark.parametrize("seed", range(10))
def test_osu_sounds_and_tokens_follow_as_before_with_a_shared_map(seed):
    rng = random.Random(2000 + seed)
    old = songs.random_timing(rng)
    notes = charted(rng)
    sounded = rng.sample(notes, 40)
    extra = [(hs.HITSOUNDS, "\n".join(f"{n.beat},{n.lane},{rng.choice((2, 4, 8))},0:0:0:0:" for n in sounded)),
             (BOOKMARKS, ",".join(f"@{n.beat}" for n in sounded[:5])),
             (INHERITED, "\n".join(f"@{n.beat},-50,4,1,0,100,0,0" for n in sounded[5:9]))]
    for new in edits(rng, old):
        shared = BeatMap(old, new)
        retime_notes_counted(notes, old, new, shared)
        want = ref.retime_osu_extra(extra, notes, old, new)
        assert retime_osu_extra(extra, notes, old, new, shared) == want
        assert retime_osu_extra(extra, notes, old, new) == want
        assert retime_osu_extra(extra[1:], notes, old, new) == ref.retime_osu_extra(extra[1:], notes, old, new)
