"""#FAKES read entry by entry, as StepMania 5's ProcessFakes reads it: a bad entry (a length of 0, no '=', junk)
is skipped and the other fake segments stay, for the judge, the exports and Verify (audit J1)."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from chart.checks.registry import check_song
from chart.formats import display_segments as ds
from chart.formats import game_json, ssc
from chart.judge import Judge
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

BPMS = ((F(0), F(120)),)


@pytest.mark.parametrize("text", ["2=3", "2=3,8=0", "2=3,junk", "junk,2=3", "2=3,8=1=2", "8=-1,2=3,"])
def test_one_bad_entry_costs_only_itself(text):
    timing = TimingData(bpms=BPMS, extra=(("FAKES", text),))
    assert ds.fake_ranges(timing) == [(F(2), F(5))]
    assert [ds.never_judged(timing, F(b)) for b in range(7)] == [False, False, True, True, True, False, False]
    assert Judge([Note(F(b), 0) for b in range(7)], timing, lanes=4).total_taps == 4


def test_the_export_flags_the_good_entries_notes_and_keeps_the_text():
    text = "2=3,8=0"
    song = Song(title="T", music="a.ogg", timing=TimingData(bpms=BPMS, extra=(("FAKES", text),)),
                charts=[Chart(slot=Slot.HARD, meter=5, notes=[Note(F(b), b % 4) for b in range(8)])])
    notes = json.loads(game_json.dumps(song))["charts"][0]["notes"]
    assert [n["beat"] for n in notes if n.get("fake_segment")] == [2.0, 3.0, 4.0]
    assert "#FAKES:2=3,8=0;" in ssc.dumps(song)  # the raw text round-trips as written


def test_a_charts_own_fakes_read_the_same_way():
    own = TimingData(bpms=BPMS, extra=(("FAKES", "1=1,junk"),))
    assert ds.fake_ranges(own) == [(F(1), F(2))]


def test_verify_names_the_skipped_entry_and_keeps_the_others():
    song = Song(title="T", music="a.ogg", timing=TimingData(bpms=BPMS, extra=(("FAKES", "2=3,8=0"),)),
                charts=[Chart(slot=Slot.HARD, meter=5, notes=[Note(F(3), 0)])])
    messages = [i.message for i in check_song(song) if "#FAKES" in i.message]
    assert len(messages) == 1
    assert "'8=0'" in messages[0]
    assert "keeps the other fake segments" in messages[0]
    assert "may ignore it" not in messages[0]
    assert any("inside the fake segment at beat 2" in i.message for i in check_song(song))


def test_a_fakes_over_the_entry_limit_is_not_read_entry_by_entry():
    """Past MAX_TIMING_ENTRIES the tag does not read at all (one parse per entry: 25,000 took 0.44 s, and the
    judge applied them all while Verify said the tag was kept as written); Verify names the limit."""
    from chart.checks.unjudged import tag_issues
    from chart.formats.errors import MAX_TIMING_ENTRIES

    text = ",".join(f"{k}=0.5" for k in range(MAX_TIMING_ENTRIES + 1))
    timing = TimingData(bpms=BPMS, extra=(("FAKES", text),))
    assert ds.read_entries("FAKES", text) == ([], [])
    assert ds.read_each("FAKES", text) is None
    assert ds.fake_ranges(timing) == []
    assert not ds.never_judged(timing, F(2))
    messages = [issue.message for issue in tag_issues(timing)]
    assert len(messages) == 1
    assert f"more than {MAX_TIMING_ENTRIES} entries" in messages[0]
    assert "none of it applies" in messages[0]
    at_limit = ",".join(f"{k}=0.5" for k in range(MAX_TIMING_ENTRIES - 1)) + ",x=1"
    entries, skipped = ds.read_entries("FAKES", at_limit)  # at the limit: entry by entry still
    assert len(entries) == MAX_TIMING_ENTRIES - 1
    assert [t for t, _ in skipped] == ["x=1"]
