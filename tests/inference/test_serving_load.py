"""Issue 8 load test, bounded: 50 concurrent drafting clients for 30 s against the real server on 127.0.0.1.

Slow (about a minute with start-up); the 10-minute version is ``GENELIVE_LOAD_S=600 make bench``.
"""

from __future__ import annotations

import pytest

from inference.serving.loadtest import drafting_client, process_rss_mb, run_load, server_process
from tests.inference.tiny_models import drafting_model

pytestmark = [pytest.mark.slow, pytest.mark.network]
RSS_GROWTH_BOUND_MB = 200.0


def test_fifty_clients_for_thirty_seconds(tmp_path):
    models = tmp_path / "models"
    drafting_model(models)
    with server_process(models, tmp_path, "load-token", "--workers", "2", "--queue", "64") as (url, proc):
        client = drafting_client(url, "load-token", models, song_s=60.0)
        client(0, 0)
        report = run_load(client, clients=50, seconds=30.0, rss=lambda: process_rss_mb(proc.pid))
    print(report.summary())
    assert report.errors == []
    assert report.requests >= 50  # every client got through at least once on average
    assert report.percentile_s(99) < 30.0
    assert report.rss_end_mb - report.rss_start_mb < RSS_GROWTH_BOUND_MB
