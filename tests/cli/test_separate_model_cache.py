"""Bring-your-own model whose manifest leaves ``sha256`` empty (the docs' Voc_FT example): the cache is keyed by the
model file's real hash, so another model swapped in under the same name is run, not answered from the cache."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf

from audio.separation import separate_file
from inference.backends import OnnxBackend
from inference.manifest import Manifest, file_sha256
from inference.separation_model import load_separation_model
from inference.separation_runner import model_sha256

pytest.importorskip("onnx")
from tests.inference.test_separation_model import DIM_T, HOP, N_FFT, SR, mdx_model, music  # noqa: E402


def _separate(model_path, song, cache):
    model = load_separation_model(model_path)
    backend = OnnxBackend(["CPUExecutionProvider"])
    return separate_file(song, separator_factory=lambda sr, ch: model.separator(backend, sr, ch), cache_dir=cache)


def test_a_swapped_model_without_sha256_is_not_answered_from_the_cache(tmp_path):
    dim_f = N_FFT // 2 + 1
    a = mdx_model(tmp_path / "a.onnx", dim_f, mode="random", seed=1)
    b = mdx_model(tmp_path / "b.onnx", dim_f, mode="random", seed=2)
    voc = tmp_path / "voc.onnx"
    Manifest(kind="separation", model_id="voc", file=voc.name, sha256="",
             extra={"n_fft": N_FFT, "hop_length": HOP, "sample_rate": SR, "dim_t": DIM_T}).save(
        tmp_path / "voc.manifest.json")
    song = tmp_path / "song.wav"
    sf.write(song, music(2.0).T, SR, subtype="FLOAT")
    shutil.copyfile(a, voc)
    with_a = _separate(voc, song, tmp_path / "cache")
    shutil.copyfile(b, voc)  # another model under the same name
    with_b = _separate(voc, song, tmp_path / "cache")
    fresh_b = _separate(voc, song, tmp_path / "fresh")
    assert with_b.folder != with_a.folder
    np.testing.assert_allclose(with_b.load("vocals"), fresh_b.load("vocals"), atol=1e-6)
    assert np.abs(with_b.load("vocals") - with_a.load("vocals")).max() > 1e-3
    assert model_sha256(load_separation_model(voc).manifest) == file_sha256(b)
    assert f"sha256:{file_sha256(b)[:12]}" in with_b.method  # the method line names the model that ran


def test_a_manifests_own_sha256_is_used_as_is(tmp_path):
    m = Manifest(kind="separation", model_id="x", file="missing.onnx", sha256="ab" * 32)
    m.path = tmp_path / "x.manifest.json"
    assert model_sha256(m) == "ab" * 32  # not even read: the file need not be there
