"""A chart StepMania skips is skipped here too, and said in the read report rather than refusing the file or
vanishing: a .sm ``#NOTES`` with too few fields (NotesLoaderSM skips it and reads the rest), a .ssc ``#NOTEDATA``
block without ``#NOTES``."""

from __future__ import annotations

import pytest

from chart.formats import registry, sm, ssc
from chart.formats.errors import ParseError, Unrepresentable
from chart.song import Slot

GOOD = "#NOTES:\n dance-single:\n desc:\n Hard:\n 9:\n 0,0,0,0,0:\n1000\n0100\n0010\n0001\n;\n"
SHORT = "#NOTES:\n dance-single:\n Easy:\n 2:\n 0,0,0,0,0:\n1000\n0000\n0000\n0000\n;\n"  # no description field


def test_a_short_sm_chart_is_skipped_and_said_the_others_read():
    report: list[Unrepresentable] = []
    song = sm.loads("#TITLE:T;\n#OFFSET:0;\n#BPMS:0=120;\n" + GOOD + SHORT, report)
    assert [(c.slot, len(c.notes)) for c in song.charts] == [(Slot.HARD, 4)]
    assert registry.read_notes(report) == [
        "read: song: line 15: #NOTES with 5 ':'-separated fields (6 needed) skipped, as StepMania skips it"]
    with pytest.raises(ParseError, match="line 4: #NOTES needs 6 ':'-separated fields, found 5"):
        sm.loads("#TITLE:T;\n#OFFSET:0;\n#BPMS:0=120;\n" + SHORT)  # no chart at all to read: refused, not empty


def test_a_ssc_chart_block_without_notes_is_said():
    report: list[Unrepresentable] = []
    song = ssc.loads("#VERSION:0.83;\n#TITLE:T;\n#OFFSET:0;\n#BPMS:0=120;\n"
                     "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Challenge;\n#METER:12;\n#CREDIT:Guest;\n"
                     "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:9;\n#NOTES:\n1000\n;\n", report)
    assert [c.slot for c in song.charts] == [Slot.HARD]
    assert registry.read_notes(report) == [
        "read: song: #NOTEDATA block (dance-single Challenge 12, from line 6) without #NOTES skipped, as StepMania "
        "skips it"]
