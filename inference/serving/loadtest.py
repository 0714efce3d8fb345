"""Load testing a V2 server: N concurrent drafting clients for a while; errors, latency percentiles, server RSS.

Used by ``benchmarks/bench_server.py`` and the ``slow`` load test, and usable against a deployment::

    python -m inference.serving.loadtest http://gpu-box:8080 --token-file T --clients 50 --seconds 600

Each client repeatedly drafts all five slots of a random 16-beat range of a synthesised 3-minute song through a
:class:`~inference.remote.RemoteBackend` (features computed once, as the editor does), so a request is what a
designer's "regenerate this section" sends. Loops are bounded by time; nothing here retries forever.

A busy server (503 + ``Retry-After``, load shedding) is retried by the client as the editor would
(:mod:`inference.serving.retry`, within ``deadline_s``); a draft counts as an error only if it finally fails.
Retries are counted separately, and their waits are part of the latencies.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from inference.serving.retry import RetryLog

REPO = Path(__file__).resolve().parents[2]


@dataclass
class LoadReport:
    """What a load run measured. Latencies in seconds."""

    clients: int
    seconds: float
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_start_mb: float | None = None
    rss_end_mb: float | None = None
    rss_max_mb: float | None = None
    busy_retries: int = 0  # retries after 503/429 (load shedding)
    failed_retries: int = 0  # retries after connection errors, timeouts, other 5xx
    retry_wait_s: float = 0.0
    most_retries: int = 0  # most retries one request needed (a starved client would show here)

    @property
    def requests(self) -> int:
        return len(self.latencies_s)

    def percentile_s(self, q: float) -> float:
        return float(np.percentile(self.latencies_s, q)) if self.latencies_s else float("nan")

    @property
    def throughput(self) -> float:
        """Completed drafts per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        rss = (f"; server RSS {self.rss_start_mb:.0f} -> {self.rss_end_mb:.0f} MB (max {self.rss_max_mb:.0f})"
               if None not in (self.rss_start_mb, self.rss_end_mb, self.rss_max_mb) else "")
        return (f"{self.clients} clients, {self.seconds:.0f} s: {self.requests} drafts ({self.throughput:.2f}/s), "
                f"{len(self.errors)} errors, {self.busy_retries} retries after 503 + {self.failed_retries} after "
                f"other failures ({self.retry_wait_s:.0f} s waited, at most {self.most_retries} for one request), p50 {self.percentile_s(50):.3f} s, "
                f"p95 {self.percentile_s(95):.3f} s, p99 {self.percentile_s(99):.3f} s{rss}")


def sample(report: LoadReport, rss: Callable[[], float | None], retry_log: RetryLog | None,
           start: tuple[int, int, float]) -> None:
    """Bring ``report``'s retry counts and RSS maximum up to date (called while running and at the end)."""
    value = rss()
    if value is not None:
        report.rss_end_mb = value
        report.rss_max_mb = max(report.rss_max_mb or value, value)
    if retry_log is not None:
        busy, failed, wait_s = retry_log.snapshot()
        report.busy_retries, report.failed_retries = busy - start[0], failed - start[1]
        report.retry_wait_s = wait_s - start[2]
        report.most_retries = retry_log.max_attempt


def run_load(client: Callable[[int, int], None], clients: int, seconds: float,
             rss: Callable[[], float | None] = lambda: None, retry_log: RetryLog | None = None,
             progress: Callable[[LoadReport], None] | None = None, every_s: float = 60.0) -> LoadReport:
    """Run ``client(worker, iteration)`` in ``clients`` threads until ``seconds`` pass; time every call.

    ``rss`` is sampled at the start, every ``every_s`` seconds (then ``progress(report)`` is called) and at the
    end; ``retry_log`` (the client's :class:`~inference.serving.retry.RetryLog`) gives the retry counts.
    """
    report = LoadReport(clients, seconds, rss_start_mb=rss())
    report.rss_end_mb = report.rss_max_mb = report.rss_start_mb
    start = retry_log.snapshot() if retry_log is not None else (0, 0, 0.0)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(w: int) -> None:
        i = 0
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                client(w, i)
            except Exception as exc:  # a load test counts failures, it does not stop at the first
                with lock:
                    report.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            else:
                with lock:
                    report.latencies_s.append(time.perf_counter() - t0)
            i += 1

    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    next_sample_s = started + every_s
    while alive := [t for t in threads if t.is_alive()]:
        alive[0].join(max(0.0, next_sample_s - time.monotonic()))
        if time.monotonic() >= next_sample_s:
            next_sample_s += every_s
            with lock:
                report.seconds = time.monotonic() - started
                sample(report, rss, retry_log, start)
                if progress is not None:
                    progress(report)
    report.seconds = time.monotonic() - started
    sample(report, rss, retry_log, start)
    return report


def drafting_client(url: str, token: str | None, models_dir: Path, song_s: float = 180.0,
                    range_beats: int = 16, retry_log: RetryLog | None = None,
                    deadline_s: float = 120.0) -> Callable[[int, int], None]:
    """A client function that drafts five slots of a random range through the server (seeded per call).

    Each request may take ``deadline_s`` seconds, retries after 503 included; ``retry_log`` counts the retries.
    """
    from chart.timing import TimingData
    from inference.drafter import Drafter
    from inference.manifest import Manifest
    from inference.remote import RemoteBackend

    manifest = Manifest.load(models_dir / "onset.manifest.json")
    lane_path = models_dir / "lane.manifest.json"
    remote = RemoteBackend(url, token, timeout_s=120, retries=2, deadline_s=deadline_s, on_retry=retry_log)
    drafter = Drafter(manifest, Manifest.load(lane_path) if lane_path.is_file() else None, remote)
    assert manifest.features is not None
    analysis = drafter.analyse((synth_song(song_s, manifest.features.sample_rate), manifest.features.sample_rate))
    timing = TimingData.constant(128, Fraction(-3, 10))
    last_beat = int(song_s * 128 / 60) - range_beats - 1

    def client(worker: int, iteration: int) -> None:
        start = int(np.random.default_rng((worker, iteration)).integers(0, last_beat))
        drafter.draft(analysis, timing, start_beat=Fraction(start), end_beat=Fraction(start + range_beats),
                      seed=iteration)

    return client


def synth_song(seconds: float, sr: int, bpm: float = 128.0, offset_s: float = 0.3) -> np.ndarray:
    """A deterministic test song: kick-like bursts on beats, hats on off-beats, a chord pad (mono float32)."""
    rng = np.random.default_rng(7)
    n = int(seconds * sr)
    t = np.arange(n, dtype=np.float64) / sr
    out = 0.04 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 277.2 * t) + np.sin(2 * np.pi * 329.6 * t))
    period = 60.0 / bpm
    kick = np.sin(2 * np.pi * 60 * np.arange(int(0.08 * sr)) / sr) * np.exp(-np.linspace(0, 6, int(0.08 * sr)))
    hat = rng.standard_normal(int(0.02 * sr)) * np.exp(-np.linspace(0, 9, int(0.02 * sr))) * 0.3
    for k, beat_s in enumerate(np.arange(offset_s, seconds - 0.1, period / 2)):
        i, burst = int(beat_s * sr), (kick if k % 2 == 0 else hat)
        out[i:i + len(burst)] += burst[: n - i]
    return out.astype(np.float32)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MiB (Linux /proc), None where unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        return None
    return None


@contextlib.contextmanager
def server_process(models_dir: Path, work: Path, token: str | None = None, *extra: str,
                   timeout_s: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """``python main.py serve`` on 127.0.0.1 and a free port until the block ends; yields (url, process)."""
    import requests

    port = free_port()
    args = [sys.executable, "main.py", "serve", "--port", str(port), "--models", str(models_dir), *extra]
    if token:
        (work / f"token-{port}").write_text(token + "\n")
        args += ["--token-file", str(work / f"token-{port}")]
    log = work / f"server-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    names = [p.name.removesuffix(".manifest.json") for p in models_dir.glob("*.manifest.json")]
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if all(requests.get(f"{url}/v2/models/{n}/ready", headers=headers, timeout=2).status_code == 200
                       for n in names):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {timeout_s} s: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("--token-file", type=Path)
    ap.add_argument("--models", type=Path, default=REPO / "resources" / "models")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--deadline", type=float, default=120.0, metavar="S",
                    help="seconds one request may take, retries after 503 included (default 120)")
    ap.add_argument("--server-pid", type=int, help="record this local process's RSS (the server's)")
    ap.add_argument("--every", type=float, default=60.0, metavar="S", help="progress line interval (default 60)")
    args = ap.parse_args(argv)
    # the CLI's token reader: the same checks and one-line errors as serve and draft
    from cli.common import UserError
    from cli.infer_cmds import read_token

    try:
        token = read_token(args.token_file)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    retry_log = RetryLog()
    client = drafting_client(args.url, token, args.models, retry_log=retry_log, deadline_s=args.deadline)
    rss = (lambda: process_rss_mb(args.server_pid)) if args.server_pid else (lambda: None)
    t0 = time.monotonic()

    def progress(report: LoadReport) -> None:
        print(f"[{time.monotonic() - t0:5.0f} s, load {os.getloadavg()[0]:.1f}] {report.summary()}", flush=True)

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    report = run_load(client, args.clients, args.seconds, rss, retry_log, progress, args.every)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(report.summary())
    for error in sorted(set(report.errors))[:10]:
        print(f"  error: {error}")
    return 0 if not report.errors else 1


if __name__ == "__main__":
    sys.exit(main())
