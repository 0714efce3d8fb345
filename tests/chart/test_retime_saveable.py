"""Keep notes in time (chart.retime) loses no note it need not lose and leaves a chart .sm/.ssc can save: the notes
of a warp stay in their warp (20kmh lost 328 notes to one small tempo correction), a hold's end re-beated onto a
later note of its lane ends a row before it (the save was refused), and no note goes before beat 0 (an offset
nudge put one there; the save was refused)."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chart.formats.notedata import unrepresentable_notes
from chart.formats.registry import encode
from chart.notes import Note, NoteKind
from chart.retime import BeatMap, retime_notes, retime_notes_counted, retime_replacement
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

WARPED = TimingData(bpms=((F(0), F(120)), (F(4), F(120))), warps=((F(8), F(4)),))
IN_WARP = [Note(F(8) + F(k, 8), lane, NoteKind.MINE) for k in range(32) for lane in range(4)]  # 20kmh's mines
AROUND = [tap(6, 0), hold(7, 1, 1), tap(12, 0), tap(13, 2)]


def fatal(notes: list[Note]) -> list:
    return [p for p in unrepresentable_notes(notes, 4) if p.fatal]


def seconds(notes: list[Note], timing: TimingData) -> dict[tuple[int, NoteKind], list[float]]:
    by: dict[tuple[int, NoteKind], list[float]] = {}
    for n in notes:
        by.setdefault((n.lane, n.kind), []).append(float(timing.beat_to_seconds(n.beat)))
    return by


def test_a_warp_s_notes_keep_their_places_when_the_tempo_before_it_changes():
    """All 128 notes of the warp are at one instant: mapped by their time they went to one row, and all but one
    per lane were dropped (the tempo correction kept every judged note and deleted the warp's)."""
    new = WARPED.with_changes(bpms=((F(0), F(120)), (F(4), F("120.5"))))
    moved, dropped = retime_notes(IN_WARP + AROUND, WARPED, new)
    assert dropped == 0
    assert [n for n in moved if F(8) <= n.beat < 12] == IN_WARP  # on their beats, in the warp (which stayed)
    judged = [n for n in moved if not F(8) <= n.beat < 12]
    assert len(judged) == len(AROUND)
    assert judged != AROUND  # the judged notes got new beats at their times
    for got, want in zip(seconds(judged, new).values(), seconds(AROUND, WARPED).values(), strict=True):
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 60 / 120.5 / 96 + 1e-9


def test_a_moved_warp_takes_its_notes_along():
    """The Timing table's beat of the warp edited from 8 to 16: its notes go with it, on their beats in it."""
    moved_warp = WARPED.with_changes(warps=((F(16), F(4)),))
    moved, dropped = retime_notes(IN_WARP, WARPED, moved_warp)
    assert dropped == 0
    assert moved == [n.replace(beat=n.beat + 8) for n in IN_WARP]


def test_notes_with_no_time_of_their_own_give_way_to_judged_notes():
    """A removed warp: its notes keep their beats (they had no time to keep) and are now judged there; a judged
    note that keeps its time on one of their cells keeps it, the warp's note is the one dropped."""
    gone = WARPED.with_changes(warps=())
    moved, dropped = retime_notes([Note(F(8), 0, NoteKind.MINE), Note(F(9), 1, NoteKind.MINE), tap(12, 0)],
                                  WARPED, gone)
    assert (moved, dropped) == ([tap(8, 0), Note(F(9), 1, NoteKind.MINE)], 1)  # the tap at 12 sounded at 8's time


def test_a_hold_end_squeezed_onto_the_next_note_ends_a_row_before_it():
    """120 -> 40 BPM: the hold's end (beat 2) and the tap a row after it both land on beat 2/3; the tail on the
    tap's cell made the .ssc writer refuse the whole song."""
    old, new = TimingData.constant(120), TimingData.constant(40)
    notes = [hold(1, 0, 1), tap(2 + F(1, 48), 0), tap(5, 1)]
    beats = BeatMap(old, new)
    moved, dropped, _shift, changed = retime_notes_counted(notes, old, new, beats)
    assert dropped == 0
    assert moved == [hold(F(1, 3), 0, F(1, 3) - F(1, 48)), tap(F(2, 3), 0), tap(F(5, 3), 1)]
    assert (changed, beats.shortened) == (3, 1)
    assert not fatal(moved)
    gone, came, *_ = retime_replacement(notes, old, new)  # the edit the editor makes says the same
    assert (sorted(gone), sorted(came)) == (sorted(notes), moved)


def test_a_hold_with_no_row_left_before_the_note_it_reaches_drops_that_note():
    old, new = TimingData.constant(120), TimingData.constant(30)
    notes = [hold(1, 0, F(1, 48)), tap(1 + F(1, 12), 0), hold(1 + F(1, 12), 1, F(1, 2))]
    moved, dropped = retime_notes(notes, old, new)
    assert dropped == 1  # the tap on the hold's end row (the hold keeps its 1/48 beat): counted, never silent
    assert moved == [hold(F(1, 4), 0, F(1, 48)), hold(F(1, 4) + F(1, 48), 1, F(1, 8))]
    assert not fatal(moved)


def test_an_overlap_the_chart_already_had_is_left_as_it_was():
    """A tap inside a hold (read from a file so; StepMania drops the hold, Verify says so) is not the re-beat's
    doing: a nudge (20.8 ms: two rows) moves both and shortens nothing, a squeeze leaves it inside."""
    old = TimingData.constant(120)
    notes = [hold(1, 0, 2), tap(2, 0)]
    assert retime_notes(notes, old, old.with_changes(offset=F(-1, 48))) == ([hold(F(23, 24), 0, 2),
                                                                             tap(F(47, 24), 0)], 0)
    assert retime_notes(notes, old, TimingData.constant(40)) == ([hold(F(1, 3), 0, F(2, 3)), tap(F(2, 3), 0)], 0)


def test_no_note_is_put_before_beat_0_it_goes_to_beat_0_and_sounds_late():
    """An offset nudge of -10 ms (Shift+F11) at 120 BPM: the note at beat 0 sounded 10 ms before the new beat 0.
    It goes to beat 0 (10 ms late; the status line says so), and a note that now sounds exactly at beat 0 keeps
    that cell: the one pulled there gives way."""
    old = TimingData.constant(120, "-0.1")
    nudged = old.with_changes(offset=F("-0.11"))
    beats = BeatMap(old, nudged)
    moved, dropped, shift, _ = retime_notes_counted([tap(0, 0), tap(F(1, 2), 1)], old, nudged, beats)
    assert (moved, dropped) == ([tap(0, 0), tap(F(1, 2) - F(1, 48), 1)], 0)
    assert (beats.pulled, round(beats.late_s, 6)) == (1, 0.01)
    assert shift < 0.001  # the note that kept its time moved less than 1 ms (the late one is counted apart)
    row = old.with_changes(offset=old.offset - F(1, 96))  # one 1/48 row at 120 BPM: beat 1/48 -> beat 0
    moved, dropped = retime_notes([tap(0, 0), tap(F(1, 48), 0), hold(0, 1, 1)], old, row)
    assert (moved, dropped) == ([tap(0, 0), hold(0, 1, 1 - F(1, 48))], 1)
    assert not fatal(moved)


def _chart(draw_lanes: list[list[tuple[int, int, int]]]) -> list[Note]:
    """Notes a .ssc can hold: per lane, (gap rows, kind, length rows) one after another, never overlapping."""
    kinds = (NoteKind.TAP, NoteKind.HOLD, NoteKind.ROLL, NoteKind.MINE)
    notes = []
    for lane, steps in enumerate(draw_lanes):
        row = 0
        for gap, kind, length in steps:
            row += gap
            k = kinds[kind]
            size = length if k.has_length else 0
            notes.append(Note(F(row, 48), lane, k, F(size, 48)))
            row += size + 1
    return notes


_STEPS = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3), st.integers(1, 60)), max_size=25)
_TIMINGS = st.builds(
    lambda bpm, offset_ms, changes, pauses, warps: TimingData(
        offset=F(offset_ms, 1000), bpms=((F(0), F(bpm)), *((F(b, 4), F(v)) for b, v in changes)),
        stops=tuple((F(b, 4), F(s, 100)) for b, s in pauses[::2]), delays=tuple((F(b, 4), F(s, 100)) for b, s in
                                                                                  pauses[1::2]),
        warps=tuple((F(b, 4), F(n, 4)) for b, n in warps)),
    st.integers(40, 300), st.integers(-300, 300),
    st.lists(st.tuples(st.integers(1, 120), st.integers(30, 400)), max_size=3, unique_by=lambda c: c[0]),
    st.lists(st.tuples(st.integers(0, 120), st.integers(1, 80)), max_size=3, unique_by=lambda c: c[0]),
    st.lists(st.tuples(st.integers(0, 120), st.integers(1, 16)), max_size=2, unique_by=lambda c: c[0]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lanes=st.lists(_STEPS, min_size=4, max_size=4), old=_TIMINGS, new=_TIMINGS,
       nudge_ms=st.integers(-40, 40), warp_to=st.integers(-8, 40))
def test_any_timing_edit_with_keep_notes_in_time_leaves_a_saveable_chart(lanes, old, new, nudge_ms, warp_to):
    """Random saveable charts with holds and rolls (some in warps), random edits: a new timing, an offset nudge,
    a warp moved; the .ssc writer takes every result, and no note is lost but those counted as dropped."""
    notes = _chart(lanes)
    song = Song(title="t", timing=old, charts=[Chart(slot=Slot.HARD, meter=9, notes=notes)])
    encode(song, "t.ssc")  # the chart was saveable before the edit
    edits = [new, old.with_changes(offset=old.offset + F(nudge_ms, 1000))]
    if old.warps:
        edits.append(old.with_changes(warps=((old.warps[0][0] + F(warp_to, 4), old.warps[0][1]), *old.warps[1:])))
    for edit in edits:
        moved, dropped = retime_notes(notes, old, edit)
        assert len(moved) + dropped == len(notes)
        song.timing, song.charts[0].notes = edit, moved
        encode(song, "t.ssc")  # raises WriteError if the .ssc writer refuses a note
        song.timing, song.charts[0].notes = old, notes
