"""benchmarks.run with --only: earlier sections come back titled once with their date (no benchmark is run)."""

from __future__ import annotations

from benchmarks.common import Row, Section
from benchmarks.run import _cached, _store


def test_cached_sections_are_dated_once(tmp_path):
    _store(tmp_path, "bench_x", [Section("Plain", [Row("t", 1.0, "s")], ""),
                                 Section("GPU: stored run (measured 2026-11-24 18:49)", [], "text")])
    plain, stored = _cached(tmp_path, "bench_x")
    assert plain.title.startswith("Plain (measured ")
    assert plain.rows[0].value == 1.0
    assert stored.title == "GPU: stored run (measured 2026-11-24 18:49)"  # bench_gpu dates its own
    assert _cached(tmp_path, "never_ran") == []
