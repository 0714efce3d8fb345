"""A song that states no tempo (audit 27): a StepMania file without #BPMS reads at an invented 60 BPM. The CLI refused
to draft it, the editor drafted on that grid without a word; now one test (chart.stated_tempo) serves both, and
Verify's ``tempo`` check warns about it."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from chart.checks.registry import check_song
from chart.formats.game_json import load_bytes
from chart.formats.registry import dumps, load, loads
from chart.stated_tempo import states_tempo
from chart.timing import TimingData

NO_TEMPO = "#VERSION:0.83;\n#TITLE:No timing;\n#MUSIC:song.ogg;\n"
NOTES = "#NOTES:\n     dance-single:\n     :\n     Easy:\n     2:\n     0,0,0,0,0:\n1000\n0100\n0010\n0001\n;\n"


def test_a_file_without_bpms_is_marked_and_setting_a_tempo_states_it(tmp_path: Path) -> None:
    path = tmp_path / "nt.ssc"
    path.write_text(NO_TEMPO)
    song = load(path)
    assert song.timing.bpms == ((Fraction(0), Fraction(60)),)  # what the reader fills in, as StepMania does
    assert not states_tempo(song)
    invented = song.timing
    song.timing = TimingData.constant(141, "-0.05")  # Timing > Detect Tempo
    assert states_tempo(song)
    song.timing = TimingData.constant(60)  # a designer's own 60 BPM is stated too (it was the value compared)
    assert states_tempo(song)
    song.timing = invented  # undone: invented again
    assert not states_tempo(song)


def test_what_counts_as_stating_it() -> None:
    assert states_tempo(loads(NO_TEMPO + "#BPMS:0.000=60.000;\n" + NOTES, "sm"))  # a real 60 BPM is stated
    assert states_tempo(loads(NO_TEMPO + "#bpms:\n0=128,\n64=140\n;\n" + NOTES, "sm"))
    assert not states_tempo(loads(NO_TEMPO + "#BPMS:;\n" + NOTES, "sm"))
    assert not states_tempo(loads(NO_TEMPO + "#BPMS:0=0;\n" + NOTES, "sm"))  # a BPM of 0 is ignored, as StepMania
    assert states_tempo(loads(("#TITLE:x;\n#BPMS:0=99;\n" + NOTES).encode("utf-16"), "sm"))  # with its BOM
    assert states_tempo(loads(NO_TEMPO + "#BPMS:0=150;\n" + NOTES, "sm"))
    assert not states_tempo(loads(NO_TEMPO + NOTES, "sm"))
    assert not states_tempo(loads((NO_TEMPO + NOTES).encode(), "sm"))


def test_the_mark_comes_from_what_the_reader_read() -> None:
    """Review of audit 27: a regex over the file took #BPMS text the reader never reads for a stated tempo."""
    assert not states_tempo(loads(NO_TEMPO + "// #BPMS:0=150;  old tempo\n" + NOTES, "sm"))
    assert not states_tempo(loads(NO_TEMPO + "#CREDIT:fix #BPMS:0=150 later;\n" + NOTES, "sm"))
    # a .ssc whose Hard chart states its own tempo while the song (and so the Easy chart) does not
    chart = "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:{d};\n#METER:5;\n{x}#NOTES:\n1000\n;\n"
    song = loads(NO_TEMPO + chart.format(d="Hard", x="#BPMS:0=150;\n") + chart.format(d="Easy", x=""), "ssc")
    assert not states_tempo(song)
    # a chart block with its own timing but no #BPMS takes the song's invented tempo: marked as well
    song = loads("#VERSION:0.83;\n#TITLE:x;\n#BPMS:0=150;\n" + chart.format(d="Easy", x="#OFFSET:0.1;\n"), "ssc")
    assert states_tempo(song)
    song = loads(NO_TEMPO + chart.format(d="Easy", x="#OFFSET:0.1;\n"), "ssc")
    song.timing = TimingData.constant(150)
    assert not states_tempo(song)  # the chart still plays at the invented tempo


def test_the_mark_survives_save_convert_and_autosave() -> None:
    for fmt in ("sm", "ssc"):
        song = loads(NO_TEMPO + NOTES, "sm")  # saved as .sm, or converted to .ssc (main.py convert, Save As)
        text = dumps(song, fmt)
        assert "#BPMS:;" in text  # StepMania reads the same 60 BPM from it
        back = loads(text, fmt)
        assert back.timing == song.timing
        assert back.charts[0].notes == song.charts[0].notes
        assert not states_tempo(back), fmt
    chart = "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Easy;\n#METER:5;\n#OFFSET:0.1;\n#NOTES:\n1000\n;\n"
    song = loads(NO_TEMPO + chart, "ssc")
    back = loads(dumps(song, "ssc"), "ssc")
    assert back == song
    assert not states_tempo(back)
    back.timing = TimingData.constant(150)  # the song's tempo set, the chart's own still invented: kept as it plays
    again = loads(dumps(back, "ssc"), "ssc")
    assert again == back
    recovered = load_bytes(dumps(song, "json").encode(), max_bytes=None)  # the editor's autosave and recovery
    assert recovered == song
    assert not states_tempo(recovered)
    assert '"tempo_stated"' not in dumps(loads(NO_TEMPO + "#BPMS:0=150;\n" + NOTES, "sm"), "json")
    stated = loads(NO_TEMPO + NOTES, "sm")
    stated.timing = TimingData.constant(60)
    assert states_tempo(loads(dumps(stated, "ssc"), "ssc"))


def test_verify_warns_once_for_a_song_with_notes_and_no_tempo() -> None:
    song = loads(NO_TEMPO + NOTES, "sm")
    found = [i for i in check_song(song) if i.check_id == "tempo"]
    assert len(found) == 1
    assert found[0].severity.label == "warning"
    assert "states no tempo" in found[0].message
    assert "Detect Tempo" in found[0].message
    stated = loads(NO_TEMPO + "#BPMS:0=150;\n" + NOTES, "sm")
    assert not [i for i in check_song(stated) if i.check_id == "tempo"]


def test_osu_says_it_writes_the_invented_tempo_as_a_red_line(tmp_path: Path) -> None:
    """Audit 27 round 2: .sm/.ssc keep an invented tempo unstated (an empty #BPMS) and the JSON notes it, but osu!
    needs a red line: ``convert nobpm.sm out.osu`` wrote a 60 BPM one without a word, and ``check``/``draft`` of
    the .osu then took it as the song's tempo. The .osu writer's problems now name it (a conversion note for
    ``convert``, Save and Export), and the export's Verify keeps the ``tempo`` warning."""
    import subprocess
    import sys

    from chart.formats.registry import unrepresentable

    song = loads(NO_TEMPO + NOTES, "sm")
    found = [u for u in unrepresentable(song, "osu") if "states no tempo" in u.reason]
    assert len(found) == 1
    assert not found[0].fatal
    assert "invented 60 BPM" in found[0].reason
    assert [u.reason for u in unrepresentable(song, "osz") if "states no tempo" in u.reason] == [found[0].reason]
    assert any(i.check_id == "tempo" and i.severity.label == "warning" for i in check_song(song, target_format="osu"))
    stated = loads(NO_TEMPO + "#BPMS:0=150;\n" + NOTES, "sm")
    assert not [u for u in unrepresentable(stated, "osu") if "tempo" in u.reason]
    (tmp_path / "nobpm.sm").write_text(NO_TEMPO + NOTES)
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "main.py", "convert", str(tmp_path / "nobpm.sm"), str(tmp_path / "o.osu")],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "note: osu: the song states no tempo: written at the invented 60 BPM" in done.stderr


def test_verify_names_a_ssc_charts_own_invented_tempo_once_the_songs_is_set() -> None:
    """Audit 27 rev 3: with the song's tempo set, a .ssc chart's own timing (an #OFFSET, no #BPMS) still reads at
    the invented 60 BPM, and a save writes that out as a stated #BPMS (no empty one keeps it: it would read as the
    song's); Verify said "the song states no tempo ... reads at 150 BPM", of the song whose tempo was just set."""
    chart = "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Easy;\n#METER:5;\n#OFFSET:-0.05;\n#NOTES:\n1000\n;\n"
    song = loads(NO_TEMPO + chart, "ssc")
    song.timing = TimingData.constant(150)
    (found,) = [i for i in check_song(song) if i.check_id == "tempo"]
    assert "dance-single/Easy" in found.message
    assert "invented 60 BPM" in found.message
    assert "#BPMS:0.000=60.000, stated from then on" in found.message
    assert "150" not in found.message
    again = loads(dumps(song, "ssc"), "ssc")
    assert again.charts[0].timing is not None
    assert again.charts[0].timing.bpms[0][1] == 60  # as the warning says
    assert states_tempo(again)
