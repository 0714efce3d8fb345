"""``serve`` stopped by Ctrl+C (SIGINT) drains like SIGTERM (session-19 remote audit): the running inference is
answered, no CancelledError tracebacks are logged. Before, MLServer passed SIGINT on to uvicorn after uvicorn's own
handler had seen it, and a second SIGINT means "force quit" to uvicorn: the client got a 500."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest

from inference.manifest import Manifest, default_models_dir
from inference.remote import RemoteBackend
from inference.serving.loadtest import server_process

pytestmark = pytest.mark.network


def test_sigint_lets_the_running_request_finish(tmp_path):
    manifest = Manifest.load(default_models_dir() / "onset.manifest.json")
    frames, slots = 40_000, 5  # seconds of work: still running when the signal comes
    features = np.random.default_rng(0).standard_normal((1, frames, 240)).astype(np.float32)
    inputs = {"features": np.broadcast_to(features, (slots, frames, 240)),
              "beat_guide": np.broadcast_to(np.zeros((1, frames, 6), np.float32), (slots, frames, 6)),
              "difficulty": np.arange(slots, dtype=np.int64), "cond_onsets": np.zeros((slots, frames), np.float32),
              "cond_difficulty": np.zeros(slots, np.int64), "cond_present": np.zeros(slots, np.float32)}
    result: dict[str, object] = {}
    with server_process(default_models_dir(), tmp_path, None, "--max-request-mb", "256") as (url, proc):
        sent = threading.Event()
        remote = RemoteBackend(url, timeout_s=120, retries=0, on_request=lambda size: sent.set())
        remote.connect(manifest)

        def draft() -> None:
            try:
                result["out"] = remote.run(manifest, inputs)["onset_prob"].shape
            except Exception as exc:  # noqa: BLE001 - the test reports it
                result["error"] = f"{type(exc).__name__}: {exc}"

        worker = threading.Thread(target=draft)
        worker.start()
        assert sent.wait(30)
        time.sleep(1.0)  # the body is on its way or in; the model runs for seconds
        assert worker.is_alive(), result  # else this test would not test anything
        proc.send_signal(signal.SIGINT)
        code = proc.wait(90)
        worker.join(120)
    log = next(tmp_path.glob("server-*.log")).read_text()
    assert result.get("out") == (slots, frames), result
    assert "Traceback" not in log, log[-3000:]
    assert "CancelledError" not in log
    assert code == 0
