"""Issue 8 load test, bounded: 50 concurrent drafting clients for 30 s against the real server on 127.0.0.1.

Slow (about a minute each with start-up); the 10-minute version is ``python -m benchmarks.run --only server``
with ``GENELIVE_LOAD_S=600`` (docs/RELIABILITY.md). An error is a draft that finally failed; 503 answers that the
client rode out by retrying after ``Retry-After`` are load shedding and are counted apart.
"""

from __future__ import annotations

import pytest

from inference.serving.loadtest import drafting_client, process_rss_mb, run_load, server_process
from inference.serving.retry import RetryLog
from tests.inference.tiny_models import drafting_model

pytestmark = [pytest.mark.slow, pytest.mark.network]
RSS_GROWTH_BOUND_MB = 200.0


def load(tmp_path, *serve_args: str):
    models = tmp_path / "models"
    drafting_model(models)
    with server_process(models, tmp_path, "load-token", "--workers", "2", *serve_args) as (url, proc):
        retry_log = RetryLog()
        client = drafting_client(url, "load-token", models, song_s=60.0, retry_log=retry_log, deadline_s=120.0)
        client(0, 0)
        report = run_load(client, clients=50, seconds=30.0, rss=lambda: process_rss_mb(proc.pid),
                          retry_log=retry_log, every_s=10.0)
    print(report.summary())
    return report


def check(report) -> None:
    assert report.errors == []
    assert report.requests >= 50  # every client got through at least once on average
    assert report.percentile_s(99) < 60.0
    assert report.rss_max_mb - report.rss_start_mb < RSS_GROWTH_BOUND_MB


def test_fifty_clients_for_thirty_seconds(tmp_path):
    """Default queue (32 per worker): the 50 clients wait their turn in FIFO order."""
    report = load(tmp_path)
    check(report)
    assert report.failed_retries == 0


def test_fifty_clients_against_a_short_queue_ride_out_the_503s(tmp_path):
    """A queue of 4: most requests are refused at first; clients honour Retry-After and all get through."""
    report = load(tmp_path, "--queue", "4")
    check(report)
    assert report.busy_retries > 0  # load was shed ...
    assert report.failed_retries == 0  # ... and nothing else went wrong
