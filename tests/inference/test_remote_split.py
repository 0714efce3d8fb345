"""Requests over the server's size limit (session-21 remote audit): split by rows first, exactly; along time only
for a row too large alone, said in the provenance and a note; a limit learnt from a 413 kept for the next run.

Before: a 5-slot request over the limit was split along time, so with a BiGRU the Easy row differed from Easy asked
alone (up to 0.54 on an 11-minute song); the time plan re-ran almost the whole song as its second window; and a
limit learnt from a 413 was forgotten, so every run sent the oversized request again first.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from inference.remote import RemoteBackend
from inference.remote_split import time_windows
from tests.inference.model_v2 import ModelV2, build_gru_onset_model
from tests.inference.tiny_models import onset_inputs

pytestmark = pytest.mark.network
B, T = 5, 3000


@pytest.fixture(scope="module")
def gru(tmp_path_factory):
    return build_gru_onset_model(tmp_path_factory.mktemp("gru"))


def slots_of_one_song(manifest, batch=B, frames=T):
    """What the drafter sends: one song's features for every slot (a broadcast view), a difficulty per slot."""
    inputs = onset_inputs(manifest, batch, frames, seed=11)
    for name in ("features", "beat_guide"):
        inputs[name] = np.broadcast_to(inputs[name][:1], inputs[name].shape)
    return inputs


def serve(manifest, limit=None, refuse_over=None):
    """The server, and its answer to the 5-slot request in one piece; then it advertises ``limit`` and answers
    413 above ``refuse_over``."""
    server = ModelV2(manifest)
    whole = RemoteBackend(server.url, "token").run(manifest, slots_of_one_song(manifest))
    server.sizes.clear()
    server.shapes.clear()
    if limit is not None:
        server.meta["parameters"]["max_request_bytes"] = limit
    server.refuse_over = refuse_over
    return server, whole["onset_prob"]


def test_a_request_over_the_limit_is_split_by_rows_and_equals_one_request(gru):
    # shared features ~132 KB, each row ~12 KB more: 5 rows (~196 KB) are over 170 KB, 2 rows fit
    server, whole = serve(gru, limit=170_000)
    try:
        inputs = slots_of_one_song(gru)
        out = RemoteBackend(server.url, "token").run(gru, inputs)["onset_prob"]
        easy = RemoteBackend(server.url, "token").run(gru, {k: v[1:2] for k, v in inputs.items()})["onset_prob"]
    finally:
        server.close()
    np.testing.assert_array_equal(out, whole)  # exact: each row is its own pass over the song
    np.testing.assert_array_equal(easy[0], out[1])  # Easy does not depend on which other slots were asked
    assert len(server.sizes) == 4  # 3 requests of the 5 rows (1 + 2 + 2), then Easy alone
    assert max(server.sizes) <= 170_000
    assert all(shapes["cond_onsets"][1] == T for shapes in server.shapes)  # every request the whole song
    assert [s["difficulty"][0] for s in server.shapes[:3]] == [1, 2, 2]


def test_a_row_too_large_alone_goes_along_time_on_one_row_s_windows_and_says_so(gru):
    server, _whole = serve(gru, limit=120_000)  # one row (~144 KB) is over it
    notes: list[str] = []
    try:
        remote = RemoteBackend(server.url, "token", on_note=notes.append)
        inputs = slots_of_one_song(gru)
        out = remote.run(gru, inputs)["onset_prob"]
        provenance = remote.describe()  # what the drafter records, in the thread that ran the model
        shapes = list(server.shapes)
        easy = RemoteBackend(server.url, "token").run(gru, {k: v[1:2] for k, v in inputs.items()})["onset_prob"]
    finally:
        server.close()
    assert max(server.sizes) <= 120_000
    windows = int(re.search(r"in (\d+) pieces along time", notes[0]).group(1))
    assert sum(s["difficulty"][0] for s in shapes) == B * windows  # each row once in each window ...
    assert len(shapes) < B * windows  # ... with as many rows a request as fit (the features go once)
    frames = {s["cond_onsets"][1] for s in shapes}
    assert len(frames) <= windows  # requests of one window share its frames
    sent = sum(sorted(frames))
    assert sent <= T + 2 * 512 * (windows - 1)  # each frame once, plus the context at each join
    np.testing.assert_array_equal(easy[0], out[1])  # its windows do not depend on the other rows
    assert len(notes) == 1  # once per run, not per row or window
    assert "pieces along time" in notes[0]
    assert "may differ from one pass" in notes[0]
    assert provenance.endswith("; chunked in time")


def test_the_time_note_is_in_the_provenance_of_that_thread_and_run_only(gru):
    server, _whole = serve(gru)
    try:
        remote = RemoteBackend(server.url, "token", max_request_bytes=120_000)
        remote.run(gru, slots_of_one_song(gru, 1))
        assert remote.describe().endswith("; chunked in time")
        remote.max_request_bytes = None
        remote.run(gru, slots_of_one_song(gru, 1))  # fits: the next run's provenance says nothing
        assert "chunked" not in remote.describe()
    finally:
        server.close()


def test_the_time_plan_sends_each_frame_once_plus_context():
    """The plan that re-ran [6812, 66966) after [0, 60154) for a 66,966-frame row."""
    windows = time_windows(66966, 60154 - 2 * 512, 512)
    assert len(windows) == 2
    assert [w.keep_lo for w in windows] == [0, 33483]
    assert windows[-1].keep_hi == 66966
    assert windows[1].lo == 33483 - 512  # not 6812
    kept = sum(w.keep_hi - w.keep_lo for w in windows)
    assert kept == 66966
    for w in windows:
        assert min(66966, w.keep_hi + 512) - w.lo <= 60154


def test_a_limit_learnt_from_a_413_is_kept_for_the_next_run(gru):
    server, _whole = serve(gru, refuse_over=100_000)  # not advertised: a proxy's limit
    try:
        remote = RemoteBackend(server.url, "token")
        inputs = slots_of_one_song(gru, 1)  # ~144 KB
        first = remote.run(gru, inputs)["onset_prob"]
        refused = sum(size > 100_000 for size in server.sizes)
        server.sizes.clear()
        second = remote.run(gru, inputs)["onset_prob"]
    finally:
        server.close()
    assert refused == 1
    assert server.sizes
    assert max(server.sizes) <= 100_000
    np.testing.assert_array_equal(first, second)
