"""Remote inference over the KServe V2 REST protocol (MLServer, Triton, KServe), and fallback to local.

``RemoteBackend`` speaks the standard protocol (``GET /v2/health/ready``, ``GET /v2/models/{name}``,
``POST /v2/models/{name}/infer``; tensors as JSON or with the binary data extension), so it works against our
``serve`` and against a Triton fleet built by ``export-triton``. On first use of a model it checks the server's
metadata against the local manifest (input names, datatypes, ranks, the sha256 where advertised): a server running
another model version is refused instead of silently producing different charts.

Refused/reset connections, timeouts and 5xx are retried a bounded number of times; a busy server (503/429, load
shedding) is retried after its ``Retry-After`` until a deadline (:mod:`inference.serving.retry`). Then
:class:`ServerUnavailable` is raised and :class:`FallbackBackend` runs locally; :class:`RemoteRejected` (wrong
token, model mismatch) is a configuration error that falling back would only hide. Inference is a pure function of
its inputs, so a retry can neither duplicate nor lose notes.

Requests over the server's size limit (metadata ``max_request_bytes``, set by the user, or learnt from a 413) are
split along time; each chunk carries ``context_frames`` of extra frames per side, trimmed from its output, so for
a model whose receptive field fits the context the joined result equals the unchunked one.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from inference import time_chunks
from inference.backends import Backend, BackendError
from inference.input_checks import InputError, validate_inputs
from inference.manifest import Manifest
from inference.serving import retry
from inference.serving.binary import BROADCAST_PARAMETER, decode_binary_response, encode_binary_request
from inference.serving.server import model_name
from inference.serving.v2 import V2FormatError, datatype_of, decode_response, encode_request, loads

_TRANSIENT_STATUS = (408, 429, 500, 502, 503, 504)


class ServerUnavailable(BackendError):
    """The server could not be reached or kept failing after the allowed retries."""


class RemoteRejected(BackendError):
    """The server refused the request for a reason retrying or falling back would hide."""


class AuthError(RemoteRejected):
    """Missing or wrong bearer token (HTTP 401/403)."""


class ModelMismatchError(RemoteRejected):
    """The server's model is not the one the local manifest describes (or is not there)."""


class _TooLarge(Exception):
    """HTTP 413: the request must be split along time."""


class RemoteBackend:
    """Backend that runs models on a KServe V2 server.

    Parameters
    ----------
    url : str
        ``http(s)://host:port`` of the server.
    token : str, optional
        Bearer token sent as ``Authorization: Bearer ...``.
    timeout_s, connect_timeout_s : float
        Read timeout per request and TCP connect timeout, seconds.
    retries : int
        Extra attempts after a failure (connection, timeout, 5xx): ``retries + 1`` attempts in all.
    backoff_s : float
        First pause between attempts; doubled each time, with jitter.
    deadline_s : float
        Seconds one request may spend in all, waits included; a busy server (503/429) is retried after its
        ``Retry-After`` until then. No attempt starts after it.
    on_retry : callable, optional
        Called as ``on_retry(error, attempt, pause_s)`` before each retry (load tests count them).
    max_request_bytes : int, optional
        Split requests above this size; default: what the server advertises, else unlimited until a 413.
    on_request : callable, optional
        Called with the body size in bytes before each request (tests, benchmarks).
    binary : bool
        Send tensors with the binary data extension (Triton's; our server supports it too) instead of JSON
        numbers: ~3x fewer bytes and no number parsing on the server.
    """

    def __init__(self, url: str, token: str | None = None, *, timeout_s: float = 60.0,
                 connect_timeout_s: float = 3.0, retries: int = 2, backoff_s: float = 0.25,
                 deadline_s: float = 30.0, max_request_bytes: int | None = None,
                 on_request: Callable[[int], None] | None = None, binary: bool = True,
                 on_retry: Callable[[retry.Transient, int, float], None] | None = None) -> None:
        self.url = normalise_url(url)
        self._headers = {"Content-Type": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self.timeout = (connect_timeout_s, timeout_s)
        self.policy = retry.RetryPolicy(max(0, retries), backoff_s, deadline_s)
        self.on_retry = on_retry
        self.max_request_bytes = max_request_bytes
        self.on_request = on_request
        self.binary = binary
        self._local = threading.local()
        self._checked: dict[tuple[str, str], dict[str, Any]] = {}
        self._server = ""

    # ------------------------------------------------------------------ protocol
    def describe(self) -> str:
        """``"remote KServe V2 http://host:8080 (genelive-mlserver 1.7.1)"``."""
        return f"remote KServe V2 {self.url}" + (f" ({self._server})" if self._server else "")

    def run(self, manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run on the server; see :class:`~inference.backends.Backend`."""
        meta = self.connect(manifest)
        params = meta.get("parameters") or {}
        # Rows repeated along the batch (np.broadcast_to views: the drafter's slots share one song's features)
        # are sent once when the server can repeat them (our server; not Triton).
        broadcast = [k for k, v in inputs.items() if params.get("batch_broadcast") and _is_batch_broadcast(v)]
        feeds = validate_inputs(manifest, {k: (v[:1] if k in broadcast else v) for k, v in inputs.items()})
        limit = self.max_request_bytes or int(params.get("max_request_bytes") or 0) or None
        name = model_name(manifest)
        for _ in range(12):  # each round halves the limit after a 413; 12 halvings is 4096x smaller
            try:
                return self._run_chunked(manifest, name, feeds, limit, broadcast)
            except _TooLarge as exc:
                size = int(str(exc) or 0)
                limit = max(1, (min(limit, size) if limit else size) // 2)
        raise InputError(f"the server at {self.url} refuses requests this large even when split")

    # ------------------------------------------------------------------ connection
    def ready(self) -> bool:
        """One quick ``GET /v2/health/ready`` (no retries)."""
        try:
            return self._session().get(f"{self.url}/v2/health/ready", timeout=self.timeout).status_code == 200
        except Exception:
            return False

    def connect(self, manifest: Manifest) -> dict[str, Any]:
        """Fetch and check the server's metadata for ``manifest``'s model (cached per model name and sha)."""
        name = model_name(manifest)
        key = (name, manifest.sha256)
        if key not in self._checked:
            meta = loads(self._request("GET", f"/v2/models/{name}"))
            if not isinstance(meta, dict):
                raise ModelMismatchError(f"server {self.url} sent malformed metadata for {name}")
            check_metadata(manifest, meta, self._triton_sha(name, meta))
            self._checked[key] = meta
            if not self._server:
                self._server = self._server_line()
        return self._checked[key]

    def _server_line(self) -> str:
        try:
            info = loads(self._request("GET", "/v2"))
            return f"{info.get('name', '?')} {info.get('version', '')}".strip()
        except (BackendError, V2FormatError, AttributeError):
            return ""

    def _triton_sha(self, name: str, meta: dict[str, Any]) -> str | None:
        """Triton keeps parameters in the model config (``export-triton`` writes sha256 there)."""
        if (meta.get("parameters") or {}).get("sha256"):
            return None
        try:
            config = loads(self._request("GET", f"/v2/models/{name}/config", retries=0))
            return str(config["parameters"]["sha256"]["string_value"])
        except (BackendError, V2FormatError, KeyError, TypeError):
            return None

    # ------------------------------------------------------------------ requests
    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = self._local.session = requests.Session()
        return session

    def _request(self, method: str, path: str, body: bytes | None = None, retries: int | None = None,
                 headers: dict[str, str] | None = None) -> bytes:
        return self._response(method, path, body, retries, headers).content

    def _response(self, method: str, path: str, body: bytes | None = None, retries: int | None = None,
                  headers: dict[str, str] | None = None) -> Any:
        policy = self.policy if retries is None else dataclasses.replace(self.policy, retries=retries)

        def attempt(n: int) -> Any:
            return self._attempt(method, path, body, {**self._headers, **(headers or {}),
                                                      **({retry.RETRY_HEADER: str(n)} if n else {})})

        try:
            return retry.call_with_retries(attempt, policy, self.on_retry)
        except retry.GaveUp as exc:
            raise ServerUnavailable(f"server {self.url} {exc}") from None

    def _attempt(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
        """One request: the response on 200; :class:`~inference.serving.retry.Transient` to retry; a final error raised."""
        import requests

        if body is not None and self.on_request is not None:
            self.on_request(len(body))
        try:
            resp = self._session().request(method, self.url + path, data=body, headers=headers,
                                           timeout=self.timeout)
        except requests.Timeout:
            raise retry.Transient(f"no answer within {self.timeout[1]:g} s") from None
        except requests.RequestException as exc:
            raise retry.Transient(retry.connection_problem(exc)) from None
        if resp.status_code == 200:
            return resp
        problem = self._status_problem(resp, body)
        raise retry.Transient(problem, busy=resp.status_code in retry.BUSY_STATUS,
                        retry_after_s=retry.parse_retry_after(resp.headers.get("Retry-After")))

    def _status_problem(self, resp: Any, body: bytes | None) -> str:
        """Raise for final answers; return a description of transient ones (to retry)."""
        message = retry.error_message(resp)
        code = resp.status_code
        if code in (401, 403):
            raise AuthError(f"server {self.url} refused the token (HTTP {code}): {message}")
        if code == 413:
            raise _TooLarge(str(len(body or b"")))
        if code == 404:
            raise ModelMismatchError(f"server {self.url}: {message} (HTTP 404)")
        if code in (400, 422):
            raise InputError(f"server {self.url} rejected the request: {message}")
        if code not in _TRANSIENT_STATUS:
            raise RemoteRejected(f"server {self.url} answered HTTP {code}: {message}")
        return f"HTTP {code}: {message}"

    # ------------------------------------------------------------------ chunking
    def _run_chunked(self, manifest: Manifest, name: str, feeds: dict[str, np.ndarray],
                     limit: int | None, broadcast: list[str]) -> dict[str, np.ndarray]:
        outputs = [s.name for s in manifest.outputs]
        timed = time_chunks.time_inputs(manifest, feeds)
        n_frames = next(iter(feeds[n].shape[1] for n in timed), 0) if timed else 0
        if limit is None or not timed or n_frames <= 1:
            return self._infer(name, feeds, outputs, broadcast)
        per_frame = self._bytes_per_frame(feeds, timed)
        if per_frame * n_frames + 4096 <= limit:
            return self._infer(name, feeds, outputs, broadcast)
        context = time_chunks.context_frames(manifest)
        frames = int((limit - 4096) * 0.9 / per_frame) - 2 * context
        if frames < 8:
            raise _TooLarge(str(limit))
        pieces: list[dict[str, np.ndarray]] = []
        length = frames + 2 * context
        for w in time_chunks.plan(n_frames, length, context):  # the same windows as the drafter's on a GPU
            part = {k: (v[:, w.lo:w.lo + length] if k in timed else v) for k, v in feeds.items()}
            out = self._infer(name, part, outputs, broadcast)
            pieces.append({k: _trim(v, w.keep_lo - w.lo, w.keep_hi - w.keep_lo) for k, v in out.items()})
        return {k: np.concatenate([p[k] for p in pieces], axis=1) for k in outputs}

    def _infer(self, name: str, feeds: dict[str, np.ndarray], outputs: list[str],
               broadcast: list[str]) -> dict[str, np.ndarray]:
        headers = None
        if self.binary:
            body, header_length = encode_binary_request(feeds, outputs, broadcast)
            headers = {"Inference-Header-Content-Length": str(header_length),
                       "Content-Type": "application/octet-stream"}
        else:
            body = encode_request(feeds, outputs, parameters={BROADCAST_PARAMETER: broadcast} if broadcast else None)
        try:
            resp = self._response("POST", f"/v2/models/{name}/infer", body, headers=headers)
            length = resp.headers.get("Inference-Header-Content-Length")
            result = (decode_binary_response(resp.content, int(length)) if length and length.isdigit()
                      else decode_response(resp.content))
        except V2FormatError as exc:
            raise ServerUnavailable(f"server {self.url} sent a malformed response: {exc}") from exc
        if missing := [o for o in outputs if o not in result]:
            raise ModelMismatchError(f"server {self.url} did not return outputs {missing}")
        return {k: result[k] for k in outputs}

    def _bytes_per_frame(self, feeds: dict[str, np.ndarray], timed: list[str]) -> float:
        """Request bytes per time frame: exact for binary tensors, measured on a slice for JSON text."""
        if self.binary:
            return float(sum(feeds[k].nbytes / feeds[k].shape[1] for k in timed))
        n = min(64, feeds[timed[0]].shape[1])
        sample = encode_request({k: feeds[k][:, :n] for k in timed})
        return len(sample) / n


def _trim(array: np.ndarray, offset: int, length: int) -> np.ndarray:
    if array.ndim < 2:
        raise InputError("cannot split this model along time: an output has no time axis")
    return array[:, offset:offset + length]


def _is_batch_broadcast(array: np.ndarray) -> bool:
    """A batch whose rows are one row repeated without copying (``np.broadcast_to``: stride 0 on axis 0)."""
    return isinstance(array, np.ndarray) and array.ndim >= 2 and array.shape[0] > 1 and array.strides[0] == 0


def check_metadata(manifest: Manifest, meta: Mapping[str, Any], sha_from_config: str | None = None) -> None:
    """Raise :class:`ModelMismatchError` unless the server's model metadata matches the manifest."""
    name = meta.get("name", model_name(manifest))
    served = {t.get("name"): t for t in meta.get("inputs") or [] if isinstance(t, Mapping)}
    wanted = {s.name: s for s in manifest.inputs}
    if set(served) != set(wanted):
        raise ModelMismatchError(f"server model {name} takes inputs {sorted(map(str, served))}, "
                                 f"the local manifest says {sorted(wanted)}")
    for spec in manifest.inputs:
        tensor = served[spec.name]
        if tensor.get("datatype") != datatype_of(spec.dtype):
            raise ModelMismatchError(f"server model {name}: input {spec.name} is {tensor.get('datatype')}, "
                                     f"the local manifest says {datatype_of(spec.dtype)}")
        shape = list(tensor.get("shape") or [])
        if len(shape) != len(spec.shape) or any(a >= 0 and b >= 0 and a != b for a, b in zip(shape, spec.shape)):
            raise ModelMismatchError(f"server model {name}: input {spec.name} has shape {shape}, "
                                     f"the local manifest says {spec.shape}")
    outputs = {t.get("name") for t in meta.get("outputs") or [] if isinstance(t, Mapping)}
    if missing := sorted({s.name for s in manifest.outputs} - outputs):
        raise ModelMismatchError(f"server model {name} lacks outputs {missing}")
    sha = (meta.get("parameters") or {}).get("sha256") or sha_from_config
    if sha and manifest.sha256 and sha != manifest.sha256:
        raise ModelMismatchError(f"server model {name} is sha256:{str(sha)[:12]}, the local manifest is "
                                 f"{manifest.display_id()}: update the server or the app")


class FallbackBackend:
    """Try the remote backend; when the server is unavailable, run locally and say so once.

    Parameters
    ----------
    remote, local : Backend
    on_status : callable, optional
        Called with a one-line message whenever the backend switches (remote -> local and back); the editor
        shows it in the status bar, the CLI prints it on stderr.
    retry_remote_after_s : float
        After a fallback, keep using local for this long before trying the server again.
    """

    def __init__(self, remote: RemoteBackend, local: Backend, on_status: Callable[[str], None] | None = None,
                 retry_remote_after_s: float = 30.0) -> None:
        self.remote, self.local = remote, local
        self.on_status = on_status
        self.retry_remote_after_s = retry_remote_after_s
        self.fallback_reason: str | None = None
        self._local_until = 0.0
        self._lock = threading.Lock()

    def describe(self) -> str:
        if self.fallback_reason is None:
            return self.remote.describe()
        return f"{self.local.describe()} (fallback: {self.fallback_reason})"

    def run(self, manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if time.monotonic() >= self._local_until:
            try:
                result = self.remote.run(manifest, inputs)
            except ServerUnavailable as exc:
                self._switch(str(exc))
            else:
                if self.fallback_reason is not None:
                    self._switch(None)
                return result
        return self.local.run(manifest, inputs)

    def _switch(self, reason: str | None) -> None:
        with self._lock:
            changed = (reason is None) != (self.fallback_reason is None)
            self.fallback_reason = reason
            self._local_until = time.monotonic() + self.retry_remote_after_s if reason else 0.0
        if changed and self.on_status is not None:
            if reason:
                where = self.local.describe()
                if "no model loaded" in where:  # its session is made by the run that follows
                    where = "local ONNX"
                self.on_status(f"{reason}; running on {where} instead")
            else:
                self.on_status(f"server {self.remote.url} is back; running remotely again")


def normalise_url(url: str) -> str:
    """``host:port`` -> ``http://host:port``; refuse anything that is not an http(s) base URL."""
    text = (url or "").strip()
    if not text:  # the editor's Remote server choice with its URL field left empty
        raise ValueError("no server URL given (e.g. http://127.0.0.1:8080)")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) server URL: {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"server URL must not have a query or fragment: {url!r}")
    return text.rstrip("/")
