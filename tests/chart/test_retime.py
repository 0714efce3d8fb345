"""chart.retime: notes keep their times when the timing changes (snapped to clean rows within 1 ms)."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from chart.notes import Note, NoteKind
from chart.retime import retime_notes
from chart.timing import TimingData
from tests.chart.helpers import hold, tap


def times(notes, timing):
    return [float(timing.beat_to_seconds(n.beat)) for n in notes]


def test_a_corrected_bpm_keeps_notes_at_their_times_on_clean_rows():
    # charted by ear at a wrong 127.5 BPM, the song is 128: notes that sound on 128-BPM 16ths land on 16ths
    wrong, right = TimingData.constant("127.5"), TimingData.constant(128)
    true_beats = [F(k, 4) for k in range(0, 400, 3)]
    by_ear = [Note(right.seconds_to_beat(right.beat_to_seconds(b)) * F(255, 256), 0) for b in true_beats]
    moved, dropped = retime_notes(by_ear, wrong, right)
    assert dropped == 0
    assert [n.beat for n in moved] == true_beats
    assert max(abs(a - b) for a, b in zip(times(moved, right), times(by_ear, wrong))) < 1e-9


def test_a_new_stop_moves_later_notes_back_by_its_length_and_holds_keep_their_ends():
    old = TimingData.constant(120)
    new = old.with_changes(stops=((F(4), F(1, 2)),))  # half a second = one beat at 120 BPM
    notes = [tap(2, 0), tap(4, 1), hold(6, 2, 2), tap(9, 3)]
    moved, dropped = retime_notes(notes, old, new)
    assert dropped == 0
    assert moved == [tap(2, 0), tap(4, 1), hold(5, 2, 2), tap(8, 3)]
    assert times(moved, new) == times(notes, old)


def test_off_grid_times_fall_back_to_the_finest_row_and_collisions_are_counted():
    old = TimingData.constant(120)
    new = TimingData.constant(97)  # nothing lines up: 1/48-beat rows within 1 ms are still found for most
    notes = [tap(F(k, 3), k % 4) for k in range(60)]
    moved, dropped = retime_notes(notes, old, new)
    assert dropped == 0
    assert all((n.beat * 48).denominator == 1 for n in moved)
    err = [abs(a - b) for a, b in zip(times(moved, new), times(notes, old))]
    assert max(err) <= 60 / 97 / 96 + 1e-9  # at most half a 1/48-beat row
    paused = old.with_changes(stops=((F(2), F(1, 2)),))  # times 1.0-1.5 s all map to the stop's beat
    moved, dropped = retime_notes([tap(2, 0), tap(F(9, 4), 0), tap(F(5, 2), 1)], old, paused)
    assert dropped == 1
    assert moved == [tap(2, 0), tap(2, 1)]


@settings(max_examples=60, deadline=None)
@given(bpm=st.integers(60, 240), new_bpm=st.integers(60, 240), offset_ms=st.integers(-200, 200),
       rows=st.lists(st.integers(0, 48 * 64), min_size=1, max_size=40, unique=True))
def test_every_note_sounds_within_a_row_of_where_it_did(bpm, new_bpm, offset_ms, rows):
    old = TimingData.constant(bpm)
    new = TimingData.constant(new_bpm, F(offset_ms, 1000))
    notes = [Note(F(r, 48), r % 4, NoteKind.TAP) for r in rows]
    moved, dropped = retime_notes(notes, old, new)
    assert len(moved) + dropped == len(notes)
    half_row_s = 60 / new_bpm / 96
    zero_s = float(new.beat_to_seconds(F(0)))
    if dropped == 0:
        for a, b in zip(sorted(times(moved, new)), sorted(times(notes, old)), strict=True):
            if b < zero_s - half_row_s:  # before the new beat 0, where no chart file keeps a note: pulled there
                assert a == zero_s
            else:
                assert abs(a - b) <= half_row_s + 1e-9


def test_a_note_snapped_onto_a_new_warps_start_goes_to_its_end():
    """A new warp at beat 4 with beat 0 half a millisecond later: the note heard at 2.0 s maps to beat 3.999,
    snaps (1 ms) to beat 4, the warp's first beat, which StepMania never judges; its end sounds at that instant."""
    old = TimingData.constant(120)
    new = TimingData(bpms=((0, 120),), offset=F(-1, 2000), warps=((4, 8),))
    moved, dropped = retime_notes([tap(4, 0), tap(3, 1)], old, new)
    assert moved == [tap(3, 1), tap(12, 0)]
    assert dropped == 0


def test_a_note_on_a_new_pause_s_edge_keeps_its_time_within_a_row():
    """A delay put on a note's beat, or a stop one beat before a note (its pause ending where the note sounds):
    the exact beat at the note's time is the pause's own beat, judged a whole pause away; the neighbouring row
    is judged within a row of it (the note moved 500 ms and was dropped on a taken cell)."""
    old = TimingData.constant(120)
    row_s = 60 / 120 / 48
    delayed = old.with_changes(delays=((F(8), F(1, 2)),))
    moved, dropped = retime_notes([tap(8, 0), tap(4, 1)], old, delayed)
    assert dropped == 0
    assert moved == [tap(4, 1), tap(8 - F(1, 48), 0)]
    stopped = old.with_changes(stops=((F(7), F(1, 2)),))
    moved, dropped = retime_notes([tap(7, 0), tap(8, 0), tap(F(29, 4), 1)], old, stopped)
    assert dropped == 0  # beat 8 sounds at the stop's end: the row after beat 7, not beat 7 (taken)
    assert moved == [tap(7, 0), tap(7, 1), tap(7 + F(1, 48), 0)]
    for notes, new in (([tap(8, 0)], delayed), ([tap(8, 0)], stopped)):
        (note,), _ = retime_notes(notes, old, new)
        assert abs(float(new.beat_to_seconds(note.beat)) - 4.0) <= row_s + 1e-9


def test_a_custom_snap_note_stays_on_its_snap_after_a_small_nudge():
    """A note on osu!'s 1/5 beat, 1 ms offset nudge with Keep notes in time: it went to the nearest 1/48 row,
    3.2 ms from where it sounded (further than leaving it on its beat) and off its snap."""
    old = TimingData.constant(120)
    new = old.with_changes(offset=old.offset + F(1, 1000))
    notes = [Note(F(21, 5), 0), hold(F(22, 5), 1, F(2, 5)), tap(5, 2)]
    moved, dropped = retime_notes(notes, old, new)
    assert dropped == 0
    assert moved == notes
    shift = [abs(a - b) for a, b in zip(times(moved, new), times(notes, old))]
    assert max(shift) <= 0.001 + 1e-9
    far = old.with_changes(offset=old.offset + F(30, 1000))  # past the tolerance: the usual snaps decide
    moved, _ = retime_notes(notes[:1], old, far)
    assert moved[0].beat != F(21, 5)
