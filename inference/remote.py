"""Remote inference over the KServe V2 REST protocol (MLServer, Triton, KServe), and fallback to local.

``RemoteBackend`` speaks the standard protocol (``GET /v2/health/ready``, ``GET /v2/models/{name}``,
``POST /v2/models/{name}/infer``; tensors as JSON or with the binary data extension), so it works against our
``serve`` and against a Triton fleet built by ``export-triton``. On first use of a model it checks the server's
metadata against the local manifest (input names, datatypes, ranks, the sha256 where advertised): a server running
another model version is refused instead of silently producing different charts. Each answer is checked too:
outputs of the manifest's datatype and of the shape the request implies (:mod:`inference.remote_validate`).

Refused/reset connections, timeouts and 5xx (but 501 Not Implemented, which no retry changes) are retried a bounded
number of times; a busy server (503/429, load shedding) is retried after its ``Retry-After`` until a deadline
(:mod:`inference.serving.retry`). Each attempt is capped in time and size and can be cancelled
(:mod:`inference.remote_http`). Then :class:`ServerUnavailable` (or :class:`MalformedAnswer` for a wrong answer) is
raised and :class:`FallbackBackend` runs locally; :class:`RemoteRejected` (wrong token, model mismatch, not a V2
server, TLS, a redirect) is a configuration error that falling back would only hide (:mod:`inference.remote_errors`).
Inference is a pure function of its inputs, so a retry can neither duplicate nor lose notes. Each run checks the
model's metadata again (one small GET): a server swapped to another model mid-session is refused at the next draft
(not drafted with the local model's sha256 in the provenance). No message carries the client's own token.

Requests over the server's size limit (metadata ``max_request_bytes``, set by the user, or learnt from a 413 and kept
for later runs) are split by rows, exactly, and only a row too large alone along time (:mod:`inference.remote_split`);
so are requests of more rows than a Triton model's ``max_batch_size`` (read from its config). Answers that are not
200 become the errors of :mod:`inference.remote_status`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from inference.backends import BackendError
from inference.fallback import FallbackBackend
from inference.input_checks import InputError, validate_inputs
from inference.manifest import Manifest
from inference.remote_errors import (
    AuthError,
    MalformedAnswer,
    ModelMismatchError,
    NotV2Server,
    RemoteRejected,
    ServerUnavailable,
    one_line,
)
from inference.remote_http import POLL_S, Answer, Transport, normalise_url, token_problem
from inference.remote_split import BelowWindow, TooLarge, is_batch_broadcast, split_run
from inference.remote_status import limit_problem, status_problem, triton_config
from inference.remote_validate import (
    advertised_limit,
    answer_limit,
    batch_first,
    check_metadata,
    check_outputs,
    metadata_problem,
    trailing_axes,
)
from inference.serving import retry
from inference.serving.binary import BROADCAST_PARAMETER, decode_binary_response, encode_binary_request
from inference.serving.server import model_name
from inference.serving.v2 import V2FormatError, decode_response, encode_request, loads

__all__ = ["AuthError", "FallbackBackend", "MalformedAnswer", "ModelMismatchError", "NotV2Server", "RemoteBackend",
           "RemoteRejected", "ServerUnavailable", "check_metadata", "normalise_url", "token_problem"]

META_BYTES = 1 << 20  # metadata, config and health answers are a few KiB
META_CAP_S = 10.0  # most seconds a metadata, config or health answer may take (they are a few KiB)


class RemoteBackend:
    """Backend that runs models on a KServe V2 server.

    Parameters
    ----------
    url : str
        ``http(s)://host:port`` of the server (no credentials in it: see :func:`normalise_url`).
    token : str, optional
        Bearer token sent as ``Authorization: Bearer ...`` (visible ASCII only: see :func:`token_problem`).
    timeout_s, connect_timeout_s : float
        Seconds one attempt may take in all (sending, the server's work, the whole answer), and the TCP connect
        timeout. A server that drips its answer is given up on after ``timeout_s``.
    retries : int
        Extra attempts after a failure (connection, timeout, 5xx): ``retries + 1`` attempts in all.
    backoff_s : float
        First pause between attempts; doubled each time, with jitter.
    deadline_s : float
        Seconds one request may spend in all, waits included; a busy server (503/429) is retried after its
        ``Retry-After`` until then. No attempt starts after it, so a request ends within ``deadline_s`` plus
        ``timeout_s``.
    on_retry : callable, optional
        Called as ``on_retry(error, attempt, pause_s)`` before each retry (load tests count them).
    max_request_bytes : int, optional
        Split requests above this size; default: what the server advertises, else unlimited until a 413.
    on_request : callable, optional
        Called with the body size in bytes before each request (tests, benchmarks).
    binary : bool
        Send tensors with the binary data extension (Triton's; our server supports it too) instead of JSON
        numbers: ~3x fewer bytes and no number parsing on the server.
    recheck_s : float
        A run that starts this long after the last check of its model's metadata checks it again (one small GET;
        default: every run, so a server swapped to another model between two drafts is refused at the second).
    on_note : callable, optional
        Called with a one-line note when a request had to be split along time (its answer may then differ from
        one pass); the CLI prints it as a warning.
    """

    def __init__(self, url: str, token: str | None = None, *, timeout_s: float = 60.0,
                 connect_timeout_s: float = 3.0, retries: int = 2, backoff_s: float = 0.25,
                 deadline_s: float = 30.0, max_request_bytes: int | None = None,
                 on_request: Callable[[int], None] | None = None, binary: bool = True,
                 on_retry: Callable[[retry.Transient, int, float], None] | None = None, recheck_s: float = 0.0,
                 on_note: Callable[[str], None] | None = None) -> None:
        self.url = normalise_url(url)
        if token and (problem := token_problem(token)):
            raise ValueError(f"the token {problem}")
        # identity: a compressed answer would defeat the byte cap on what is read
        self._headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
        self.timeout_s = timeout_s
        self._http = Transport(connect_timeout_s, timeout_s, token or None)
        self.policy = retry.RetryPolicy(max(0, retries), backoff_s, deadline_s)
        self.on_retry = on_retry
        self.max_request_bytes = max_request_bytes
        self.on_request = on_request
        self.binary = binary
        self.recheck_s = recheck_s
        self.on_note = on_note
        self._local = threading.local()  # the calling thread's cancel check, and whether its run split along time
        self._checked: dict[tuple[str, str], dict[str, Any]] = {}
        self._checked_at: dict[tuple[str, str], float] = {}
        self._axes: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}  # Triton's [B, 1] inputs
        self._max_rows: dict[tuple[str, str], int | None] = {}  # Triton's max_batch_size: rows a request may carry
        self._unverified: set[str] = set()  # models whose server reported no sha256
        self._learnt_limit: int | None = None  # from a 413: kept, so the next run does not send too much again
        self._refused: int | None = None  # the smallest request a 413 refused (for messages)
        self._server = ""

    # ------------------------------------------------------------------ protocol
    def describe(self) -> str:
        """``"remote KServe V2 http://host:8080 (genelive-mlserver 1.7.1)"``; in the thread of a run that was split
        along time (the drafter's provenance) ``"; chunked in time"`` follows, and for a server that reported no
        sha256 for a model, that it was not verified."""
        notes = [self._server] if self._server else []
        if self._unverified:
            notes.append(f"sha256 of {', '.join(sorted(self._unverified))} not reported by the server")
        line = f"remote KServe V2 {self.url}" + (f" ({'; '.join(notes)})" if notes else "")
        return line + ("; chunked in time" if getattr(self._local, "time_split", False) else "")

    @contextlib.contextmanager
    def cancel_scope(self, check: Callable[[], None]) -> Iterator[None]:
        """While the block runs, requests made from this thread call ``check()`` every :data:`POLL_S` seconds
        while they wait for the server (and during pauses between retries); what it raises ends the request at
        once (the drafter passes its cancel token's ``check``). See :func:`inference.backends.cancel_scope`."""
        previous = getattr(self._local, "check", None)
        self._local.check = check
        try:
            yield
        finally:
            self._local.check = previous

    def run(self, manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run on the server; see :class:`~inference.backends.Backend`."""
        self._local.time_split = False
        with self._redacted():
            return self._run(manifest, inputs)

    def _run(self, manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        meta = self._connect(manifest, self.recheck_s)
        params = meta.get("parameters") or {}
        # Rows repeated along the batch (np.broadcast_to views: the drafter's slots share one song's features)
        # are sent once when the server can repeat them (our server; not Triton).
        broadcast = [k for k, v in inputs.items() if params.get("batch_broadcast") and is_batch_broadcast(v)]
        feeds = validate_inputs(manifest, {k: (v[:1] if k in broadcast else v) for k, v in inputs.items()})
        batch = next((int(np.shape(v)[0]) for v in inputs.values() if np.ndim(v)), None) \
            if batch_first(manifest) else None
        limit = self.max_request_bytes or advertised_limit(meta)
        source = "set" if self.max_request_bytes else "advertised"
        if self._learnt_limit and (limit is None or self._learnt_limit < limit):
            limit, source = self._learnt_limit, "refused"
        name = model_name(manifest)
        refused = self._refused
        for _ in range(30):  # each 413 takes a quarter off the limit: 30 rounds make it ~4000x smaller
            try:
                return split_run(manifest, feeds, limit, broadcast, batch, self.binary,
                                 lambda part, rows, frames: self._infer(manifest, name, part, broadcast, rows, frames),
                                 lambda count, context, at: self._note_time_split(name, at, count, context),
                                 self._max_rows.get((name, manifest.sha256)))
            except TooLarge as exc:
                size = int(str(exc) or 0)
                refused = self._refused = min(refused or size, size)
                limit = self._learnt_limit = max(1, (min(limit, size) if limit else size) * 3 // 4)
                source = "refused"
            except BelowWindow as exc:  # no split goes under it: say what the model needs (nothing was sent)
                at = refused if source == "refused" and refused else exc.limit
                raise RemoteRejected(limit_problem(self.url, name, exc.need, at, source)) from None
        raise InputError(f"the server at {self.url} refuses requests this large even when split")

    # ------------------------------------------------------------------ connection
    def ready(self) -> bool:
        """One quick ``GET /v2/health/ready`` (no retries)."""
        try:
            self.health()
        except Exception:
            return False
        return True

    def health(self) -> None:
        """``GET /v2/health/ready`` once (at most 10 s); raises why the server is not ready, as the error class
        that says what it means: :class:`ServerUnavailable` (down, busy, failing), :class:`NotV2Server`, or
        another :class:`RemoteRejected` (TLS, a redirect)."""
        with self._redacted():
            self._request("GET", "/v2/health/ready", retries=0, deadline_s=0.0, cap_s=min(self.timeout_s, META_CAP_S))

    def connect(self, manifest: Manifest) -> dict[str, Any]:
        """Fetch and check the server's metadata for ``manifest``'s model (cached per model name and sha; a run
        checks it again after ``recheck_s``)."""
        with self._redacted():
            return self._connect(manifest, None)

    def _connect(self, manifest: Manifest, max_age_s: float | None) -> dict[str, Any]:
        name = model_name(manifest)
        key = (name, manifest.sha256)
        at = self._checked_at.get(key)
        if at is None or (max_age_s is not None and time.monotonic() - at >= max_age_s):
            self._checked_at.pop(key, None)  # a failed check leaves nothing behind: the next run asks again
            meta = self._json("GET", f"/v2/models/{name}")
            if problem := metadata_problem(meta):
                raise ModelMismatchError(f"server {self.url} sent malformed metadata for {name}: {problem}")
            sha, rows = (meta.get("parameters") or {}).get("sha256"), None
            if not sha:  # Triton keeps parameters in the model config (export-triton writes the sha256 there)
                sha, rows = self._triton_config(name)
            check_metadata(manifest, meta, sha, where=f"server {self.url}")
            if sha:
                self._unverified.discard(name)
            else:
                self._unverified.add(name)
            self._checked[key], self._axes[key] = meta, trailing_axes(manifest, meta)
            self._max_rows[key] = rows
            self._checked_at[key] = time.monotonic()
            if not self._server:
                self._server = self._server_line()
        return self._checked[key]

    def _server_line(self) -> str:
        try:
            info = self._json("GET", "/v2", retries=0)
        except (RemoteRejected, ServerUnavailable):
            return ""
        if not isinstance(info, dict):
            return ""
        return one_line(f"{info.get('name', '?')} {info.get('version', '')}", 60).strip()

    def _triton_config(self, name: str) -> tuple[str | None, int | None]:
        """The sha256 and ``max_batch_size`` of a Triton model's config (:func:`~inference.remote_status.
        triton_config`); none when the server has no config route."""
        try:
            return triton_config(self._json("GET", f"/v2/models/{name}/config", retries=0))
        except (RemoteRejected, ServerUnavailable):
            return None, None

    # ------------------------------------------------------------------ requests
    def _json(self, method: str, path: str, retries: int | None = None) -> Any:
        """A GET answered with JSON (within :data:`META_CAP_S` an attempt: a server that takes longer for a few KiB
        is as good as down); an answer that is not JSON means the URL is not a V2 server."""
        try:
            return loads(self._request(method, path, retries=retries, cap_s=min(self.timeout_s, META_CAP_S)))
        except V2FormatError:
            raise NotV2Server(f"{self.url} is not a KServe V2 server: its answer to {path} is not JSON") from None

    def _request(self, method: str, path: str, body: bytes | None = None, retries: int | None = None,
                 headers: dict[str, str] | None = None, *, max_bytes: int = META_BYTES,
                 deadline_s: float | None = None, cap_s: float | None = None) -> bytes:
        return self._response(method, path, body, retries, headers, max_bytes=max_bytes, deadline_s=deadline_s,
                              cap_s=cap_s).content

    def _response(self, method: str, path: str, body: bytes | None = None, retries: int | None = None,
                  headers: dict[str, str] | None = None, *, max_bytes: int = META_BYTES,
                  deadline_s: float | None = None, cap_s: float | None = None) -> Answer:
        policy = self.policy if retries is None else dataclasses.replace(self.policy, retries=retries)
        if deadline_s is not None:
            policy = dataclasses.replace(policy, deadline_s=deadline_s)
        check: Callable[[], None] | None = getattr(self._local, "check", None)
        cap = cap_s or self.timeout_s  # also told to the server, which does not queue what it cannot answer in it

        def attempt(n: int) -> Answer:
            return self._attempt(method, path, body, {**self._headers, **(headers or {}), retry.TIMEOUT_HEADER:
                                                      f"{cap:g}", **({retry.RETRY_HEADER: str(n)} if n else {})},
                                 max_bytes, cap, check)

        try:
            return retry.call_with_retries(attempt, policy, self.on_retry, sleep=_sleeper(check))
        except retry.GaveUp as exc:
            raise ServerUnavailable(f"server {self.url} {exc}") from None

    def _attempt(self, method: str, path: str, body: bytes | None, headers: dict[str, str], max_bytes: int,
                 cap_s: float, check: Callable[[], None] | None) -> Answer:
        """One request: the answer on 200; :class:`~inference.serving.retry.Transient` to retry; a final error raised."""
        if body is not None and self.on_request is not None:
            self.on_request(len(body))
        answer = self._http.fetch(method, self.url, path, body, headers, cap_s=cap_s, max_bytes=max_bytes,
                                  check=check)
        if answer.status_code == 200:
            return answer
        problem = status_problem(self.url, answer, path, body, self._scrub(retry.error_message(answer)),
                                 bool(self._http.token))
        raise retry.Transient(problem, busy=answer.status_code in retry.BUSY_STATUS,
                              retry_after_s=retry.parse_retry_after(answer.headers.get("Retry-After")))

    def _scrub(self, text: str) -> str:
        """``text`` without the client's own token: a gateway that quotes the Authorization header back in its
        error put the token into messages, dialogs and logs."""
        token = self._http.token
        return text.replace(token, "[token]") if token and len(token) >= 4 else text

    @contextlib.contextmanager
    def _redacted(self) -> Iterator[None]:
        """Errors leaving the backend carry no token (:meth:`_scrub`), whatever server text they quote."""
        try:
            yield
        except (BackendError, InputError) as exc:
            text = str(exc)
            if (clean := self._scrub(text)) == text:
                raise
            raise type(exc)(clean) from None

    # ------------------------------------------------------------------ splitting
    def _note_time_split(self, name: str, limit: int, count: int, context: int) -> None:
        """Say once per run that its answer may differ from one pass (and mark the provenance: :meth:`describe`)."""
        if getattr(self._local, "time_split", False):
            return
        self._local.time_split = True
        if self.on_note is not None:
            self.on_note(f"one row of the {name} model's input is over the server's request limit of "
                         f"{limit / (1 << 20):.1f} MiB at {self.url}: it went in {count} pieces along time with "
                         f"{context} frames of context each side, so the answer may differ from one pass near the "
                         "joins")

    def _infer(self, manifest: Manifest, name: str, feeds: dict[str, np.ndarray], broadcast: list[str],
               batch: int | None, frames: int | None) -> dict[str, np.ndarray]:
        """One infer request; its answer checked (:func:`~inference.remote_validate.check_outputs`)."""
        outputs = [s.name for s in manifest.outputs]
        added, dropped = self._axes.get((name, manifest.sha256), (frozenset(), frozenset()))
        feeds = {k: (v[..., None] if k in added else v) for k, v in feeds.items()}  # Triton's [B, 1] per-item inputs
        headers = None
        if self.binary:
            body, header_length = encode_binary_request(feeds, outputs, broadcast)
            headers = {"Inference-Header-Content-Length": str(header_length),
                       "Content-Type": "application/octet-stream"}
        else:
            body = encode_request(feeds, outputs, parameters={BROADCAST_PARAMETER: broadcast} if broadcast else None)
        limit = answer_limit(manifest, batch, frames, len(body))
        answer = self._response("POST", f"/v2/models/{name}/infer", body, headers=headers, max_bytes=limit)
        try:
            length = answer.headers.get("Inference-Header-Content-Length")
            result = (decode_binary_response(answer.content, int(length)) if length and length.isdigit()
                      else decode_response(answer.content))
        except V2FormatError as exc:
            raise MalformedAnswer(f"server {self.url} sent a malformed response: {exc}") from None
        if missing := [o for o in outputs if o not in result]:
            raise MalformedAnswer(f"server {self.url} did not return outputs {missing}")
        for k in dropped & set(outputs):
            if result[k].ndim and result[k].shape[-1] == 1:
                result[k] = result[k][..., 0]
        check_outputs(f"server {self.url}", manifest, result, batch, frames)
        return {k: result[k] for k in outputs}


def _sleeper(check: Callable[[], None] | None) -> Callable[[float], None]:
    """``time.sleep`` for pauses between retries, calling ``check`` every :data:`POLL_S` when there is one."""
    if check is None:
        return time.sleep

    def sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            check()
            time.sleep(min(POLL_S, left))
        check()

    return sleep
