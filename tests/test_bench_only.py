"""benchmarks.run --only on a clone without runs/bench-sections keeps the report's other sections (each with its
date) instead of writing only the re-run module's; an --only name that is no benchmark writes nothing, exit 2."""

from __future__ import annotations

import benchmarks.run as bench_run
from benchmarks.common import Row, Section
from benchmarks.previous import read

LEGACY = """# Benchmarks

Written by `make bench` on 2026-02-02.

Machine: somewhere.

Total run time: 9 s. Timings are medians unless stated; goals come from the issues.

## Audio: decode (3-minute song) (measured 2026-01-01 10:00)

| measure | value | goal | note |
|---|---|---|---|
| decode | 0.5 s |  |  |

## Chart domain (10000 notes, 2051 beats)

| measure | value | goal | note |
|---|---|---|---|
| old | 9 s |  |  |

## GPU: models on CUDA against CPU (measured 2026-11-24 18:49)

| measure | value | goal | note |
|---|---|---|---|
| onset | 0.3 s | <= 0.3 s |  |

Stored on a GPU machine.
"""


def _fake_run(ran: list[str]):
    def run_module(name, ctx):
        ran.append(name)
        return [Section(f"Chart domain ({len(ran)} notes)", [Row("new", 1.0, "s")])] if name == "bench_chart_domain" \
            else [Section("GPU: models on CUDA against CPU", [Row("fresh", 2.0, "s")])]
    return run_module


def test_only_keeps_the_sections_of_modules_without_a_cache(tmp_path, monkeypatch):
    out, cache = tmp_path / "BENCHMARKS.md", tmp_path / "no-cache"
    out.write_text(LEGACY, encoding="utf-8")
    ran: list[str] = []
    monkeypatch.setattr(bench_run, "_run_module", _fake_run(ran))
    assert bench_run.main(["--only", "chart_domain", "--out", str(out), "--cache", str(cache)]) == 0
    assert ran == ["bench_chart_domain"]
    text = out.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Audio: decode (3-minute song) (measured 2026-01-01 10:00)",
                        "## Chart domain (1 notes)",  # re-run: this run's, undated, in place of the old one
                        "## GPU: models on CUDA against CPU (measured 2026-11-24 18:49)"]
    assert "| decode | 0.5 s |  |  |" in text
    assert "Stored on a GPU machine." in text
    assert "| old |" not in text

    # the report now marks each section's module: a second --only (still no cache for the others) keeps the re-run
    # section dated with the report's date, and replaces the GPU one by its module, not by its title
    (cache / "bench_chart_domain.json").unlink()
    assert bench_run.main(["--only", "gpu", "--out", str(out), "--cache", str(cache)]) == 0
    written = text.split("` on ", 1)[1][:10]  # Written by `python -m benchmarks.run --only ...` on DATE
    again = out.read_text(encoding="utf-8")
    assert [line for line in again.splitlines() if line.startswith("## ")] == [
        "## Audio: decode (3-minute song) (measured 2026-01-01 10:00)",
        f"## Chart domain (1 notes) (measured {written})", "## GPU: models on CUDA against CPU"]
    assert [p.module for p in read(out)] == ["", "bench_chart_domain", "bench_gpu"]
    assert "| fresh | 2 s |" in again
    assert "| onset |" not in again
    assert "Stored on a GPU machine." not in again


def test_an_unknown_only_name_writes_nothing(tmp_path, capsys):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(LEGACY, encoding="utf-8")
    assert bench_run.main(["--only", "no_such_bench", "--out", str(out), "--cache", str(tmp_path / "c")]) == 2
    assert out.read_text(encoding="utf-8") == LEGACY
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "no_such_bench" in err[0]


def test_a_report_of_one_module_alone_names_its_command_and_no_earlier_sections(tmp_path, monkeypatch):
    """It said "the other sections are earlier runs" and "Written by `make bench`" with neither true."""
    out = tmp_path / "NEW.md"
    monkeypatch.setattr(bench_run, "_run_module", _fake_run([]))
    argv = ["--only", "chart_domain", "--out", str(out), "--cache", str(tmp_path / "no-cache")]
    assert bench_run.main(argv) == 0
    text = out.read_text(encoding="utf-8")
    assert "earlier runs" not in text
    assert f"Written by `python -m benchmarks.run {' '.join(argv)}` on " in text
    assert read(out)[0].module == "bench_chart_domain"  # the report's date still reads back


def test_the_command_line_is_quoted_and_names_repo_paths_relative_to_it(tmp_path, monkeypatch):
    """`Written by` joined the arguments unquoted (a path with a space read as two) and put the absolute --out and
    --cache paths of one machine's checkout into the report."""
    monkeypatch.setattr(bench_run, "_run_module", _fake_run([]))
    inside = bench_run.REPO / "runs" / "bench test" / "cache"
    out = tmp_path / "my report.md"
    argv = ["--quick", "--only", "chart_domain", "--out", str(out), f"--cache={inside}"]  # --quick: nothing stored
    assert bench_run.main(argv) == 0
    assert not inside.parent.exists()
    text = out.read_text(encoding="utf-8")
    assert (f"Written by `python -m benchmarks.run --quick --only chart_domain --out '{out}' "
            f"'--cache=runs/bench test/cache'` on ") in text
    assert bench_run.command_line(["--out", str(bench_run.REPO / "docs" / "B.md")]) == \
        "python -m benchmarks.run --out docs/B.md"
