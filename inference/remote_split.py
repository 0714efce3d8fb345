"""How :class:`inference.remote.RemoteBackend` splits a request that is over the server's size limit.

**Rows first.** Each row of a batch-first model's batch (a slot of the onset model) is a pass of its own over the
whole song, so requests of fewer rows answer exactly what one request would, whatever the model's context. Before,
a request over the limit was split along time only: the shipped onset model is a BiGRU (every frame depends on the
whole song), so on an 11-minute song the Easy row of a 5-slot draft (67 MB, over the 64 MiB default) differed from
Easy drafted alone (66 MB, one request) by up to 0.54 -- a remote chart depended on which other slots were asked.

**Time only when one row does not fit alone**, on windows planned for one row (so a row's answer does not depend
on which other rows came with it), each window sent with as many rows as fit. Windows keep consecutive stretches of
at most ``core`` frames and carry ``context`` frames on each side (fewer at the song's edges), trimmed from the
output; the last window is no longer than it needs to be (the GPU plan of :mod:`inference.time_chunks` gives every
window one length, which re-ran almost the whole song as a second window: frames [6812, 66966) after [0, 60154)).
Such an answer equals one pass only for a model whose receptive field fits the context; the backend says so
(:meth:`~inference.remote.RemoteBackend.describe`, ``on_note``). A limit below one such window of one row (with its
context: about 1.1 MiB for the shipped onset model) cannot be met at all: :class:`BelowWindow` says how much is
needed (``serve`` refuses such a limit: :func:`min_request_bytes`).

**Rows per request.** A server may cap the rows of one request as well as its bytes (Triton's ``max_batch_size``,
read from the model's config): rows then go in groups of at most that many (``max_rows``), exactly as above.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference import time_chunks
from inference.input_checks import InputError
from inference.remote_validate import batch_first
from inference.serving.v2 import encode_request
from inference.time_chunks import Window

HEADER_BYTES = 4096  # the JSON header of a binary request, and room for the request's envelope
_SAMPLE_FRAMES = 64  # frames of one row encoded to measure the size of JSON text


@dataclass(frozen=True)
class RequestCost:
    """Bytes of a request as a function of its rows and frames: ``size(rows, frames)``.

    ``shared`` per frame whatever the rows (inputs sent once: batch broadcast), ``per_row`` per frame and row,
    ``fixed_per_row`` per row (inputs without a time axis)."""

    shared: float
    per_row: float
    fixed_per_row: float

    def size(self, rows: int, frames: int) -> float:
        return HEADER_BYTES + frames * (self.shared + rows * self.per_row) + rows * self.fixed_per_row

    def rows_that_fit(self, frames: int, limit: int) -> int:
        """Most rows of ``frames`` frames one request under ``limit`` can carry (0: not even one)."""
        room = limit - HEADER_BYTES - frames * self.shared
        per_row = frames * self.per_row + self.fixed_per_row
        return max(0, int(room // per_row)) if per_row > 0 else (1 << 30 if room >= 0 else 0)


def request_cost(feeds: Mapping[str, np.ndarray], timed: list[str], broadcast: list[str], binary: bool,
                 batch_first: bool) -> RequestCost:
    """The cost of requests made of ``feeds``: exact for binary tensors, measured on a slice for JSON text."""
    shared = per_row = fixed = 0.0
    for name, value in feeds.items():
        rows = max(1, int(value.shape[0])) if value.ndim else 1
        if name in timed:
            frames = max(1, int(value.shape[1]))
            one = value[:1, :_SAMPLE_FRAMES]
            each = (value.nbytes / (rows * frames) if binary
                    else len(encode_request({name: one})) / max(1, one.shape[1]))
            if name in broadcast or not batch_first:
                shared += each * (1 if name in broadcast else rows)
            else:
                per_row += each
        else:
            each = value.nbytes / rows if binary else len(encode_request({name: value[:1]}))
            fixed += each if batch_first else each * rows
    return RequestCost(shared, per_row, fixed)


def is_batch_broadcast(array: np.ndarray) -> bool:
    """A batch whose rows are one row repeated without copying (``np.broadcast_to``: stride 0 on axis 0)."""
    return isinstance(array, np.ndarray) and array.ndim >= 2 and array.shape[0] > 1 and array.strides[0] == 0


def row_groups(batch: int, most: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` ranges covering ``batch`` rows, as few as ``most`` rows a request allows, of even sizes."""
    count = math.ceil(batch / max(1, most))
    bounds = [i * batch // count for i in range(count + 1)]
    return list(zip(bounds, bounds[1:]))


def take_rows(feeds: Mapping[str, np.ndarray], lo: int, hi: int, broadcast: list[str]) -> dict[str, np.ndarray]:
    """Rows ``[lo, hi)`` of a batch-first request; inputs sent once (``broadcast``) go as they are."""
    return {k: (v if k in broadcast else v[lo:hi]) for k, v in feeds.items()}


def time_windows(n_frames: int, core: int, context: int) -> list[Window]:
    """Windows keeping consecutive stretches of at most ``core`` frames of ``n_frames`` (of even lengths), each
    with up to ``context`` frames on either side: no window is longer than ``core + 2 * context``."""
    count = max(1, math.ceil(n_frames / max(1, core)))
    bounds = [i * n_frames // count for i in range(count + 1)]
    return [Window(max(0, lo - context), lo, hi) for lo, hi in zip(bounds, bounds[1:])]


class TooLarge(Exception):
    """HTTP 413: its message is the size (bytes) refused."""


class BelowWindow(Exception):
    """A limit of ``limit`` bytes under the ``need`` bytes of the smallest request a split can make: one row of one
    window of the model's context (:func:`window_bytes`). No split can go under it."""

    def __init__(self, limit: int, need: int) -> None:
        super().__init__(f"{limit} < {need}")
        self.limit, self.need = limit, need


MIN_CORE = 8  # fewest frames a time window keeps (besides its context)
_MARGIN = 0.9  # windows are planned to fill at most this share of the limit


def window_bytes(cost: RequestCost, context: int) -> int:
    """Bytes of the smallest request a time split sends (one row, :data:`MIN_CORE` frames and ``context`` frames on
    each side, planned within :data:`_MARGIN` of the limit): a limit under it cannot be met."""
    per_frame = cost.shared + cost.per_row
    return math.ceil(cost.size(1, 0) + (MIN_CORE + 2 * context + 1) * per_frame / _MARGIN)


def min_request_bytes(manifest: Any) -> int:
    """The smallest request limit a client can split ``manifest``'s requests under, sending binary tensors (the
    default; JSON numbers take ~3x more): one window of one row for a batch-first model with a time axis, else one
    item of every input."""
    feeds = {s.name: np.zeros([1 if d == -1 else d for d in s.shape], np.dtype(s.dtype)) for s in manifest.inputs}
    timed = time_chunks.time_inputs(manifest, feeds) if batch_first(manifest) else []
    cost = request_cost(feeds, timed, [], True, bool(timed))
    return window_bytes(cost, time_chunks.context_frames(manifest)) if timed else math.ceil(cost.size(1, 0))


Infer = Callable[[dict[str, np.ndarray], int | None, int | None], dict[str, np.ndarray]]


def split_run(manifest: Any, feeds: dict[str, np.ndarray], limit: int | None, broadcast: list[str],
              batch: int | None, binary: bool, infer: Infer,
              on_time_split: Callable[[int, int, int], None], max_rows: int | None = None) -> dict[str, np.ndarray]:
    """The model's outputs for ``feeds``: ``infer(feeds, rows, frames)`` once when the request fits ``limit`` (and
    has at most ``max_rows`` rows); else on groups of rows (exact); when one row alone is over the limit, along
    time (``on_time_split(windows, context, limit)`` is called first; :class:`BelowWindow` when the limit is under
    one window). ``batch`` is the request's rows for a batch-first model, else None."""
    outputs = [s.name for s in manifest.outputs]
    timed = time_chunks.time_inputs(manifest, feeds)
    n_frames = int(feeds[timed[0]].shape[1]) if timed else 0
    whole = n_frames if timed else None
    cap = max_rows if batch and max_rows and max_rows > 0 else None
    cost = request_cost(feeds, timed, broadcast, binary, batch is not None)

    def most(frames: int) -> int:  # rows one request of ``frames`` frames may carry
        fit = cost.rows_that_fit(frames, limit) if limit is not None else batch or 1
        return min(fit, cap) if cap else fit

    if (limit is None or cost.size(batch or 1, n_frames) <= limit) and (cap is None or (batch or 1) <= cap):
        return infer(feeds, batch, whole)
    if batch and batch > 1 and (rows := most(n_frames)) >= 1:
        parts = [infer(take_rows(feeds, lo, hi, broadcast), hi - lo, whole) for lo, hi in row_groups(batch, rows)]
        return {k: np.concatenate([p[k] for p in parts], axis=0) for k in outputs}
    if n_frames <= 1 or limit is None:  # nothing to split: the server may still take it, or answer 413
        return infer(feeds, batch, whole)
    return _time_split(manifest, feeds, limit, broadcast, batch, timed, cost, infer, on_time_split, most)


def _time_split(manifest: Any, feeds: dict[str, np.ndarray], limit: int, broadcast: list[str], batch: int | None,
                timed: list[str], cost: RequestCost, infer: Infer, on_time_split: Callable[[int, int, int], None],
                most: Callable[[int], int]) -> dict[str, np.ndarray]:
    """Windows planned for one row (so a row's answer does not depend on the others asked with it), each sent
    with as many rows as fit (``most(frames)``: the song's features, sent once, are most of a request)."""
    n_frames = int(feeds[timed[0]].shape[1])
    context = time_chunks.context_frames(manifest)
    core = int((limit - cost.size(1, 0)) * _MARGIN / (cost.shared + cost.per_row)) - 2 * context
    if core < MIN_CORE:
        raise BelowWindow(limit, window_bytes(cost, context))
    windows = time_windows(n_frames, core, context)
    on_time_split(len(windows), context, limit)
    longest = max(min(n_frames, w.keep_hi + context) - w.lo for w in windows)
    groups = row_groups(batch, max(1, most(longest))) if batch else []
    pieces: list[dict[str, np.ndarray]] = []
    for w in windows:
        hi = min(n_frames, w.keep_hi + context)
        part = {k: (v[:, w.lo:hi] if k in timed else v) for k, v in feeds.items()}
        outs = ([infer(take_rows(part, a, b, broadcast), b - a, hi - w.lo) for a, b in groups] if groups
                else [infer(part, batch, hi - w.lo)])
        pieces.append({k: _trim(np.concatenate([o[k] for o in outs], axis=0), w.keep_lo - w.lo,
                                w.keep_hi - w.keep_lo) for k in outs[0]})
    return {k: np.concatenate([p[k] for p in pieces], axis=1) for k in pieces[0]}


def _trim(array: np.ndarray, offset: int, length: int) -> np.ndarray:
    if array.ndim < 2:
        raise InputError("cannot split this model along time: an output has no time axis")
    return array[:, offset:offset + length]
