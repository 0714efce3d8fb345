"""Lane model: data from charts, batches, a few training steps, ONNX export parity through the production
backend, the n-gram baseline and its file."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch

from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from inference.lane_features import HISTORY_DIM, ROW_DIM, rows_from_notes, teacher_history
from inference.lane_memory import HistoryLayout
from inference.lane_rules import NgramStepper, prev_masks, slots_of
from inference.lanes import LaneRequest, OnnxLaneStepper, decode_rows, teacher_forced_classes
from inference.manifest import FeatureParams, Manifest
from training.lane_baseline import build_ngram, chart_log_probs, previous_masks, save_ngram
from training.lane_calibrate import calibrate_free_running
from training.lane_data import chart_examples, epoch_windows, make_batch
from training.lane_model import LaneModel, LaneModelConfig
from training.lane_train import (
    LaneTrainConfig,
    export_lane_model,
    lane_loss,
    teacher_forced_accuracy,
    train_lanes,
)

PATTERN = [0, 1, 3, 2, 0, 2, 3, 1]


def synthetic_chart(slot: int, n_rows: int = 96) -> tuple[Song, Chart]:
    """Eighth-note stream on a fixed 8-row pattern, jumps on downbeats (not at Beginner), a hold every 16."""
    notes = []
    for i in range(n_rows):
        beat = Fraction(i, 2)
        lane = PATTERN[i % 8]
        if i % 16 == 8 and slot:
            notes.append(Note(beat, lane, NoteKind.HOLD, Fraction(1, 2)))
        else:
            notes.append(Note(beat, lane))
        if i % 8 == 0 and slot > 0:
            notes.append(Note(beat, (lane + 3) % 4 if lane != 3 else 0))
    chart = Chart(slot=Slot(slot), notes=notes)
    return Song(title="syn", timing=TimingData.constant(150), charts=[chart]), chart


#: Training-config fields of lane-v1's history layout (the fixture charts' histories are built in it).
V1_LAYOUT = {"perm_contexts": (), "count_depths": (), "back_beats": (), "foot": False, "lookahead": 0}


@pytest.fixture(scope="module")
def charts():
    params = FeatureParams()
    out = []
    for slot in range(5):
        song, chart = synthetic_chart(slot)
        out.append(chart_examples(f"pack__song{slot}", song, chart, None, params))
    return out


def test_chart_examples_shapes_and_targets(charts):
    c = charts[2]
    assert c.rows.shape == (len(c), ROW_DIM)
    assert c.history.shape == (len(c), HISTORY_DIM)
    assert c.arrows.min() >= 1
    assert c.arrows.max() <= 15
    hold_rows = np.flatnonzero(c.holds)
    assert len(hold_rows) == 96 // 16
    assert np.all(c.length_cls[hold_rows] >= 0)
    assert np.all(c.length_cls[c.holds == 0] == -1)
    assert not c.has_audio


def test_windows_tile_every_row_once(charts):
    rng = np.random.default_rng(0)
    spans = epoch_windows(charts, 40, rng)
    for ci, chart in enumerate(charts):
        covered = sorted(r for c, a, b in spans if c == ci for r in range(a, b))
        assert covered == list(range(len(chart)))
    assert max(b - a for _, a, b in spans) <= 40


def test_make_batch_masks_padding_and_applies_symmetry(charts):
    rng = np.random.default_rng(1)
    batch = make_batch(charts[:2], [(0, 30), (90, 96)], 32, rng, audio_drop=0.0, symmetry=False)
    assert batch.rows.shape == (2, 32, ROW_DIM)
    assert batch.valid.sum() == 30 + 6
    assert np.array_equal(batch.arrows[0, :30], charts[0].arrows[:30])
    mirrored = make_batch(charts[:1], [(0, 32)], 32, np.random.default_rng(5), symmetry=True)
    counts = np.bincount(mirrored.arrows[0], minlength=16)
    assert counts.sum() == 32  # lanes permuted, rows kept


def test_a_tiny_model_learns_the_pattern(charts):
    torch.manual_seed(0)
    model = LaneModel(LaneModelConfig(embed=32, hidden=32, layers=1, dropout=0.0))
    optim = torch.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    spans = [(0, len(c)) for c in charts]
    losses = []
    for _ in range(40):
        batch = make_batch(charts, spans, 96, rng)
        loss, parts = lane_loss(model, batch, "cpu")
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.5 * losses[0]
    assert teacher_forced_accuracy(model, charts) > 0.8


def test_train_lanes_checkpoints_and_resumes(charts, tmp_path, monkeypatch):
    import training.lane_train as lt

    cfg = LaneTrainConfig(out=str(tmp_path / "run"), epochs=2, batch=4, window=32, threads=1, **V1_LAYOUT,
                          model=LaneModelConfig(embed=16, hidden=16, layers=1))
    real, calls = lt._run_epoch, []

    def dies_in_the_second_epoch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(lt, "_run_epoch", dies_in_the_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        train_lanes(cfg, charts, charts[:2], log=open("/dev/null", "w"))  # noqa: SIM115
    assert (tmp_path / "run" / "lane_checkpoint.pt").is_file()
    monkeypatch.setattr(lt, "_run_epoch", real)
    _, resumed = train_lanes(cfg, charts, charts[:2], log=open("/dev/null", "w"))  # noqa: SIM115
    assert [h["epoch"] for h in resumed["history"]] == [0, 1]


@pytest.fixture(scope="module")
def exported(charts, tmp_path_factory):
    torch.manual_seed(1)
    model = LaneModel(LaneModelConfig(embed=24, hidden=24, layers=2)).eval()
    folder = tmp_path_factory.mktemp("lane")
    path = export_lane_model(model, folder, FeatureParams(), {"seed": 1})
    return model, Manifest.load(path), build_ngram(charts, 3)


class TorchStepper:
    """The PyTorch model behind the same stepper interface, for parity checks."""

    def __init__(self, model: LaneModel, ngram: NgramStepper | None, layout: HistoryLayout | None = None) -> None:
        self.model, self.ngram, self.layout = model, ngram, layout or HistoryLayout()

    def initial_state(self, batch):
        return torch.zeros(self.model.config.layers, batch, self.model.config.hidden)

    def step(self, rows, history, state):
        ng = torch.zeros(len(rows), 15) if self.ngram is None else \
            torch.from_numpy(self.ngram.log_probs(slots_of(rows), prev_masks(history)))
        with torch.no_grad():
            a, h, n, s = self.model(torch.from_numpy(rows)[:, None], torch.from_numpy(history)[:, None],
                                    ng[:, None], state)
        return {"arrow_logits": a[:, 0].numpy(), "hold_logits": h[:, 0].numpy(),
                "length_logits": n[:, 0].numpy()}, s


@pytest.mark.parametrize("batch", [1, 5])
def test_onnx_step_matches_pytorch_through_the_backend(exported, batch):
    model, manifest, ngram = exported
    onnx_stepper = OnnxLaneStepper(manifest, ngram=ngram)
    torch_stepper = TorchStepper(model, ngram)
    rng = np.random.default_rng(batch)
    state_o, state_t = onnx_stepper.initial_state(batch), torch_stepper.initial_state(batch)
    for _ in range(6):  # several steps: the recurrent state must carry over identically
        rows = rng.normal(size=(batch, ROW_DIM)).astype(np.float32)
        hist = (rng.random(size=(batch, HISTORY_DIM)) < 0.3).astype(np.float32)
        out_o, state_o = onnx_stepper.step(rows, hist, state_o)
        out_t, state_t = torch_stepper.step(rows, hist, state_t)
        for key in out_t:
            np.testing.assert_allclose(out_o[key], out_t[key], atol=1e-5)
    np.testing.assert_allclose(state_o, state_t.numpy(), atol=1e-5)


def test_onnx_and_pytorch_decode_the_same_chart(exported, charts):
    model, manifest, ngram = exported
    requests = [LaneRequest([Fraction(i, 2) for i in range(len(c))], c.rows, c.slot) for c in charts]
    a = decode_rows(OnnxLaneStepper(manifest, ngram=ngram), requests)
    b = decode_rows(TorchStepper(model, ngram), requests)
    assert [r.to_notes() for r in a] == [r.to_notes() for r in b]
    assert manifest.kind == "lane"
    assert manifest.extra["layers"] == 2


def test_ngram_counts_backoff_and_file_round_trip(charts, tmp_path):
    stepper = build_ngram(charts, 3)
    assert stepper.order == 3
    preds = teacher_forced_classes(stepper, [c.rows for c in charts], [c.history for c in charts],
                                   [c.slot for c in charts])
    acc = np.mean(np.concatenate([p == c.arrows for p, c in zip(preds, charts)]))
    assert acc > 0.7  # the pattern is periodic: two previous rows nearly fix the next one
    loaded = NgramStepper.load(save_ngram(stepper, tmp_path / "ng.npz"))
    slots = np.array([0, 2, 4])
    prev = np.array([[1, 2, 0, 0], [8, 4, 0, 0], [15, 15, 15, 15]])
    np.testing.assert_allclose(loaded.log_probs(slots, prev), stepper.log_probs(slots, prev))
    probs = np.exp(stepper.log_probs(slots, prev))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(probs[2] > 0)  # an unseen context backs off to smoothed lower orders


def test_rows_history_teacher_forced_round_trip(charts):
    song, chart = synthetic_chart(3)
    rows = rows_from_notes(chart.notes)
    assert np.array_equal(teacher_history(rows), charts[3].history)


def test_leave_one_out_features_equal_an_ngram_without_the_chart(charts):
    everything = build_ngram(charts, 4)
    others = build_ngram([c for c in charts if c is not charts[2]], 4)
    chart = charts[2]
    loo = chart_log_probs(everything, chart, leave_out=True)
    expected = others.log_probs(np.full(len(chart), chart.slot), previous_masks(chart.arrows))
    np.testing.assert_allclose(loo, expected, atol=1e-5)
    seen = chart_log_probs(everything, chart, leave_out=False)
    assert np.mean(np.argmax(seen, 1) + 1 == chart.arrows) > np.mean(np.argmax(loo, 1) + 1 == chart.arrows)


def test_free_running_calibration_matches_reference_rates(exported, charts):
    _, manifest, ngram = exported
    requests = [LaneRequest([Fraction(i, 2) for i in range(len(c))], c.rows, c.slot) for c in charts]
    references = [rows_from_notes(synthetic_chart(c.slot)[1].notes) for c in charts]
    stepper = OnnxLaneStepper(manifest, ngram=ngram)
    decision = calibrate_free_running(stepper, requests, references, iterations=8)
    assert decision["jump_threshold"][0] is None
    got, want = np.array(decision["rates"]["jump"][1:]), np.array(decision["rates"]["jump_reference"][1:])
    assert np.all(want > 0)
    assert np.all(np.abs(got - want) < 0.06)  # rows of a chart: ~96, so a few rows of slack
    got_h, want_h = np.array(decision["rates"]["hold"][1:]), np.array(decision["rates"]["hold_reference"][1:])
    assert np.all(np.abs(got_h - want_h) < 0.06)
    notes = decode_rows(stepper, requests)  # the stepper keeps the calibrated rule
    assert any(bin(int(m)).count("1") == 2 for r in notes[1:] for m in r.arrows)


def test_a_model_with_chart_memories_exports_and_decodes_like_pytorch(charts, tmp_path):
    layout = HistoryLayout(perm_contexts=(3, 6), count_depths=(1, 2))
    cfg = LaneTrainConfig(**{**V1_LAYOUT, "perm_contexts": layout.perm_contexts, "count_depths": layout.count_depths},
                          model=LaneModelConfig(embed=16, hidden=16))
    torch.manual_seed(2)
    model = LaneModel(cfg.model_config()).eval()
    assert model.config.history_dim == layout.dim
    assert model.config.hint_groups == 5
    with torch.no_grad():
        model.copy_weight.copy_(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))  # every hint group counts
    manifest = Manifest.load(export_lane_model(model, tmp_path, FeatureParams(), {"seed": 2}, "lane-x", layout))
    assert manifest.inputs[1].shape == [-1, layout.dim]
    ngram = build_ngram(charts, 3)
    onnx = OnnxLaneStepper(manifest, ngram=ngram)
    assert onnx.layout == layout
    requests = [LaneRequest([Fraction(i, 2) for i in range(len(c))], c.rows, c.slot) for c in charts]
    a = decode_rows(onnx, requests)
    b = decode_rows(TorchStepper(model, ngram, layout), requests)
    assert [r.to_notes() for r in a] == [r.to_notes() for r in b]


def test_ensemble_exports_averages_and_reloads_runs(charts, tmp_path):
    import json

    from training.lane_ensemble import LaneEnsemble, load_run

    members = []
    for seed, hidden in ((0, 12), (1, 20)):
        cfg = LaneTrainConfig(out=str(tmp_path / f"run{seed}"), seed=seed, epochs=1, batch=4, window=32,
                              **{**V1_LAYOUT, "perm_contexts": (4,)}, model=LaneModelConfig(embed=16, hidden=hidden))
        layout_charts = [chart_examples(c.key, *synthetic_chart(c.slot), None, FeatureParams(), cfg.layout)
                         for c in charts]
        model, summary = train_lanes(cfg, layout_charts, layout_charts[:2], log=open("/dev/null", "w"))  # noqa: SIM115
        (tmp_path / f"run{seed}" / "lane_summary.json").write_text(json.dumps(summary))
        reloaded, run_cfg = load_run(tmp_path / f"run{seed}")
        assert run_cfg.layout == cfg.layout
        for a, b in zip(reloaded.state_dict().values(), model.state_dict().values()):
            assert torch.equal(a, b)
        members.append(reloaded)
    ensemble = LaneEnsemble(members).eval()
    assert ensemble.config.hidden == 32
    c = layout_charts[0]
    rows, hist = torch.from_numpy(c.rows)[None], torch.from_numpy(c.history)[None]
    ngram = torch.zeros(1, len(c), 15)
    with torch.no_grad():
        arrow, hold, _, state = ensemble(rows, hist, ngram)
        parts = [m(rows, hist, ngram) for m in members]
    expected = (torch.log_softmax(parts[0][0], -1) + torch.log_softmax(parts[1][0], -1)) / 2
    torch.testing.assert_close(arrow, expected)
    torch.testing.assert_close(hold, (parts[0][1] + parts[1][1]) / 2)
    torch.testing.assert_close(state, torch.cat([parts[0][3], parts[1][3]], dim=-1))
    layout = HistoryLayout(perm_contexts=(4,))
    manifest = Manifest.load(export_lane_model(ensemble, tmp_path / "ens", FeatureParams(), {}, "lane-e", layout))
    ngram_table = build_ngram(charts, 2)
    requests = [LaneRequest([Fraction(i, 2) for i in range(len(ch))], ch.rows, ch.slot) for ch in layout_charts]
    a = decode_rows(OnnxLaneStepper(manifest, ngram=ngram_table), requests)
    b = decode_rows(TorchStepper(ensemble, ngram_table, layout), requests)
    assert [r.to_notes() for r in a] == [r.to_notes() for r in b]
