"""The .sm writer and a chart whose own timing differs from the song's only in how its segment tags are written: an
empty song-level ``#FAKES:;`` (StepMania 5 and ArrowVortex write one into every .ssc) made it refuse 4 of the shared
songs, although no fake segment exists anywhere."""

from __future__ import annotations

import pytest

from chart.formats import sm
from chart.formats.errors import WriteError
from chart.formats.registry import conversions, loads

SSC = """#VERSION:0.83;
#TITLE:t;
#MUSIC:a.ogg;
#OFFSET:0.000;
#BPMS:0.000=120.000;
#STOPS:;
{song_tags}
#NOTEDATA:;
#STEPSTYPE:dance-single;
#DIFFICULTY:Hard;
#METER:5;
#BPMS:0.000000=120.000000;
{chart_tags}
#NOTES:
1000
0100
0010
0001
;
"""


def song_of(song_tags: str, chart_tags: str):
    song = loads(SSC.format(song_tags=song_tags, chart_tags=chart_tags), "ssc")
    assert song.charts[0].timing is not None
    assert song.charts[0].timing != song.timing
    return song


def test_an_empty_fakes_tag_is_no_difference():
    song = song_of("#SCROLLS:0.000=1.000;\n#FAKES:;", "#SCROLLS:0.000=1.000,8.000=0.500;")
    assert conversions(song, "sm") == [
        "conversion: song: StepMania 5 ignores #SCROLLS in .sm files (display only: plain scroll and combo in game)",
        "conversion: dance-single/Hard: .sm has one timing per song: the chart's own SCROLLS (display only) are "
        "dropped"]
    assert sm.loads(sm.dumps(song)).charts[0].notes == song.charts[0].notes


@pytest.mark.parametrize(("song_tags", "chart_tags"), [
    ("#FAKES:;\n#LABELS:   ;", ""),  # empty (or blank) tags are none
    ("#FAKES:4.000=1.000;\n#TICKCOUNTS:0.000=4;", "#FAKES:4.000000=1.000000;\n#TICKCOUNTS:0.000000=4;"),
])
def test_segments_written_differently_but_the_same_are_no_difference(song_tags, chart_tags):
    """Nothing is dropped, so nothing is listed for the chart (StepMania 5 writes a chart's tags with 6 decimals)."""
    song = song_of(song_tags, chart_tags)
    assert not [p for p in sm.problems(song) if p.chart_id]
    sm.dumps(song)


def test_fake_segments_of_its_own_are_still_refused():
    song = song_of("#FAKES:;", "#FAKES:2.000=1.000;")
    with pytest.raises(WriteError, match="this chart has its own"):
        sm.dumps(song)
