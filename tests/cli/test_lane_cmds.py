"""``main.py ensemble-lanes``: bad input is one line and exit 2, a real ensemble is exported from two runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "ensemble-lanes", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_missing_run_folder_is_a_one_line_error(tmp_path):
    result = run(tmp_path / "nope", "--charts-only", tmp_path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not a finished train-lanes run" in result.stderr


def _monitor_song(root: Path) -> Path:
    """A text-only song folder that the lane trainer holds out for monitoring (by its name's hash)."""
    from fractions import Fraction

    from chart.formats.registry import save
    from chart.notes import Note
    from chart.song import Chart, Slot, Song
    from chart.timing import TimingData
    from training.lane_train import is_monitor_song

    name = next(f"p__m{i}" for i in range(10_000) if is_monitor_song(f"p__m{i}"))
    folder = root / name
    folder.mkdir()
    charts = [Chart(slot=slot, notes=[Note(Fraction(b, 2), (b * 3 + k) % 4) for b in range(8, 200)])
              for k, slot in enumerate((Slot.EASY, Slot.HARD))]
    save(Song(title=name, timing=TimingData.constant(140), charts=charts), folder / "a.ssc")
    return folder


def test_ensemble_of_two_runs_is_exported(tmp_path):
    torch = pytest.importorskip("torch")
    from inference.manifest import FeatureParams, Manifest
    from tests.training.test_lane_model import synthetic_chart
    from training.lane_baseline import NGRAM_FILE, build_ngram, save_ngram
    from training.lane_data import chart_examples
    from training.lane_model import LaneModelConfig
    from training.lane_train import LaneTrainConfig, train_lanes

    torch.manual_seed(0)
    runs = []
    for seed in (0, 1):
        cfg = LaneTrainConfig(out=str(tmp_path / f"r{seed}"), seed=seed, epochs=1, batch=4, window=32,
                              perm_contexts=(), count_depths=(), back_beats=(4,), foot=False, lookahead=0,
                              model=LaneModelConfig(embed=8, hidden=8))
        charts = [chart_examples(f"p__s{slot}", *synthetic_chart(slot), None, FeatureParams(), cfg.layout)
                  for slot in range(5)]
        _, summary = train_lanes(cfg, charts, charts[:1], log=open("/dev/null", "w"))  # noqa: SIM115
        (tmp_path / f"r{seed}" / "lane_summary.json").write_text(json.dumps(summary))
        save_ngram(build_ngram(charts, 2), tmp_path / f"r{seed}" / NGRAM_FILE)
        runs.append(tmp_path / f"r{seed}")
    empty = tmp_path / "charts-only"  # no monitor songs: nothing to calibrate the decision thresholds on
    empty.mkdir()
    (empty / "x").mkdir()
    result = run(*runs, "--charts-only", empty, "--out", tmp_path / "ens", "--model-id", "lane-test")
    assert result.returncode == 2  # it used to ship thresholds calibrated on zero charts without a word
    assert "no monitor songs" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "ens").exists()
    _monitor_song(empty)
    result = run(*runs, "--charts-only", empty, "--out", tmp_path / "ens", "--model-id", "lane-test")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["parameters"] > 0
    manifest = Manifest.load(tmp_path / "ens" / "lane.manifest.json")
    assert manifest.model_id == "lane-test"
    assert manifest.extra["history"]["back_beats"] == [4]
    assert manifest.extra["hidden"] == 16
    assert len(manifest.extra["training"]["members"]) == 2
    # without --model-id the ensemble is named after its --out folder (it was "lane-v3", the shipped model's id)
    result = run(*runs, "--charts-only", empty, "--out", tmp_path / "lanes-mine")
    assert result.returncode == 0, result.stderr
    assert Manifest.load(tmp_path / "lanes-mine" / "lane.manifest.json").model_id == "lanes-mine"
