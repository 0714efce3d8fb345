"""``python main.py serve``: MLServer (KServe V2 over REST) serving the shipped ONNX models, behind a guard.

Why MLServer and not KServe's ``ModelServer``: both are maintained V2 servers on PyPI, but MLServer is a plain
``pip install`` with a small custom-runtime API (:class:`~inference.serving.runtime.GeneLiveOnnxRuntime`), runs
without Kubernetes, and KServe ships it as a built-in serving runtime (``kserve-mlserver``); the ``kserve``
package pulls a much larger dependency tree for the same protocol. Decisions taken here (see docs/serving.md):

* REST only. MLServer's gRPC server is not started: it would be a second door without our token check.
  The Prometheus metrics server (its own port) is off for the same reason.
* ``workers`` = concurrent inference threads in one process (onnxruntime releases the GIL and shares one
  session), not MLServer's ``parallel_workers`` process pool: that pool copies every request between processes,
  loads one model per process and oversubscribes the cores onnxruntime already uses.
* Loopback by default; any other address needs a token (refused otherwise).
* Every model is loaded once (a CPU onnxruntime session) and the port is bound and listening before MLServer
  starts, so a model that does not load and a port in use are one-line errors (exit 2) rather than MLServer's and
  uvicorn's logs; the listening sockets are handed to uvicorn, so no second server can take the port in between
  (a check-then-bind probe let two servers started at once both pass, and the loser exited 3 after 10 lines).
* uvicorn speaks HTTP through :mod:`.connections` (a deadline for every request's headers, a cap on connections
  waiting for them) and without WebSockets; MLServer's gzip of answers is off (see ``server_settings``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import re
import signal
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError, default_models_dir

DEFAULT_MAX_REQUEST_BYTES = 64 << 20
BACKLOG = 2048  # uvicorn's default


class ServeError(ValueError):
    """A server configuration that must not start (no token on a public address, no models, ...)."""


@dataclass
class ServeConfig:
    """Everything ``serve`` needs; the CLI fills it from its flags."""

    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None
    workers: int = 1
    models_dir: Path = field(default_factory=default_models_dir)
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    max_queue: int | None = None  # default guard.DEFAULT_QUEUE_PER_WORKER per worker
    body_timeout_s: float = 60.0
    idle_timeout_s: float = 10.0
    header_timeout_s: float = 10.0  # a request's line and headers, from connect or from the previous answer
    max_waiting_connections: int | None = None  # default connections.max_waiting_connections()
    log_level: str = "INFO"
    #: Listening sockets from :func:`listen`, bound before the models load (the CLI does); None: serve() binds.
    sockets: list[socket.socket] | None = field(default=None, repr=False, compare=False)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it goes in a URL: an IPv6 address in brackets (``http://[::1]:8080``; ``http://::1:8080`` is not
    a URL clients accept)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def check_config(cfg: ServeConfig) -> list[Manifest]:
    """Refuse unsafe or impossible settings; return the manifests of the models to serve (sha256 verified)."""
    if cfg.token is not None and not cfg.token.strip():
        raise ServeError("the token is empty")
    if not is_loopback(cfg.host) and not cfg.token:
        raise ServeError(f"refusing to listen on {cfg.host} without a token: pass --token-file "
                         "(only loopback addresses may run without one)")
    if cfg.port == 0:
        raise ServeError("--port 0 (any free port) is not supported: clients need to know the port; pick one")
    if not 0 < cfg.port <= 65535:
        raise ServeError(f"port {cfg.port} is out of range")
    if cfg.workers < 1:
        raise ServeError("--workers must be at least 1")
    if cfg.max_request_bytes < 1024:
        raise ServeError("--max-request-mb must allow at least 1 KiB (every request would be refused)")
    if cfg.max_queue is not None and cfg.max_queue < 0:
        raise ServeError("--queue must be 0 (no waiting: busy workers answer 503) or more")
    if not all(0 < t < math.inf for t in (cfg.body_timeout_s, cfg.idle_timeout_s, cfg.header_timeout_s)):
        raise ServeError("--body-timeout must be a finite number of seconds above 0")
    if cfg.max_waiting_connections is not None and cfg.max_waiting_connections < 1:
        raise ServeError("the cap on connections waiting for their headers must be at least 1")
    folder = Path(cfg.models_dir)
    paths = sorted(folder.glob(f"*{MANIFEST_SUFFIX}")) if folder.is_dir() else []
    if not paths:
        raise ServeError(f"no models to serve: no *{MANIFEST_SUFFIX} in {folder}")
    from inference.serving.guard import MODEL_NAME

    for path in paths:  # else loaded and reported ready, but every route to it answered 404
        if not re.fullmatch(MODEL_NAME, name := path.name[: -len(MANIFEST_SUFFIX)]):
            raise ServeError(f"cannot serve {path}: the model name {name!r} may hold only letters A-Z a-z, digits "
                             "and _ . - (at most 128); rename the manifest")
    manifests = [Manifest.load(p) for p in paths]  # ManifestError when a model does not match its manifest
    names = [model_name(m) for m in manifests]
    if len(set(names)) != len(names):
        raise ServeError(f"two manifests in {folder} give the same model name: {names}")
    check_request_limit(cfg.max_request_bytes, manifests)
    return manifests


def check_request_limit(limit: int, manifests: list[Manifest]) -> None:
    """ServeError when ``limit`` (bytes) is under the smallest request a client can split a model's work into
    (:func:`inference.remote_split.min_request_bytes`: one window of one row, about 1.1 MiB for the shipped onset
    model): such a server started, and every draft failed without a request sent."""
    from inference.remote_split import min_request_bytes

    for manifest in manifests:
        if limit < (need := min_request_bytes(manifest)):
            least = math.ceil(need / (1 << 20) * 100) / 100
            raise ServeError(f"--max-request-mb {limit / (1 << 20):g} is below the {least:g} MiB one request of "
                             f"the {model_name(manifest)} model needs (one window of its context); pass at least "
                             f"{least:g}")


def check_models_load(manifests: list[Manifest]) -> None:
    """Load each model once (a CPU session, then dropped); ManifestError when one does not load.

    :func:`check_config` verifies sha256 only: a file that matches its manifest but is no ONNX graph (or has other
    inputs) failed in MLServer after the port was bound, with a traceback, and ``serve`` then exited 0."""
    from inference.backends import OnnxBackend

    for manifest in manifests:
        OnnxBackend(providers=["CPUExecutionProvider"], intra_op_threads=1).session(manifest)


def listen(host: str, port: int) -> list[socket.socket]:
    """Sockets bound and listening on every address ``host`` resolves to (as asyncio would bind them); ServeError
    in one line when it does not resolve or the port is taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        raise ServeError(f"cannot resolve --host {host}: {exc.strerror or exc}") from exc
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(BACKLOG)  # now: two servers that bind at once cannot both pass
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise ServeError(f"cannot listen on {url_host(host)}:{port}: {exc.strerror or exc}") from exc
    return sockets


def model_name(manifest: Manifest) -> str:
    """Name a model is served under: the manifest file's stem (``onset.manifest.json`` -> ``onset``)."""
    if manifest.path is not None and manifest.path.name.endswith(MANIFEST_SUFFIX):
        return manifest.path.name[: -len(MANIFEST_SUFFIX)]
    return manifest.kind


def model_settings(manifests: list[Manifest], cfg: ServeConfig) -> list[Any]:
    """MLServer ``ModelSettings`` for each manifest, all using our runtime."""
    from mlserver.settings import ModelParameters, ModelSettings

    from inference.serving.runtime import MODEL_VERSION, GeneLiveOnnxRuntime

    return [
        ModelSettings(name=model_name(m), implementation=GeneLiveOnnxRuntime,
                      parameters=ModelParameters(uri=str(m.path), version=MODEL_VERSION,
                                                 extra={"workers": cfg.workers,
                                                        "max_request_bytes": cfg.max_request_bytes}))
        for m in manifests
    ]


def server_settings(cfg: ServeConfig, scratch: Path) -> Any:
    """MLServer ``Settings``: REST on host:port, no gRPC/metrics, no debug tracebacks, no process pool, no gzip.

    gzip: MLServer compressed the runtime's placeholder answer (over 500 bytes, e.g. with a long request ``id``)
    before the guard, which fills in the outputs, could parse it: a 500. Answers are not compressed at all: the
    outputs are float32 bytes (binary tensors), which gzip barely shrinks, at a cost in server CPU on every answer;
    a proxy in front can compress if a deployment wants it.

    ``extensions``: ``GET /v2`` lists the binary tensor data extension the server speaks (as Triton does), so a V2
    client that checks the list before it sends binary tensors does not fall back to JSON ones."""
    from mlserver.settings import Settings

    return Settings(host=cfg.host, http_port=cfg.port, debug=False, parallel_workers=0, gzip_enabled=False,
                    metrics_endpoint=None, load_models_at_startup=False,
                    model_repository_root=str(scratch), environments_dir=str(scratch / "envs"),
                    metrics_dir=str(scratch / "metrics"), server_name="genelive-mlserver",
                    cache_enabled=False, kafka_enabled=False, extensions=["binary_tensor_data"])


def _guarded_server_class() -> type:
    from mlserver import MLServer

    from inference.serving.connections import guarded_protocol, max_waiting_connections
    from inference.serving.guard import DEFAULT_QUEUE_PER_WORKER, GuardMiddleware

    class GuardedMLServer(MLServer):
        """MLServer with the REST app wrapped by :class:`GuardMiddleware` and no gRPC server."""

        def __init__(self, settings: Any, cfg: ServeConfig, sockets: list[socket.socket]) -> None:
            self._cfg, self._sockets = cfg, sockets
            super().__init__(settings)

        def _create_servers(self) -> None:
            super()._create_servers()
            self._grpc_server = None  # type: ignore[assignment]  # a second door without our token check
            cfg = self._cfg
            queue = cfg.max_queue if cfg.max_queue is not None else DEFAULT_QUEUE_PER_WORKER * cfg.workers
            self._rest_server._app.add_middleware(
                GuardMiddleware, token=cfg.token, max_body_bytes=cfg.max_request_bytes,
                max_inflight=cfg.workers, max_queue=queue, body_timeout_s=cfg.body_timeout_s,
                idle_timeout_s=cfg.idle_timeout_s)
            waiting = cfg.max_waiting_connections or max_waiting_connections()
            protocol = guarded_protocol(cfg.header_timeout_s, waiting)
            make_config = self._rest_server._get_config

            def guarded_config() -> Any:
                """uvicorn's config as MLServer makes it, with our HTTP protocol and no WebSockets (the guard only
                checks HTTP requests; the V2 protocol has no WebSocket routes)."""
                config = make_config()
                config.http, config.ws = protocol, "none"
                return config

            self._rest_server._get_config = guarded_config  # type: ignore[method-assign]
            self._rest_server.start = self._start_rest  # type: ignore[method-assign]

        async def _start_rest(self) -> None:
            """MLServer's ``RESTServer.start`` on our listening sockets (it lets uvicorn bind host:port itself)."""
            from mlserver.rest.logging import disable_health_access_logs
            from mlserver.rest.server import _NoSignalServer

            rest = self._rest_server
            rest._server = _NoSignalServer(rest._get_config())
            disable_health_access_logs()
            logging.getLogger("mlserver.rest").info("HTTP server running on http://%s:%d",
                                                    url_host(self._cfg.host), self._cfg.port)
            await rest._server.serve(sockets=self._sockets)

        async def stop(self, sig: int | None = None) -> None:
            """Drain for every signal. MLServer passes SIGINT on to uvicorn, whose own SIGINT handler has already
            run: a second SIGINT means "force quit" to uvicorn, so Ctrl+C cancelled running inferences (a 500
            and CancelledError tracebacks) where SIGTERM let them finish. A second Ctrl+C still forces."""
            await super().stop(sig=signal.SIGTERM)

        async def start(self, models_settings: list[Any] | None = None) -> None:
            """Serve until stopped; ServeError (after stopping) when a model fails to load. MLServer's own start
            logs the failure and returns, so ``serve`` exited 0."""
            rest = asyncio.ensure_future(self._rest_server.start())
            try:
                await asyncio.gather(*[self._model_registry.load(m) for m in models_settings or []])
            except Exception as exc:
                await self.stop()
                await rest
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise ServeError(f"a model failed to load: {first}") from exc
            await rest

    return GuardedMLServer


async def serve_async(cfg: ServeConfig, sockets: list[socket.socket]) -> None:
    """Run the server on ``sockets`` (see :func:`listen`) until SIGINT/SIGTERM."""
    manifests = check_config(cfg)
    with tempfile.TemporaryDirectory(prefix="genelive-serve-") as tmp:
        settings = server_settings(cfg, Path(tmp))
        server = _guarded_server_class()(settings, cfg, sockets)
        logging.getLogger("mlserver").setLevel(cfg.log_level)
        await server.start(model_settings(manifests, cfg))


def serve(cfg: ServeConfig) -> None:
    """Blocking entry point of ``python main.py serve``. Raises ServeError/ManifestError before binding (without
    ``cfg.sockets``: after loading each model once, then it binds the port; a caller that gives the sockets has
    done both), and ServeError when a model fails to load in MLServer."""
    manifests = check_config(cfg)
    sockets = cfg.sockets
    if sockets is None:
        check_models_load(manifests)
        sockets = listen(cfg.host, cfg.port)
    try:
        asyncio.run(serve_async(cfg, sockets))
    finally:
        for sock in sockets:
            sock.close()


__all__ = ["ServeConfig", "ServeError", "ManifestError", "check_config", "check_models_load", "check_request_limit",
           "listen", "model_name", "serve"]
