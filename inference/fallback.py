"""Run on a KServe V2 server while it answers, locally when it does not: :class:`FallbackBackend`.

Only :class:`~inference.remote_errors.ServerUnavailable` (down, failing, or answering something that is not a
result) falls back; a :class:`~inference.remote_errors.RemoteRejected` (wrong token, another model, a URL that is
not a V2 server, a TLS certificate not trusted) is a setup problem that running locally would only hide, and a
cancel raised by the caller's check passes through.

A server the editor's light found unreachable (:func:`inference.remote_check.server_check` records it here with
:func:`note_check`) is not tried again until a later check finds it: the light said "drafts will run locally", yet
the next draft waited a minute on a server that accepted connections and never answered before it did.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from inference.backends import Backend
from inference.manifest import Manifest
from inference.remote_errors import ServerUnavailable

if TYPE_CHECKING:
    from inference.remote import RemoteBackend

_found_down: dict[str, str] = {}  # server URL -> why the last check could not reach it (or found it failing)
_found_lock = threading.Lock()


def note_check(url: str, down: str | None) -> None:
    """Record what a check of the server at ``url`` found: why it cannot be reached or keeps failing (drafts on it
    then run locally at once), or None when it answered (drafts try it again)."""
    with _found_lock:
        if down is None:
            _found_down.pop(url, None)
        else:
            _found_down[url] = down


def found_down(url: str) -> str | None:
    """Why the last check of the server at ``url`` found it unreachable or failing; None if it did not."""
    with _found_lock:
        return _found_down.get(url)


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

    def cancel_scope(self, check: Callable[[], None]) -> contextlib.AbstractContextManager[None]:
        """The remote backend's (:meth:`RemoteBackend.cancel_scope`); a local run is not interrupted."""
        return self.remote.cancel_scope(check)

    def describe(self) -> str:
        if self.fallback_reason is None:
            return self.remote.describe()
        return f"{self.local.describe()} (fallback: {self.fallback_reason})"

    def run(self, manifest: Manifest, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if (down := found_down(self.remote.url)) is not None:
            # local until a check reaches the server again, not for retry_remote_after_s after that
            self._switch(f"server {self.remote.url} was {down} at the last check (Check tries it again)", hold=False)
        elif time.monotonic() >= self._local_until:
            try:
                result = self.remote.run(manifest, inputs)
            except ServerUnavailable as exc:
                self._switch(str(exc))
            else:
                if self.fallback_reason is not None:
                    self._switch(None)
                return result
        return self.local.run(manifest, inputs)

    def _switch(self, reason: str | None, hold: bool = True) -> None:
        with self._lock:
            changed = (reason is None) != (self.fallback_reason is None)
            self.fallback_reason = reason
            self._local_until = time.monotonic() + self.retry_remote_after_s if reason and hold else 0.0
        if changed and self.on_status is not None:
            if reason:
                where = self.local.describe()
                if "no model loaded" in where:  # its session is made by the run that follows
                    where = "local ONNX"
                self.on_status(f"{reason}; running on {where} instead")
            else:
                self.on_status(f"server {self.remote.url} is back; running remotely again")
