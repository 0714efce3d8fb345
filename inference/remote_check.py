"""The editor's server light: is a KServe V2 server ready, does it take our token, and is its model ours."""

from __future__ import annotations

from pathlib import Path

from inference.backends import BackendError
from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError, default_models_dir
from inference.remote import RemoteBackend


def server_check(remote: RemoteBackend, models_dir: str | Path | None) -> tuple[str, str]:
    """``(state, text)`` for the AI panel's server light: ready, and the token accepted and the model the local
    one (its metadata is read with the token; `/v2/health/ready` needs none, so a wrong token showed green)."""
    if not remote.ready():
        return "down", f"server {remote.url} is not reachable; drafts will run locally"
    try:
        manifest = Manifest.load(Path(models_dir or default_models_dir()) / f"onset{MANIFEST_SUFFIX}")
    except ManifestError:
        return "ok", f"server {remote.url} is ready"  # no local model to compare with
    try:
        remote.connect(manifest)
    except BackendError as exc:
        return "down", f"{exc}"
    return "ok", f"server {remote.url} is ready ({remote.describe()})"
