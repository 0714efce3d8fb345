"""Bring-your-own ONNX separation models: tiny models built with onnx.helper (never downloaded)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio.separation import separate_array, separate_file
from inference.backends import BackendError, OnnxBackend
from inference.manifest import Manifest, file_sha256
from inference.separation_model import SeparationModelError, load_separation_model

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SR = 8000
N_FFT, HOP, DIM_T = 256, 64, 32


def _save(graph, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def mdx_model(path: Path, dim_f: int, mode: str = "identity", seed: int = 0) -> Path:
    """[B, 4, dim_f, DIM_T] -> same: identity, L/R swap (channel gather) or a random per-bin gain."""
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4, dim_f, DIM_T])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 4, dim_f, DIM_T])
    if mode == "swap":
        idx = numpy_helper.from_array(np.array([2, 3, 0, 1], np.int64), "idx")
        nodes, inits = [helper.make_node("Gather", ["input", "idx"], ["output"], axis=1)], [idx]
    else:
        gain = np.ones((1, 4, dim_f, 1), np.float32)
        if mode == "random":
            gain = np.random.default_rng(seed).uniform(0.0, 1.0, (1, 1, dim_f, 1)).astype(np.float32)
            gain = np.repeat(gain, 4, axis=1)  # the same real gain on re and im: a real mask
        nodes = [helper.make_node("Mul", ["input", "gain"], ["output"])]
        inits = [numpy_helper.from_array(gain, "gain")]
    return _save(helper.make_graph(nodes, "mdx", [x], [y], inits), path)


def write_manifest(model: Path, **extra) -> Manifest:
    m = Manifest(kind="separation", model_id=model.stem, file=model.name, sha256=file_sha256(model), extra=extra)
    m.save(model.with_name(model.stem + ".manifest.json"))
    return m


def waveform_model(path: Path, sources: int = 4) -> Path:
    """[B, 2, T] -> [B, sources, 2, T]: source k = input * (k + 1) / 10."""
    x = helper.make_tensor_value_info("mix", TensorProto.FLOAT, ["batch", 2, "time"])
    y = helper.make_tensor_value_info("sources", TensorProto.FLOAT, ["batch", sources, 2, "time"])
    gains = (np.arange(1, sources + 1, dtype=np.float32) / 10).reshape(1, sources, 1, 1)
    nodes = [helper.make_node("Unsqueeze", ["mix", "axis1"], ["x4"]), helper.make_node("Mul", ["x4", "g"], ["sources"])]
    inits = [numpy_helper.from_array(np.array([1], np.int64), "axis1"), numpy_helper.from_array(gains, "g")]
    return _save(helper.make_graph(nodes, "wave", [x], [y], inits), path)


def music(seconds: float = 1.5, sr: int = SR, channels: int = 2) -> np.ndarray:
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * sr)) / sr
    left = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size)
    right = 0.3 * np.sin(2 * np.pi * 660 * t) + 0.05 * rng.standard_normal(t.size)
    return np.stack([left, right][:channels]).astype(np.float32)


def test_identity_mdx_model_returns_the_mix_as_vocals(tmp_path):
    model = mdx_model(tmp_path / "ident.onnx", N_FFT // 2 + 1)
    write_manifest(model, n_fft=N_FFT, hop_length=HOP, sample_rate=SR)
    sep = load_separation_model(model).separator(OnnxBackend(["CPUExecutionProvider"]), SR, 2)
    x = music()
    out = separate_array(x, SR, separator=sep)
    assert set(out) == {"vocals", "accompaniment"}
    assert out["vocals"].shape == x.shape
    np.testing.assert_allclose(out["vocals"], x, atol=2e-4)  # windows, STFT packing and overlap-add are exact
    np.testing.assert_allclose(out["vocals"] + out["accompaniment"], x, atol=1e-6)


def test_channel_layout_is_left_re_im_then_right_re_im(tmp_path):
    model = mdx_model(tmp_path / "swap.onnx", N_FFT // 2 + 1, mode="swap")
    write_manifest(model, n_fft=N_FFT, hop_length=HOP, sample_rate=SR)
    sep = load_separation_model(model).separator(OnnxBackend(["CPUExecutionProvider"]), SR, 2)
    x = music()
    vocals = separate_array(x, SR, separator=sep)["vocals"]
    np.testing.assert_allclose(vocals, x[::-1], atol=2e-4)


def test_auto_detected_layout_without_manifest(tmp_path):
    model = mdx_model(tmp_path / "auto.onnx", 128)
    loaded = load_separation_model(model)
    assert loaded.layout.layout == "mdx"
    assert (loaded.layout.dim_f, loaded.layout.dim_t, loaded.layout.n_fft) == (128, DIM_T, 256)
    assert loaded.layout.sample_rate == 44100
    assert loaded.manifest.inputs[0].shape == [-1, 4, 128, DIM_T]


def test_saved_manifest_round_trips(tmp_path):
    model = mdx_model(tmp_path / "auto.onnx", 128)
    path = load_separation_model(model).save_manifest()
    assert path == tmp_path / "auto.manifest.json"
    again = load_separation_model(model)  # now read from the manifest, verified by sha256
    assert again.manifest.extra["layout"] == "mdx"
    assert again.layout == load_separation_model(path).layout
    assert (again.layout.dim_f, again.layout.n_fft) == (128, 256)
    assert again.manifest.inputs[0].shape == [-1, 4, 128, DIM_T]


def test_random_model_on_a_file_at_another_rate_and_mono(tmp_path):
    import soundfile as sf

    model = mdx_model(tmp_path / "rand.onnx", 100, mode="random")
    write_manifest(model, n_fft=N_FFT, hop_length=HOP, sample_rate=SR)
    loaded = load_separation_model(model)
    wav = tmp_path / "song.wav"
    sf.write(wav, music(2.0, 11025, channels=1)[0], 11025)  # mono, resampled to the model's 8 kHz and back
    stems = separate_file(wav, separator_factory=lambda sr, ch: loaded.separator(OnnxBackend(), sr, ch),
                          cache_dir=tmp_path / "cache")
    assert (stems.sr, stems.channels, stems.frames) == (11025, 1, 22050)
    vocals = stems.load("vocals")
    assert 0.05 < np.abs(vocals).max() < 1.0  # a mask in (0, 1) passes part of the signal, not none, not all
    assert "ONNX model rand" in stems.method


def test_waveform_model_with_sources_gives_drums(tmp_path):
    model = waveform_model(tmp_path / "wave.onnx")
    write_manifest(model, sample_rate=SR, segment_frames=4000)
    loaded = load_separation_model(model)
    assert loaded.layout.stems == ("vocals", "accompaniment", "drums")
    x = music()
    out = separate_array(x, SR, separator=loaded.separator(OnnxBackend(), SR, 2))
    np.testing.assert_allclose(out["vocals"], 0.4 * x, atol=1e-5)  # Demucs order: vocals last
    np.testing.assert_allclose(out["drums"], 0.1 * x, atol=1e-5)


class CountingBackend:
    """A Backend that delegates to OnnxBackend and counts calls (stands in for a remote server)."""

    def __init__(self) -> None:
        self.inner, self.calls = OnnxBackend(), 0

    def run(self, manifest, inputs):
        self.calls += 1
        return self.inner.run(manifest, inputs)

    def describe(self) -> str:
        return "counting"


def test_any_backend_runs_it_in_batches(tmp_path):
    model = mdx_model(tmp_path / "b.onnx", 64, mode="random")
    write_manifest(model, n_fft=N_FFT, hop_length=HOP, sample_rate=SR, batch_size=4)
    backend = CountingBackend()
    sep = load_separation_model(model).separator(backend, SR, 2)
    separate_array(music(1.0), SR, separator=sep)
    window = HOP * (DIM_T - 1)
    windows = -(-(SR + window // 2) // (window // 2))
    assert 0 < backend.calls <= -(-windows // 4) + 2
    assert "on counting" in sep.name


def test_wrong_io_is_one_clear_error(tmp_path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 100])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 3, 100])
    bad = _save(helper.make_graph([helper.make_node("Identity", ["input"], ["output"])], "g", [x], [y]),
                tmp_path / "bad.onnx")
    with pytest.raises(SeparationModelError, match=r"not a supported separator.*input\['batch', 3, 100\]"):
        load_separation_model(bad)


def test_not_onnx_or_wrong_kind(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(SeparationModelError, match="cannot load model junk.onnx"):
        load_separation_model(junk)
    with pytest.raises(SeparationModelError, match="not found"):
        load_separation_model(tmp_path / "missing.onnx")
    model = mdx_model(tmp_path / "m.onnx", 64)
    manifest = write_manifest(model)
    manifest.kind = "onset"
    manifest.save(model.with_name("m.manifest.json"))
    with pytest.raises(SeparationModelError, match="'onset' model, not a separation model"):
        load_separation_model(model)


def test_model_returning_another_shape_fails_cleanly(tmp_path):
    # declares the MDX layout but drops a frequency bin: the backend result does not match what was sent
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4, 64, DIM_T])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 4, "f", DIM_T])
    starts, ends, axes = (numpy_helper.from_array(np.array([v], np.int64), n) for v, n in
                          ((0, "s"), (63, "e"), (2, "a")))
    graph = helper.make_graph([helper.make_node("Slice", ["input", "s", "e", "a"], ["output"])], "g", [x], [y],
                              [starts, ends, axes])
    model = _save(graph, tmp_path / "short.onnx")
    sep = load_separation_model(model).separator(OnnxBackend(), SR, 2)
    with pytest.raises(BackendError, match="has shape"):
        separate_array(music(0.5), SR, separator=sep)


def test_cli_with_model_and_bad_model(tmp_path):
    import soundfile as sf

    model = mdx_model(tmp_path / "cli.onnx", 64, mode="random")
    write_manifest(model, n_fft=N_FFT, hop_length=HOP, sample_rate=SR)
    wav = tmp_path / "song.wav"
    sf.write(wav, music(1.0).T, SR)
    out = tmp_path / "stems"
    env_cache = ["--cache-dir", str(tmp_path / "cache")]
    run = subprocess.run([sys.executable, "main.py", "separate", str(wav), "-o", str(out), "--model", str(model),
                          "--stems", "vocals", *env_cache], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "method: ONNX model cli" in run.stderr
    assert sf.info(out / "vocals.wav").frames == SR
    bad = tmp_path / "bad.onnx"
    bad.write_text(json.dumps({"not": "onnx"}))
    run = subprocess.run([sys.executable, "main.py", "separate", str(wav), "-o", str(tmp_path / "x"), "--model",
                          str(bad), *env_cache], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert "cannot load model bad.onnx" in run.stderr
    assert not (tmp_path / "x").exists()
    run = subprocess.run([sys.executable, "main.py", "separate", str(wav), "-o", str(tmp_path / "y"), "--model",
                          str(model), "--stems", "drums", *env_cache], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 2
    assert "unknown stem 'drums'" in run.stderr
    assert not (tmp_path / "y").exists()
    # as docs/separation.md shows it, without --stems: every stem the model makes (drums is the built-in's)
    run = subprocess.run([sys.executable, "main.py", "separate", str(wav), "-o", str(tmp_path / "z"), "--model",
                          str(model), *env_cache], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "z").iterdir()) == ["accompaniment.wav", "vocals.wav"]


def test_remote_server_gives_the_same_stems_as_local(tmp_path):
    pytest.importorskip("mlserver")
    from inference.remote import RemoteBackend
    from tests.inference.server_helpers import running_server

    models = tmp_path / "models"
    models.mkdir()
    model = mdx_model(models / "voc.onnx", 64, mode="random")
    write_manifest(model, n_fft=N_FFT, hop_length=HOP, sample_rate=SR)
    loaded = load_separation_model(model)
    loaded.save_manifest()  # the server needs the I/O listed
    loaded = load_separation_model(model)
    x = music(1.0)
    local = separate_array(x, SR, separator=loaded.separator(OnnxBackend(), SR, 2))
    (tmp_path / "work").mkdir()
    import soundfile as sf

    wav, token = tmp_path / "song.wav", tmp_path / "token"
    sf.write(wav, x.T, SR, subtype="FLOAT")
    token.write_text("s3cret\n")
    cli = [sys.executable, "main.py", "separate", str(wav), "--model", str(model), "--cache-dir",
           str(tmp_path / "cache"), "--stems", "vocals"]
    with running_server(models, tmp_path / "work", "s3cret") as server:
        remote_sep = loaded.separator(RemoteBackend(server.url, "s3cret"), SR, 2)
        remote = separate_array(x, SR, separator=remote_sep)
        # the CLI as docs/separation.md shows it, with the server's token from a file
        run = subprocess.run([*cli, "-o", str(tmp_path / "stems"), "--backend", server.url, "--token-file",
                              str(token)], cwd=REPO, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        token.write_text("wrong")
        refused = subprocess.run([*cli, "-o", str(tmp_path / "refused"), "--backend", server.url, "--token-file",
                                  str(token), "--cache-dir", str(tmp_path / "cache2")], cwd=REPO, capture_output=True,
                                 text=True)
    assert "remote KServe V2" in remote_sep.name
    np.testing.assert_allclose(remote["vocals"], local["vocals"], atol=1e-5)
    written, _ = sf.read(tmp_path / "stems" / "vocals.wav", dtype="float32", always_2d=True)
    np.testing.assert_allclose(written.T, local["vocals"], atol=1e-5)
    assert refused.returncode == 2
    assert "token" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0
