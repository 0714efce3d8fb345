"""End to end on synthetic songs: train a tiny model, resume, tune on validation, export, load the manifest;
and the ``train`` command's one-line errors."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from chart.notes import Note  # noqa: E402
from chart.song import Chart, Slot, Song  # noqa: E402
from chart.timing import TimingData  # noqa: E402
from inference.manifest import FeatureParams, Manifest  # noqa: E402
from training.crops import CropConfig  # noqa: E402
from training.model import OnsetModelConfig  # noqa: E402
from training.train import TrainConfig, train  # noqa: E402


def _song(folder: Path, bpm: float, seed: int) -> None:
    import soundfile as sf

    from chart.formats.registry import save

    folder.mkdir(parents=True)
    sr, seconds = 22050, 16
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(sr * seconds) * 0.01).astype(np.float32)
    beats = np.arange(0, int(seconds * bpm / 60) - 1)
    for b in beats:
        i = int(b * 60 / bpm * sr)
        x[i:i + 300] += rng.standard_normal(300).astype(np.float32) * np.exp(-np.arange(300) / 60) * 0.6
    sf.write(folder / "a.wav", x, sr)
    charts = [Chart(slot=Slot.EASY, notes=[Note(Fraction(int(b)), int(b) % 4) for b in beats if b % 4 != 3]),
              Chart(slot=Slot.HARD, notes=[Note(Fraction(int(b)), int(b) % 4) for b in beats])]
    save(Song(title=folder.name, music="a.wav", timing=TimingData.constant(bpm), charts=charts), folder / "a.ssc")


def _config(tmp_path: Path, epochs: int) -> TrainConfig:
    split = tmp_path / "validation.txt"
    split.write_text("# one song held out\npk__s2\n")
    return TrainConfig(
        songs=str(tmp_path / "songs"), out=str(tmp_path / "run"), epochs=epochs, lr=5e-3, warmup_steps=2,
        validation_file=str(split), cache_dir=str(tmp_path / "cache"),
        features=FeatureParams(n_mels=16, n_ffts=[512, 1024]),
        model=OnsetModelConfig(trunk_channels=8, branch_channels=4, rnn_hidden=8, rnn_layers=1, slot_dim=3,
                               cond_channels=2, out_hidden=8),
        crops=CropConfig(crop_frames=400, n_crops=2),
    )


def test_train_resume_tune_export(tmp_path: Path) -> None:
    for i, bpm in enumerate((120.0, 150.0, 132.0)):
        _song(tmp_path / "songs" / f"pk__s{i}", bpm, i)
    best = train(_config(tmp_path, epochs=1), log=lambda _m: None)
    run = tmp_path / "run"
    assert best.is_file()
    assert (run / "last.pt").is_file()
    first = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert [m["epoch"] for m in first] == [1]
    assert "val_f1_all" in first[0]

    train(_config(tmp_path, epochs=2), resume=True, log=lambda _m: None)
    logged = [json.loads(line)["epoch"] for line in (run / "log.jsonl").read_text().splitlines()]
    assert logged == [1, 2]  # resumed at epoch 1, did not start over

    from training.tune import finish_run

    report = finish_run(run / "last.pt", tmp_path / "songs", [tmp_path / "out" / "onset.onnx"], log=lambda _m: None)
    assert report["songs"] == 1
    assert set(report["onset"]["f1_50ms"]) >= {"all", "easy", "hard"}
    manifest = Manifest.load(tmp_path / "out" / "onset.manifest.json")  # verifies the sha256
    assert manifest.features.norm_mean
    assert len(manifest.features.norm_mean) == 32
    assert manifest.decode["hard"].threshold == pytest.approx(report["decode"]["hard"]["threshold"])
    # the synthetic song has an Easy and a Hard chart: Hard gets a refine threshold of its own, Easy none
    assert manifest.decode["hard"].refine_threshold == pytest.approx(report["decode"]["hard"]["refine_threshold"])
    assert manifest.decode["easy"].refine_threshold is None
    assert report["refine"]["pairs"] >= 1


def test_train_command_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from main import main

    assert main(["train", "--songs", str(tmp_path / "missing"), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "not found" in err[0]
    (tmp_path / "empty").mkdir()
    assert main(["train", "--songs", str(tmp_path / "empty"), "--out", str(tmp_path / "r")]) == 2
    assert main(["train", "--songs", str(tmp_path / "empty"), "--out", str(tmp_path / "r2"), "--tune-only"]) == 2


def test_a_run_stopped_inside_an_epoch_resumes_the_rest_of_it(tmp_path: Path, monkeypatch) -> None:
    """--max-minutes may stop a run inside an epoch: that epoch is not counted as done (no validation, no log
    line), and --resume runs only its remaining steps, so the run ends at the same step count as one unbroken."""
    import training.train as tr

    for i, bpm in enumerate((120.0, 150.0, 132.0)):
        _song(tmp_path / "songs" / f"pk__s{i}", bpm, i)
    cfg = _config(tmp_path, epochs=2)
    cfg.max_minutes = 1.0
    real_step = tr._run_epoch
    deadline_after_steps(monkeypatch, 3)  # the deadline passes after three steps of the first epoch
    logs: list[str] = []
    train(cfg, log=logs.append)
    per_epoch = int(next(m for m in logs if "steps/epoch" in m).split("; ")[1].split()[0])
    assert per_epoch > 3
    state = torch.load(tmp_path / "run" / "last.pt", weights_only=False)
    assert (state["epoch"], state["step"]) == (0, 3)
    assert not (tmp_path / "run" / "log.jsonl").exists()  # no epoch finished
    monkeypatch.setattr(tr, "_run_epoch", real_step)
    cfg.max_minutes = None
    train(cfg, resume=True, log=logs.append)
    state = torch.load(tmp_path / "run" / "last.pt", weights_only=False)
    assert (state["epoch"], state["step"]) == (2, 2 * per_epoch)
    assert [json.loads(line)["step"] for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()] == [
        per_epoch, 2 * per_epoch]


def test_train_refuses_songs_without_validation_and_a_run_folder_in_use(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from main import main
    from training.train import TrainError

    for i, bpm in enumerate((120.0, 150.0)):
        _song(tmp_path / "songs" / f"pk__s{i}", bpm, i)
    cfg = _config(tmp_path, epochs=1)
    (tmp_path / "validation.txt").write_text("pk__elsewhere\n")
    with pytest.raises(TrainError, match="validation list"):  # was a KeyError traceback after the first epoch
        train(cfg, log=lambda _m: None)
    run = tmp_path / "run"
    assert not run.exists()  # nothing written for a run that cannot start
    run.mkdir()
    (run / "last.pt").write_bytes(b"an earlier run")
    assert main(["train", "--songs", str(tmp_path / "songs"), "--out", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "already holds a run" in err[0]
    assert (run / "last.pt").read_bytes() == b"an earlier run"
    assert main(["train", "--songs", str(tmp_path / "songs"), "--out", str(tmp_path / "r3"), "--validation-list",
                 str(tmp_path / "nope.txt")]) == 2
    assert "validation list not found" in capsys.readouterr().err


def test_refine_ratios_are_per_pair_medians_of_training_songs(tmp_path: Path) -> None:
    from inference.manifest import SlotDecode
    from training.tune import MIN_RATIO_SONGS, refine_ratios, training_row_counts, with_refine_ratios

    songs = [{1: 100, 3: 100 * r} for r in (1.5, 2.0, 2.5)] * 4  # Easy -> Hard ratios; median 2.0
    songs += [{0: 10, 1: 20}] * (MIN_RATIO_SONGS - 1)  # Beginner -> Easy: one song short of the minimum
    ratios = refine_ratios(songs)
    assert ratios == {"hard": {"easy": 2.0}}
    settings = with_refine_ratios({"easy": SlotDecode(), "hard": SlotDecode(threshold=0.3)}, ratios)
    assert settings["hard"].refine_ratio == {"easy": 2.0}
    assert settings["hard"].threshold == 0.3
    assert settings["easy"].refine_ratio is None

    _song(tmp_path / "s1", 120, 1)  # Easy: 3 of every 4 beats; Hard: every beat
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x.ssc").write_text("#TITLE:x;\n#BPMS:0=abc;\n", encoding="utf-8")
    said: list[str] = []
    counts = training_row_counts([tmp_path / "s1", tmp_path / "broken"], said.append)
    beats = int(16 * 120 / 60) - 1
    assert counts == [{1: sum(b % 4 != 3 for b in range(beats)), 3: beats}]
    assert len(said) == 1
    assert said[0].startswith("skip broken")


def deadline_after_steps(monkeypatch: pytest.MonkeyPatch, steps: int) -> None:
    """A fake clock for ``training.train`` whose ``--max-minutes`` deadline passes after ``steps`` optimiser steps."""
    import training.train as tr

    clock = {"t": 0.0}
    left = {"steps": steps}
    real_epoch = tr._run_epoch

    def fake_time() -> float:
        clock["t"] += 0.001
        return clock["t"]

    def stop_inside(st, *args, **kwargs):
        opt_step = st.opt.step

        def counted(*a, **k):
            out = opt_step(*a, **k)
            left["steps"] -= 1
            if left["steps"] == 0:
                clock["t"] += 3600.0
            return out

        st.opt.step = counted
        try:
            return real_epoch(st, *args, **kwargs)
        finally:
            st.opt.step = opt_step

    monkeypatch.setattr(tr.time, "time", fake_time)
    monkeypatch.setattr(tr, "_run_epoch", stop_inside)
