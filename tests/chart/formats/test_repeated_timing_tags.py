"""A timing tag given twice: StepMania's .ssc loader merges the entries (``TimingData::AddSegment`` replaces only
one on the same row), its .sm loader keeps the last tag. Before, both formats kept the last tag, silently."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats import sm, ssc
from chart.formats.errors import Unrepresentable

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
