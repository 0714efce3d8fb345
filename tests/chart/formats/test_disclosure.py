"""AI disclosure (chart.disclosure) through every format: a chart whose credit carries the marker reads back with
it from .ssc, .sm, .osu (Creator stays the human's, the disclosure is in Tags) and the JSON export (a derived "ai"
object); a designer's own credit is kept; removing the marker from the credit removes the disclosure."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from chart.disclosure import (
    disclosed_model,
    from_osu_tags,
    human_credit,
    marker,
    osu_tags,
    with_disclosure,
)
from chart.formats import osu_set
from chart.formats.registry import conversions, dumps, loads
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

MARK = "AI-assisted by GenéLive onset-v1"


def song_with(credit: str, description: str = "", song_credit: str = "Host") -> Song:
    return Song(title="T", artist="A", credit=song_credit, music="a.ogg", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.HARD, meter=7, description=description, credit=credit,
                              notes=[Note(Fraction(k, 2), k % 4) for k in range(8)])])


def test_the_marker_fills_an_empty_credit_and_follows_a_designers_own():
    assert with_disclosure("", "onset-v1") == MARK
    assert with_disclosure("  Alice ", "onset-v1") == f"Alice ({MARK})"  # kept, never overwritten
    assert with_disclosure(f"Alice ({MARK})", "onset-v2") == f"Alice ({MARK})"  # once per chart
    assert with_disclosure("", "my model (v2)") == "AI-assisted by GenéLive my-model-v2"  # one word
    assert with_disclosure("", "a:b;c#d") == "AI-assisted by GenéLive a-b-c-d"  # nothing that ends a field
    assert disclosed_model(f"Alice ({MARK})") == "onset-v1"
    assert disclosed_model("Alice") is None
    assert human_credit(f"Alice ({MARK})") == "Alice"
    assert human_credit(MARK) == ""
    assert human_credit("A  B") == "A  B"  # text without a marker is left exactly as it is
    assert marker("") == "AI-assisted by GenéLive"


def test_osu_tags_carry_the_words_once_and_read_back():
    tags = osu_tags("rock ai-assisted genelive onset-v1", MARK)
    assert tags == "rock ai-assisted genelive onset-v1"
    assert from_osu_tags(tags) == ("rock", "onset-v1")
    assert from_osu_tags("ai-assisted rock") == ("ai-assisted rock", None)  # not ours: left alone
    assert osu_tags("rock", "Alice") == "rock"


@pytest.mark.parametrize("fmt", ["ssc", "sm", "osu", "json"])
@pytest.mark.parametrize("credit", [MARK, f"Alice ({MARK})"])
def test_a_disclosed_chart_reads_back_disclosed_in_every_format(fmt, credit):
    song = song_with(credit, description="AI draft")
    back = loads(dumps(song, fmt), fmt).charts[0]
    assert disclosed_model(back.credit) == "onset-v1"
    assert back.description == "AI draft"  # .sm carries the marker after it and takes it back out
    if fmt != "sm":  # .sm has no chart credit: only its disclosure survives there (listed as dropped)
        assert back.credit in (credit, MARK)
    again = loads(dumps(loads(dumps(song, fmt), fmt), fmt), fmt).charts[0]
    assert again.credit == back.credit
    assert again.description == "AI draft"


def test_ssc_and_sm_write_the_marker_where_stepmania_shows_a_charts_author():
    ssc = dumps(song_with(f"Alice ({MARK})"), "ssc")
    assert f"#CREDIT:Alice ({MARK});" in ssc
    sm = dumps(song_with(MARK, description="AI draft"), "sm")
    assert f"     AI draft ({MARK}):\n" in sm  # StepMania 5 reads a .sm description as the credit too
    assert not any("CREDIT" in line for line in conversions(song_with(MARK), "sm"))  # nothing of it dropped
    assert any("CREDIT" in line for line in conversions(song_with(f"Alice ({MARK})"), "sm"))  # Alice is


def test_osu_keeps_the_human_creator_and_discloses_in_tags():
    text = dumps(song_with(f"Alice ({MARK})"), "osu")
    assert "Creator:Alice\n" in text
    assert "Tags:ai-assisted genelive onset-v1\n" in text
    text = dumps(song_with(MARK), "osu")
    assert "Creator:Host\n" in text  # the chart has no human credit of its own: the song's
    back = loads(text, "osu")
    assert (back.credit, back.charts[0].credit) == ("Host", MARK)
    assert "ai-assisted" not in dumps(song_with("Alice"), "osu")


def test_osu_tags_of_the_song_are_kept_beside_the_disclosure():
    song = song_with(MARK)
    song.extra = [("Metadata.Tags", "rock anime")]
    text = dumps(song, "osu")
    assert "Tags:rock anime ai-assisted genelive onset-v1\n" in text
    back = loads(text, "osu")
    assert ("Metadata.Tags", "rock anime") in back.extra
    assert back.charts[0].credit == MARK


def test_a_beatmap_set_keeps_each_difficultys_disclosure():
    plain = song_with("")
    plain.charts[0].slot = Slot.EASY
    files = [loads(dumps(s, "osu"), "osu") for s in (plain, song_with(MARK), song_with(f"Guest ({MARK})"))]
    assert [f.credit for f in files] == ["Host", "Host", "Guest"]  # each file's Creator: a human's
    merged = osu_set.merge_set(files)
    credits = {c.slot: c.credit for c in merged.charts}
    assert merged.credit == "Host"
    assert credits[Slot.EASY] == ""
    assert {c.credit for c in merged.charts if c.slot == Slot.HARD} == {MARK, f"Guest ({MARK})"}


def test_json_has_a_documented_ai_object_and_a_hand_written_one_is_read():
    doc = json.loads(dumps(song_with(f"Alice ({MARK})"), "json"))
    assert doc["charts"][0]["ai"] == {"tool": "GenéLive", "model": "onset-v1"}
    assert doc["charts"][0]["credit"] == f"Alice ({MARK})"
    assert "ai" not in json.loads(dumps(song_with("Alice"), "json"))["charts"][0]  # only when disclosed
    doc["charts"][0]["credit"] = "Alice"  # a hand-written file with the object but not the marker
    assert loads(json.dumps(doc), "json").charts[0].credit == f"Alice ({MARK})"


def test_removing_the_marker_from_the_credit_removes_the_disclosure_everywhere():
    song = song_with("Alice")
    for fmt in ("ssc", "sm", "osu", "json"):
        text = dumps(song, fmt)
        assert "AI-assisted" not in text
        assert "ai-assisted" not in text
