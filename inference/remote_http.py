"""One HTTP attempt of :class:`inference.remote.RemoteBackend`: bounded in time and in size, cancellable, and sent
only where the user pointed it.

* **Time.** ``requests``' timeout applies to each socket read, so a server that dripped its answer one byte a
  second was never given up on. Here the request runs in a worker thread that streams the body; the calling thread
  waits at most ``cap_s`` for the whole answer (headers and body) and then raises
  :class:`~inference.serving.retry.Transient`. So a request ends within the retry deadline plus one ``cap_s``.
* **Cancel.** While it waits, the calling thread polls an optional ``check()`` (the drafter's cancel token raises
  from it), so Cancel in the editor takes effect within :data:`POLL_S` even when the server never answers.
  An abandoned worker stops at its next read (at most one socket read timeout later) and closes its session.
* **Size.** A body larger than ``max_bytes`` (derived by the caller from the outputs the request can produce) is
  refused as :class:`~inference.remote_errors.MalformedAnswer` as soon as it passes the limit.
* **Where.** Redirects are not followed (:class:`~inference.remote_errors.RedirectRefused` names the target):
  the bearer token goes to the URL the user gave and nowhere else, and a followed redirect used to make another
  host's 401 read as "the server refused the token". The bearer header is set by an auth hook, so neither
  credentials in a URL nor ``~/.netrc`` can replace it with Basic auth. A TLS failure is
  :class:`~inference.remote_errors.TlsError`: not retried, not a fallback reason.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from inference.remote_errors import MalformedAnswer, RedirectRefused, TlsError, one_line
from inference.serving import retry

POLL_S = 0.05  # how often a waiting caller checks its cancel check
ERROR_BODY_BYTES = 64 * 1024  # what is read of a non-200 answer (enough for its message)
_READ_BYTES = 1 << 16
_IDLE_SESSIONS = 8


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer: status, headers (case-insensitive mapping), body."""

    status_code: int
    reason: str
    headers: Mapping[str, str]
    content: bytes


class _Stopped(Exception):
    """The caller gave up on this attempt (cancelled or over its time cap)."""


class Transport:
    """HTTP requests for one server: a small pool of ``requests`` sessions, one attempt per :meth:`fetch`.

    Parameters
    ----------
    connect_timeout_s, read_timeout_s : float
        TCP connect timeout and the timeout of each socket read, seconds (the whole answer is bounded by
        :meth:`fetch`'s ``cap_s``).
    token : str, optional
        Sent as ``Authorization: Bearer ...`` on every request.
    """

    def __init__(self, connect_timeout_s: float, read_timeout_s: float, token: str | None = None) -> None:
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.token = token
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def fetch(self, method: str, base: str, path: str, body: bytes | None, headers: dict[str, str], *,
              cap_s: float, max_bytes: int, check: Callable[[], None] | None = None) -> Answer:
        """One attempt: the complete answer, whatever its status (the caller decides what a status means).

        Raises :class:`~inference.serving.retry.Transient` (no connection, a timeout, the connection broke),
        :class:`TlsError`, :class:`RedirectRefused`, :class:`MalformedAnswer` (a body over ``max_bytes``), or
        whatever ``check()`` raises."""
        until = time.monotonic() + cap_s
        stop = threading.Event()
        done = threading.Event()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["answer"] = self._fetch_now(method, base, path, body, headers, max_bytes, stop)
            except BaseException as exc:  # handed to the caller's thread
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name="genelive-remote-request", daemon=True).start()
        try:
            while not done.wait(min(POLL_S, max(0.0, until - time.monotonic()))):
                if check is not None:
                    check()
                if time.monotonic() >= until:
                    raise retry.Transient(f"no answer within {cap_s:g} s")
        finally:
            if not done.is_set():
                stop.set()
        if "error" in box:
            raise box["error"]
        return box["answer"]

    # ------------------------------------------------------------------ worker side
    def _fetch_now(self, method: str, base: str, path: str, body: bytes | None, headers: dict[str, str],
                   max_bytes: int, stop: threading.Event) -> Answer:
        import requests

        session = self._take()
        reusable = False
        try:
            try:
                resp = session.request(method, base + path, data=body, headers=headers, timeout=self.timeout,
                                       stream=True, allow_redirects=False, auth=self._auth)
            except requests.exceptions.SSLError as exc:
                raise tls_error(base, exc) from None
            except requests.Timeout:
                raise retry.Transient(f"no answer within {self.timeout[1]:g} s") from None
            except requests.RequestException as exc:
                raise retry.Transient(retry.connection_problem(exc)) from None
            with resp:  # a body read to its end has released its connection to the pool already (keep-alive)
                if resp.is_redirect:
                    raise redirect_refused(base, resp.status_code, resp.headers.get("Location", ""))
                ok = resp.status_code == 200
                content = _read_body(f"server {base}: the answer to {path}", resp,
                                     max_bytes if ok else ERROR_BODY_BYTES, ok, stop)
            reusable = True
            return Answer(resp.status_code, str(resp.reason or ""), resp.headers, content)
        finally:
            self._give_back(session, reusable and not stop.is_set())

    def _auth(self, request: Any) -> Any:
        """``requests`` auth hook: the bearer token, or no Authorization header at all (not Basic auth from a URL
        or ``~/.netrc``, which ``requests`` would otherwise add)."""
        if self.token:
            request.headers["Authorization"] = f"Bearer {self.token}"
        else:
            request.headers.pop("Authorization", None)
        return request

    def _take(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        import requests

        return requests.Session()

    def _give_back(self, session: Any, reusable: bool) -> None:
        with self._lock:
            if reusable and len(self._idle) < _IDLE_SESSIONS:
                self._idle.append(session)
                return
        session.close()


def _read_body(what: str, resp: Any, max_bytes: int, strict: bool, stop: threading.Event) -> bytes:
    """The body, one socket read at a time (so ``stop`` is seen between reads); over ``max_bytes``: refused when
    ``strict`` (a result), else cut (an error page: its first bytes carry the message)."""
    import urllib3

    declared = resp.headers.get("Content-Length", "")
    if strict and declared.isdigit() and int(declared) > max_bytes:
        raise MalformedAnswer(f"{what} is {int(declared)} bytes, more than it can hold ({max_bytes})")
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            if stop.is_set():
                raise _Stopped
            chunk = resp.raw.read1(_READ_BYTES, decode_content=True)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                if strict:
                    raise MalformedAnswer(f"{what} is more than the {max_bytes} bytes it can hold")
                return b"".join(parts)[:max_bytes]
    except urllib3.exceptions.ReadTimeoutError:
        raise retry.Transient("the answer stopped coming") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise retry.Transient(f"the connection broke while reading the answer ({type(exc).__name__})") from None


def tls_error(url: str, exc: BaseException) -> TlsError:
    """One line for a failed https handshake; an untrusted certificate says how to trust it."""
    text = str(exc)
    found = re.search(r"certificate verify failed: ([^(')\]]+)", text)
    if found or "CERTIFICATE_VERIFY_FAILED" in text:
        reason = found.group(1).strip() if found else "certificate verify failed"
        return TlsError(f"TLS certificate not trusted for {url}: {reason}; set REQUESTS_CA_BUNDLE to your CA file")
    inner = re.search(r"\[SSL[^\]]*\] ([^(')\]]+)", text)
    return TlsError(f"TLS handshake with {url} failed: {one_line(inner.group(1) if inner else type(exc).__name__, 120)}"
                    " (is it an https server?)")


def redirect_refused(url: str, status: int, location: str) -> RedirectRefused:
    """One line naming where the server redirects to (without credentials, query or the V2 route), so the user can
    point the backend there."""
    parts = urlsplit(location)
    where = "another address"
    if parts.scheme in ("http", "https") and parts.hostname:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        base = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
        path = parts.path.split("/v2", 1)[0].rstrip("/")
        where = one_line(base + path, 160)
    elif location.startswith("/"):
        where = one_line(url + location.split("/v2", 1)[0].rstrip("/"), 160)
    return RedirectRefused(f"server {url} answered a redirect (HTTP {status}) to {where}; use that URL "
                           "(redirects are not followed, so the token goes nowhere else)")


def normalise_url(url: str) -> str:
    """``host:port`` -> ``http://host:port``; refuse anything that is not an http(s) base URL.

    Credentials in the URL (``http://alice:pw@host``) are refused: they would show in every message, the
    provenance of each draft and the editor's settings file, and ``requests`` would send them as Basic auth in
    place of the bearer token. IPv6 addresses go in brackets (``http://[::1]:8080``). A trailing ``/v2`` (the
    protocol's prefix, which every route adds) is dropped: ``http://host:8080/v2`` -> ``http://host:8080``.
    """
    text = (url or "").strip()
    if not text:  # the editor's Remote server choice with its URL field left empty
        raise ValueError("no server URL given (e.g. http://127.0.0.1:8080)")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if "@" in parts.netloc:
        raise ValueError("the server URL must not hold a user name or password: put the token in a token file, "
                         "not in the URL")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
        host = parts.hostname
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host:
        hint = " (put an IPv6 address in brackets: http://[::1]:8080)" if parts.netloc.count(":") > 1 else ""
        raise ValueError(f"not an http(s) server URL: {one_line(url, 120)!r}{hint}")
    if parts.query or parts.fragment:
        raise ValueError(f"server URL must not have a query or fragment: {one_line(url, 120)!r}")
    text = text.rstrip("/")
    if parts.path.rstrip("/").lower().endswith("/v2"):  # the V2 routes' prefix: the client adds it to every route
        text = text[:-3].rstrip("/")
    return text


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be a bearer token, or None: HTTP headers carry visible ASCII only (a token with other
    characters failed at request time with a codec error)."""
    if not token:
        return "is empty"
    if any(not 0x21 <= ord(c) <= 0x7E for c in token):
        return "must be visible ASCII characters only (no spaces or other characters: HTTP headers carry no others)"
    return None
