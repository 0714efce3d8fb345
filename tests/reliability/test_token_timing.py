"""Wrong-token timing (issue 8 item 4): the guard's 401 takes the same time whether a guess shares a long prefix
with the real token, shares nothing, or has another length -- measured in-process (no network noise), with the
cases interleaved so machine load hits them alike.

The structural guarantee (SHA-256 digests compared with ``hmac.compare_digest``) is tested in
tests/inference/test_serving_guard.py::test_token_compare_uses_digests_not_the_raw_token; this measures it.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from inference.serving.guard import GuardMiddleware
from tests.inference.test_serving_guard import call, make_scope, ok_app

TOKEN = "k" * 31 + "Q"  # 32 characters, like a generated token
GUESSES = {"prefix": TOKEN[:-1] + "x", "nothing": "z" * 32, "short": "k", "long": TOKEN * 8}
ROUNDS = 1500


def test_401_time_does_not_depend_on_how_close_the_guess_is() -> None:
    guard = GuardMiddleware(ok_app(), token=TOKEN)
    scopes = {name: make_scope(token=guess) for name, guess in GUESSES.items()}
    times_us: dict[str, list[float]] = {name: [] for name in GUESSES}

    async def measure() -> None:
        for _ in range(ROUNDS):
            for name, scope in scopes.items():
                started = time.perf_counter_ns()
                status, _body = await call(guard, scope)
                times_us[name].append((time.perf_counter_ns() - started) / 1000)
                assert status == 401

    asyncio.run(measure())
    medians = {name: statistics.median(t) for name, t in times_us.items()}
    spread_us = max(medians.values()) - min(medians.values())
    print("median 401 time per guess (us):", {k: round(v, 2) for k, v in medians.items()},
          f"spread {spread_us:.2f} us")
    # a prefix-sensitive compare of raw tokens would make "prefix" slowest by a per-character cost; the digest
    # compare leaves only noise plus the hashing of longer guesses (the guesser knows their length anyway)
    assert abs(medians["prefix"] - medians["nothing"]) < max(0.5, 0.1 * medians["nothing"])
    assert spread_us < max(2.0, 0.5 * min(medians.values()))
