"""Shared test setup. Qt runs offscreen; shared research data is optional (tests needing it are `slow`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED_CHARTS = (REPO.parent / "shared" / "data" / "charts").resolve()
SHARED_CHARTS_ONLY = (REPO.parent / "shared" / "data" / "charts-only").resolve()


@pytest.fixture(scope="session")
def shared_charts() -> Path:
    """The shared training data folder; skips the test where it is absent (CI, other machines)."""
    if not SHARED_CHARTS.is_dir():
        pytest.skip("../shared/data/charts is not present on this machine")
    return SHARED_CHARTS
