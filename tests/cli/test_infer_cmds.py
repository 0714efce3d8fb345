"""draft / refine / serve / export-triton from the command line: outputs, and one-line errors with exit 2."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
import soundfile as sf

from chart.formats.registry import load, save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.stats import chart_stats
from chart.timing import TimingData
from main import main
from tests.inference.server_helpers import free_port, running_server
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    drafting_model(folder / "models")
    sf.write(folder / "song.wav", click_track(128, 0.3, 24.0, SR), SR)
    return folder


def run(argv, capsys) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def models(work):
    return ["--models", work / "models"]


def test_draft_detects_tempo_and_writes_all_slots(work, capsys, tmp_path):
    out = tmp_path / "draft.ssc"
    code, err = run(["draft", work / "song.wav", *models(work), "-o", out], capsys)
    assert code == 0, err
    match = re.search(r"tempo: ([\d.]+) BPM, beat 0 at ([\d.]+) s", err)
    assert match, err
    bpm, beat0_s = float(match[1]), float(match[2])
    song = load(out)
    assert [c.slot for c in song.charts] == [Slot.BEGINNER, Slot.EASY, Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE]
    counts = [len(c.notes) for c in song.charts]
    assert counts == sorted(counts)
    assert counts[0] > 0
    # the chart carries the detected tempo (the detector's accuracy is tested in tests/audio)
    assert float(song.timing.bpms[0][1]) == pytest.approx(bpm, abs=1e-3)
    assert float(-song.timing.offset) == pytest.approx(beat0_s, abs=1e-3)
    assert min(abs(bpm / 128.0 - r) for r in (0.5, 1.0, 2.0)) < 0.002  # the clicks' tempo up to an octave
    period = 60.0 / bpm
    assert min(abs((0.3 - beat0_s) / period - k) for k in range(-2, 3)) * period < 0.01
    assert song.music == "../" + work.name + "/song.wav" or song.music.endswith("song.wav")
    assert (out.parent / song.music).resolve() == (work / "song.wav").resolve()
    assert "sha256:" in err  # provenance printed


def test_draft_with_bpm_puts_notes_on_the_grid(work, capsys, tmp_path):
    out = tmp_path / "grid.sm"
    code, err = run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "easy,hard",
                     "--nps", "hard=1.5", *models(work), "-o", out], capsys)
    assert code == 0, err
    song = load(out)
    assert [c.slot for c in song.charts] == [Slot.EASY, Slot.HARD]
    easy = song.charts[0]
    assert all((n.beat * 4).denominator == 1 or (n.beat * 3).denominator == 1 for n in easy.notes)
    dense_rows = len({n.beat for n in song.charts[1].notes})
    sparse = tmp_path / "sparse.sm"
    code, err = run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "hard",
                     "--nps", "hard=0.75", *models(work), "-o", sparse], capsys)
    assert code == 0, err
    sparse_song = load(sparse)
    # --nps is the Stats panel's mean NPS (notes from the first to the last). This random model's most probable
    # rows crowd into a few seconds, which puts 1.5 out of reach in that measure (test_drafter checks it on
    # rows that spread); 0.75 is reachable.
    assert chart_stats(sparse_song.charts[0], sparse_song.timing).mean_nps == pytest.approx(0.75, rel=0.25)
    assert len({n.beat for n in sparse_song.charts[0].notes}) < dense_rows / 2


def test_draft_keeps_the_other_charts_of_a_song(work, capsys, tmp_path):
    src = work / "mine.ssc"
    kept = Chart(slot=Slot.EDIT, description="mine", notes=[Note(Fraction(4), 1)])
    easy = Chart(slot=Slot.EASY, notes=[Note(Fraction(1), 0)])
    save(Song(title="Mine", music="song.wav", timing=TimingData.constant(128, Fraction(-3, 10)),
              charts=[easy, kept]), src)
    out = tmp_path / "mine-out.ssc"
    code, err = run(["draft", src, "--slots", "hard", *models(work), "-o", out], capsys)
    assert code == 0, err
    song = load(out)
    assert {c.slot for c in song.charts} == {Slot.EASY, Slot.HARD, Slot.EDIT}
    assert song.chart(Slot.EDIT).notes == kept.notes
    assert song.chart(Slot.EASY).notes == easy.notes
    assert "tempo:" not in err  # the chart's timing was used
    assert song.audio_path().resolve() == (work / "song.wav").resolve()  # #MUSIC names it from the new folder


def test_refine_adds_higher_slots(work, capsys, tmp_path):
    base = tmp_path / "base.ssc"  # easy=0: the tiny model's own density (the default target fills every click)
    assert run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "easy", "--nps", "easy=0",
                *models(work), "-o", base], capsys)[0] == 0
    out = tmp_path / "refined.ssc"
    code, err = run(["refine", base, "--from", "easy", "--to", "hard,challenge", *models(work), "-o", out], capsys)
    assert code == 0, err
    song = load(out)
    assert [c.slot for c in song.charts] == [Slot.EASY, Slot.HARD, Slot.CHALLENGE]
    assert len(song.chart(Slot.HARD).notes) > len(song.chart(Slot.EASY).notes)
    assert re.search(r"keeps (all \d+|\d+ of the \d+) Easy rows", err)  # the lower chart's rows kept, counted
    assert "with their arrows)" in err  # and how many kept rows kept their arrows
    code, err = run(["refine", base, "--from", "easy", "--to", "hard", "--new-arrows", *models(work), "-o", out],
                    capsys)
    assert code == 0, err
    assert "with their arrows" not in err


def test_osu_output_gets_the_drafted_slots_one_file_each(work, capsys, tmp_path):
    """osu! holds one difficulty per file: refining an Easy chart to .osu writes the new slots only (it used to
    refuse after all the drafting, the song holding the Easy chart too), one file per slot."""
    base = tmp_path / "base.ssc"
    assert run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "easy", *models(work),
                "-o", base], capsys)[0] == 0
    code, err = run(["refine", base, "--from", "easy", "--to", "hard", *models(work), "-o", tmp_path / "h.osu"],
                    capsys)
    assert code == 0, err
    assert [c.slot for c in load(tmp_path / "h.osu").charts] == [Slot.HARD]
    out = tmp_path / "set"
    out.mkdir()
    code, err = run(["refine", base, "--from", "easy", "--to", "hard,challenge", *models(work), "-o",
                     out / "r.osu"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["r [Challenge AI draft].osu", "r [Hard AI draft].osu",
                                                     "song.wav"]  # osu! loads audio only from the set's folder
    from chart.formats.registry import load_folder

    assert [c.slot for c in load_folder(out)[0].charts] == [Slot.HARD, Slot.CHALLENGE]


def test_a_chart_of_another_game_mode_is_named_not_missing(work, capsys, tmp_path):
    song = Song(music=str(work / "song.wav"), timing=TimingData.constant(128, "-0.3"),
                charts=[Chart(mode="kb7-single", lanes=7, slot=Slot.HARD, notes=[Note(Fraction(b), b % 7)
                                                                                 for b in range(8, 40)])])
    chart = save(song, tmp_path / "seven.ssc")
    code, err = run(["refine", chart, "--from", "hard", "--to", "challenge", *models(work), "-o",
                     tmp_path / "out.ssc"], capsys)
    assert code == 2
    assert "its Hard chart is kb7-single; the models draft 4-panel dance-single" in err


def test_simplify_drafts_easier_slots_from_the_harder_chart(work, capsys, tmp_path):
    base = tmp_path / "base.ssc"
    assert run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "hard", *models(work),
                "-o", base], capsys)[0] == 0
    out = tmp_path / "simple.ssc"
    code, err = run(["simplify", base, "--from", "hard", "--to", "easy,beginner", *models(work), "-o", out], capsys)
    assert code == 0, err
    song = load(out)
    assert [c.slot for c in song.charts] == [Slot.BEGINNER, Slot.EASY, Slot.HARD]
    hard = {(n.beat, n.lane) for n in song.chart(Slot.HARD).notes}
    for slot in (Slot.EASY, Slot.BEGINNER):
        notes = song.chart(slot).notes
        assert notes
        assert {(n.beat, n.lane) for n in notes} <= hard
    assert "of the" in err
    assert "Hard rows" in err
    code, err = run(["simplify", base, "--from", "hard", "--to", "challenge", *models(work), "-o", out], capsys)
    assert code == 2
    assert "must be below Hard" in err


def test_arrows_keep_the_rhythm_and_the_charts_metadata(work, capsys, tmp_path):
    from chart.formats.registry import save
    from chart.notes import Note, NoteKind

    base = tmp_path / "base.ssc"
    assert run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "medium", *models(work),
                "-o", base], capsys)[0] == 0
    song = load(base)
    medium = song.chart(Slot.MEDIUM)
    medium.meter, medium.description = 6, "mine"
    free = next(b for b in (Fraction(k, 4) + Fraction(1, 8) for k in range(8, 200))
                if all(n.beat != b for n in medium.notes))
    medium.notes = sorted([*medium.notes, Note(free, 2, NoteKind.MINE)])
    save(song, base)
    rows = sorted({n.beat for n in medium.notes if n.kind.is_onset})
    out = tmp_path / "arrows.ssc"
    code, err = run(["arrows", base, "--slot", "medium", *models(work), "-o", out], capsys)
    assert code == 0, err
    again = load(out).chart(Slot.MEDIUM)
    assert sorted({n.beat for n in again.notes if n.kind.is_onset}) == rows
    assert (again.meter, again.description) == (6, "mine")
    holds = [n for n in again.notes if n.kind.has_length and n.lane == 2]
    assert (Note(free, 2, NoteKind.MINE) in again.notes) != any(h.beat <= free <= h.end_beat for h in holds)
    assert f"Medium: {len(rows)} rows" in err
    out2 = tmp_path / "arrows2.ssc"
    code, err = run(["arrows", base, "--slot", "medium", "--seed", "3", *models(work), "-o", out2], capsys)
    assert code == 0, err
    assert "seed 3, temperature 0.8" in err  # a seed other than 0 samples
    code, err = run(["arrows", base, "--slot", "hard", *models(work), "-o", tmp_path / "x.ssc"], capsys)
    assert code == 2
    assert "no Hard chart with notes" in err
    assert not (tmp_path / "x.ssc").exists()


def _bad_sm(folder: Path) -> Path:
    path = folder / "notiming.sm"
    path.write_text("#TITLE:x;\n#MUSIC:song.wav;\n")
    return path


@pytest.mark.parametrize(("case", "message"), [
    ("garbage_audio", "cannot decode audio"),
    ("missing_audio", "file not found"),
    ("no_timing", "has no timing"),
    ("unknown_slot", "unknown difficulty slot"),
    ("edit_slot", "the model drafts"),
    ("bad_nps", "--nps wants"),
    ("bad_ext", "unknown chart file extension"),
    ("osu_missing_folder", "does not exist"),
    ("server_down", "unavailable"),
    ("bad_url", "not an http"),
    ("model_mismatch", "does not match its manifest"),
    ("no_model", "no onset model"),
    ("refine_no_lower", "no Hard chart"),
    ("refine_down", "must be above"),
    ("offset_alone", "--offset goes with --bpm"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(work, capsys, tmp_path, case, message):
    out = tmp_path / "out.ssc"
    wav, m = work / "song.wav", models(work)
    if case == "garbage_audio":
        (tmp_path / "junk.wav").write_bytes(b"RIFF0000WAVEfmt garbage" * 10)
        argv = ["draft", tmp_path / "junk.wav", "--bpm", 120, *m, "-o", out]
    elif case == "missing_audio":
        argv = ["draft", tmp_path / "nope.ogg", *m, "-o", out]
    elif case == "no_timing":
        argv = ["draft", wav, "--timing", _bad_sm(work), *m, "-o", out]
    elif case in ("unknown_slot", "edit_slot"):
        argv = ["draft", wav, "--slots", "easy,expert-plus" if case == "unknown_slot" else "edit", *m, "-o", out]
    elif case == "offset_alone":  # was ignored: the detected offset was written without a word
        argv = ["draft", wav, "--offset", 0.5, *m, "-o", out]
    elif case == "bad_nps":
        argv = ["draft", wav, "--nps", "hard=fast", *m, "-o", out]
    elif case == "bad_ext":
        argv = ["draft", wav, *m, "-o", tmp_path / "out.txt"]
    elif case == "osu_missing_folder":
        argv = ["draft", wav, *m, "-o", tmp_path / "nowhere" / "out.osu"]
    elif case == "server_down":
        argv = ["draft", wav, "--bpm", 120, "--backend", f"http://127.0.0.1:{free_port()}", *m, "-o", out]
    elif case == "bad_url":
        argv = ["draft", wav, "--bpm", 120, "--backend", "ftp://host", *m, "-o", out]
    elif case in ("model_mismatch", "no_model"):
        folder = tmp_path / "models"
        folder.mkdir()
        if case == "model_mismatch":
            for f in (work / "models").iterdir():
                (folder / f.name).write_bytes(f.read_bytes())
            (folder / "onset.onnx").write_bytes((folder / "onset.onnx").read_bytes() + b"\0")
        argv = ["draft", wav, "--bpm", 120, "--models", folder, "-o", out]
    else:
        base = tmp_path / "base.ssc"
        save(Song(music=str(wav), timing=TimingData.constant(128),
                  charts=[Chart(slot=Slot.EASY, notes=[Note(Fraction(1), 0)])]), base)
        frm, to = ("hard", "challenge") if case == "refine_no_lower" else ("easy", "beginner")
        argv = ["refine", base, "--from", frm, "--to", to, *m, "-o", out]
    code, err = run(argv, capsys)
    assert code == 2
    lines = [line for line in err.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert message in lines[0]
    assert "Traceback" not in err
    assert not out.exists()
    assert not list(out.parent.glob(".out.*"))  # no temp file left either


@pytest.mark.network
def test_remote_backend_and_wrong_token(work, capsys, tmp_path):
    (tmp_path / "token").write_text("cli-token\n")
    (tmp_path / "wrong").write_text("nope\n")
    with running_server(work / "models", tmp_path, "cli-token") as srv:
        out = tmp_path / "remote.ssc"
        code, err = run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "hard",
                         "--backend", srv.url, "--token-file", tmp_path / "token", *models(work), "-o", out],
                        capsys)
        assert code == 0, err
        assert "remote KServe V2" in err
        code, err = run(["draft", work / "song.wav", "--bpm", 128, "--backend", srv.url, "--token-file",
                         tmp_path / "wrong", *models(work), "-o", tmp_path / "x.ssc"], capsys)
        assert code == 2
        assert "refused the token" in err
        assert not (tmp_path / "x.ssc").exists()
    local = tmp_path / "local.ssc"
    assert run(["draft", work / "song.wav", "--bpm", 128, "--offset", 0.3, "--slots", "hard", *models(work),
                "-o", local], capsys)[0] == 0
    assert load(out).charts[0].notes == load(local).charts[0].notes


def test_server_down_with_fallback_drafts_locally(work, capsys, tmp_path):
    out = tmp_path / "fb.ssc"
    code, err = run(["draft", work / "song.wav", "--bpm", 128, "--slots", "easy", "--backend",
                     f"127.0.0.1:{free_port()}", "--fallback", *models(work), "-o", out], capsys)
    assert code == 0
    assert "warning:" in err
    assert "local" in err
    assert out.exists()


def test_serve_refuses_public_address_without_token(work, capsys):
    code, err = run(["serve", "--host", "0.0.0.0", *models(work)], capsys)
    assert code == 2
    assert "without a token" in err


@pytest.mark.parametrize(("flags", "message"), [
    (["--workers", 0], "--workers"),
    (["--max-request-mb", 0], "--max-request-mb"),
    (["--queue", -1], "--queue"),
    (["--body-timeout", -1], "--body-timeout"),
])
def test_serve_refuses_settings_that_would_refuse_every_request(work, capsys, flags, message):
    """Checked before anything listens (these used to start a server that answered nothing)."""
    code, err = run(["serve", "--port", free_port(), *flags, *models(work)], capsys)
    assert code == 2
    assert message in err
    assert err.strip().count("\n") == 0


def test_serve_refuses_a_port_in_use(work, capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code, err = run(["serve", "--port", busy.getsockname()[1], *models(work)], capsys)
    assert code == 2
    assert "cannot listen on 127.0.0.1" in err


def test_serve_refuses_a_folder_without_models(capsys, tmp_path):
    code, err = run(["serve", "--models", tmp_path], capsys)
    assert code == 2
    assert "no models to serve" in err


def test_serve_refuses_an_empty_token_file(work, capsys, tmp_path):
    (tmp_path / "t").write_text("\n")
    code, err = run(["serve", "--token-file", tmp_path / "t", *models(work)], capsys)
    assert code == 2
    assert "one token" in err


def test_export_triton(work, capsys, tmp_path):
    code, err = run(["export-triton", tmp_path / "repo", *models(work)], capsys)
    assert code == 0, err
    assert (tmp_path / "repo" / "onset" / "config.pbtxt").is_file()
    manifest = json.loads((tmp_path / "repo" / "onset" / "onset.manifest.json").read_text())
    assert manifest["file"] == "1/model.onnx"
    code, err = run(["export-triton", tmp_path / "repo2", "--models", tmp_path / "empty"], capsys)
    assert code == 2
