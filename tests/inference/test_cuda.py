"""The CUDA path, on a machine with an NVIDIA GPU: ``make test-gpu`` (``pytest -m gpu``; ``make test`` leaves it out).

Run there, each test fails (it does not skip) when CUDA does not really start, naming the library that is missing:
selecting these tests says the machine has a GPU.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from chart.timing import TimingData
from inference.backends import OnnxBackend
from inference.drafter import Drafter
from inference.manifest import Manifest
from tests.inference.tiny_models import build_onset_model, click_track, drafting_model, onset_inputs

pytestmark = pytest.mark.gpu

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "models"
CPU = ["CPUExecutionProvider"]


def cuda_backend(manifest: Manifest, backend: OnnxBackend | None = None) -> OnnxBackend:
    backend = backend or OnnxBackend()
    backend.session(manifest)
    assert backend.describe() == "local ONNX (CUDAExecutionProvider)", backend.cuda_note or backend.describe()
    return backend


def test_cuda_provider_is_chosen_and_reported(tmp_path):
    tiny = build_onset_model(tmp_path)
    backend = cuda_backend(tiny)
    assert backend.cuda_note == ""
    assert backend.session(tiny).get_providers()[0] == "CUDAExecutionProvider"


def test_shipped_onset_model_on_cuda_matches_cpu():
    onset = Manifest.load(SHIPPED / "onset.manifest.json")
    feeds = onset_inputs(onset, batch=5, frames=4000)
    one_song = {**feeds, "features": np.repeat(feeds["features"][:1], 5, axis=0)}  # the If's shared-encoder branch
    for inputs in (feeds, one_song):
        got = cuda_backend(onset).run(onset, inputs)
        want = OnnxBackend(providers=CPU).run(onset, inputs)
        for name, value in want.items():
            # onnxruntime's CUDA provider uses TF32 matrix products by default: 4000 GRU steps drift by ~6e-4
            np.testing.assert_allclose(got[name], value, atol=2e-3)


def test_drafts_on_cuda_equal_windowed_drafts_on_cpu(tmp_path):
    """CUDA sessions take the song in windows (inference.time_chunks); the same windows on CPU give the same chart."""
    from tests.inference.test_time_chunks import WindowedCpu

    model = drafting_model(tmp_path)
    audio = (click_track(120, 0.5, 60.0, 22050), 22050)
    timing = TimingData.constant(120, Fraction(-1, 2))
    gpu = cuda_backend(model)
    assert gpu.prefers_windows(model)
    on_gpu = Drafter(model, backend=gpu).draft(audio, timing)
    on_cpu = Drafter(model, backend=WindowedCpu(providers=CPU)).draft(audio, timing)
    assert [d.notes for d in on_gpu] == [d.notes for d in on_cpu]
    assert sum(len(d.notes) for d in on_gpu) > 0
    assert "CUDAExecutionProvider" in on_gpu[0].provenance.backend


def test_shipped_models_draft_on_cuda_like_on_cpu():
    """The shipped onset model in windows on CUDA against one pass on CPU: nearly every onset row is the same."""
    from inference.serving.loadtest import synth_song

    gpu_drafter = Drafter.from_models_dir(SHIPPED)
    cpu_drafter = Drafter(gpu_drafter.onset, gpu_drafter.lanes, OnnxBackend(providers=CPU))
    cuda_backend(gpu_drafter.onset, gpu_drafter.backend)  # type: ignore[arg-type]
    audio = (synth_song(120.0, 44100), 44100)
    timing = TimingData.constant(128, Fraction(-3, 10))
    for a, b in zip(gpu_drafter.draft(audio, timing), cpu_drafter.draft(audio, timing), strict=True):
        rows_a, rows_b = {n.beat for n in a.notes}, {n.beat for n in b.notes}
        assert len(rows_a & rows_b) >= 0.9 * max(len(rows_a), len(rows_b)), a.slot
