"""A timing tag given twice: StepMania's .ssc loader merges the entries (``TimingData::AddSegment`` replaces only
one on the same row), its .sm loader keeps the last tag. Before, both formats kept the last tag, silently."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import display_segments, sm, ssc
from chart.formats.errors import ParseError, Unrepresentable

NOTES = "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:8;\n#NOTES:\n1000\n0100\n0010\n0001\n;\n"


def test_ssc_merges_repeated_timing_tags_and_says_so():
    text = ("#VERSION:0.83;\n#TITLE:Dup;\n#OFFSET:0;\n#BPMS:0=120,8=200;\n#STOPS:4=0.5;\n#SCROLLS:0=1;\n"
            "#BPMS:0=150;\n#STOPS:12=0.25;\n#SCROLLS:4=2;\n" + NOTES)
    report: list[Unrepresentable] = []
    song = ssc.loads(text, report)
    assert song.timing.bpms == ((F(0), F(150)), (F(8), F(200)))
    assert song.timing.stops == ((F(4), F(1, 2)), (F(12), F(1, 4)))
    assert dict(song.timing.extra)["SCROLLS"] == "0=1,4=2"
    reasons = [r.reason for r in report]
    assert any(r.startswith("#BPMS given 2 times: their entries merged") for r in reasons)
    assert any(r.startswith("#STOPS given 2 times") for r in reasons)
    back = ssc.loads(ssc.dumps(song))
    assert back.timing == song.timing


def test_ssc_chart_block_merges_too():
    text = ("#VERSION:0.83;\n#TITLE:Dup;\n#OFFSET:0;\n#BPMS:0=120;\n" + NOTES.replace(
        "#NOTES:", "#BPMS:0=100,4=140;\n#BPMS:8=180;\n#NOTES:"))
    report: list[Unrepresentable] = []
    chart = ssc.loads(text, report).charts[0]
    assert chart.timing is not None
    assert chart.timing.bpms == ((F(0), F(100)), (F(4), F(140)), (F(8), F(180)))
    assert any("#BPMS given 2 times" in r.reason and r.chart_id == chart.chart_id() for r in report)


def test_sm_keeps_the_last_tag_and_says_so():
    text = ("#TITLE:Dup;\n#OFFSET:0;\n#BPMS:0=120,8=200;\n#BPMS:0=150;\n"
            "#NOTES:\n dance-single:\n d:\n Hard:\n 8:\n 0,0,0,0,0:\n1000\n0100\n0010\n0001\n;\n")
    report: list[Unrepresentable] = []
    song = sm.loads(text, report)
    assert song.timing.bpms == ((F(0), F(150)),)
    assert "#BPMS given 2 times: only the last one read, as StepMania's .sm loader does" in [r.reason for r in report]


def test_a_single_tag_says_nothing():
    report: list[Unrepresentable] = []
    ssc.loads("#VERSION:0.83;\n#TITLE:x;\n#OFFSET:0;\n#BPMS:0=120;\n#STOPS:;\n" + NOTES, report)
    assert not [r for r in report if "given" in r.reason]


def _ssc(head: str, report: list[Unrepresentable] | None = None):
    return ssc.loads("#VERSION:0.83;\n#TITLE:Dup;\n#OFFSET:0;\n#BPMS:0=120;\n" + head + NOTES, report)


def test_repeated_warps_and_time_signatures_keep_the_later_entry_on_a_beat():
    """Both entries on one beat were kept (and written back; StepMania then read the other one)."""
    report: list[Unrepresentable] = []
    song = _ssc("#TIMESIGNATURES:0=4=4,8=7=8;\n#TIMESIGNATURES:0=3=4;\n#WARPS:4=3,12=1;\n#WARPS:4.000=1;\n", report)
    assert song.timing.time_signatures == ((F(0), 3, 4), (F(8), 7, 8))
    assert song.timing.warps == ((F(4), F(1)), (F(12), F(1)))
    assert ssc.loads(ssc.dumps(song)).timing == song.timing
    assert sum("given 2 times: their entries merged" in r.reason for r in report) == 2
    chart = _ssc(NOTES.replace("#NOTES:", "#BPMS:0=120;\n#WARPS:4=3;\n#WARPS:4=1;\n#NOTES:")).charts[0]
    assert chart.timing is not None
    assert chart.timing.warps == ((F(4), F(1)),)


def test_repeated_display_segments_keep_the_later_entry_on_a_beat():
    tags = {"SCROLLS": ("0=1,4=1", "0=2", "0=2,4=1"), "SPEEDS": ("0=1=0=0", "0.0=2=1=0,8=1=0=0", "0=2=1=0,8=1=0=0"),
            "LABELS": ("0=Intro,16=Drop", "0=Start", "16=Drop,0=Start"), "FAKES": ("4=1", "4=2", "4=2"),
            "TICKCOUNTS": ("0=4", "0=2,8=4", "0=2,8=4"), "COMBOS": ("0=1", "0=2=3", "0=2=3")}
    head = "".join(f"#{tag}:{a};\n#{tag}:{b};\n" for tag, (a, b, _) in tags.items())
    timing = _ssc(head).timing
    for tag, (_, _, text) in tags.items():  # entries as StepMania keeps them; on reading, the old text kept two
        assert display_segments.read(timing, tag) == display_segments.parse(tag, text), tag
        assert len(display_segments.read_each(tag, dict(timing.extra)[tag]) or []) == text.count(",") + 1, tag


def test_a_decimal_comma_list_merges_by_entry():
    song = _ssc("#WARPS:4,000=3,000;\n#WARPS:4,000=1,000;\n")
    assert song.timing.warps == ((F(4), F(1)),)


def test_an_error_in_a_repeated_tag_is_reported_at_its_line():
    for head, line in (("#WARPS:4=1;\n#WARPS:8=x;\n", 6), ("#WARPS:4=y;\n#WARPS:8=1;\n", 5)):
        with pytest.raises(ParseError) as caught:
            _ssc(head)
        assert caught.value.line == line, head
