"""train-lanes runs: a checkpoint of another run (seed, epochs) is refused rather than resumed and relabelled; the
model id comes from the --out name (not the shipped "lane-v3"); unwritable caches fall back. Tiny models and
synthetic songs only; every cache under tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from inference.manifest import FeatureParams, Manifest  # noqa: E402
from tests.cli.test_lane_cmds import _monitor_song  # noqa: E402
from tests.training.test_lane_model import V1_LAYOUT, synthetic_chart  # noqa: E402
from tests.training.test_onset_train import _song  # noqa: E402
from training.lane_data import chart_examples, load_lane_charts  # noqa: E402
from training.lane_model import LaneModelConfig  # noqa: E402
from training.lane_train import LaneTrainConfig, default_model_id, run_lane_training, train_lanes  # noqa: E402

TINY = {"batch": 4, "window": 32, "threads": 1, **V1_LAYOUT, "model": LaneModelConfig(embed=8, hidden=8, layers=1)}


def _null():
    return open("/dev/null", "w")  # noqa: SIM115


def test_a_checkpoint_of_another_run_is_refused(tmp_path: Path) -> None:
    charts = [chart_examples(f"p__s{slot}", *synthetic_chart(slot), None, FeatureParams()) for slot in range(3)]
    out = str(tmp_path / "run")
    train_lanes(LaneTrainConfig(out=out, seed=0, epochs=1, **TINY), charts, charts[:1], log=_null())
    ckpt = tmp_path / "run" / "lane_checkpoint.pt"
    before = ckpt.read_bytes()
    with pytest.raises(ValueError, match="seed 0 there, 1 here"):  # was: "resumed", exported as seed 1
        train_lanes(LaneTrainConfig(out=out, seed=1, epochs=1, **TINY), charts, charts[:1], log=_null())
    with pytest.raises(ValueError, match="epochs 1 there, 3 here"):  # was: 2 more epochs at the ended schedule
        train_lanes(LaneTrainConfig(out=out, seed=0, epochs=3, **TINY), charts, charts[:1], log=_null())
    assert ckpt.read_bytes() == before
    _, summary = train_lanes(LaneTrainConfig(out=out, seed=0, epochs=1, **TINY), charts, charts[:1], log=_null())
    assert [h["epoch"] for h in summary["history"]] == [0]  # the same run: resumed, nothing left to do


def test_default_model_ids_come_from_the_out_folder() -> None:
    assert default_model_id("runs/lanes-s0") == "lanes-s0"
    assert default_model_id("runs/toy") == "lane-toy"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "user-cache"))
    for i, bpm in enumerate((120.0, 150.0)):
        _song(tmp_path / "songs" / f"pk__s{i}", bpm, i)
    (tmp_path / "conly").mkdir()
    _monitor_song(tmp_path / "conly")
    return tmp_path / "songs", tmp_path / "conly"


def test_a_run_is_named_after_its_folder_and_caches_in_the_cache_folder(
        data: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from main import main

    songs, conly = data
    out = tmp_path / "toy"
    run_lane_training(songs, conly, LaneTrainConfig(out=str(out), seed=0, epochs=1, **TINY), log=_null())
    manifest = Manifest.load(out / "lane.manifest.json")
    assert manifest.model_id == "lane-toy"  # was "lane-v3", the shipped model's id
    assert manifest.extra["seed"] == 0
    assert json.loads((out / "lane_summary.json").read_text())["config"]["model_id"] == "lane-toy"
    cache = tmp_path / "user-cache" / "training"
    assert list((cache / "cache").glob("*.npy"))
    assert list((cache / "lane_cache").glob("*.npz"))

    # The command with another seed into that folder: one line, exit 2 (it exported the seed-0 run as seed 1)
    assert main(["train-lanes", "--songs", str(songs), "--charts-only", str(conly), "--out", str(out),
                 "--seed", "1", "--epochs", "1"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("error")]
    assert len(err) == 1, err
    assert "belongs to another run (seed 0 there, 1 here" in err[0]
    assert "--no-resume" in err[0]
    assert Manifest.load(out / "lane.manifest.json").extra["seed"] == 0


def test_unwritable_lane_caches_fall_back(data: tuple[Path, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    songs, _ = data
    (tmp_path / "a-file").write_text("not a folder")
    params = FeatureParams(n_mels=16, n_ffts=[512])
    charts = load_lane_charts(sorted(songs.iterdir()), params, True, tmp_path / "a-file" / "lane_cache",
                              feature_cache=tmp_path / "a-file" / "cache")
    assert len(charts) == 4  # was: "Not a directory" for the first song, the whole command failed
    notes = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("note: cannot write")]
    assert len(notes) == 2
    cache = tmp_path / "user-cache" / "training"
    assert list((cache / "cache").glob("*.npy"))
    assert list((cache / "lane_cache").glob("*.npz"))
