"""Lane model benchmark: the autoregressive lane decoding of a real 5-slot draft of the benchmarks' 3-minute song.

The onset rows (and their audio features) are those the shipped onset model drafts for the synthesised 3-minute
song at 128 BPM that ``bench_inference`` drafts, all on the CPU; the lanes are timed on them exactly as the drafter
runs them (``Drafter.lane_requests``: the shipped ``resources/models/lane`` model on one CPU thread, one
single-step ONNX call per row index for all five charts together). Without a lane model only the rule stepper is
timed.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from benchmarks.common import BenchContext, Section, timeit

SONG_S = 180.0
BPM = 128


def cpu_drafter(folder=None):
    """The shipped models (or ``folder``'s) on CPU sessions, as on a machine without a GPU."""
    from inference.backends import OnnxBackend
    from inference.drafter import Drafter

    return Drafter.from_models_dir(folder, OnnxBackend(providers=["CPUExecutionProvider"]))


def song(drafter, seconds: float = SONG_S) -> tuple[Any, Any]:
    """The benchmarks' synthesised 3-minute song (or ``seconds`` of it), analysed by ``drafter``, and its timing."""
    from chart.timing import TimingData
    from inference.serving.loadtest import synth_song

    params = drafter.onset.features
    return drafter.analyse((synth_song(seconds, params.sample_rate), params.sample_rate)), \
        TimingData.constant(BPM, Fraction(-3, 10))


def lane_work(drafter, analysis, timing) -> tuple[Any, list]:
    """The lane stepper and the decoder requests of a full 5-slot draft of ``analysis``: the drafter's own rows
    and features, captured from one real draft."""
    rows: list = []
    plain = drafter.lane_requests

    def capture(analysis, rows_in):
        rows.extend(rows_in)
        return plain(analysis, rows_in)

    drafter.lane_requests = capture
    try:
        drafter.draft(analysis, timing)
    finally:
        del drafter.lane_requests  # back to the method
    return plain(analysis, rows)


def work_label(requests: list) -> str:
    """'5 slots, 2441 rows (191-767 per slot, 767 batched steps)' for ``requests``."""
    counts = [len(r.beats) for r in requests]
    return (f"{len(counts)} slots, {sum(counts)} rows ({min(counts)}-{max(counts)} per slot, "
            f"{max(counts)} batched steps)")


def run(ctx: BenchContext) -> list[Section]:
    from inference.lanes import AlternationStepper, decode_rows

    repeat = 2 if ctx.quick else 5
    drafter = cpu_drafter()
    analysis, timing = song(drafter)
    stepper, requests = lane_work(drafter, analysis, timing)
    sec = Section(f"Lane decoding (a 5-slot draft of the 3-minute song: {work_label(requests)})")
    sec.add("rule stepper (alternation), 5 slots", timeit(lambda: decode_rows(AlternationStepper(), requests),
                                                          repeat=repeat), "s")
    if drafter.lanes is None:
        sec.text = "No lane model shipped: only the rule stepper was timed."
        return [sec]
    manifest = drafter.lanes
    t = timeit(lambda: decode_rows(stepper, requests), repeat=repeat)  # as the drafter runs it (one CPU thread)
    sec.add(f"{manifest.display_id()}, 5 slots batched", t, "s", goal="well under 1 s",
            note=f"the onset rows the shipped onset model drafts for the synthesised {SONG_S / 60:.0f}-minute song "
                 f"at {BPM} BPM")
    t1 = timeit(lambda: [decode_rows(stepper, [r]) for r in requests], repeat=max(1, repeat // 2))
    sec.add("same, one slot at a time", t1, "s", note=f"batching saves {t1 / t:.1f}x")
    size_kb = manifest.model_path.stat().st_size / 1024
    params = manifest.extra.get("training", {}).get("parameters", "?")
    sec.add("lane model size", f"{size_kb:.0f} KiB, {params} parameters", "")
    return [sec]
