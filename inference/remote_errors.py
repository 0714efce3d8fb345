"""What can go wrong talking to a KServe V2 server, as exception classes: the ones a fallback may hide and the ones
it must not.

:class:`ServerUnavailable` (the server is down, keeps failing, or answers something that is not a result for the
request) is what :class:`inference.remote.FallbackBackend` turns into a local run: the local model gives the right
answer. :class:`RemoteRejected` is a configuration problem (a wrong token, another model version, a URL that is not a
V2 server, a redirect, a TLS certificate this machine does not trust): running locally would only hide it, so it is
always reported. Every message is one line that names the server and never carries a response body's markup.
"""

from __future__ import annotations

from inference.backends import BackendError


class ServerUnavailable(BackendError):
    """The server could not be reached or kept failing after the allowed retries."""


class MalformedAnswer(ServerUnavailable):
    """The server answered 200 with something that is not the model's result for this request (not V2 JSON, an
    output of the wrong shape or datatype, more bytes than the outputs can take): that server's fault, and the
    local model would answer correctly, so a fallback may take over. Not retried: the same request would get the
    same answer."""


class RemoteRejected(BackendError):
    """The server refused the request for a reason retrying or falling back would hide."""


class AuthError(RemoteRejected):
    """Missing or wrong bearer token (HTTP 401/403)."""


class ModelMismatchError(RemoteRejected):
    """The server's model is not the one the local manifest describes (or is not there, or its metadata is
    malformed)."""


class NotV2Server(RemoteRejected):
    """The URL answers HTTP, but not as a KServe V2 server (404 on the V2 routes, an HTML page for metadata)."""


class RedirectRefused(RemoteRejected):
    """The server answered with a redirect. Not followed: the bearer token must only go where the user sent it, and
    a followed redirect made the other host's 401 read as the first server's."""


class TlsError(RemoteRejected):
    """The https handshake failed (most often a certificate this machine does not trust). Not a transient failure:
    retrying cannot change it, and a fallback would hide a setup problem the user can fix."""


def one_line(text: object, limit: int = 200) -> str:
    """``text`` on one line, whitespace collapsed, at most ``limit`` characters (with an ellipsis when cut)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"
