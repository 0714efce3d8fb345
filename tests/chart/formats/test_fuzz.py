"""Mutation fuzzing of every reader (issue 8) and regression tests for what fuzzing found."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from chart.formats import fuzz, game_json, osu_mania, sm, ssc
from chart.formats.errors import ParseError

GOLDEN = Path(__file__).parent / "golden"
READERS = {"sm": (sm.load_bytes, "basic.sm"), "ssc": (ssc.load_bytes, "split_timing.ssc"),
           "osu": (osu_mania.load_bytes, "mania4k.osu"), "json": (game_json.load_bytes, "export.json")}


def seeds_for(fmt: str) -> list[bytes]:
    own = (GOLDEN / READERS[fmt][1]).read_bytes()
    others = [p.read_bytes() for p in sorted(GOLDEN.iterdir()) if p.name != READERS[fmt][1]]
    return [own] * 6 + others  # mostly the format's own seed; the others feed splices


def _report(result: fuzz.FuzzResult) -> str:
    return "\n".join(f"{key}: {f.error} input={f.data[:120]!r}" for key, f in result.unique_findings().items())


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_mutation_fuzz_2k(fmt):
    result = fuzz.run(READERS[fmt][0], seeds_for(fmt), cases=2000, seed=1)
    assert result.cases == 2000
    assert result.parse_errors > 200  # the mutations do reach the error paths
    assert not result.findings, _report(result)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(READERS))
def test_mutation_fuzz_50k(fmt):
    # inputs up to 256 KiB parse in ~0.1 s; the bounds leave room for a loaded CI machine
    result = fuzz.run(READERS[fmt][0], seeds_for(fmt), cases=50_000, seed=2, max_size=1 << 18,
                      time_bound_s=5.0, slow_s=2.0)
    assert not result.findings, _report(result)


def test_fuzzer_reports_crashes_hangs_and_is_deterministic():
    def fragile(data: bytes):
        if b"#" in data[:1]:
            raise KeyError("boom")
        if data.startswith(b"osu"):
            time.sleep(0.3)
        raise ParseError("bad")

    seeds = [b"#TITLE:x;", b"osu file format v14"]
    a = fuzz.run(fragile, seeds, cases=60, seed=5, time_bound_s=0.02)
    b = fuzz.run(fragile, seeds, cases=60, seed=5, time_bound_s=0.02)
    kinds = {f.kind for f in a.findings}
    assert {"crash", "hang"} <= kinds
    assert [f.data for f in a.findings] == [f.data for f in b.findings]
    assert any("KeyError" in key for key in a.unique_findings())


def _tempo_map(points: int) -> str:
    lines = ["osu file format v14", "[General]", "Mode: 3", "[Difficulty]", "CircleSize:4", "[TimingPoints]"]
    lines += [f"{i * 500},{500 if i % 2 else 400},4,1,0,100,1,0" for i in range(points)]
    return "\n".join(lines + ["[HitObjects]", "64,192,100,1,0,0:0:0:0:"])


def test_regression_many_tempo_changes_parse_in_linear_time():
    """Fuzzing finding: 16k alternating timing points took 5.5 s (quadratic TimingData knots). Compare 16x the
    points against a run measured alongside, so machine load cancels: linear is ~16x, the quadratic version was
    ~256x; the wide margin keeps a loaded CI machine (seen: 14.5x for an 8x step) from failing a linear parser."""
    small, large = _tempo_map(1_000), _tempo_map(16_000)
    times: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(3):
        for name, text in (("small", small), ("large", large)):
            t0 = time.perf_counter()
            song = osu_mania.loads(text)
            times[name].append(time.perf_counter() - t0)
    assert len(song.timing.bpms) == 16_000
    ratio = min(times["large"]) / min(times["small"])
    assert ratio < 60, f"16k points took {ratio:.1f}x as long as 1k points"


def test_regression_too_many_timing_entries_are_refused():
    text = "#BPMS:" + ",".join(f"{i}=120" for i in range(20_001)) + ";"
    with pytest.raises(ParseError, match="more than 20000 entries"):
        sm.loads(text)


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_inputs_over_the_size_limit_are_refused_with_a_clear_error(fmt):
    with pytest.raises(ParseError, match="file too large"):
        READERS[fmt][0](b" " * (20 * 1024 * 1024 + 1))
