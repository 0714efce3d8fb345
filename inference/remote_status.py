"""What :class:`inference.remote.RemoteBackend` makes of a KServe V2 server's answers that are not 200, and of
limits a request cannot be split under: one line each that says what to do.

* 401/403 without a token: the server requires one (``--token-file``; the editor's Token field), not "refused the
  token" (none was sent); with a token: it was refused.
* 404 on a model route from a V2 server: no model of that name is served there. The V2 routes cannot list the
  models (our server's guard blocks ``/v2/repository/index``), so the line says where the names are: ``serve``'s
  start line (``serving onset (onset-v1, sha256:...)``; a model's name is its manifest's file name), a Triton
  repository's folders.
* a request limit under one window of the model (:class:`inference.remote_split.BelowWindow`): how many MiB the
  model needs, and whose limit it is (advertised by the server, learnt from its 413, or set by the caller).
"""

from __future__ import annotations

from inference.input_checks import InputError
from inference.remote_errors import (
    AuthError,
    ModelMismatchError,
    NotV2Server,
    RemoteRejected,
    ServerUnavailable,
)
from inference.remote_http import Answer
from inference.remote_split import TooLarge
from inference.serving.v2 import V2FormatError, loads

TRANSIENT_STATUS = (408, 429)  # and every 5xx but 501
MODEL_ROUTE = "/v2/models/"


def status_problem(url: str, answer: Answer, path: str, body: bytes | None, message: str, token_sent: bool) -> str:
    """Raise for final answers (``message``: the server's error, already scrubbed of the token); return a
    description of transient ones (to retry)."""
    code = answer.status_code
    if code in (401, 403):
        if not token_sent:
            raise AuthError(f"server {url} requires a bearer token and none was given (HTTP {code}): pass "
                            "--token-file FILE (in the editor: the AI panel's Token field)")
        raise AuthError(f"server {url} refused the token (HTTP {code}): {message}")
    if code == 413:
        raise TooLarge(str(len(body or b"")))
    if code == 404:
        if path.startswith(MODEL_ROUTE) and json_error(answer.content):  # a V2 server without the model
            name = path[len(MODEL_ROUTE):].split("/", 1)[0]
            raise ModelMismatchError(f"server {url} serves no model named {name} (HTTP 404: {message}); the names "
                                     "it serves are on its start line (serving NAME (model id, sha256)), or for "
                                     "Triton its repository's folders")
        raise NotV2Server(f"{url} is not a KServe V2 server (HTTP 404 at {path})")
    if code in (400, 422):
        raise InputError(f"server {url} rejected the request: {message}")
    if code == 501:  # a server failing, not a setup the user must fix (so a fallback may take over), but final
        raise ServerUnavailable(f"server {url} answered HTTP 501 (not implemented): {message}")
    if code not in TRANSIENT_STATUS and not 500 <= code <= 599:
        raise RemoteRejected(f"server {url} answered HTTP {code}: {message}")
    return f"HTTP {code}: {message}"


def limit_problem(url: str, model: str, need: int, limit: int, source: str) -> str:
    """Why no split can go under ``limit`` (bytes), ``need`` being one window of one row. ``source``:
    ``"advertised"`` (the server's metadata), ``"set"`` (the caller's ``max_request_bytes``), or ``"refused"``
    (``limit`` is then the smallest request the server answered 413 to)."""
    needs = f"{size(need)} one window of the {model} model needs"
    if source == "refused":
        return (f"server {url} refused a request of {size(limit)} as too large (HTTP 413), and the {needs}: raise "
                "the request limit of the server (or of a proxy in front of it)")
    whose = (f"the server at {url} limits requests to" if source == "advertised"
             else f"the request limit set for the server at {url} is")
    hint = "; restart it with a larger --max-request-mb" if source == "advertised" else ""
    return f"{whose} {size(limit)}, below the {needs}{hint}"


def size(n_bytes: int) -> str:
    """``1.09 MiB``; ``5.0 KiB`` under 0.1 MiB."""
    return f"{n_bytes / (1 << 20):.2f} MiB" if n_bytes >= 0.1 * (1 << 20) else f"{n_bytes / 1024:.1f} KiB"


def json_error(content: bytes) -> bool:
    """A JSON object with an ``error``: how V2 servers (MLServer, Triton) answer for an unknown model."""
    try:
        data = loads(content)
    except V2FormatError:
        return False
    return isinstance(data, dict) and "error" in data


def triton_config(config: object) -> tuple[str | None, int | None]:
    """The sha256 ``export-triton`` writes in a Triton model config's ``parameters``, and its ``max_batch_size``
    (rows one request may carry; None where it is 0, absent or malformed: no cap)."""
    if not isinstance(config, dict):
        return None, None
    try:
        sha = config["parameters"]["sha256"]["string_value"]
    except (KeyError, TypeError):
        sha = None
    rows = config.get("max_batch_size")
    if isinstance(rows, str) and rows.isdigit():  # protobuf's JSON may write integers as strings
        rows = int(rows)
    rows = rows if isinstance(rows, int) and not isinstance(rows, bool) and rows > 0 else None
    return (sha if isinstance(sha, str) else None), rows
