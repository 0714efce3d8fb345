"""Client-side retries against a V2 server: bounded attempts, ``Retry-After`` honoured, one deadline.

Two kinds of transient failure are told apart, because they mean different things:

* **busy** (HTTP 503 or 429): the server is up and shedding load (see :mod:`.guard`). The client waits what the
  server's ``Retry-After`` says (or an exponential backoff when it says nothing), jittered upwards so that
  refused clients do not come back in one burst, and tries again -- as often as the deadline allows. A
  ``Retry-After`` of 0 is raised to ``backoff_s`` so that a misconfigured server cannot make clients spin. A busy
  answer is load shedding, not an error, as long as the request gets through before its deadline.
* **failed** (connection refused/reset, read timeout, 408, and every 5xx but 503 and 501: a 507, or a CDN's
  521/522/524 in front of a box that is down, was a final error neither retried nor fallen back from): the server
  may be down. These are retried at most ``retries`` times with jittered exponential backoff, so a dead server is
  noticed within a second or two and the caller can fall back to local inference. (501 Not Implemented is not
  retried, since no retry changes it; the client still treats it as a failing server.)

Every retry carries a ``Genelive-Retry: N`` header; the guard admits retried requests into a reserve beyond its
normal queue, so clients that were refused once are not starved by clients that keep the queue full.
Every attempt carries ``Genelive-Timeout: S`` (the seconds the client waits for its answer): the guard does not
keep a request waiting for a worker past them but answers 503 with ``Retry-After`` (a busy answer, retried here).
No wait crosses the deadline and no attempt starts after it: a request ends within
``deadline_s`` plus one request timeout, and then raises :class:`GaveUp` with a one-line reason.
"""

from __future__ import annotations

import email.utils
import json
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
RETRY_HEADER = "Genelive-Retry"
TIMEOUT_HEADER = "Genelive-Timeout"  # seconds the client waits for one attempt's answer; see .guard
BUSY_STATUS = (429, 503)


class Transient(Exception):
    """One attempt failed in a way worth retrying.

    Parameters
    ----------
    problem : str
        One line describing the failure (ends up in :class:`GaveUp`'s message).
    busy : bool
        True for load shedding (503/429): retried until the deadline, not counted against ``retries``.
    retry_after_s : float, optional
        The server's ``Retry-After``, seconds.
    """

    def __init__(self, problem: str, busy: bool = False, retry_after_s: float | None = None) -> None:
        super().__init__(problem)
        self.problem, self.busy, self.retry_after_s = problem, busy, retry_after_s


class GaveUp(Exception):
    """The attempts or the deadline ran out; the message is one line (attempts, elapsed time, last problem)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to retry one request.

    Parameters
    ----------
    retries : int
        Extra attempts after failures that are not load shedding (connection errors, timeouts, 5xx but 503).
    backoff_s : float
        First pause, seconds; doubled per retry up to ``max_backoff_s``, times a jitter factor in [0.75, 1.25).
    deadline_s : float
        Total time budget of one request, seconds, waits included; no attempt starts after it.
    max_backoff_s : float
        Cap of the exponential part, seconds (a ``Retry-After`` above it is still honoured).
    """

    retries: int = 2
    backoff_s: float = 0.25
    deadline_s: float = 30.0
    max_backoff_s: float = 8.0

    def pause_s(self, error: Transient, failures: int, busy: int, rng: random.Random) -> float:
        """Seconds to wait before the next attempt after ``error`` (``failures``/``busy`` so far, this one in)."""
        if error.busy:
            # The server's Retry-After already grows with its queue; growing it further here would make the
            # clients refused most often come back least often. Never earlier than asked; up to half again
            # later, to spread the returning clients.
            if error.retry_after_s is not None:
                return max(error.retry_after_s, self.backoff_s) * (1.0 + 0.5 * rng.random())
            return min(self.max_backoff_s, self.backoff_s * 2 ** (busy - 1)) * (1.0 + 0.5 * rng.random())
        return min(self.max_backoff_s, self.backoff_s * 2 ** (failures - 1)) * (0.75 + 0.5 * rng.random())


def parse_retry_after(value: str | None, now_s: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3); None if absent/bad.

    Parameters
    ----------
    value : str, optional
        The header's value.
    now_s : float, optional
        Current Unix time, seconds (tests); default ``time.time()``.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    seconds = when.timestamp() - (time.time() if now_s is None else now_s)
    return max(0.0, seconds) if math.isfinite(seconds) else None


class RetryLog:
    """Thread-safe tally of retries (load tests and benchmarks report it beside the errors)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.busy = 0  # retries after 503/429
        self.failed = 0  # retries after other transient failures
        self.wait_s = 0.0  # total seconds spent waiting before retries
        self.max_attempt = 0  # most retries one request needed

    def __call__(self, error: Transient, attempt: int, pause_s: float) -> None:
        with self._lock:
            if error.busy:
                self.busy += 1
            else:
                self.failed += 1
            self.wait_s += pause_s
            self.max_attempt = max(self.max_attempt, attempt)

    def snapshot(self) -> tuple[int, int, float]:
        """``(busy, failed, wait_s)`` now; subtract two snapshots for one run's figures."""
        with self._lock:
            return self.busy, self.failed, self.wait_s


def call_with_retries(attempt: Callable[[int], T], policy: RetryPolicy,
                      on_retry: Callable[[Transient, int, float], None] | None = None,
                      sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic, rng: random.Random | None = None) -> T:
    """Call ``attempt(n)`` (n = 0, 1, ...) until it returns, retrying on :class:`Transient` within ``policy``.

    ``on_retry(error, n, pause_s)`` is called before each retry. Any other exception propagates at once.
    Raises :class:`GaveUp` when the retries or the deadline are spent.
    """
    rng = rng or random.Random()
    started = clock()
    deadline = started + policy.deadline_s
    failures = busy = 0
    n = 0
    while True:
        try:
            return attempt(n)
        except Transient as error:
            busy += error.busy
            failures += not error.busy
            n += 1
            pause = policy.pause_s(error, failures, busy, rng)
            if failures > policy.retries:
                raise GaveUp(f"unavailable after {n} attempt{'s' if n > 1 else ''}: {error.problem}") from None
            if clock() + pause > deadline:
                raise GaveUp(f"unavailable: gave up after {n} attempt{'s' if n > 1 else ''} in {clock() - started:.1f} s "
                             f"(deadline {policy.deadline_s:g} s): {error.problem}") from None
            if on_retry is not None:
                on_retry(error, n, pause)
            sleep(pause)


def error_message(resp: object) -> str:
    """One line from an HTTP error response (anything with ``content``, ``headers`` and ``reason``, like a
    ``requests.Response``): see :func:`error_text`."""
    headers = getattr(resp, "headers", None) or {}
    return error_text(getattr(resp, "content", b"") or b"", headers.get("Content-Type", ""),
                      str(getattr(resp, "reason", "") or ""))


def error_text(content: bytes, content_type: str, reason: str) -> str:
    """One line (at most 200 characters) saying why a server refused a request: the JSON body's ``error`` or
    ``detail``, else the first line of a short plain-text body, else the HTTP reason phrase. An HTML page (a
    proxy's login page, a file server's 404) is never quoted: messages end up in dialogs and logs."""
    from inference.remote_errors import one_line

    message = ""
    try:
        data = json.loads(content[:65536])
        if isinstance(data, dict):
            message = str(data.get("error") or data.get("detail") or "")
    except (ValueError, UnicodeDecodeError, RecursionError):
        text = content[:1024].decode("utf-8", "replace").strip()
        if "html" not in content_type.lower() and not text.startswith("<"):
            message = text.splitlines()[0] if text else ""
    return one_line(message or reason or "no message")


_CONNECTION_PROBLEMS = ("Connection refused", "Connection reset", "Connection aborted", "RemoteDisconnected",
                        "Name or service not known", "No route to host")


def connection_problem(exc: BaseException) -> str:
    """A short name for a ``requests`` connection error ("connection refused", ...), else the exception type."""
    return next((m.lower() for m in _CONNECTION_PROBLEMS if m in str(exc)), type(exc).__name__)
