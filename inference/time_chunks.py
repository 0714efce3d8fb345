"""Split a long time axis into overlapping windows of one length, and join the per-window outputs.

The onset model's bidirectional GRU walks the whole song one step at a time. On a GPU each step is a kernel launch,
so a 3-minute song (9,000 GRU steps per direction and layer) runs no faster on an H100 than on 16 CPU cores. Cut into
windows of a few thousand frames stacked along the batch axis, the same work takes a fraction of the steps. The
model was trained on 16-s crops, so a window with ``context`` frames of audio on each side of the frames it keeps
sees what it saw in training.

The plan: windows ``[lo, lo + length)`` every ``length - 2 * context`` frames, the last one ending at the song's
end (so every window has the same length and the batch is one tensor); each frame is taken from the window in
which it has at least ``context`` frames on both sides, or sits at the song's edge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_CONTEXT_FRAMES = 512  # ~5 s at 100 frames/s; manifests may say less (``extra.receptive_field_frames``)
# On a GPU the onset model runs on windows of this many frames (41 s; manifest ``extra.window_frames`` overrides).
# Validation F1@50 with windows, measured on CPU: 0.7262 against 0.7267 without.
WINDOW_FRAMES = 4096
MAX_WINDOW_ROWS = 64  # rows (windows x slots) per call: bounds memory on 10-minute songs
# On CPU a song runs in one pass up to this many frames (5.4 minutes at 100 frames/s: the songs of the evaluation
# and other songs of normal length, whose results do not move); a longer one (one pass took 1.7 GB for a 10-minute
# song and 5 slots, over 9 GB for 60 minutes) runs in the windows above, at most CPU_WINDOW_ROWS rows a call (one
# window of a 5-slot draft, ~0.2 GB), so its memory no longer grows with the song.
LONG_SONG_FRAMES = 32768
CPU_WINDOW_ROWS = 5


def time_inputs(manifest: Any, feeds: Mapping[str, np.ndarray]) -> list[str]:
    """Inputs with a dynamic axis 1 (``[B, T, ...]``): the ones split along time."""
    return [s.name for s in manifest.inputs if len(s.shape) >= 2 and s.shape[1] == -1 and s.name in feeds]


def context_frames(manifest: Any) -> int:
    """Frames of context added on each side of a window: half the model's receptive field, else a default."""
    extra = manifest.extra or {}
    if extra.get("context_frames"):
        return int(extra["context_frames"])
    if extra.get("receptive_field_frames"):
        return int(extra["receptive_field_frames"]) // 2 + 1
    return DEFAULT_CONTEXT_FRAMES


def window_frames(manifest: Any) -> int:
    return int((manifest.extra or {}).get("window_frames") or WINDOW_FRAMES)


@dataclass(frozen=True)
class Window:
    lo: int  # first frame of the window
    keep_lo: int  # first frame taken from this window's output
    keep_hi: int  # one past the last


def plan(n_frames: int, length: int, context: int) -> list[Window]:
    """Windows of ``length`` frames covering ``n_frames``; one window when the song fits."""
    if n_frames <= length:
        return [Window(0, 0, n_frames)]
    core = length - 2 * context
    if core < 1:
        raise ValueError(f"window of {length} frames leaves nothing inside {context} frames of context")
    count = math.ceil((n_frames - 2 * context) / core)
    starts = [min(i * core, n_frames - length) for i in range(count)]
    bounds = [0] + [lo + context for lo in starts[1:]] + [n_frames]
    return [Window(lo, bounds[i], bounds[i + 1]) for i, lo in enumerate(starts)]


def run_windowed(run: Callable[[dict[str, np.ndarray]], np.ndarray], feeds: dict[str, np.ndarray],
                 timed: list[str], windows: list[Window], length: int, max_rows: int) -> np.ndarray:
    """``run`` on the windows stacked along the batch axis (at most ``max_rows`` rows a call); output [B, T].

    ``feeds`` are batch-first; the ``timed`` ones have time on axis 1 and are cut into windows, the others are
    repeated for each window. ``run`` returns [rows, length] for a batch of ``rows`` = windows x B.
    """
    batch = next(iter(feeds.values())).shape[0]
    n_frames = feeds[timed[0]].shape[1]
    out = np.empty((batch, n_frames), dtype=np.float32)
    per_call = max(1, max_rows // batch)
    for first in range(0, len(windows), per_call):
        group = windows[first:first + per_call]
        stacked = {name: _stack([value[:, w.lo:w.lo + length] for w in group] if name in timed
                                else [value] * len(group))
                   for name, value in feeds.items()}
        result = run(stacked)
        for i, w in enumerate(group):
            rows = result[i * batch:(i + 1) * batch]
            out[:, w.keep_lo:w.keep_hi] = rows[:, w.keep_lo - w.lo:w.keep_hi - w.lo]
    return out


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    """``parts`` joined along axis 0 into one C-ordered array (``np.concatenate`` keeps the layout of broadcast
    views, which the backend would then copy a second time)."""
    rows = sum(p.shape[0] for p in parts)
    out = np.empty((rows, *parts[0].shape[1:]), dtype=parts[0].dtype)
    at = 0
    for p in parts:
        out[at:at + p.shape[0]] = p
        at += p.shape[0]
    return out
