"""What .sm (and .osu) list as converted or dropped: .ssc song tags StepMania 5's .sm reader ignores (#JACKET,
#CDIMAGE, #DISCIMAGE, #PREVIEWVID, #ORIGIN) are listed (before, written without a word), and an empty chart tag
(#CHARTNAME:; in every StepMania 5 .ssc) is not listed as dropped (before, "drops chart tags CHARTNAME, CHARTSTYLE"
hid the one real loss)."""

from __future__ import annotations

from chart.formats.registry import unrepresentable
from chart.song import Chart, Song
from chart.timing import TimingData


def _song(extra=(), chart_extra=()) -> Song:
    return Song(title="T", music="a.ogg", timing=TimingData.constant(120), extra=list(extra),
                charts=[Chart(meter=1, extra=list(chart_extra))])


def _reasons(song: Song, fmt: str) -> list[str]:
    return [u.reason for u in unrepresentable(song, fmt)]


def test_sm_lists_ssc_song_tags_its_reader_ignores():
    song = _song([("BANNER", "bn.png"), ("JACKET", "j.png"), ("ORIGIN", "Arcade"), ("PREVIEWVID", "pv.mp4"),
                  ("CDIMAGE", " "), ("DISCIMAGE", "d.png")])
    notes = [r for r in _reasons(song, "sm") if "ignores" in r]
    assert notes == ["StepMania 5 ignores #JACKET, #ORIGIN, #PREVIEWVID, #DISCIMAGE in .sm files (.ssc song tags; "
                     "save as .ssc for StepMania to use them)"]
    assert not [r for r in _reasons(song, "ssc") if "ignores" in r]


def test_empty_chart_tags_are_not_listed_as_dropped():
    chart_extra = [("CHARTNAME", ""), ("CHARTSTYLE", " "), ("ATTACKS", "TIME=1.0:LEN=1.0:MODS=dark")]
    song = _song(chart_extra=chart_extra)
    assert [r for r in _reasons(song, "sm") if "drops chart tags" in r] == [".sm drops chart tags ATTACKS"]
    assert [r for r in _reasons(song, "osu") if "drops chart tags" in r] == [".osu drops chart tags ATTACKS"]
    empty = _song(chart_extra=chart_extra[:2])
    assert not [r for fmt in ("sm", "osu") for r in _reasons(empty, fmt) if "drops chart tags" in r]
