"""chart.formats.display_segments: SM5's #LABELS #SCROLLS #SPEEDS #FAKES #TICKCOUNTS #COMBOS read, checked and
written back; notes in warps and fake segments are never judged (judge, JSON and osu! exports)."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from chart.formats import display_segments as ds
from chart.formats import game_json, osu_mania, ssc
from chart.formats.errors import ParseError
from chart.judge import Judge
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


@pytest.mark.parametrize(("tag", "text", "entries"), [
    ("LABELS", "0.000000=Song Start,\n32.000=Chorus 1 ", [(F(0), "Song Start"), (F(32), "Chorus 1")]),
    ("SCROLLS", "0.000=1.000,16.000=-0.5,", [(F(0), F(1)), (F(16), F(-1, 2))]),
    ("SPEEDS", "0.000=1.000=0.000=0,8=2=0.5=1", [(F(0), F(1), F(0), 0), (F(8), F(2), F(1, 2), 1)]),
    ("SPEEDS", "4=1.5=2", [(F(4), F(3, 2), F(2), 0)]),  # unit left out: beats
    ("FAKES", "4.000=29.750", [(F(4), F(119, 4))]),
    ("TICKCOUNTS", "0.000=4,64=2", [(F(0), 4), (F(64), 2)]),
    ("COMBOS", "0.000=1,10=3=2", [(F(0), 1, 1), (F(10), 3, 2)]),
    ("FAKES", "", []),
])
def test_real_world_text_reads_exactly(tag, text, entries):
    assert ds.parse(tag, text) == entries


@pytest.mark.parametrize("tag", ds.TAGS)
def test_written_text_reads_back_the_same_entries(tag):
    samples = {
        "LABELS": [(F(0), "Song Start"), (F(97, 3), "Drop (fast)")],
        "SCROLLS": [(F(0), F(1)), (F(1, 48), F(-3, 4))],
        "SPEEDS": [(F(0), F(1), F(0), 0), (F(12), F(3, 8), F(1, 4), 1)],
        "FAKES": [(F(8), F(5, 2))],
        "TICKCOUNTS": [(F(0), 4), (F(2), 0)],
        "COMBOS": [(F(0), 1, 1), (F(4), 2, 5)],
    }[tag]
    text = ds.write(tag, samples)
    assert ds.parse(tag, text) == samples  # beats on 1/48 rows (1/3 beat is 16 rows) come back exactly
    assert ds.write(tag, ds.parse(tag, text)) == text


def test_beats_snap_to_rows_and_the_last_entry_of_a_beat_wins():
    assert ds.parse("SCROLLS", "1.00001=2,1=3") == [(F(1), F(3))]


@pytest.mark.parametrize(("tag", "text", "words"), [
    ("SCROLLS", "0=fast", "not a number"),
    ("LABELS", "0.000", "beat=name"),
    ("FAKES", "2=0", "longer than 0"),
    ("SPEEDS", "0=1=1=2", "unit"),
    ("SPEEDS", "0=1=-1=0", "negative time"),
    ("TICKCOUNTS", "0=49", "0 to 48"),
    ("TICKCOUNTS", "0=2.5", "whole number"),
    ("COMBOS", "0=-1", "negative"),
    ("SCROLLS", "-4=1", "negative beat"),
])
def test_bad_text_is_a_one_line_parse_error(tag, text, words):
    with pytest.raises(ParseError, match=words) as err:
        ds.parse(tag, text)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", ["", "A,B", "x=y", "semi;colon", "a:b", "#tag", "back\\slash", "two\nlines"])
def test_labels_that_stepmania_could_not_read_back_are_refused(name):
    with pytest.raises(ValueError, match="label"):
        ds.write("LABELS", [(F(0), name)])


def test_with_entries_rewrites_one_tag_in_place_and_leaves_the_others_verbatim():
    timing = TimingData(extra=(("SCROLLS", "0.000000=1.000000"), ("FAKES", ";odd;"), ("LABELS", "0=Start")))
    changed = ds.with_entries(timing, "SCROLLS", [(F(0), F(1)), (F(8), F(2))])
    assert changed.extra == (("SCROLLS", "0.000=1.000,8.000=2.000"), ("FAKES", ";odd;"), ("LABELS", "0=Start"))
    good, bad = ds.readable(changed)
    assert set(good) == {"SCROLLS", "LABELS"}
    assert set(bad) == {"FAKES"}
    assert ds.with_entries(changed, "LABELS", []).extra == changed.extra[:2]  # no entries: the tag goes
    added = ds.with_entries(TimingData(), "COMBOS", [(F(0), 2, 2)])
    assert added.extra == (("COMBOS", "0.000=2"),)


def test_edited_tags_survive_an_ssc_round_trip():
    timing = ds.with_entries(TimingData.constant(150), "LABELS", [(F(0), "Intro"), (F(64), "Chorus")])
    timing = ds.with_entries(timing, "SPEEDS", [(F(32), F(2), F(1), 0)])
    song = Song(title="T", music="a.ogg", timing=timing, charts=[Chart(slot=Slot.HARD, meter=8, notes=[Note(F(0), 0)])])
    back = ssc.loads(ssc.dumps(song))
    assert ds.read(back.timing, "LABELS") == [(F(0), "Intro"), (F(64), "Chorus")]
    assert ds.read(back.timing, "SPEEDS") == [(F(32), F(2), F(1), 0)]


# ---------------------------------------------------------------------------------------- never judged
FAKE_AND_WARP = ds.with_entries(TimingData(bpms=((F(0), F(120)),), warps=((F(8), F(2)),)), "FAKES",
                                [(F(4), F(2))])


@pytest.mark.parametrize(("beat", "judged"), [(3, True), (4, False), (F(23, 4), False), (6, True), (8, False),
                                              (F(39, 4), False), (10, True)])
def test_notes_in_a_fake_segment_or_a_warp_are_never_judged(beat, judged):
    assert ds.never_judged(FAKE_AND_WARP, F(beat)) is not judged
    notes = [Note(F(beat), 1)]
    assert Judge(notes, FAKE_AND_WARP, lanes=4).total_taps == (1 if judged else 0)


def test_unreadable_fakes_judge_everything_rather_than_fail():
    timing = TimingData(extra=(("FAKES", "4=zero"),))
    assert ds.fake_ranges(timing) == []
    assert not ds.never_judged(timing, F(4))


def test_exports_mark_or_drop_notes_in_fake_segments():
    notes = [Note(F(0), 0), Note(F(5), 1), Note(F(9), 2)]
    song = Song(title="T", music="a.ogg", timing=FAKE_AND_WARP, charts=[Chart(slot=Slot.EASY, meter=2, notes=notes)])
    out = json.loads(game_json.dumps(song))["charts"][0]["notes"]
    assert [(n.get("fake_segment"), n.get("warped")) for n in out] == [(None, None), (True, None), (None, True)]
    assert game_json.loads(game_json.dumps(song)).charts[0].notes == notes  # the flags are not read back
    reasons = [p.reason for p in osu_mania.problems(song)]
    assert any("fake segment" in r for r in reasons)
    assert any("warp" in r for r in reasons)
    objects = osu_mania.dumps(song).split("[HitObjects]")[1].split()
    assert len(objects) == 1  # only the note at beat 0 is written
