"""Inference test setup: what server checks found is forgotten after each test (it is kept per server URL for the
process, and a later test's server may get a port an earlier test found dead)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inference import fallback


@pytest.fixture(autouse=True)
def _forget_server_checks() -> Iterator[None]:
    yield
    with fallback._found_lock:
        fallback._found_down.clear()
