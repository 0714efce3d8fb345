"""Keep notes in time re-beats StepMania's display segments and osu! tokens with the notes they belong to:
``chart.retime_segments`` (a fake segment stayed on its old beats and made other notes fake) and
``chart.retime.retime_osu_extra`` (a green line on a note kept its exact time and left the note, whose rounding
moved it up to half a row: past osu!'s 5 ms, so the note's volume changed)."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats import display_segments as ds
from chart.formats.osu_beats import BOOKMARKS, INHERITED
from chart.notes import Note
from chart.retime import BeatMap, retime_notes, retime_notes_counted, retime_osu_extra
from chart.retime_segments import describe, retime_segments
from chart.timing import TimingData

OLD = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)),),
                 extra=(("FAKES", "16.000=2.000"), ("LABELS", "4.000=Chorus"), ("SCROLLS", "0.000=1.000")))
NOTES = [Note(F(k, 2), k % 4) for k in range(64)]


def _fake(notes, timing):
    return sorted(n.beat for n in notes if ds.never_judged(timing, n.beat))


def test_a_fake_segment_keeps_the_same_notes_fake_through_a_tempo_change():
    new = OLD.with_changes(bpms=((F(0), F(125)),))
    beats = BeatMap(OLD, new)
    moved_timing, moved = retime_segments(new, beats)
    notes = retime_notes_counted(NOTES, OLD, moved_timing, beats)[0]
    times = {round(float(moved_timing.beat_to_seconds(n.beat)), 3) for n in notes if
             ds.never_judged(moved_timing, n.beat)}
    assert times == {round(float(OLD.beat_to_seconds(b)), 3) for b in _fake(NOTES, OLD)}
    assert len(_fake(notes, moved_timing)) == 4
    assert moved == {"FAKES": 1, "LABELS": 1}
    assert describe(moved) == "1 fake segment, 1 label"
    assert ds.read(moved_timing, "LABELS") == [(F(25, 6), "Chorus")]  # 4 beats at 120 = 2 s = 4 1/6 at 125
    assert ds.read(moved_timing, "SCROLLS") == [(F(0), F(1))]  # beat 0 stays: its text too
    assert dict(moved_timing.extra)["SCROLLS"] == "0.000=1.000"
    for beat, length in ds.read(moved_timing, "FAKES"):
        assert (beat * 48).denominator == 1  # on the rows StepMania keeps segments on
        assert length == F("2.08")  # 2 1/12 beats, in the fewest decimals that end before the same row


def test_an_edit_that_moves_no_segment_leaves_the_timing_as_it_is():
    new = OLD.with_changes(bpms=((F(0), F(120)), (F(32), F(140))))
    same, moved = retime_segments(new, BeatMap(OLD, new))
    assert same is new
    assert moved == {}


def test_a_green_line_and_bookmark_on_a_note_follow_it_whatever_its_rounding():
    """An offset nudge of 6 ms at 100 BPM (under half a row) leaves the note on its beat: the tokens on it too."""
    old = TimingData(offset=F("-0.1"), bpms=((F(0), F(100)),))
    new = old.with_changes(offset=F("-0.094"))
    note = Note(F(8), 0)
    extra = [(INHERITED, "@8,-100,4,2,0,20,0,0\n@33/4,-100,4,2,0,20,0,0"), (BOOKMARKS, "@8")]
    assert retime_notes([note], old, new)[0] == [note]
    out = dict(retime_osu_extra(extra, (), old, new, on=[note]))  # the song's extra: the notes are the charts'
    line, off_note = out[INHERITED].split("\n")
    assert line.startswith("@8,")
    assert out[BOOKMARKS] == "@8"
    assert not off_note.startswith("@33/4,")  # on no note: keeps its exact time, as before
    assert dict(retime_osu_extra(extra, [note], old, new))[BOOKMARKS] == "@8"  # a chart's extra: its own notes


def test_a_fakes_with_a_bad_entry_has_its_good_entries_rebeated_and_the_bad_kept_in_place():
    """The good entries of a #FAKES that does not read whole apply (read_entries): Keep notes in time moves them
    with the notes, and the bad entries keep their text and place (they stayed on their old beats: other notes
    became fake)."""
    old = TimingData(bpms=((F(0), F(120)),), extra=(("FAKES", "16=2, 24=oops ,30=1"), ("LABELS", "4=A")))
    new = old.with_changes(bpms=((F(0), F(125)),))
    beats = BeatMap(old, new)
    moved_timing, moved = retime_segments(new, beats)
    assert moved == {"FAKES": 2, "LABELS": 1}
    assert [tag for tag, _ in moved_timing.extra] == ["FAKES", "LABELS"]
    parts = dict(moved_timing.extra)["FAKES"].split(",")
    assert parts[1] == " 24=oops "  # as written, where it was
    assert ds.read_entries("FAKES", ",".join(parts))[1][0][0] == "24=oops"
    notes = retime_notes_counted(NOTES, old, moved_timing, beats)[0]
    fake_times = {round(float(moved_timing.beat_to_seconds(n.beat)), 3) for n in notes
                  if ds.never_judged(moved_timing, n.beat)}
    assert fake_times == {round(float(old.beat_to_seconds(b)), 3) for b in _fake(NOTES, old)}
    assert len(fake_times) == 6


def test_a_fakes_over_the_entry_limit_is_left_as_written():
    from chart.formats.errors import MAX_TIMING_ENTRIES

    text = ",".join(f"{k}=0.5" for k in range(MAX_TIMING_ENTRIES)) + ",x=1"
    old = TimingData(bpms=((F(0), F(120)),), extra=(("FAKES", text),))
    new = old.with_changes(bpms=((F(0), F(125)),))
    assert retime_segments(new, BeatMap(old, new)) == (new, {})
