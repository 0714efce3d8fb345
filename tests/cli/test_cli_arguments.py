"""Arguments the AI and chart commands check before any work: ``--offset`` and ``--seed`` ranges, an output folder
that cannot be written, a file where a folder is wanted; and what ``--seed`` does to a draft (nothing, said so),
``info --json``'s offsets, one progress clock per command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import soundfile as sf

from chart.formats.registry import save
from main import main
from tests.cli.test_chart_cmds import song_for_tests
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("args")
    drafting_model(folder / "models")
    sf.write(folder / "song.wav", click_track(120, 0.5, 20.0, SR), SR)
    song = song_for_tests()
    song.music = "song.wav"
    save(song, folder / "song.ssc")
    return folder


def _models(work: Path) -> list[str]:
    return ["--models", str(work / "models")]


def _error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if not line.startswith("[")]  # progress lines
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("offset", ["nan", "inf", "-inf", "1e999", "1e300"])
def test_an_offset_that_is_no_time_is_one_line_before_any_work(work, capsys, tmp_path, offset):
    """nan/inf ended in a traceback from Fraction(); 1e300 drafted for a while, then named a 300-digit beat."""
    out = tmp_path / "out.ssc"
    code = main(["draft", str(work / "song.wav"), "--bpm", "120", f"--offset={offset}", *_models(work),
                 "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert _error_line(err).startswith("error: --offset takes seconds from -3600 to 3600")
    assert "decode audio" not in err  # refused with the arguments, not after decoding
    assert not out.exists()


@pytest.mark.parametrize("argv", [
    ["draft", "{wav}", "--seed", "-1"],
    ["refine", "{ssc}", "--from", "easy", "--to", "hard", "--seed", "-1"],
    ["arrows", "{ssc}", "--slot", "easy", "--seed", "-1"],
    ["arrows", "{ssc}", "--slot", "easy", "--seed", str(2**32)],
    ["train", "--songs", "{dir}", "--out", "{dir}/run", "--seed", "-5"],
    ["train-lanes", "--songs", "{dir}", "--out", "{dir}/run", "--seed", "x"],
])
def test_a_seed_out_of_range_is_a_usage_error(work, capsys, tmp_path, argv):
    """arrows --seed -1 decoded the audio, then failed in numpy with a traceback; draft/refine took any number."""
    out = tmp_path / "out.ssc"
    args = [a.format(wav=work / "song.wav", ssc=work / "song.ssc", dir=tmp_path) for a in argv]
    if argv[0] in ("draft", "refine", "arrows"):
        args += [*_models(work), "-o", str(out)]
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    line = _error_line(capsys.readouterr().err)
    assert "argument --seed: a seed is a whole number from 0 to 4294967295" in line
    assert not out.exists()


def test_the_seed_changes_no_draft_and_is_not_shown_as_if_it_did(work, capsys, tmp_path):
    """Drafts decode greedily (temperature 0): seeds 0 and 7 give the same chart. The provenance printed "seed 7"
    as if it had chosen something; now it says "best guess", and a seed given is said to change nothing."""
    texts = []
    for seed in ("0", "7"):
        out = tmp_path / f"seed{seed}.ssc"
        code = main(["draft", str(work / "song.wav"), "--bpm", "120", "--slots", "easy", "--seed", seed,
                     *_models(work), "-o", str(out)])
        err = capsys.readouterr().err
        assert code == 0, err
        texts.append(out.read_text(encoding="utf-8"))
        provenance = next(line for line in err.splitlines() if line.startswith("Easy:"))
        assert provenance.endswith("best guess)"), provenance
        assert "seed" not in provenance
        assert ("note: --seed 7 changes nothing here" in err) == (seed == "7")
    assert texts[0] == texts[1]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, a folder where no file can be made")
@pytest.mark.parametrize("command", ["draft", "arrows"])
def test_an_output_folder_that_cannot_be_written_is_found_before_the_draft(work, capsys, command):
    """Only the folder's existence was checked: the whole draft ran, then the write failed."""
    args = ["draft", str(work / "song.wav"), "--bpm", "120"] if command == "draft" else \
        ["arrows", str(work / "song.ssc"), "--slot", "easy"]
    code = main([*args, *_models(work), "-o", "/proc/out.ssc"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert _error_line(err).startswith("error: cannot write /proc/out.ssc: no file can be made in /proc")
    assert "[" not in err  # no stage line: nothing was decoded or drafted


@pytest.mark.parametrize(("argv", "expected"), [
    (["export-triton", "{file}"], "the model repository {file} is a file; give a folder (e.g. triton-repo/)"),
    (["separate", "{wav}", "-o", "{tmp}/stems", "--cache-dir", "{file}"], "--cache-dir {file} is a file; give a folder"),
    (["separate", "{wav}", "-o", "{file}"], "-o {file} is a file; give a folder (e.g. stems/)"),
    (["separate", "{wav}", "-o", "{file}/stems"], "-o {file}/stems: {file} is a file, not a folder"),
])
def test_a_file_where_a_folder_is_wanted_is_named(work, capsys, tmp_path, argv, expected):
    """export-triton and --cache-dir said only "File exists: PATH"; separate -o gave a training run's example."""
    file = tmp_path / "song.sm"
    file.write_text("#TITLE:x;\n", encoding="utf-8")
    fill = {"file": file, "wav": work / "song.wav", "tmp": tmp_path}
    code = main([a.format(**fill) for a in argv] + (_models(work) if argv[0] == "export-triton" else []))
    err = capsys.readouterr().err
    assert code == 2, err
    assert _error_line(err) == f"error: {expected.format(**fill)}"
    assert file.read_text(encoding="utf-8") == "#TITLE:x;\n"


def test_info_json_names_both_offsets_by_what_they_are(tmp_path, capsys):
    """info's "offset_s" was StepMania's #OFFSET, tempo's "offset_s" the time of beat 0 (-#OFFSET), which is what
    draft --offset takes: feeding one to the other moved every note by twice the offset."""
    path = save(song_for_tests(offset="-0.301"), tmp_path / "song.ssc")  # #OFFSET:-0.301: beat 0 at 0.301 s
    assert main(["info", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "offset_s" not in data
    assert data["sm_offset_s"] == pytest.approx(-0.301)
    assert data["beat0_s"] == pytest.approx(0.301)
    assert main(["info", str(path)]) == 0
    assert "#OFFSET -0.301 s (beat 0 at 0.301 s)" in capsys.readouterr().out


def test_one_progress_clock_for_tempo_detection_and_the_draft(work, capsys, tmp_path, monkeypatch):
    """The stage lines after "tempo: ..." started again at 0.0 s (two clocks). A clock that advances one second
    per reading makes the restart visible."""
    import cli._draft_cmds as draft_cmds

    class Clock:
        now = 1000.0

        @classmethod
        def perf_counter(cls) -> float:
            cls.now += 1.0
            return cls.now

    monkeypatch.setattr(draft_cmds, "time", Clock)
    code = main(["draft", str(work / "song.wav"), "--slots", "easy", *_models(work), "-o",
                 str(tmp_path / "out.ssc")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "tempo:" in err
    seconds = [float(m[1]) for m in re.finditer(r"^\[\s*([\d.]+) s\]", err, re.MULTILINE)]
    assert len(seconds) >= 4, err
    assert seconds == sorted(seconds), err


def test_refine_and_arrows_take_the_editors_seeds(work, capsys, tmp_path):
    """The editor's Seed box offers 0..1,000,000: the same range is accepted here."""
    code = main(["arrows", str(work / "song.ssc"), "--slot", "easy", "--seed", "1000000", *_models(work),
                 "-o", str(tmp_path / "a.ssc")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "seed 1000000" in err
