"""AI commands: ``draft``, ``refine``, ``simplify``, ``arrows``, ``serve``, ``export-triton``.

Heavy modules (onnxruntime, mlserver, librosa) are imported inside the handlers so ``main.py --help`` stays fast.
Every failure the user can cause (unreadable audio, chart without timing, unknown slot, wrong token, server down
without a local model, a model file not matching its manifest) ends as one line on stderr with exit code 2, and
no output file is written unless the whole draft succeeded (``chart.formats.registry.save`` is atomic).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from cli.common import UserError, new_folder, output_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    from cli import _draft_cmds, _rework_cmds  # underscore: not auto-registered a second time by cli.common
    from inference.serving.server import DEFAULT_MAX_REQUEST_BYTES  # light: the server's own imports are lazy

    _draft_cmds.register(subparsers)
    _rework_cmds.register(subparsers)
    p = subparsers.add_parser("serve", help="serve the models over the KServe V2 protocol (MLServer)",
                              description="Start MLServer (KServe V2 REST) serving the ONNX models. Loopback "
                                          "by default; any other address requires --token-file.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port, 1-65535 (default 8080)")
    p.add_argument("--token-file", type=Path, help="file holding the bearer token clients must send")
    p.add_argument("--workers", type=int, default=1, help="concurrent inferences (default 1)")
    p.add_argument("--models", type=Path, default=None, help="folder of *.onnx + *.manifest.json "
                                                              "(default resources/models)")
    default_mb = DEFAULT_MAX_REQUEST_BYTES / (1 << 20)
    p.add_argument("--max-request-mb", type=float, default=default_mb,
                   help=f"largest request body in MiB (413 above; default {default_mb:g})")
    p.add_argument("--queue", type=int, default=None, help="requests that may wait for a worker "
                                                           "(default 32 per worker; 503 + Retry-After above)")
    p.add_argument("--body-timeout", type=float, default=60.0, metavar="S",
                   help="seconds a client may take to send a request body (408 after; default 60); "
                        "request headers and gaps in a body get min(10, S)")
    p.set_defaults(func=cmd_serve)

    e = subparsers.add_parser("export-triton", help="write a Triton model repository of the models",
                              description="Write DIR/<model>/config.pbtxt, DIR/<model>/1/model.onnx and the "
                                          "manifest, for a GPU fleet behind Triton or KServe.")
    e.add_argument("dir", type=Path, help="model repository folder to write")
    e.add_argument("--models", type=Path, default=None, help="folder of models (default resources/models)")
    e.add_argument("--max-batch", type=int, default=8, help="max_batch_size: rows one request may carry (default 8; "
                                                             "clients split a draft's 5 slots under it)")
    e.add_argument("--instances", type=int, default=1, help="model instances per GPU (default 1)")
    e.set_defaults(func=cmd_export_triton)


def read_token(path: Path | None) -> str | None:
    """The token in ``path`` (surrounding whitespace and a UTF-8 byte order mark removed: Notepad's and PowerShell
    5's "UTF-8" write one); UserError when unreadable or empty. ``serve`` and the drafting commands both read here."""
    if path is None:
        return None
    try:
        token = path.read_text(encoding="utf-8-sig").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read token file {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if not token or any(c.isspace() for c in token):
        raise UserError(f"token file {path} must hold one token (no spaces)")
    from inference.remote import token_problem

    if problem := token_problem(token):  # checked here, not as a codec error at the first request
        raise UserError(f"the token in {path} {problem}")
    return token


def _models_dir(path: Path | None) -> Path:
    from inference.manifest import default_models_dir

    return path if path is not None else default_models_dir()


def cmd_serve(args: argparse.Namespace) -> int:
    from inference.manifest import ManifestError
    from inference.serving.server import (
        ServeConfig,
        ServeError,
        check_config,
        check_models_load,
        listen,
        model_name,
        serve,
        url_host,
    )

    if not math.isfinite(args.max_request_mb) or not math.isfinite(args.body_timeout):
        raise UserError("--max-request-mb and --body-timeout take finite numbers")
    host = args.host[1:-1] if args.host.startswith("[") and args.host.endswith("]") else args.host  # [::1]
    cfg = ServeConfig(host=host, port=args.port, token=read_token(args.token_file), workers=args.workers,
                      models_dir=_models_dir(args.models), max_request_bytes=int(args.max_request_mb * (1 << 20)),
                      max_queue=args.queue, body_timeout_s=args.body_timeout,
                      idle_timeout_s=min(10.0, args.body_timeout), header_timeout_s=min(10.0, args.body_timeout))
    try:
        manifests = check_config(cfg)
        check_models_load(manifests)  # a model that does not load: one line before anything listens
        cfg.sockets = listen(cfg.host, cfg.port)  # held from here on: a port in use is one line, not uvicorn's log
    except (ServeError, ManifestError) as exc:
        raise UserError(str(exc)) from exc
    if args.token_file is not None:
        _warn_if_others_can_read(args.token_file)
    names = ", ".join(f"{model_name(m)} ({m.model_id}, sha256:{m.sha256[:12]})" for m in manifests)  # name: its route
    auth = "token required" if cfg.token else "no token (loopback only)"
    print(f"serving {names} on http://{url_host(cfg.host)}:{cfg.port} ({auth}, {cfg.workers} worker(s)); "
          "Ctrl+C stops", file=sys.stderr, flush=True)
    try:
        serve(cfg)
    except ServeError as exc:  # a model that failed to load in MLServer after all
        raise UserError(str(exc)) from exc
    finally:
        for sock in cfg.sockets or []:
            sock.close()
    return 0


def _warn_if_others_can_read(path: Path) -> None:
    """A warning (not a refusal: the owner may mean it) when every user may read the server's token file, or
    others may replace it; docs/serving.md's recipe makes it ``chmod 600``. A group-readable file is left alone (a
    studio's group may be meant to read it)."""
    import stat

    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IWGRP):
        print(f"warning: token file {path} is readable or writable by other users (mode {mode:03o}); "
              f"chmod 600 {path}", file=sys.stderr, flush=True)


def cmd_export_triton(args: argparse.Namespace) -> int:
    from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError
    from inference.serving.triton import ExportError, export_triton

    folder = _models_dir(args.models)
    paths = sorted(folder.glob(f"*{MANIFEST_SUFFIX}")) if folder.is_dir() else []
    if not paths:
        raise UserError(f"no models to export: no *{MANIFEST_SUFFIX} in {folder}")
    if args.max_batch < 1 or args.instances < 1:
        raise UserError("--max-batch and --instances must be at least 1")
    from chart.song import MODEL_SLOTS

    if args.max_batch < len(MODEL_SLOTS):  # clients read it from the config and split (Triton refused with a 400)
        print(f"warning: --max-batch {args.max_batch} is under the {len(MODEL_SLOTS)} slots a draft asks for: "
              f"clients send each draft in {math.ceil(len(MODEL_SLOTS) / args.max_batch)} requests",
              file=sys.stderr, flush=True)
    output_folder(args.dir, "the model repository", "triton-repo/")  # mkdir over a file said only "File exists"
    try:
        manifests = [Manifest.load(p) for p in paths]
    except ManifestError as exc:
        raise UserError(str(exc)) from exc
    with new_folder(args.dir):  # a repository this run made is removed again when it fails (a full disk)
        try:
            written = export_triton(args.dir, manifests, args.max_batch, args.instances)
        except (ManifestError, ExportError) as exc:
            raise UserError(str(exc)) from exc
        except OSError as exc:  # said "No space left on device", naming nothing
            read = exc.filename and not Path(os.path.abspath(exc.filename)).is_relative_to(os.path.abspath(args.dir))
            what = f"read {exc.filename}" if read else f"write {args.dir}"  # a model file, else the repository
            raise UserError(f"cannot {what}: {exc.strerror or exc}") from None
    for path in written:
        print(path)
    return 0
