"""Remote separation (session-19 remote audit): a server answering NaN wrote NaN stems and cached them, and a later
local run returned the server's stems from the cache (the key had no backend) and said they came "on remote"."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audio.separation import separate_array, separate_file
from inference.backends import BackendError, OnnxBackend
from inference.remote import FallbackBackend, RemoteBackend
from inference.separation_model import load_separation_model
from tests.inference.test_separation_model import HOP, N_FFT, SR, mdx_model, music, write_manifest


class NanBackend:
    """A backend answering the right shape full of NaN (a broken server, a model overflowing on its GPU)."""

    def __init__(self) -> None:
        self.inner = OnnxBackend()

    def run(self, manifest, inputs):
        out = self.inner.run(manifest, inputs)
        return {k: np.full_like(v, np.nan) for k, v in out.items()}

    def describe(self) -> str:
        return "remote KServe V2 http://gpu-box:8080"


@pytest.fixture
def model(tmp_path):
    path = mdx_model(tmp_path / "voc.onnx", 64, mode="random")
    write_manifest(path, n_fft=N_FFT, hop_length=HOP, sample_rate=SR)
    return load_separation_model(path)


def test_non_finite_model_output_is_a_one_line_error(model):
    with pytest.raises(BackendError, match="on remote KServe V2 http://gpu-box:8080: output 'output' holds NaN"):
        separate_array(music(0.5), SR, separator=model.separator(NanBackend(), SR, 2))


def test_nothing_is_cached_after_a_nan_answer(model, tmp_path):
    wav = tmp_path / "song.wav"
    sf.write(wav, music(1.0).T, SR, subtype="FLOAT")
    with pytest.raises(BackendError):
        separate_file(wav, separator_factory=lambda sr, ch: model.separator(NanBackend(), sr, ch),
                      cache_dir=tmp_path / "cache")
    stems = separate_file(wav, separator_factory=lambda sr, ch: model.separator(OnnxBackend(), sr, ch),
                          cache_dir=tmp_path / "cache")
    assert np.isfinite(np.asarray(sf.read(stems.path("vocals"))[0])).all()
    assert stems.method.endswith("on local ONNX (CPU)")  # said when stored: where it really ran


def test_the_cache_key_tells_remote_from_local(model):
    local = model.separator(OnnxBackend(), SR, 2).cache_key()
    remote = model.separator(RemoteBackend("http://gpu-box:8080"), SR, 2).cache_key()
    other = model.separator(RemoteBackend("http://other-box:8080"), SR, 2).cache_key()
    fallback = model.separator(FallbackBackend(RemoteBackend("http://gpu-box:8080"), OnnxBackend()), SR, 2)
    assert len({local, remote, other}) == 3
    assert fallback.cache_key() == remote
    assert model.separator(OnnxBackend(providers=["CPUExecutionProvider"]), SR, 2).cache_key() == local
