"""A song that states no tempo (audit 27): a StepMania file without #BPMS reads at an invented 60 BPM. The CLI refused
to draft it, the editor drafted on that grid without a word; now one test (chart.stated_tempo) serves both, and
Verify's ``tempo`` check warns about it."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from chart.checks.registry import check_song
from chart.formats.registry import load, loads
from chart.stated_tempo import file_states_tempo, states_tempo
from chart.timing import TimingData

NO_TEMPO = "#VERSION:0.83;\n#TITLE:No timing;\n#MUSIC:song.ogg;\n"
NOTES = "#NOTES:\n     dance-single:\n     :\n     Easy:\n     2:\n     0,0,0,0,0:\n1000\n0100\n0010\n0001\n;\n"


def test_a_file_without_bpms_is_marked_and_setting_a_tempo_states_it(tmp_path: Path) -> None:
    path = tmp_path / "nt.ssc"
    path.write_text(NO_TEMPO)
    song = load(path)
    assert song.timing.bpms == ((Fraction(0), Fraction(60)),)  # what the reader fills in, as StepMania does
    assert not states_tempo(song)
    song.timing = TimingData.constant(141, "-0.05")  # Timing > Detect Tempo
    assert states_tempo(song)
    song.timing = TimingData.constant(60)  # undone: invented again
    assert not states_tempo(song)


def test_what_counts_as_stating_it() -> None:
    assert file_states_tempo("#BPMS:0.000=60.000;")  # a real 60 BPM is stated
    assert file_states_tempo(b"#bpms:\n0=128,\n64=140\n;")
    assert not file_states_tempo("#BPMS:;")
    assert not file_states_tempo("#BPMS:0=0;")  # a BPM of 0 is ignored, as StepMania ignores it
    assert file_states_tempo("#TITLE:x;\n#BPMS:0=99;".encode("utf-16"))  # with its BOM
    assert states_tempo(loads(NO_TEMPO + "#BPMS:0=150;\n" + NOTES, "sm"))
    assert not states_tempo(loads(NO_TEMPO + NOTES, "sm"))
    assert not states_tempo(loads((NO_TEMPO + NOTES).encode(), "sm"))


def test_verify_warns_once_for_a_song_with_notes_and_no_tempo() -> None:
    song = loads(NO_TEMPO + NOTES, "sm")
    found = [i for i in check_song(song) if i.check_id == "tempo"]
    assert len(found) == 1
    assert found[0].severity.label == "warning"
    assert "states no tempo" in found[0].message
    assert "Detect Tempo" in found[0].message
    stated = loads(NO_TEMPO + "#BPMS:0=150;\n" + NOTES, "sm")
    assert not [i for i in check_song(stated) if i.check_id == "tempo"]
