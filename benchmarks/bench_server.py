"""Server benchmarks: throughput with 8 concurrent clients, and the 50-client load test of issue 8.

Clients and server run on the same machine (here 2 shared cores), so these numbers bound what one box serves;
a GPU server on another machine leaves the clients' CPU work (decode, lanes) to the clients.
``GENELIVE_LOAD_S`` sets the load test's length (default 30 s; 600 for the optional 10-minute run:
``GENELIVE_LOAD_S=600 python -m benchmarks.run --only server``, or ``make bench`` with it for all modules).
The server runs with its default queue; 503s the clients rode out by retrying are reported apart from errors.
"""

from __future__ import annotations

import os

from benchmarks.common import BenchContext, Section


def run(ctx: BenchContext) -> list[Section]:
    from benchmarks.bench_inference import model_dir
    from inference.serving.loadtest import drafting_client, process_rss_mb, run_load, server_process
    from inference.serving.retry import RetryLog

    folder, label = model_dir(ctx)
    load_s = float(os.environ.get("GENELIVE_LOAD_S", "5" if ctx.quick else "30"))
    sections = []
    with server_process(folder, ctx.work, "bench-token", "--workers", "2") as (url, proc):
        retry_log = RetryLog()
        client = drafting_client(url, "bench-token", folder, retry_log=retry_log)
        client(0, 0)  # warm-up
        sec = Section(f"Server throughput ({label}; --workers 2)")
        for clients, seconds in ((1, 5.0 if ctx.quick else 10.0), (8, 5.0 if ctx.quick else 20.0)):
            r = run_load(client, clients, seconds)
            sec.add(f"{clients} client(s): drafts of 5 slots x 16 beats", r.throughput, "drafts/s",
                    note=f"p50 {r.percentile_s(50):.3f} s, p95 {r.percentile_s(95):.3f} s, {len(r.errors)} errors")
        sections.append(sec)
        r = run_load(client, 50, load_s, rss=lambda: process_rss_mb(proc.pid), retry_log=retry_log)
        load = Section(f"Load test: 50 concurrent drafting clients for {r.seconds:.0f} s")
        load.add("drafts completed", float(r.requests), "", note=f"{r.throughput:.2f}/s")
        load.add("errors", float(len(r.errors)), "", goal="0", note="; ".join(sorted(set(r.errors))[:3]))
        load.add("retries after 503 (load shed, then served)", float(r.busy_retries), "",
                 note=f"{r.failed_retries} after other failures; {r.retry_wait_s:.0f} s waited in all")
        for q in (50, 95, 99):
            load.add(f"p{q} latency", r.percentile_s(q), "s")
        if r.rss_start_mb is not None and r.rss_end_mb is not None:
            load.add("server RSS start -> end", f"{r.rss_start_mb:.0f} -> {r.rss_end_mb:.0f}", "MB",
                     goal="growth < 200 MB", note=f"{r.rss_end_mb - r.rss_start_mb:+.0f} MB, "
                                                  f"max {r.rss_max_mb:.0f} MB")
        sections.append(load)
    return sections
