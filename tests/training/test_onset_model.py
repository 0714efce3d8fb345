"""Onset model: training makes the loss fall, ONNX parity through the production backend, ablations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from inference.manifest import Manifest  # noqa: E402
from training.export import INPUT_NAMES, build_manifest, example_inputs, export_onnx  # noqa: E402
from training.model import OnsetModel, OnsetModelConfig, count_parameters  # noqa: E402

TINY = dict(n_features=16, trunk_channels=8, branch_channels=4, rnn_hidden=8, rnn_layers=1, slot_dim=3,
            cond_channels=2, out_hidden=8, dropout=0.0)


def _tiny(**overrides) -> OnsetModel:
    torch.manual_seed(0)
    return OnsetModel(OnsetModelConfig(**{**TINY, **overrides}))


def _synthetic_batch(rng: np.random.Generator, batch: int = 4, frames: int = 128):
    """Onsets where a 'click' channel pattern appears in the features: learnable from audio alone."""
    feats = rng.standard_normal((batch, frames, 16)).astype(np.float32) * 0.3
    target = np.zeros((batch, frames), np.float32)
    for b in range(batch):
        hits = rng.choice(frames, size=8, replace=False)
        feats[b, hits, :8] += 2.5
        target[b, hits] = 1.0
    return torch.from_numpy(feats), torch.from_numpy(target)


def test_tiny_model_loss_falls() -> None:
    rng = np.random.default_rng(0)
    model = _tiny()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    b = 4
    guide = torch.zeros(b, 128, 6)
    zeros_i = torch.zeros(b, dtype=torch.long)
    losses = []
    for _ in range(40):
        x, y = _synthetic_batch(rng, b)
        logits = model(x, guide, zeros_i, torch.zeros(b, 128), zeros_i, torch.zeros(b))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y, weight=1 + 4 * y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])


def _export(tmp_path: Path, model: OnsetModel) -> Manifest:
    from inference.manifest import FeatureParams

    onnx_path = export_onnx(model, tmp_path / "onset.onnx")
    manifest = build_manifest(onnx_path, model.config, FeatureParams(n_mels=8, n_ffts=[512, 1024]))
    manifest.save(tmp_path / "onset.manifest.json")
    return Manifest.load(tmp_path / "onset.manifest.json")


@pytest.mark.parametrize(("batch", "frames"), [(5, 301), (2, 1157)])
def test_onnx_matches_pytorch_through_the_production_backend(tmp_path: Path, batch: int, frames: int) -> None:
    from inference.backends import OnnxBackend

    model = _tiny().eval()
    manifest = _export(tmp_path, model)
    inputs = example_inputs(model.config, batch=batch, frames=frames)
    with torch.no_grad():
        ref = torch.sigmoid(model(*inputs)).numpy()
    out = OnnxBackend().run(manifest, {n: t.numpy() for n, t in zip(INPUT_NAMES, inputs)})["onset_prob"]
    assert out.shape == (batch, frames)
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_manifest_records_the_contract(tmp_path: Path) -> None:
    manifest = _export(tmp_path, _tiny().eval())
    assert [s.name for s in manifest.inputs] == list(INPUT_NAMES)
    assert manifest.outputs[0].name == "onset_prob"
    assert manifest.inputs[0].shape == [-1, -1, 16]
    assert manifest.conditioning is True
    assert len(manifest.beat_guide_channels) == 6
    assert set(manifest.decode) == {"beginner", "easy", "medium", "hard", "challenge"}
    assert manifest.extra["model_config"]["rnn_hidden"] == 8


def _run(model: OnsetModel, **changes) -> np.ndarray:
    inputs = dict(zip(INPUT_NAMES, example_inputs(model.config, batch=3, frames=200)))
    inputs["cond_present"] = torch.ones(3)
    inputs.update(changes)
    with torch.no_grad():
        return model(**inputs).numpy()


def test_conditioning_and_beat_guide_change_the_full_model() -> None:
    model = _tiny().eval()
    base = _run(model)
    assert not np.allclose(base, _run(model, cond_present=torch.zeros(3)))
    assert not np.allclose(base, _run(model, beat_guide=torch.zeros(3, 200, 6)))


def test_ablations_ignore_their_input() -> None:
    no_guide = _tiny(use_beat_guide=False).eval()
    assert np.allclose(_run(no_guide), _run(no_guide, beat_guide=torch.zeros(3, 200, 6)))
    no_cond = _tiny(conditioning=False).eval()
    assert np.allclose(_run(no_cond), _run(no_cond, cond_present=torch.zeros(3)))
    single = _tiny(multiscale=False)
    assert len(single.branches) == 1
    assert abs(count_parameters(single) - count_parameters(_tiny())) < 0.5 * count_parameters(_tiny())


def test_absent_conditioning_ignores_cond_values() -> None:
    model = _tiny().eval()
    a = _run(model, cond_present=torch.zeros(3))
    b = _run(model, cond_present=torch.zeros(3), cond_onsets=torch.ones(3, 200), cond_difficulty=torch.full((3,), 4))
    assert np.allclose(a, b)


def test_unknown_ablation_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ablation"):
        OnsetModelConfig.for_ablation("no-audio")


def test_ensemble_averages_members_and_exports(tmp_path: Path) -> None:
    from inference.backends import OnnxBackend
    from training.model import OnsetEnsemble

    a, b = _tiny().eval(), _tiny(multiscale=False).eval()
    torch.nn.init.normal_(b.out[-1].weight)  # make the members differ clearly
    ens = OnsetEnsemble([a, b]).eval()
    inputs = example_inputs(a.config, batch=3, frames=257)
    with torch.no_grad():
        want = (torch.sigmoid(a(*inputs)) + torch.sigmoid(b(*inputs))) / 2
        got = torch.sigmoid(ens(*inputs))
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-5)
    manifest = _export(tmp_path, ens)
    out = OnnxBackend().run(manifest, {n: t.numpy() for n, t in zip(INPUT_NAMES, inputs)})["onset_prob"]
    np.testing.assert_allclose(out, want.numpy(), atol=1e-5)


def test_the_onset_v1_recipe_builds_the_shipped_model_s_configuration():
    """MODEL_CARD's reproduce command (`train --recipe onset-v1`) must train the configuration that was shipped,
    not today's defaults (the lower-chart density feature, other crops)."""
    import json
    from pathlib import Path

    from cli.train_cmds import RECIPES
    from training.crops import CropConfig
    from training.model import OnsetModel, OnsetModelConfig, count_parameters

    manifest = json.loads((Path(__file__).resolve().parents[2] / "resources" / "models" / "onset.manifest.json")
                          .read_text(encoding="utf-8"))
    epochs, model_overrides, crop_overrides = RECIPES["onset-v1"]
    shipped = manifest["extra"]["model_config"]
    config = OnsetModelConfig(**model_overrides)
    built = {k: v for k, v in config.to_dict().items() if k != "n_features"}
    assert built == {k: v for k, v in shipped.items() if k != "n_features"}
    assert count_parameters(OnsetModel(OnsetModelConfig(**{**model_overrides, "n_features": shipped["n_features"]}))) \
        == manifest["extra"]["parameters"]
    assert epochs == manifest["extra"]["training"]["epochs"]
    assert CropConfig(**crop_overrides).crop_frames == 1600
    default_epochs, default_model, _ = RECIPES["default"]
    assert OnsetModelConfig(**default_model).cond_density  # today's default differs: hence the recipe
