"""benchmarks.run with --only: earlier sections come back titled once with their date (no benchmark is run)."""

from __future__ import annotations

from benchmarks.common import Row, Section
from benchmarks.run import _cached, _store, render


def test_cached_sections_are_dated_once(tmp_path):
    _store(tmp_path, "bench_x", [Section("Plain", [Row("t", 1.0, "s")], ""),
                                 Section("GPU: stored run", [], "text", measured="2026-11-24 18:49")])
    plain, stored = _cached(tmp_path, "bench_x")
    assert plain.heading.startswith("Plain (measured ")
    assert plain.title == "Plain"
    assert plain.rows[0].value == 1.0
    assert stored.heading == "GPU: stored run (measured 2026-11-24 18:49)"  # bench_gpu dates its own
    _store(tmp_path, "bench_y", [plain, stored])  # stored again (a later --only run): still dated once
    again = _cached(tmp_path, "bench_y")
    assert [s.heading for s in again] == [plain.heading, stored.heading]
    assert _cached(tmp_path, "never_ran") == []


def test_rendered_headings_carry_the_date_of_replayed_sections_only():
    text = render([Section("Now", [Row("t", 1.0, "s")]), Section("Then", [], "", measured="2026-01-02 03:04")], 1.0)
    assert "## Now\n" in text
    assert "## Then (measured 2026-01-02 03:04)\n" in text
