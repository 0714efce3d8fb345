"""#RADARVALUES is written back only while it describes the chart, and only in the layout it was read in (a .sm
kept 0.287,0.374,... after every note of its chart was deleted, and a .sm file's 5 values went into a .ssc)."""

from __future__ import annotations

import copy
import dataclasses
import re
from fractions import Fraction as F

import pytest

from chart.formats import radar, sm, ssc
from chart.notes import Note
from chart.song_copy import snapshot

FIVE = "0.287,0.374,0.147,0.000,0.000"
SM_TEXT = ("#TITLE:r;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTES:\n dance-single:\n :\n Hard:\n 5:\n " + FIVE + ":\n"
           "1000\n0100\n0010\n0001\n;\n")
SSC_FULL = ",".join(["0.500000"] * 5 + ["4.000000", "0.000000"] * 4)  # StepMania 5's list, shortened
SSC_TEXT = ("#VERSION:0.83;\n#TITLE:r;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTEDATA:;\n#STEPSTYPE:dance-single;\n"
            "#DIFFICULTY:Hard;\n#METER:5;\n#RADARVALUES:" + SSC_FULL + ";\n#NOTES:\n1000\n0100\n0010\n0001\n;\n")


@pytest.fixture(autouse=True)
def _fresh():
    radar.forget()  # what earlier tests read in this process judges nothing here


def sm_radar(text: str) -> str:
    """The radar field of the first #NOTES tag of .sm text."""
    return re.search(r"#NOTES:\s*[^:]*:[^:]*:[^:]*:[^:]*:\s*([^:]*):", text).group(1).strip()


def test_an_unchanged_chart_keeps_its_field_a_changed_one_leaves_it_out():
    song = sm.loads(SM_TEXT)
    chart = song.charts[0]
    assert sm_radar(sm.dumps(song)) == FIVE
    notes = list(chart.notes)
    chart.notes = []  # every note deleted
    assert sm_radar(sm.dumps(song)) == ""
    chart.notes = notes[:3]
    assert sm_radar(sm.dumps(song)) == ""
    chart.notes = list(notes)  # undone: the chart read again
    assert sm_radar(sm.dumps(song)) == FIVE
    assert sm_radar(sm.dumps(snapshot(song))) == FIVE  # copies (autosave, Verify) are the same chart
    assert dict(sm.loads(sm.dumps(song)).charts[0].extra)[radar.TAG] == FIVE


def test_a_sync_fix_keeps_the_field_a_warp_or_a_copy_with_other_notes_does_not():
    song = sm.loads(SM_TEXT)
    song.timing = song.timing.with_changes(offset=F(1, 10), bpms=((F(0), F(150)),))  # StepMania counts beats
    assert sm_radar(sm.dumps(song)) == FIVE
    song.timing = song.timing.with_changes(warps=((F(1), F(1)),))  # beat 1's note no longer judged
    assert sm_radar(sm.dumps(song)) == ""
    song = sm.loads(SM_TEXT)
    twin = copy.deepcopy(song.charts[0])  # a chart made from another, then changed: the field is not its own
    song.charts.append(dataclasses.replace(twin, notes=[Note(F(0), 0)]))
    assert re.findall(r":\s*([^:\n]*):\n1000", sm.dumps(song)) == [FIVE, ""]


def test_a_field_goes_only_to_the_format_it_was_read_from():
    from_sm = sm.loads(SM_TEXT)
    assert "#RADARVALUES" not in ssc.dumps(from_sm)  # 5 values are not the .ssc layout
    from_ssc = ssc.loads(SSC_TEXT)
    assert f"#RADARVALUES:{SSC_FULL};" in ssc.dumps(from_ssc)
    assert sm_radar(sm.dumps(from_ssc)) == ""


def test_a_field_no_file_gave_is_the_callers():
    song = sm.loads(SM_TEXT)
    song.charts[0].extra = [(radar.TAG, "1,2,3,4,5")]  # set by code (or read from the JSON export)
    assert sm_radar(sm.dumps(song)) == "1,2,3,4,5"
