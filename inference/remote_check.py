"""The editor's server light: is a KServe V2 server ready, does it take our token, and is its model ours."""

from __future__ import annotations

from pathlib import Path

from inference.backends import BackendError
from inference.fallback import note_check
from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError, default_models_dir
from inference.remote import RemoteBackend
from inference.remote_errors import ServerUnavailable, one_line


def server_check(remote: RemoteBackend, models_dir: str | Path | None) -> tuple[str, str]:
    """``(state, text)`` for the AI panel's server light: ready, and the token accepted and the model the local
    one (its metadata is read with the token; `/v2/health/ready` needs none, so a wrong token showed green).

    Never raises: the editor's check job must always end with a light, so any failure (a server sending metadata
    of odd types, a bug here) is a red light with its reason. "Drafts will run locally" is said only where they
    will: for a server that is down or failing, not for a wrong URL, token, model or certificate. That finding is
    recorded (:func:`inference.fallback.note_check`), so that drafts on this server do run locally at once until a
    later check reaches it, instead of waiting on it first."""
    try:
        return _check(remote, models_dir)
    except Exception as exc:  # noqa: BLE001 - the light, not a traceback, must say what went wrong
        return "down", f"server {remote.url}: {one_line(exc) or type(exc).__name__}"


def _check(remote: RemoteBackend, models_dir: str | Path | None) -> tuple[str, str]:
    try:
        remote.health()
    except ServerUnavailable as exc:
        note_check(remote.url, f"not reachable ({_reason(remote, exc)})")
        return "down", f"server {remote.url} is not reachable ({_reason(remote, exc)}); drafts will run locally"
    except BackendError as exc:  # not a V2 server, TLS, a redirect, a refused token on the health route
        return "down", one_line(exc, 300)
    note_check(remote.url, None)
    try:
        manifest = Manifest.load(Path(models_dir or default_models_dir()) / f"onset{MANIFEST_SUFFIX}")
    except ManifestError:
        return "ok", f"server {remote.url} is ready"  # no local model to compare with
    try:
        remote.connect(manifest)
    except ServerUnavailable as exc:
        note_check(remote.url, f"failing ({_reason(remote, exc)})")
        return "down", f"server {remote.url} is failing ({_reason(remote, exc)}); drafts will run locally"
    except BackendError as exc:  # wrong token, another model, malformed metadata: drafts fail until fixed
        return "down", one_line(exc, 300)
    return "ok", f"server {remote.url} is ready ({remote.describe()})"


def _reason(remote: RemoteBackend, exc: Exception) -> str:
    return one_line(str(exc).removeprefix(f"server {remote.url} "), 200)
