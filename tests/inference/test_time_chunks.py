"""Windowed runs of the onset model (inference.time_chunks) and the drafter's use of them on a GPU backend."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.timing import TimingData
from inference import time_chunks
from inference.backends import OnnxBackend
from inference.drafter import Drafter
from tests.inference.tiny_models import click_track, drafting_model


@pytest.mark.parametrize("n", [1, 100, 4096, 4097, 5000, 18040, 60000])
def test_plan_covers_every_frame_once_with_context_on_both_sides(n):
    length, context = 4096, 512
    windows = time_chunks.plan(n, length, context)
    assert windows[0].keep_lo == 0
    assert windows[-1].keep_hi == n
    for a, b in zip(windows, windows[1:]):
        assert a.keep_hi == b.keep_lo  # contiguous, no frame twice
    for w in windows:
        if n > length:
            assert w.lo >= 0
            assert w.lo + length <= n
        assert w.keep_lo < w.keep_hi
        # a kept frame has `context` frames on each side inside its window, unless it is near the song's edge
        assert w.keep_lo - w.lo >= context or w.lo == 0
        assert (w.lo + length) - w.keep_hi >= context or w.lo + length >= n


def test_plan_refuses_a_window_with_no_room_inside_its_context():
    with pytest.raises(ValueError, match="context"):
        time_chunks.plan(10_000, 1000, 500)


def test_windowed_run_of_a_local_model_equals_one_pass():
    """A model whose output at t depends on frames t-2..t+2 gives the same result in windows as in one pass."""
    rng = np.random.default_rng(0)
    feeds = {"features": rng.standard_normal((3, 9000, 4)).astype(np.float32),
             "difficulty": np.arange(3, dtype=np.int64)}
    calls = []

    def model(f):
        calls.append(f["features"].shape)
        x = f["features"][..., 0]
        padded = np.pad(x, ((0, 0), (2, 2)))
        smooth = sum(padded[:, i:i + x.shape[1]] for i in range(5))
        return smooth + f["difficulty"][:, None]

    whole = model(feeds)
    windows = time_chunks.plan(9000, 1024, 16)
    got = time_chunks.run_windowed(model, feeds, ["features"], windows, 1024, max_rows=12)
    np.testing.assert_allclose(got, whole, rtol=1e-6)
    assert len(windows) == 10
    assert len(calls) == 1 + 3
    assert all(shape[1] == 1024 for shape in calls[1:])


class WindowedCpu(OnnxBackend):
    """A CPU backend that asks for windows, as a CUDA session does."""

    def prefers_windows(self, manifest):
        return True


def test_drafts_on_a_windowed_backend_keep_nearly_every_row(tmp_path, monkeypatch):
    model = drafting_model(tmp_path)
    audio = (click_track(120, 0.5, 60.0, 22050), 22050)
    timing = TimingData.constant(120, Fraction(-1, 2))
    plain = Drafter(model).draft(audio, timing)
    monkeypatch.setattr(time_chunks, "WINDOW_FRAMES", 2048)  # a 60-s song in 4 windows
    windowed = Drafter(model, backend=WindowedCpu()).draft(audio, timing)
    for a, b in zip(plain, windowed):
        rows_a, rows_b = {n.beat for n in a.notes}, {n.beat for n in b.notes}
        assert len(rows_a & rows_b) >= 0.95 * max(len(rows_a), len(rows_b))
        # the tiny model's receptive field fits inside the context: windows reproduce the one-pass curve
        np.testing.assert_allclose(a.curve, b.curve, atol=1e-5)
    assert sum(len(d.notes) for d in windowed) > 0


def test_cpu_sessions_take_the_song_in_one_pass(tmp_path):
    model = drafting_model(tmp_path)
    backend = OnnxBackend(providers=["CPUExecutionProvider"])
    assert backend.prefers_windows(model) is False


def test_backend_run_takes_long_onset_inputs_in_windows(tmp_path, monkeypatch):
    """OnnxBackend.run windows by itself, so the server (main.py serve on a GPU box) gets windows too."""
    from tests.inference.tiny_models import build_onset_model, onset_inputs

    tiny = build_onset_model(tmp_path)
    monkeypatch.setattr(time_chunks, "WINDOW_FRAMES", 1200)
    feeds = onset_inputs(tiny, batch=2, frames=5000)
    plain = OnnxBackend(providers=["CPUExecutionProvider"]).run(tiny, feeds)
    windowed = WindowedCpu(providers=["CPUExecutionProvider"])
    seen: list[tuple[int, ...]] = []
    once = windowed._run_once
    monkeypatch.setattr(windowed, "_run_once", lambda m, s, n, f: seen.append(f["features"].shape) or once(m, s, n, f))
    got = windowed.run(tiny, feeds)
    np.testing.assert_allclose(got["onset_prob"], plain["onset_prob"], atol=1e-5)
    windows = time_chunks.plan(5000, 1200, time_chunks.context_frames(tiny))
    assert len(windows) > 1
    assert seen == [(2 * len(windows), 1200, feeds["features"].shape[2])]
