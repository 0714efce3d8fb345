"""``separate``: vocal / accompaniment / drums stems of a song as WAV files (offline; optional ONNX model)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cli.common import UserError, new_folder, output_folder

if TYPE_CHECKING:
    from inference.backends import Backend

_BLOCK_FRAMES = 1 << 16
# what audio.separation_cache.default_cache_dir() gives (not imported here: --help must not load numpy and friends,
# and importing separation_cache before audio.separation is circular); tests/cli/test_separate_overwrite.py checks it
_DEFAULT_CACHE = ("~/.cache/genelive-studio/separation, or $GENELIVE_CACHE_DIR/separation or "
                  "$XDG_CACHE_HOME/genelive-studio/separation when set")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "separate", help="split a song into vocals / accompaniment / drums WAV stems",
        description="Split a song into stems written as DIR/<stem>.wav with the input's sample rate and length. "
                    "Without --model the built-in separator runs offline with no model weights (stereo centre "
                    "extraction + REPET-SIM + HPSS). vocals + accompaniment add up to the input; drums is the "
                    "percussive part of the accompaniment. Results are cached, so a second run is instant. Stems already in "
                    "DIR are replaced only with --force; a stem that would replace AUDIO itself is always refused.")
    p.add_argument("audio", type=Path, metavar="AUDIO", nargs="?",
                   help="audio file (ogg, mp3, wav, flac); leave it out with --model FILE.onnx --save-manifest "
                        "to write the manifest only")
    p.add_argument("-o", "--out", type=Path, metavar="DIR", help="folder for the stem WAV files (required with AUDIO)")
    p.add_argument("--force", action="store_true",
                   help="replace stem files already in DIR (never AUDIO itself: separate a stem into another folder)")
    p.add_argument("--model", type=Path, metavar="FILE.onnx",
                   help="separation model (MDX-Net or waveform layout, see docs/separation.md)")
    p.add_argument("--backend", default="local", help="'local' (default) or a KServe V2 server URL serving --model")
    p.add_argument("--token-file", type=Path,
                   help="bearer token for --backend URL (else the GENELIVE_TOKEN environment variable)")
    p.add_argument("--save-manifest", action="store_true",
                   help="write FILE.manifest.json beside --model with the detected layout (to serve it, or edit it)")
    p.add_argument("--stems", default=None,
                   help="comma-separated stems to write (default: every stem the method makes: vocals, "
                        "accompaniment and, built-in, drums)")
    p.add_argument("--method", choices=("auto", "stereo", "mono"), default="auto",
                   help="built-in separator only (not with --model): stereo = centre extraction (refuses mono files unless "
                        "--allow-mono), mono = REPET-SIM + HPSS only, auto = stereo when the file is stereo")
    p.add_argument("--allow-mono", action="store_true",
                   help="built-in separator, with --method stereo: fall back to mono methods on a mono file")
    p.add_argument("--subtype", choices=("FLOAT", "PCM_16", "PCM_24"), default="FLOAT",
                   help="WAV sample format (default FLOAT: no clipping)")
    p.add_argument("--cache-dir", type=Path, default=None, help=f"stem cache (default {_DEFAULT_CACHE})")
    p.set_defaults(func=cmd_separate)


def _stems(text: str | None, available: tuple[str, ...]) -> list[str]:
    if text is None:
        return list(available)
    names = [s.strip() for s in text.split(",") if s.strip()]
    if not names:
        raise UserError("--stems is empty")
    unknown = [s for s in names if s not in available]
    if unknown:
        raise UserError(f"unknown stem {unknown[0]!r} for this method (available: {', '.join(available)})")
    return list(dict.fromkeys(names))


def _check_outputs(audio: Path, out: Path, names: list[str], force: bool) -> None:
    """Refuse, before any work, a stem file that is the input (``separate stems/vocals.wav -o stems/`` replaced
    its own input with its vocals), and stem files already in ``out`` unless ``force``: they were replaced
    without a word."""
    for name in names:  # a folder (or device, pipe) where a stem goes: refused now, not after some were replaced
        if (path := out / f"{name}.wav").exists() and not path.is_file():
            raise UserError(f"-o {out}: {path} is {'a folder' if path.is_dir() else 'not a regular file'}, "
                            "where the stem would go; move it or choose another folder")
    existing = [out / f"{name}.wav" for name in names if (out / f"{name}.wav").exists()]
    for path in existing:
        with contextlib.suppress(OSError):  # a missing AUDIO is reported by the decoder, in its words
            if os.path.samefile(path, audio):
                raise UserError(f"-o {out} would replace the input {audio} with its {path.stem} stem; choose "
                                "another folder")
    if existing and not force:
        raise UserError(f"-o {out} already holds {', '.join(p.name for p in existing)}; pass --force to "
                        "replace them")


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options that cannot apply to this run (they were ignored without a word)."""
    if args.token_file is not None and args.backend == "local":
        raise UserError("--token-file goes with --backend URL (separation runs locally without it)")
    if args.model is None:
        if args.backend != "local":
            raise UserError("--backend needs --model (the built-in separator runs locally)")
        if args.save_manifest:
            raise UserError("--save-manifest goes with --model (it writes the model's manifest beside it)")
    elif given := [f for f, v in (("--method", args.method != "auto"), ("--allow-mono", args.allow_mono)) if v]:
        raise UserError(f"{' and '.join(given)} choose{'s' * (len(given) == 1)} how the built-in separator works; "
                        "a --model separates the file as it is (mono too)")
    if args.audio is None:
        if args.model is None or not args.save_manifest:
            raise UserError("AUDIO is required (only --model FILE.onnx --save-manifest runs without it)")
        if args.out is not None:
            raise UserError("-o DIR goes with AUDIO (--save-manifest alone writes the manifest beside --model)")
    elif args.out is None:
        raise UserError("-o DIR is required: the folder for the stem WAV files")


def _load_model(args: argparse.Namespace):
    from inference.separation_model import SeparationModelError, load_separation_model

    try:
        model = load_separation_model(args.model)
    except SeparationModelError as exc:
        raise UserError(str(exc)) from None
    if args.save_manifest:
        print(f"wrote {model.save_manifest()}", file=sys.stderr)
    return model


def _separator_factory(args: argparse.Namespace):
    """``((sr, channels) -> Separator, its stems)`` for --model, or ``(None, built-in stems)``."""
    if args.model is None:
        from audio.separation import MaskSeparator

        return None, MaskSeparator.stems
    model = _load_model(args)
    backend: Backend
    if args.backend == "local":
        from inference.backends import OnnxBackend

        backend = OnnxBackend()
    else:
        from cli.infer_cmds import read_token
        from inference.remote import RemoteBackend

        try:
            backend = RemoteBackend(args.backend, read_token(args.token_file) or os.environ.get("GENELIVE_TOKEN"))
        except ValueError as exc:  # not an http(s) URL
            raise UserError(str(exc)) from None
    return (lambda sr, channels: model.separator(backend, sr, channels)), model.layout.stems


def cmd_separate(args: argparse.Namespace) -> int:
    from audio.decode import AudioError, native_stderr_silenced
    from audio.separation import SeparationError, SeparationParams, separate_file
    from inference.backends import BackendError, InputError
    from inference.manifest import ManifestError

    # every argument is checked before the separation starts (a typo in --stems must not cost a whole run)
    _check_options(args)
    if args.audio is None:  # --model FILE.onnx --save-manifest: the manifest only
        _load_model(args)
        return 0
    factory, available = _separator_factory(args)
    wanted = _stems(args.stems, available)
    params = SeparationParams(method=args.method, allow_mono_fallback=args.allow_mono)
    output_folder(args.out, "-o", "stems/")
    if args.cache_dir is not None:
        output_folder(args.cache_dir, "--cache-dir", example=None)
    _check_outputs(args.audio, args.out, wanted, args.force)
    t0 = time.perf_counter()
    with new_folder(args.out):  # -o made and probed first (not after the separation); removed if this run fails
        try:
            with native_stderr_silenced():  # mpg123 prints "Warning: ..." lines on damaged mp3s; ours come below
                stems = separate_file(args.audio, params, separator_factory=factory, cache_dir=args.cache_dir,
                                      progress=_progress_printer())
        except (AudioError, SeparationError, ManifestError, InputError, BackendError) as exc:
            raise UserError(str(exc)) from None
        for message in stems.warnings:  # kept with the cached stems, so a second run says it too
            print(f"warning: {message}", file=sys.stderr)
        try:
            written = _write_stems(stems, wanted, args.out, args.subtype)
        except SeparationError as exc:  # disk full or not writable: -o DIR
            raise UserError(str(exc)) from None
    took = time.perf_counter() - t0
    print(f"method: {stems.method}", file=sys.stderr)
    print(f"{stems.frames / stems.sr:.1f} s of audio at {stems.sr} Hz, {stems.channels} channel(s), "
          f"{took:.1f} s", file=sys.stderr)
    for path in written:
        print(path)
    return 0


def _progress_printer():
    """Progress on stderr: a redrawn line on a TTY, else at most one line per 10 %."""
    tty = sys.stderr.isatty()
    last = [-1]

    def show(fraction: float) -> None:
        step = int(fraction * 10)
        if tty:
            sys.stderr.write(f"\rseparating {fraction * 100:5.1f} %")
            if fraction >= 1.0:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif step != last[0]:
            last[0] = step
            print(f"separating {step * 10} %", file=sys.stderr)

    return show


def _write_stems(stems, names: list[str], out: Path, subtype: str) -> list[Path]:
    """Copy stems from the cache as ``out/<stem>.wav``: all to temp files first, then renamed (all or nothing).
    A write that fails (libsndfile's bare "System error." on a full disk) is the one line of
    :func:`audio.separation_cache.writing_to`, naming ``out``."""
    import soundfile as sf

    from audio.separation_cache import writing_to

    temps: list[tuple[Path, Path]] = []
    try:
        for name in names:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".wav.tmp", dir=out)
            os.close(fd)
            tmp = Path(tmp_name)
            temps.append((tmp, out / f"{name}.wav"))
            with sf.SoundFile(stems.path(name)) as src:
                with writing_to(out):  # reads stay outside: a read error is not "disk full"
                    dst = sf.SoundFile(tmp, "w", src.samplerate, src.channels, subtype=subtype, format="WAV")
                try:
                    while len(block := src.read(_BLOCK_FRAMES, dtype="float32")):
                        with writing_to(out):
                            dst.write(block)
                finally:
                    with writing_to(out):
                        dst.close()
        umask = os.umask(0)
        os.umask(umask)
        for tmp, final in temps:
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; stems are ordinary files
            os.replace(tmp, final)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    return [final for _, final in temps]
