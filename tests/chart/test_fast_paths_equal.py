"""Every fast path gives exactly what the Fraction code it replaced gave (``slow_reference``), on random songs:
warp and fake lookups, exact note times for the JSON export, foot parity and the Verify checks. Songs with
hundreds of warps, or 20k notes, froze the editor at each edit, Verify run and autosave (the op-count tests in
``test_fast_paths_cost.py`` pin the speed-ups down)."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest

from chart import parity_cache
from chart.checks.base import CheckContext
from chart.checks.registry import all_checks, run_checks
from chart.formats import game_json
from chart.formats.display_segments import fake_index, judged_notes, never_judged, past_warps
from chart.formats.timing_tags import BeatRanges, in_warp, warp_end
from chart.notes import Note
from chart.parity import contact_rows, parse_feet, step_rows
from chart.song import Chart, Slot, Song
from tests.chart import slow_reference as ref

SEEDS = range(60)


def probe_beats(rng: random.Random, timing) -> list[Fraction]:
    """Random beats and every edge: the warps' and fakes' starts and ends, the pauses, one 1/192 row either side."""
    edges = [b for b, _ in timing.warps] + [b + n for b, n in timing.warps] + [b for b, _ in timing.stops]
    edges += [b for b, _ in timing.delays] + [b for b, _ in timing.bpms] + [x for r in ref.fake_ranges(timing) for x in r]
    near = [e + d for e in edges for d in (Fraction(0), Fraction(1, 48), -Fraction(1, 48))]
    return near + [ref.random_beat(rng, 70, negative=True) for _ in range(80)]


@pytest.mark.parametrize("seed", SEEDS)
def test_warp_and_fake_lookups_equal_the_scans(seed):
    rng = random.Random(seed)
    timing = ref.random_timing(rng)
    fakes = ref.fake_ranges(timing)
    for beat in probe_beats(rng, timing):
        assert in_warp(timing, beat) == ref.in_warp(timing, beat), beat
        assert never_judged(timing, beat) == ref.never_judged(timing, beat), beat
        assert never_judged(timing, beat, fakes) == ref.never_judged(timing, beat), beat
        assert never_judged(timing, beat, fake_index(timing)) == ref.never_judged(timing, beat), beat
        assert past_warps(timing, beat) == ref.past_warps(timing, beat), beat
        ends = [b + n for b, n in timing.warps if b <= beat < b + n]
        assert warp_end(timing, beat) == (max(ends) if ends else None), beat
    notes = ref.random_notes(rng, 200, span=70)
    assert judged_notes(sorted(notes), timing) == ref.judged_notes(sorted(notes), timing)


def test_beat_ranges_take_floats_ints_and_odd_denominators():
    ranges = BeatRanges.of([(Fraction(1, 3), Fraction(2, 7)), (Fraction(1, 3), Fraction(5, 7)),
                            (Fraction(-2), Fraction(-1)), (Fraction(10**30 + 1, 10**30), Fraction(3))])
    assert Fraction(1, 3) in ranges
    assert Fraction(5, 7) not in ranges
    assert 0.5 in ranges
    assert 1 not in ranges
    assert -2 in ranges
    assert -1 not in ranges
    assert Fraction(1) not in ranges
    assert 2 in ranges
    assert ranges.end_over(Fraction(2, 5)) == Fraction(5, 7)
    assert ranges.end_over(Fraction(1, 4)) is None
    assert not BeatRanges.of([(Fraction(1), Fraction(1))])  # empty ranges hold nothing


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_float_times_equal_float_of_the_fraction(seed):
    rng = random.Random(seed)
    timing = ref.random_timing(rng)
    beats = probe_beats(rng, timing)
    for unit in (1, 1000):
        assert timing.seconds_floats(beats, unit) == [float(timing.beat_to_seconds(b) * unit) for b in beats]


@pytest.mark.parametrize("seed", range(20))
def test_json_export_note_times_and_flags_are_the_exact_ones(seed):
    song = ref.random_song(random.Random(seed))
    doc = json.loads(game_json.dumps(song))
    for chart, out in zip(song.charts, doc["charts"], strict=True):
        timing = song.timing_for(chart)
        for n, j in zip(chart.notes, out["notes"], strict=True):
            assert j["time_ms"] == float(timing.beat_to_seconds(n.beat) * 1000)
            if n.kind.has_length:
                assert j["end_time_ms"] == float(timing.beat_to_seconds(n.end_beat) * 1000)
            assert j.get("warped", False) == ref.in_warp(timing, n.beat)
            assert j.get("fake_segment", False) == (not ref.in_warp(timing, n.beat) and ref.never_judged(timing, n.beat))


@pytest.mark.parametrize("seed", SEEDS)
def test_contact_rows_step_rows_and_foot_parse_equal_the_reference(seed):
    rng = random.Random(seed)
    timing = ref.random_timing(rng)
    notes = sorted(ref.random_notes(rng, 300, span=48))
    assert list(contact_rows(notes)) == list(ref.contact_rows(notes))
    shuffled = list(notes)
    rng.shuffle(shuffled)  # step_rows sorts by beat and lane itself
    assert step_rows(shuffled) == ref.step_rows(shuffled)
    assert parse_feet(shuffled, timing) == ref.parse_feet(shuffled, timing)


def test_foot_parse_equals_the_reference_on_a_long_stream():
    rng = random.Random(7)
    notes = [Note(Fraction(k, 4), rng.choice((0, 1, 2, 3))) for k in range(3000)]
    notes += [Note(Fraction(k, 1), (k + 2) % 4) for k in range(0, 750, 3)]  # jumps now and then
    timing = ref.random_timing(rng)
    assert parse_feet(notes, timing) == ref.parse_feet(notes, timing)


@pytest.mark.parametrize("seed", SEEDS)
def test_checks_give_the_issues_the_fraction_code_gave(seed, monkeypatch):
    rng = random.Random(seed)
    song = ref.random_song(rng)
    song.charts[0].mode = "dance-single"
    for chart in song.charts:
        audio = rng.choice((None, 10.0, 30.0, 1000.0))
        ctx = CheckContext(song, chart, audio_length_s=audio, target_format="ssc")
        by_id = {c.meta.id: c for c in all_checks()}
        for check_id, slow in ref.CHECKS.items():
            fresh = CheckContext(song, chart, audio_length_s=audio, target_format="ssc")
            assert list(by_id[check_id].run(ctx)) == list(slow(fresh)), check_id
        fast = run_checks(CheckContext(song, chart, audio_length_s=audio, target_format="ssc"))
        # hands and parity read contact rows and the foot parse: the reference ones give the same issues
        monkeypatch.setattr("chart.checks.hands.contact_rows", ref.contact_rows)
        monkeypatch.setattr("chart.checks.base.judged_notes", ref.judged_notes)
        monkeypatch.setattr("chart.parity_cache.parse_feet", ref.parse_feet)
        parity_cache.forget()  # the check's shared parse: the last one was the fast path's
        for check_id, slow in ref.CHECKS.items():
            monkeypatch.setattr(type(by_id[check_id]), "run", lambda self, c, slow=slow: slow(c))
        assert run_checks(CheckContext(song, chart, audio_length_s=audio, target_format="ssc")) == fast
        monkeypatch.undo()


def test_a_song_snapshot_is_not_reached_by_later_edits():
    from chart.song_copy import snapshot

    song = Song(title="a", charts=[Chart(slot=Slot.EASY, notes=[Note(Fraction(1), 0)], extra=[("X", "1")])])
    copy = snapshot(song)
    song.charts[0].notes.append(Note(Fraction(2), 1))
    song.charts[0].extra.append(("Y", "2"))
    song.charts[0].meter = 9
    song.charts.append(Chart(slot=Slot.HARD))
    song.extra.append(("Z", "3"))
    song.title = "b"
    assert copy.title == "a"
    assert len(copy.charts) == 1
    assert copy.extra == []
    assert copy.charts[0].notes == [Note(Fraction(1), 0)]
    assert copy.charts[0].extra == [("X", "1")]
    assert copy.charts[0].meter == 1
    assert copy.charts[0].notes[0] is song.charts[0].notes[0]  # notes are shared, not copied


def test_hold_ends_at_the_audio_end_are_decided_on_their_exact_time():
    """The float pre-filter of the audio-range check must not decide a hold ending within a hair of the end."""
    from chart.checks.audio_range import TOLERANCE_S
    from chart.notes import NoteKind
    from chart.timing import TimingData

    timing = TimingData(bpms=((0, 7),), offset=Fraction(1, 3))  # times that no float holds exactly
    notes = [Note(Fraction(k, 48), k % 4, NoteKind.HOLD, Fraction(48 * 7 + j, 48 * 7)) for j in range(-3, 4)
             for k in range(4)]
    song = Song(timing=timing, charts=[Chart(slot=Slot.HARD, notes=notes)])
    by_id = {c.meta.id: c for c in all_checks()}
    for n in song.charts[0].notes:
        end_s = timing.beat_to_seconds(n.end_beat)
        for audio in (float(end_s - Fraction(TOLERANCE_S)), float(end_s) - TOLERANCE_S, end_s - TOLERANCE_S):
            ctx = CheckContext(song, song.charts[0], audio_length_s=float(audio))
            assert list(by_id["audio-range"].run(ctx)) == list(ref.check_audio_range(ctx))
