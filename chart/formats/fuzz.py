"""A mutation fuzzer for the chart readers (issue 8): the only exception a reader may raise is ParseError.

Seeds are valid files (the golden files of the tests). Each case applies 1-4 random mutations - byte flips,
random and "interesting" inserts (separators, tag names, huge or negative numbers), deletions, duplicated
ranges, splices from another seed, and duplicated tags/lines/sections - and feeds the bytes to the reader.
Each input has a time bound (``SIGALRM``, main thread only; elsewhere inputs are only timed) and inputs are
capped in size. Results: cases run, cases per second, and every crash (an exception other than ParseError),
hang or slow input, with the input kept so that it can become a regression test.

Pure standard library and deterministic for a given seed, so a finding can be replayed.
"""

from __future__ import annotations

import copy
import random
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chart.formats.errors import ParseError

INTERESTING = [
    b"#", b":", b";", b",", b"=", b"\n", b"\r\n", b"//", b"\\", b"&", b"[", b"]", b"{", b"}", b"\xef\xbb\xbf",
    b"\x00", b"\xff", b"-", b"0", b"1", b"2", b"3", b"4", b"M", b"L", b"F", b"K", b"-1", b"1e5", b"1e-9",
    b"nan", b"inf", b"99999999999999999999", b"-0.000001", b"0,5", b"#NOTES:", b"#NOTEDATA:;", b"#BPMS:0=-60;",
    b"#STOPS:4=-1;", b"#WARPS:0=1e8;", b"#OFFSET:", b"[HitObjects]\n", b"[TimingPoints]\n", b"Mode: 3\n",
    b"CircleSize:0\n", b"CircleSize:1000\n", b"0,0,4,1,0,100,1,0\n", b"512,192,", b'"beat_exact":"1/0"',
    b'"lane":-1', b"null", b"[[[[[[[[", b"1e400", b'"version":2',
]


@dataclass
class Finding:
    """A reader failure: ``kind`` is "crash" (not ParseError), "hang" (time bound hit) or "slow"."""

    kind: str
    error: str
    data: bytes
    where: str = ""


@dataclass
class FuzzResult:
    cases: int = 0
    seconds: float = 0.0
    parse_errors: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def cases_per_s(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    def unique_findings(self) -> dict[str, Finding]:
        """One finding per (kind, exception type, innermost frame)."""
        out: dict[str, Finding] = {}
        for f in self.findings:
            out.setdefault(f"{f.kind}: {f.error.split(':')[0]} at {f.where}", f)
        return out


class _Timeout(Exception):
    pass


def mutate(data: bytes, seeds: Sequence[bytes], rng: random.Random, max_size: int) -> bytes:
    """Apply 1-4 random mutations to ``data`` (for JSON seeds, half the time to its values instead)."""
    if data[:1] == b"{" and rng.random() < 0.5:
        return _mutate_json(data, rng)[:max_size]
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:  # flip a byte
            i = rng.randrange(len(buf))
            buf[i] = rng.randrange(256)
        elif op == 1:  # insert random bytes
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2:  # insert an interesting token
            buf[pos:pos] = rng.choice(INTERESTING)
        elif op == 3 and buf:  # delete a range
            buf[pos:pos + rng.randint(1, 64)] = b""
        elif op == 4 and buf:  # duplicate a range
            start = rng.randrange(len(buf))
            buf[pos:pos] = buf[start:start + rng.randint(1, 256)]
        elif op == 5:  # splice with another seed
            other = rng.choice(seeds)
            cut = rng.randint(0, len(other))
            buf = buf[:pos] + bytearray(other[cut:cut + rng.randint(1, 512)])
        elif op == 6:  # duplicate a whole tag / line / section
            _duplicate_unit(buf, rng)
        else:  # replace a digit run with a boundary number
            _replace_number(buf, rng)
    return bytes(buf[:max_size])


_JSON_VALUES: list = [None, True, -1, 0, 10**30, 1e300, -0.5, "", "x", "1/0", "-3/4", "1e9/1", [], {}, [[0]],
                      {"lane": 0}, "hold", "tap", 65, 2**63]


def _mutate_json(data: bytes, rng: random.Random) -> bytes:
    """Replace, delete or duplicate 1-3 values deep inside a JSON document (structure-aware mutation)."""
    import json

    doc = json.loads(data)
    for _ in range(rng.randint(1, 3)):
        parent, key = _random_slot(doc, rng)
        if parent is None:
            break
        op = rng.randrange(3)
        if op == 0:
            parent[key] = copy.deepcopy(rng.choice(_JSON_VALUES))  # fresh: never share (or nest) a value
        elif op == 1:
            del parent[key]
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        else:
            parent[key] = [parent[key], copy.deepcopy(parent[key])]
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _random_slot(doc: Any, rng: random.Random) -> tuple[Any, Any]:
    """A random (container, key) pair somewhere in ``doc``, found by a random walk."""
    parent: Any = None
    key: Any = None
    node = doc
    for _ in range(rng.randint(1, 8)):
        if isinstance(node, dict) and node:
            parent, key = node, rng.choice(list(node))
        elif isinstance(node, list) and node:
            parent, key = node, rng.randrange(len(node))
        else:
            break
        node = parent[key]
    return parent, key


def _duplicate_unit(buf: bytearray, rng: random.Random) -> None:
    for opener, closer in ((b"#", b";"), (b"\n[", b"\n["), (b"\n", b"\n")):
        start = buf.find(opener, rng.randint(0, max(len(buf) - 1, 0)))
        if start < 0:
            continue
        end = buf.find(closer, start + 1)
        if end > start:
            unit = bytes(buf[start:end + 1])
            at = rng.randint(0, len(buf))
            buf[at:at] = unit
            return


def _replace_number(buf: bytearray, rng: random.Random) -> None:
    digits = [i for i in range(len(buf)) if 48 <= buf[i] <= 57]
    if not digits:
        return
    i = rng.choice(digits)
    j = i
    while j < len(buf) and (48 <= buf[j] <= 57 or buf[j] == 46):
        j += 1
    buf[i:j] = rng.choice([b"0", b"-1", b"4294967296", b"1e308", b"0.0000001", b"-99999", b"192", b"1000001"])


def run(read: Callable[[bytes], object], seeds: Sequence[bytes], cases: int, seed: int = 0,
        time_bound_s: float = 2.0, max_size: int = 1 << 16, slow_s: float = 0.5) -> FuzzResult:
    """Fuzz ``read`` (bytes -> anything, raising ParseError on bad input) for ``cases`` inputs."""
    rng = random.Random(seed)
    result = FuzzResult()
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    old = signal.signal(signal.SIGALRM, _raise_timeout) if use_alarm else None
    start = time.perf_counter()
    try:
        for _ in range(cases):
            data = mutate(rng.choice(seeds), seeds, rng, max_size)
            _one(read, data, result, time_bound_s, slow_s, use_alarm)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    result.seconds = time.perf_counter() - start
    return result


def _raise_timeout(signum, frame):
    raise _Timeout()


def _one(read, data: bytes, result: FuzzResult, bound_s: float, slow_s: float, use_alarm: bool) -> None:
    result.cases += 1
    t0 = time.perf_counter()
    try:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, bound_s)
        try:
            read(data)
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except ParseError:
        result.parse_errors += 1
    except _Timeout:
        result.findings.append(Finding("hang", f"over {bound_s} s", data))
        return
    except Exception as err:  # noqa: BLE001 - anything else is exactly what the fuzzer looks for
        frame = traceback.extract_tb(err.__traceback__)[-1]
        where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
        result.findings.append(Finding("crash", f"{type(err).__name__}: {err}"[:200], data, where))
        return
    elapsed = time.perf_counter() - t0
    if elapsed > slow_s:
        result.findings.append(Finding("slow", f"{elapsed:.2f} s", data))
