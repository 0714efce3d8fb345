"""The shared-audio-encoder rewrite: same contract and results, the encoder run once for one song's rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from training.export import INPUT_NAMES, example_inputs, export_onnx  # noqa: E402
from training.model import OnsetEnsemble, OnsetModel, OnsetModelConfig  # noqa: E402
from training.onnx_share import IF_NAME, ShareError, encoder_nodes, main, share_encoder  # noqa: E402

TINY = dict(n_features=16, trunk_channels=8, branch_channels=4, rnn_hidden=8, rnn_layers=1, slot_dim=3,
            cond_channels=2, out_hidden=8, dropout=0.0)


def _model(seed: int = 0, **overrides) -> OnsetModel:
    torch.manual_seed(seed)
    return OnsetModel(OnsetModelConfig(**{**TINY, **overrides})).eval()


def _inputs(model, batch: int, frames: int, same_audio: bool) -> dict[str, np.ndarray]:
    inputs = {n: t.numpy() for n, t in zip(INPUT_NAMES, example_inputs(model.config, batch=batch, frames=frames))}
    if same_audio:
        inputs["features"] = np.repeat(inputs["features"][:1], batch, axis=0)
    return inputs


def _session(path: Path, profile: bool = False):
    options = ort.SessionOptions()
    options.enable_profiling = profile
    options.profile_file_prefix = str(path.with_suffix(""))
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _torch(model, inputs: dict[str, np.ndarray]) -> np.ndarray:
    with torch.no_grad():
        return torch.sigmoid(model(*(torch.from_numpy(inputs[n]) for n in INPUT_NAMES))).numpy()


@pytest.mark.parametrize("variant", ["plain", "no-multiscale", "ensemble"])
@pytest.mark.parametrize("same_audio", [True, False])
def test_shared_graph_matches_pytorch_and_the_plain_export(tmp_path: Path, variant: str, same_audio: bool) -> None:
    if variant == "ensemble":
        model = OnsetEnsemble([_model(0), _model(1)]).eval()
    else:
        model = _model(multiscale=variant != "no-multiscale")
    shared = _session(export_onnx(model, tmp_path / "shared.onnx"))
    plain = _session(export_onnx(model, tmp_path / "plain.onnx", share_audio=False))
    for batch, frames in [(5, 301), (1, 257), (3, 1157)]:
        inputs = _inputs(model, batch, frames, same_audio)
        got = shared.run(None, inputs)[0]
        assert got.shape == (batch, frames)
        np.testing.assert_allclose(got, _torch(model, inputs), atol=1e-5)
        np.testing.assert_allclose(got, plain.run(None, inputs)[0], atol=1e-6)


def _encoder_runs(tmp_path: Path, inputs: dict[str, np.ndarray]) -> set[str]:
    """Which If branch ran the first conv of the encoder (from onnxruntime's profile)."""
    session = _session(tmp_path / "shared.onnx", profile=True)
    session.run(None, inputs)
    events = json.loads(Path(session.end_profiling()).read_text())
    names = {e["name"] for e in events if e.get("cat") == "Node"}
    return {branch for branch in ("__then", "__else") if any(branch in n and "Conv" in n for n in names)}


def test_the_encoder_runs_once_only_when_every_row_has_the_same_audio(tmp_path: Path) -> None:
    model = _model()
    export_onnx(model, tmp_path / "shared.onnx")
    assert _encoder_runs(tmp_path, _inputs(model, 5, 200, same_audio=True)) == {"__then"}
    assert _encoder_runs(tmp_path, _inputs(model, 5, 200, same_audio=False)) == {"__else"}
    one_row_differs = _inputs(model, 5, 200, same_audio=True)
    one_row_differs["features"][3, 150, 2] += 1e-3
    assert _encoder_runs(tmp_path, one_row_differs) == {"__else"}


def test_the_encoder_found_is_the_audio_part_only(tmp_path: Path) -> None:
    graph = onnx.load(str(export_onnx(_model(), tmp_path / "plain.onnx", share_audio=False)))
    nodes, encodings = encoder_nodes(graph)
    assert len(encodings) == 1
    ops = {n.op_type for n in nodes}
    assert "Conv" in ops
    assert "GRU" not in ops
    assert not any("slot" in i or "embedding" in i for n in nodes for i in n.input)


def test_a_rewritten_graph_is_not_rewritten_again_and_odd_graphs_are_refused(tmp_path: Path) -> None:
    shared = onnx.load(str(export_onnx(_model(), tmp_path / "shared.onnx")))
    assert any(n.name == IF_NAME for n in shared.graph.node)
    with pytest.raises(ShareError, match="already"):
        share_encoder(shared)
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["B", 4])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["B", 4])
    no_features = onnx.helper.make_model(onnx.helper.make_graph([onnx.helper.make_node("Relu", ["x"], ["y"])],
                                                                "g", [x], [y]))
    with pytest.raises(ShareError, match="no 'features'"):
        share_encoder(no_features)


def test_cli_rewrites_the_file_and_its_manifest_sha(tmp_path: Path) -> None:
    from inference.backends import OnnxBackend
    from inference.manifest import FeatureParams, Manifest
    from training.export import build_manifest

    model = _model()
    onnx_path = export_onnx(model, tmp_path / "onset.onnx", share_audio=False)
    build_manifest(onnx_path, model.config, FeatureParams(n_mels=8, n_ffts=[512, 1024])).save(
        tmp_path / "onset.manifest.json")
    before = Manifest.load(tmp_path / "onset.manifest.json").sha256
    assert main([str(tmp_path / "onset.manifest.json")]) == 0
    manifest = Manifest.load(tmp_path / "onset.manifest.json")
    assert manifest.sha256 != before
    assert any(n.name == IF_NAME for n in onnx.load(str(manifest.model_path)).graph.node)
    inputs = _inputs(model, 5, 300, same_audio=True)
    out = OnnxBackend(providers=["CPUExecutionProvider"]).run(manifest, inputs)["onset_prob"]  # sha verified
    np.testing.assert_allclose(out, _torch(model, inputs), atol=1e-5)
    assert main([str(tmp_path / "onset.manifest.json")]) == 2  # already shared: a clear error, file untouched
    assert Manifest.load(tmp_path / "onset.manifest.json").sha256 == manifest.sha256


def test_the_real_server_answers_like_the_local_backend_with_a_shared_encoder(tmp_path: Path) -> None:
    """`main.py serve` runs the rewritten graph (an If with subgraphs) as the local backend does, for a batch of one
    song's rows (sent once, repeated by the server) and for different songs."""
    from inference.backends import OnnxBackend
    from inference.manifest import FeatureParams, Manifest
    from inference.remote import RemoteBackend
    from tests.inference.server_helpers import running_server
    from training.export import build_manifest

    model = _model()
    models = tmp_path / "models"
    onnx_path = export_onnx(model, models / "onset.onnx")
    build_manifest(onnx_path, model.config, FeatureParams(n_mels=8, n_ffts=[512, 1024])).save(
        models / "onset.manifest.json")
    manifest = Manifest.load(models / "onset.manifest.json")
    local = OnnxBackend(providers=["CPUExecutionProvider"])
    with running_server(models, tmp_path, "secret") as server:
        remote = RemoteBackend(server.url, "secret")
        for same_audio in (True, False):
            inputs = _inputs(model, 5, 400, same_audio)
            if same_audio:  # as the drafter passes one song's features: a broadcast view
                inputs["features"] = np.broadcast_to(inputs["features"][:1], inputs["features"].shape)
            np.testing.assert_allclose(remote.run(manifest, inputs)["onset_prob"],
                                       local.run(manifest, inputs)["onset_prob"], atol=1e-6)


@pytest.mark.parametrize("opset", [13, 17, 18])
def test_handmade_graphs_of_older_opsets_are_rewritten_too(tmp_path: Path, opset: int) -> None:
    """features -> Relu -> MatMul (the encoder) + a per-row slot bias: the batch check has to be written for the
    graph's opset (ReduceMax/ReduceMin take ``axes`` as an attribute before opset 18)."""
    h, tp = onnx.helper, onnx.TensorProto
    rng = np.random.default_rng(opset)
    w = onnx.numpy_helper.from_array(rng.standard_normal((6, 3)).astype(np.float32), "w")
    bias = onnx.numpy_helper.from_array(rng.standard_normal((5, 1, 3)).astype(np.float32), "bias")
    nodes = [h.make_node("Relu", ["features"], ["r"]), h.make_node("MatMul", ["r", "w"], ["enc"]),
             h.make_node("Gather", ["bias", "difficulty"], ["b"], axis=0), h.make_node("Add", ["enc", "b"], ["out"])]
    graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("features", tp.FLOAT, ["B", "T", 6]),
                                      h.make_tensor_value_info("difficulty", tp.INT64, ["B"])],
                         [h.make_tensor_value_info("out", tp.FLOAT, ["B", "T", 3])], initializer=[w, bias])
    plain = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    plain.ir_version = 8
    shared = share_encoder(plain)
    assert [n.op_type for n in shared.graph.node].count("If") == 1
    for path, model in (("plain.onnx", plain), ("shared.onnx", shared)):
        onnx.save(model, str(tmp_path / path))
    a, b = _session(tmp_path / "plain.onnx"), _session(tmp_path / "shared.onnx")
    feats = rng.standard_normal((1, 50, 6)).astype(np.float32)
    for features in (np.repeat(feats, 4, axis=0), rng.standard_normal((4, 50, 6)).astype(np.float32)):
        feeds = {"features": features, "difficulty": np.array([0, 1, 3, 4])}
        np.testing.assert_allclose(b.run(None, feeds)[0], a.run(None, feeds)[0], atol=1e-6)
