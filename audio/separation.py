"""Source separation: vocals, accompaniment and drums stems, streamed in chunks, cached on disk.

The default separator needs no model weights (:mod:`audio.separation_masks`: stereo centre extraction,
REPET-SIM and HPSS as soft STFT masks). Any other separator (e.g. a bring-your-own ONNX model from
``inference.separation_model``) plugs in through the :class:`Separator` protocol and gets the same chunking,
progress, cancel and cache.

Streaming: the song is decoded block by block and cut into chunks of ``chunk_s`` seconds; each chunk is
separated with ``context`` frames of extra audio on both sides (discarded afterwards, so STFT edges and model
edges never reach the output), and consecutive chunks overlap by ``fade_s`` with complementary sin^2/cos^2
fades, so the output has no seams and vocals + accompaniment still equals the input. Memory is bounded by the
chunk size, not the song length: stems go straight to WAV files on disk.

Cache: ``<cache_dir>/<key>/`` with one float WAV per stem and ``meta.json``, where ``key`` hashes the audio
file's bytes, the separator's name and all its parameters. The folder is filled under a temporary name and
renamed when complete, so a crash or a cancel never leaves a half-written cache entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Protocol

import numpy as np

from audio.numba_cache import uncached_on_failure
from audio.progress import CancelFn, ProgressFn, check, report
from audio.separation_masks import MaskParams, separate_chunk

STEMS = ("vocals", "accompaniment", "drums")
ALGO_VERSION = 1  # bump when the output of an unchanged parameter set changes (invalidates caches)
META_FILE = "meta.json"


class SeparationError(Exception):
    """Separation refused or failed (e.g. centre extraction asked for a mono file); the message is one line."""


class Separator(Protocol):
    """Splits one chunk of audio into stems; :func:`separate_stream` does the chunking around it."""

    name: str  # shown to the user ("centre+REPET-SIM+HPSS", "model mdx_vocals (sha256:...)")
    stems: tuple[str, ...]
    chunk_frames: int  # output frames per chunk
    context_frames: int  # extra frames on each side that the separator sees but whose output is dropped

    def cache_key(self) -> str:
        """Everything that changes the output (name, parameters, model hash)."""
        ...

    def __call__(self, x: np.ndarray, sr: int) -> dict[str, np.ndarray]:
        """``x`` ``[channels, n]`` float32 -> each stem ``[channels, n]`` float32."""
        ...


@dataclass(frozen=True)
class SeparationParams:
    """Parameters of the default separator.

    ``method``: "auto" (centre extraction when the file is stereo, else the mono cues), "stereo" (centre extraction;
    a mono file is refused unless ``allow_mono_fallback``), or "mono" (REPET-SIM + HPSS only).
    """

    method: str = "auto"
    allow_mono_fallback: bool = False
    chunk_s: float = 30.0
    fade_s: float = 1.0
    masks: MaskParams = field(default_factory=MaskParams)


class MaskSeparator:
    """The default, weight-free separator (see :mod:`audio.separation_masks`) for one resolved method."""

    stems: tuple[str, ...] = STEMS

    def __init__(self, params: SeparationParams, sr: int, stereo: bool) -> None:
        self.params, self.stereo = params, stereo
        hop = params.masks.hop_frames
        self.chunk_frames = max(hop, int(round(params.chunk_s * sr / hop)) * hop)
        self.context_frames = 4 * params.masks.n_fft
        self.fade_frames = min(self.chunk_frames, int(params.fade_s * sr))
        self.name = "centre extraction + REPET-SIM + HPSS" if stereo else "REPET-SIM + HPSS (mono)"

    def cache_key(self) -> str:
        p = replace(self.params, method="stereo" if self.stereo else "mono", allow_mono_fallback=False)
        return json.dumps({"separator": "masks", "version": ALGO_VERSION, "chunk_s": p.chunk_s, "fade_s": p.fade_s,
                           "method": p.method, "masks": p.masks.as_dict()}, sort_keys=True)

    def __call__(self, x: np.ndarray, sr: int) -> dict[str, np.ndarray]:
        return separate_chunk(x, sr, self.params.masks, self.stereo)


def default_separator(params: SeparationParams, sr: int, channels: int) -> MaskSeparator:
    """The default separator for a file with ``channels`` channels, or a one-line :class:`SeparationError`."""
    if params.method not in ("auto", "stereo", "mono"):
        raise SeparationError(f"unknown separation method {params.method!r} (auto, stereo or mono)")
    stereo = channels >= 2 and params.method != "mono"
    if params.method == "stereo" and channels < 2 and not params.allow_mono_fallback:
        raise SeparationError("the audio is mono: centre extraction needs a stereo file (separate: pass "
                              "--allow-mono, or --method mono; SeparationParams: allow_mono_fallback or method='mono')")
    return MaskSeparator(params, sr, stereo)


def _fades(n: int) -> tuple[np.ndarray, np.ndarray]:
    ramp = np.sin(0.5 * np.pi * (np.arange(n) + 0.5) / max(n, 1)) ** 2
    return ramp.astype(np.float32), (1.0 - ramp).astype(np.float32)


def separate_stream(blocks: Iterable[np.ndarray], sr: int, separator: Separator,
                    emit: Callable[[dict[str, np.ndarray]], None], total_frames: int = 0,
                    fade_frames: int | None = None, progress: ProgressFn | None = None,
                    cancel: CancelFn | None = None) -> int:
    """Separate a stream of ``[channels, n]`` blocks chunk by chunk, emitting consecutive stem pieces.

    Parameters
    ----------
    blocks : iterable of np.ndarray
        Consecutive ``[channels, n]`` float32 blocks (their concatenation is the song).
    sr : int
        Sample rate in Hz.
    separator : Separator
        Splits one chunk.
    emit : callable
        Receives ``{stem: [channels, m]}`` pieces in order; their concatenation is each whole stem.
    total_frames : int
        Expected length (for progress only; may be an estimate).
    fade_frames : int, optional
        Cross-fade between chunks; default the separator's ``fade_frames`` or 1 s.

    Returns
    -------
    int
        Frames emitted (= frames read).
    """
    hop_frames = separator.chunk_frames
    fade = min(hop_frames, fade_frames if fade_frames is not None else getattr(separator, "fade_frames", sr))
    pad = separator.context_frames
    fade_in, fade_out = _fades(fade)
    source: Iterator[np.ndarray] = iter(blocks)
    buf: np.ndarray | None = None
    buf_start, start, emitted = 0, 0, 0
    tail: dict[str, np.ndarray] | None = None
    exhausted = False
    while True:
        check(cancel)
        need = start + hop_frames + fade + pad
        pending = [] if buf is None else [buf]
        have = buf_start + (0 if buf is None else buf.shape[1])
        while have < need and not exhausted:
            block = next(source, None)
            if block is None:
                exhausted = True
            elif block.shape[-1]:
                pending.append(np.asarray(block, dtype=np.float32).reshape(-1, block.shape[-1]))
                have += block.shape[-1]
        if not pending:
            break
        buf = np.concatenate(pending, axis=1) if len(pending) > 1 else pending[0]
        final = exhausted and have <= start + hop_frames + fade
        lo, hi = max(0, start - pad), min(have, start + hop_frames + fade + pad)
        # librosa's istft compiles with numba's on-disk cache: a full disk must not end the run (audio.numba_cache)
        out = uncached_on_failure(partial(separator, buf[:, lo - buf_start:hi - buf_start], sr))
        end = have if final else start + hop_frames + fade
        piece = {k: v[:, start - lo:end - lo].astype(np.float32, copy=True) for k, v in out.items()}
        if tail is not None:
            m = min(fade, next(iter(piece.values())).shape[1])
            for k, v in piece.items():
                v[:, :m] = v[:, :m] * fade_in[:m] + tail[k][:, :m]
        if final:
            emit(piece)
            emitted += next(iter(piece.values())).shape[1]
            break
        emit({k: v[:, :hop_frames] for k, v in piece.items()})
        emitted += hop_frames
        tail = {k: v[:, hop_frames:] * fade_out for k, v in piece.items()}
        start += hop_frames
        drop = max(0, start - pad) - buf_start
        buf, buf_start = buf[:, drop:], buf_start + drop
        report(progress, start / total_frames if total_frames else 0.0)
    report(progress, 1.0)
    return emitted


def separate_array(x: np.ndarray, sr: int, params: SeparationParams | None = None,
                   separator: Separator | None = None, progress: ProgressFn | None = None,
                   cancel: CancelFn | None = None, block_frames: int = 1 << 16) -> dict[str, np.ndarray]:
    """Separate samples held in memory (same chunking as files, so results match :func:`separate_file`).

    Parameters
    ----------
    x : np.ndarray
        ``[n]`` (mono) or ``[channels, n]`` float samples.
    sr : int
        Sample rate in Hz.
    params : SeparationParams, optional
        Parameters of the default separator (ignored when ``separator`` is given).
    separator : Separator, optional
        Another separator (e.g. an ONNX model).

    Returns
    -------
    dict of str to np.ndarray
        Each stem ``[channels, n]`` float32.
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float32))
    if x.shape[1] == 0:
        raise SeparationError("no samples to separate")
    sep = separator or default_separator(params or SeparationParams(), sr, x.shape[0])
    parts: dict[str, list[np.ndarray]] = {}
    blocks = (x[:, i:i + block_frames] for i in range(0, x.shape[1], block_frames))

    def keep(piece: dict[str, np.ndarray]) -> None:
        for k, v in piece.items():
            parts.setdefault(k, []).append(v)

    separate_stream(blocks, sr, sep, keep, x.shape[1], progress=progress, cancel=cancel)
    return {k: np.concatenate(v, axis=1) for k, v in parts.items()}


from audio.separation_cache import StemSet, default_cache_dir, separate_file  # noqa: E402  (re-export)

__all__ = ["STEMS", "MaskParams", "MaskSeparator", "SeparationError", "SeparationParams", "Separator", "StemSet",
           "default_cache_dir", "default_separator", "separate_array", "separate_file", "separate_stream"]
