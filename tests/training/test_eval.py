"""main.py eval end to end on a synthetic song: clicks on the beat, an ONNX "oracle" onset model that outputs
the click envelope, the production drafter/decoder; F1 near 1 for the chart on the clicks, near 0 shifted."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from inference.manifest import FeatureParams, Manifest, TensorSpec, file_sha256
from inference.slot_rise import MIN_NOTE_RISE
from main import main

BPM, SR, SECONDS = 120, 22050, 24.0
DOCS_EVAL_MD = Path(__file__).resolve().parents[2] / "docs" / "evaluation.md"  # in the repository
EVAL_MD = Path(__file__).resolve().parents[3] / "shared" / "EVALUATION.md"
EXPECTED_KEYS = {
    "model", "songs", "charts", "onset", "density_error_median", "refine", "lane", "seconds",
}
ONSET_KEYS = {"f1_50ms", "precision_50ms", "recall_50ms", "f1_20ms", "chart_mean_f1_50ms"}
SLOT_KEYS = {"all", "beginner", "easy", "medium", "hard", "challenge"}
REFINE_KEYS = {"pairs", "f1_50ms_conditioned", "f1_50ms_unconditioned"}
LANE_KEYS = {"rows", "accuracy", "baseline_accuracy"}


def click_track() -> np.ndarray:
    """Short noise bursts on every beat at 120 BPM, beat 0 at 0.5 s."""
    rng = np.random.default_rng(0)
    y = np.zeros(int(SECONDS * SR), dtype=np.float32)
    burst = (rng.normal(size=int(0.015 * SR)) * np.exp(-np.linspace(0, 6, int(0.015 * SR)))).astype(np.float32)
    for t in np.arange(0.5, SECONDS - 0.5, 60 / BPM):
        i = int(round(t * SR))
        y[i:i + len(burst)] += 0.8 * burst
    return y


def write_song(folder: Path, shift_beat: Fraction = Fraction(0)) -> None:
    """A song folder: click audio and an .ssc with every model slot on the clicks (+ ``shift_beat``)."""
    from chart.formats.registry import save

    folder.mkdir(parents=True)
    sf.write(folder / "clicks.wav", click_track(), SR)
    n_beats = int((SECONDS - 1.5) * BPM / 60)
    charts = []
    for slot in (Slot.BEGINNER, Slot.EASY, Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE):
        notes = [Note(Fraction(b) + shift_beat, (b * (int(slot) + 1)) % 4) for b in range(n_beats)]
        charts.append(Chart(slot=slot, meter=int(slot) + 1, notes=notes))
    song = Song(title=folder.name, music="clicks.wav", timing=TimingData.constant(BPM, offset="-0.5"),
                charts=charts)
    save(song, folder / "song.ssc")


def oracle_model(folder: Path, params: FeatureParams, refine: bool = False) -> Path:
    """ONNX graph: onset_prob = positive frame-to-frame rise of the mean log-mel, divided by its maximum.

    With ``refine`` it also takes the conditioning inputs and, when ``cond_present`` is 1, returns the lower
    chart's onset train instead (a model that copies the conditioning chart).
    """
    import onnx
    from onnx import TensorProto, helper

    c = params.n_channels
    inputs = [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["B", "T", c]),
              helper.make_tensor_value_info("beat_guide", TensorProto.FLOAT, ["B", "T", 6]),
              helper.make_tensor_value_info("difficulty", TensorProto.INT64, ["B"])]
    if refine:
        inputs += [helper.make_tensor_value_info("cond_onsets", TensorProto.FLOAT, ["B", "T"]),
                   helper.make_tensor_value_info("cond_difficulty", TensorProto.INT64, ["B"]),
                   helper.make_tensor_value_info("cond_present", TensorProto.FLOAT, ["B"])]
    const = lambda name, values: helper.make_tensor(name, TensorProto.INT64, [len(values)], values)  # noqa: E731
    nodes = [
        helper.make_node("ReduceMean", ["features", "axis2"], ["energy"], keepdims=0),
        helper.make_node("Pad", ["energy", "pads"], ["prev"], mode="edge"),
        helper.make_node("Slice", ["prev", "starts", "ends", "axis1"], ["prev_cut"]),
        helper.make_node("Sub", ["energy", "prev_cut"], ["rise"]),
        helper.make_node("Relu", ["rise"], ["pos"]),
        helper.make_node("ReduceMax", ["pos", "axis1"], ["peak"], keepdims=1),
        helper.make_node("Add", ["peak", "eps"], ["peak_eps"]),
        helper.make_node("Div", ["pos", "peak_eps"], ["envelope" if refine else "onset_prob"]),
    ]
    if refine:  # onset_prob = envelope + present * (cond - envelope)
        nodes += [helper.make_node("Unsqueeze", ["cond_present", "axis1"], ["present"]),
                  helper.make_node("Sub", ["cond_onsets", "envelope"], ["delta"]),
                  helper.make_node("Mul", ["present", "delta"], ["scaled"]),
                  helper.make_node("Add", ["envelope", "scaled"], ["onset_prob"])]
    inits = [const("axis2", [2]), const("axis1", [1]), const("pads", [0, 1, 0, 0]), const("starts", [0]),
             const("ends", [-1]), helper.make_tensor("eps", TensorProto.FLOAT, [], [1e-6])]
    out = helper.make_tensor_value_info("onset_prob", TensorProto.FLOAT, ["B", "T"])
    graph = helper.make_graph(nodes, "oracle", inputs, [out], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9  # readable by every onnxruntime 1.2x
    name = "oracle-refine" if refine else "oracle"
    path = folder / f"{name}.onnx"
    onnx.save(model, path)
    specs = [TensorSpec("features", "float32", [-1, -1, c]), TensorSpec("beat_guide", "float32", [-1, -1, 6]),
             TensorSpec("difficulty", "int64", [-1])]
    if refine:
        specs += [TensorSpec("cond_onsets", "float32", [-1, -1]), TensorSpec("cond_difficulty", "int64", [-1]),
                  TensorSpec("cond_present", "float32", [-1])]
    manifest = Manifest(
        kind="onset", model_id=f"{name}-clicks", file=path.name, sha256=file_sha256(path), features=params,
        inputs=specs, outputs=[TensorSpec("onset_prob", "float32", [-1, -1])], conditioning=refine,
    )
    return manifest.save(folder / f"{name}.manifest.json")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("eval")
    write_song(root / "songs" / "pack__clicks")
    write_song(root / "shifted" / "pack__clicks", shift_beat=Fraction(1, 2))
    oracle_model(root, FeatureParams(n_ffts=[1024]))
    oracle_model(root, FeatureParams(n_ffts=[1024]), refine=True)
    return root


def run_eval(capsys, *args: str) -> dict:
    return run_eval_logged(capsys, *args)[0]


def run_eval_logged(capsys, *args: str) -> tuple[dict, str]:
    """The JSON result and what went to stderr."""
    code = main(["eval", *args, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out), captured.err


def test_oracle_on_clicks_scores_near_one_and_keys_match(synthetic, capsys):
    result, log = run_eval_logged(capsys, "--songs", str(synthetic / "songs"),
                                  "--model", str(synthetic / "oracle.manifest.json"))
    assert set(result) == EXPECTED_KEYS
    assert set(result["onset"]) == ONSET_KEYS
    for key in ONSET_KEYS - {"chart_mean_f1_50ms"}:
        assert set(result["onset"][key]) == SLOT_KEYS
    assert set(result["refine"]) == REFINE_KEYS
    assert set(result["lane"]) == LANE_KEYS
    assert result["songs"] == 1
    assert result["charts"] == 5
    assert result["model"].startswith("oracle-clicks (sha256:")
    # the onset figures score the rows after the lane model (docs/evaluation.md): stderr names which one
    from inference.manifest import default_models_dir

    shipped_lanes = Manifest.load(default_models_dir() / "lane.manifest.json", verify=False)
    assert f"lane model: {shipped_lanes.display_id()}" in log
    assert result["onset"]["f1_50ms"]["all"] > 0.95
    assert result["onset"]["chart_mean_f1_50ms"] > 0.95
    # All five slots carry the same chart here (human charts almost never do), and the notes of slots drafted
    # together rise by MIN_NOTE_RISE at least (inference.slot_rise): the lower slots lose rows, the middle one
    # about 1 - MIN_NOTE_RISE ** -2 (9 %) at most (less when their own notes per row are lower)
    assert 0.0 < result["density_error_median"] <= 1 - MIN_NOTE_RISE ** -2 + 0.01
    assert result["lane"]["rows"] == 5 * len(range(int((SECONDS - 1.5) * BPM / 60)))


def test_a_run_folder_names_its_model(synthetic, tmp_path, capsys):
    """``train --out runs/NAME`` then ``eval --model runs/NAME`` said "cannot read model manifest runs/NAME:
    [Errno 21] Is a directory"; the folder's onset.manifest.json is taken now (a folder without one: one line)."""
    import shutil

    run = tmp_path / "runs" / "clicks"
    run.mkdir(parents=True)
    for name in ("oracle.manifest.json", "oracle.onnx"):
        shutil.copy(synthetic / name, run / name)
    (run / "oracle.manifest.json").rename(run / "onset.manifest.json")
    result = run_eval(capsys, "--songs", str(synthetic / "songs"), "--model", str(run))
    assert result["model"].startswith("oracle-clicks (sha256:")
    assert main(["eval", "--songs", str(synthetic / "songs"), "--model", str(tmp_path / "runs"), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "onset.manifest.json" in err
    assert "\n" not in err
    (run / "best.pt").write_bytes(bytes(range(256)) * 8)  # a checkpoint given for the model: was a traceback
    assert main(["eval", "--songs", str(synthetic / "songs"), "--model", str(run / "best.pt"), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "is not a model manifest" in err
    assert "\n" not in err


def test_chart_shifted_by_half_a_beat_scores_near_zero(synthetic, capsys):
    result = run_eval(capsys, "--songs", str(synthetic / "shifted"), "--model",
                      str(synthetic / "oracle.manifest.json"))
    assert result["onset"]["f1_50ms"]["all"] < 0.05
    assert result["onset"]["f1_20ms"]["all"] < 0.05


def test_refine_pairs_use_the_lower_chart(synthetic, capsys):
    result = run_eval(capsys, "--songs", str(synthetic / "shifted"), "--model",
                      str(synthetic / "oracle-refine.manifest.json"))
    # Medium has 2 lower slots, Hard 3, Challenge 4
    assert result["refine"]["pairs"] == 9
    # the copy model reproduces the (shifted) lower chart: conditioned drafts match, plain ones follow the clicks
    assert result["refine"]["f1_50ms_conditioned"] > 0.95
    assert result["refine"]["f1_50ms_unconditioned"] < 0.05


def test_librosa_baseline_runs_through_the_same_code(synthetic, capsys):
    result = run_eval(capsys, "--songs", str(synthetic / "songs"), "--baseline", "librosa")
    assert set(result) == EXPECTED_KEYS
    assert result["model"].startswith("librosa-baseline")
    assert result["refine"]["pairs"] == 0
    # not measured is null, not a score of 0 (there was 0.0 here); a pipeline with nothing learned gets the best
    # rule's lanes
    assert result["refine"]["f1_50ms_conditioned"] is None
    assert result["refine"]["f1_50ms_unconditioned"] is None
    assert result["lane"]["accuracy"] == result["lane"]["baseline_accuracy"]
    # clicks are trivial for an onset detector; the per-slot density target thins the low slots
    assert result["onset"]["precision_50ms"]["all"] > 0.9
    assert result["onset"]["recall_50ms"]["challenge"] > result["onset"]["recall_50ms"]["beginner"]


@pytest.mark.parametrize("args", [["--songs", "/nonexistent/folder"],
                                  ["--songs", "{tmp}", "--model", "{tmp}/missing.manifest.json"]])
def test_bad_input_is_one_line_exit_2(args, synthetic, capsys):
    argv = [a.replace("{tmp}", str(synthetic / "songs")) for a in args]
    assert main(["eval", *argv, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:")
    assert "\n" not in err


def assert_documented_keys(md: Path) -> None:
    """The ```json block of ``md`` (the ``eval --json`` output it documents) has the keys the tests above find in
    the real output: top level, ``onset`` (with every slot in ``f1_50ms``), ``refine`` and ``lane``."""
    block = re.search(r"```json\n(.*?)```", md.read_text(encoding="utf-8"), re.S)
    assert block is not None, f"no ```json block in {md}"
    documented = json.loads(block.group(1))
    assert set(documented) == EXPECTED_KEYS
    assert set(documented["onset"]) == ONSET_KEYS
    assert set(documented["onset"]["f1_50ms"]) == SLOT_KEYS
    for key in ONSET_KEYS - {"chart_mean_f1_50ms", "f1_50ms"}:  # the others abbreviate the slots with "..."
        assert set(documented["onset"][key]) <= SLOT_KEYS | {"..."}
    assert set(documented["refine"]) == REFINE_KEYS
    assert set(documented["lane"]) == LANE_KEYS


def test_keys_are_those_of_docs_evaluation_md():
    assert_documented_keys(DOCS_EVAL_MD)


@pytest.mark.slow
@pytest.mark.skipif(not EVAL_MD.is_file(), reason="EVALUATION.md is in ../shared")
def test_keys_are_those_of_shared_evaluation_md():
    assert_documented_keys(EVAL_MD)


def test_a_slot_without_charts_is_null_not_zero():
    """A song set with no Beginner chart printed "beginner": 0.0, which reads as a real score of zero."""
    import numpy as np

    from training.metrics import OnsetTally

    tally = OnsetTally()
    tally.add_chart("easy", np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    block = tally.onset_block()
    assert block["f1_50ms"]["easy"] == 0.5
    assert block["f1_50ms"]["all"] == 0.5
    assert block["f1_50ms"]["beginner"] is None
    assert block["f1_20ms"]["challenge"] is None
