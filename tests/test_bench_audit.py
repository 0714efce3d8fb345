"""Benchmark audit: the remote overhead is paired with local drafts timed alongside it; a --quick or scratch run
never reaches the published report unmarked; the lane benchmark times the lanes of a real draft; the "on CPU"
sections run on CPU sessions; --only needs a name and --help lists them."""

from __future__ import annotations

import contextlib
import time

import pytest

import benchmarks.run as bench_run
from benchmarks.common import BenchContext, Row, Section


class _Load:
    """A shared machine whose load triples once the server has started (as in a real run, where the local
    drafts were timed minutes before the remote ones)."""
    factor = 1.0


def test_remote_overhead_is_the_median_of_back_to_back_pairs(tmp_path, monkeypatch):
    import inference.drafter
    import inference.remote
    import inference.serving.loadtest
    from benchmarks import bench_inference

    base, overhead = 0.02, 0.03

    @contextlib.contextmanager
    def server_process(folder, work, token):
        _Load.factor = 3.0
        yield "http://127.0.0.1:1", None

    class FakeRemote:
        def __init__(self, url, token, on_request=None, binary=True):
            self.on_request = on_request

    class FakeDrafter:  # stands in for both the local drafter (backend None) and the remote ones
        def __init__(self, onset=None, lanes=None, backend=None):
            self.onset, self.lanes, self.backend = onset, lanes, backend

        def draft(self, analysis, timing):
            time.sleep(base * _Load.factor + (overhead if self.backend is not None else 0.0))
            if self.backend is not None and self.backend.on_request:
                self.backend.on_request(1000)

    monkeypatch.setattr(inference.serving.loadtest, "server_process", server_process)
    monkeypatch.setattr(inference.remote, "RemoteBackend", FakeRemote)
    monkeypatch.setattr(inference.drafter, "Drafter", FakeDrafter)
    _Load.factor = 1.0
    sec = bench_inference._remote(BenchContext(repo=tmp_path, work=tmp_path), tmp_path, FakeDrafter(), None, None, 3)
    rows = {r.name: r for r in sec.rows}
    row = rows["remote overhead vs local"]
    # unpaired (a local median taken before the load changed) it would read 3 * 0.02 + 0.03 - 0.02 = 0.07 s
    assert overhead - 0.012 < row.value < overhead + 0.015
    assert "median of 5 (remote - local) differences" in row.note
    assert "1 request(s)" in rows["draft 5 slots via server, features cached"].note


def _fake_modules(monkeypatch, ran: list[str]) -> None:
    def run_module(name, ctx):
        ran.append(name)
        return [Section(f"{name} figures", [Row("t", 0.5 if ctx.quick else 1.0, "s")])]
    monkeypatch.setattr(bench_run, "_run_module", run_module)
    monkeypatch.setattr(bench_run, "modules", lambda: ["bench_chart_domain", "bench_formats"])


def test_a_quick_or_scratch_run_never_reaches_the_report_unmarked(tmp_path, monkeypatch):
    ran: list[str] = []
    _fake_modules(monkeypatch, ran)
    cache, report = tmp_path / "cache", tmp_path / "BENCHMARKS.md"
    monkeypatch.setattr(bench_run, "CACHE", cache)
    monkeypatch.setattr(bench_run, "REPORT", report)
    # a full run into the report: stored
    assert bench_run.main([]) == 0
    assert sorted(p.name for p in cache.iterdir()) == ["bench_chart_domain.json", "bench_formats.json"]
    stored = (cache / "bench_chart_domain.json").read_text()
    # a smoke run into a scratch file, and a full run into another one: neither is stored
    scratch = tmp_path / "scratch.md"
    assert bench_run.main(["--quick", "--only", "chart_domain", "--out", str(scratch)]) == 0
    assert bench_run.main(["--only", "chart_domain", "--out", str(scratch)]) == 0
    assert (cache / "bench_chart_domain.json").read_text() == stored
    # the next --only OTHER into the report keeps the full run's figures
    assert bench_run.main(["--only", "formats"]) == 0
    text = report.read_text(encoding="utf-8")
    assert "| t | 1 s |" in text
    assert "| t | 0.5 s |" not in text
    assert "quick" not in text
    # a quick run even into the report (or with --cache) stores nothing, and its sections say what they are
    assert bench_run.main(["--quick", "--only", "chart_domain", "--cache", str(cache)]) == 0
    assert (cache / "bench_chart_domain.json").read_text() == stored
    text = report.read_text(encoding="utf-8")
    assert f"## bench_chart_domain figures{bench_run.QUICK}\n" in text
    assert "a --quick smoke run" in text
    assert bench_run.main(["--only", "formats"]) == 0  # the next one takes chart_domain's full run from the cache
    assert "quick" not in report.read_text(encoding="utf-8")


def test_only_needs_a_name_and_help_lists_them(tmp_path, monkeypatch, capsys):
    ran: list[str] = []
    _fake_modules(monkeypatch, ran)
    with pytest.raises(SystemExit) as stop:
        bench_run.main(["--only", "--out", str(tmp_path / "B.md"), "--cache", str(tmp_path / "c")])
    assert stop.value.code == 2
    assert ran == []
    assert not (tmp_path / "B.md").exists()
    with pytest.raises(SystemExit):
        bench_run.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "chart_domain, formats" in text
    assert "--quick smoke run: fewer repetitions and smaller inputs" in text


def test_the_lane_benchmark_times_the_rows_of_a_real_draft(tmp_path):
    from benchmarks.bench_lanes import cpu_drafter, lane_work, song
    from tests.inference.tiny_models import drafting_model

    drafting_model(tmp_path)
    drafter = cpu_drafter(tmp_path)
    analysis, timing = song(drafter, 20.0)
    stepper, requests = lane_work(drafter, analysis, timing)
    drafted = drafter.draft(analysis, timing)
    assert [len(r.beats) for r in requests] == [len({n.beat for n in d.notes}) for d in drafted]
    assert all(r.seconds[-1] < 20.0 for r in requests if len(r.beats))
    assert sum(len(r.beats) for r in requests) > 0
    assert "lane_requests" not in vars(drafter)  # the drafter is left as it was


def test_the_inference_sections_run_on_cpu_sessions(tmp_path, monkeypatch):
    """'Inference on CPU' (a CPU goal) took OnnxBackend()'s defaults, CUDA first where it is present."""
    from benchmarks import bench_inference
    from inference import backends
    from tests.inference.tiny_models import drafting_model

    drafting_model(tmp_path / "models")
    asked: list[list[str] | None] = []
    plain = backends.OnnxBackend.__init__

    def spy(self, providers=None, *args, **kwargs):
        asked.append(providers)
        plain(self, providers, *args, **kwargs)

    monkeypatch.setattr(backends.OnnxBackend, "__init__", spy)
    monkeypatch.setattr(bench_inference, "SONG_S", 50.0)
    monkeypatch.setattr(bench_inference, "model_dir", lambda ctx: (tmp_path / "models", "tiny"))
    monkeypatch.setattr(bench_inference, "_memory", lambda *a: Section("memory"))
    monkeypatch.setattr(bench_inference, "_remote", lambda *a: Section("remote"))
    sec = bench_inference.run(BenchContext(repo=tmp_path, work=tmp_path, quick=True))[0]
    assert len(asked) >= 4
    assert all(p == ["CPUExecutionProvider"] for p in asked)
    assert 'OnnxBackend(providers=["CPUExecutionProvider"], release_memory=release)' in bench_inference._MEMORY_PROBE
    assert "CPU" in {r.name: r for r in sec.rows}["raw onnxruntime forward, 5 slots (reference)"].note
