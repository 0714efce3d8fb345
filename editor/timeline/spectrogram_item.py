"""Spectrogram lane: tiles from :class:`audio.spectrogram.SpectrogramTiler`, computed in a background job and
drawn as they arrive (the ones around the cursor first), left of the lanes. Frequency runs left (low) to right
(high) on a mel scale, time runs down with the notefield (up in reverse scroll).

The frequency range is fixed (:data:`LANE_PARAMS`: 30 Hz to 11 kHz, which every common sample rate reaches), not
the file's: with the top at half the rate, 1 kHz sat at 30 % of the lane in a 22.05 kHz song and at 24 % in a
44.1 kHz one, so the same sound moved from song to song. A file of a lower rate leaves the lane dark above its
half rate. Faint ticks at the top of the lane mark 100 Hz, 1 kHz and 10 kHz.

Each row of a tile is one STFT frame, whose window is centred on the frame's time, so a row is drawn centred on
that time (half a hop either side), not from it: a click sits on its beat line at every zoom.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTransform

from audio.spectrogram import SpectrogramParams, SpectrogramTiler, hz_to_mel, to_uint8
from editor.timeline import geometry as geo
from editor.workers import Job, JobContext

# A perceptual dark-to-bright ramp (black, indigo, magenta, orange, pale yellow), interpolated to 256 entries.
_ANCHORS = np.array([[0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21],
                     [250, 193, 39], [252, 255, 164]], dtype=np.float64)
_LUT = np.stack([np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_ANCHORS)), _ANCHORS[:, c])
                 for c in range(3)], axis=1).astype(np.uint32)
LUT_ARGB = (np.uint32(255) << 24) | (_LUT[:, 0] << 16) | (_LUT[:, 1] << 8) | _LUT[:, 2]
FLOOR_DB, CEIL_DB = -95.0, -15.0


COLOR_TABLE = [int(c) for c in LUT_ARGB]

#: The lane's bands: a fixed 30 Hz - 11 kHz whatever the file's rate (a 22.05 kHz file reaches 11.025 kHz), so a
#: tone sits in the same column in every song; bands above a file's half rate stay empty.
LANE_PARAMS = SpectrogramParams(fmin_hz=30.0, fmax_hz=11_000.0, keep_range=True)
#: Frequencies marked on the lane, with their labels.
LANE_TICKS = ((100.0, "100"), (1000.0, "1k"), (10_000.0, "10k"))
LANE_TOOLTIP = ("Spectrogram: frequency runs left to right from 30 Hz to 11 kHz (mel scale; ticks at 100 Hz, 1 kHz "
                "and 10 kHz), the same on every song; time runs with the notes. Dark at the right: the audio file "
                "holds nothing that high.")


def lane_fraction(hz: float, params: SpectrogramParams = LANE_PARAMS) -> float:
    """Where ``hz`` sits across the lane (0: its left edge, 1: its right): the middle of the column of the mel
    band centred on ``hz`` (band ``i`` is column ``i``; their centres are evenly spaced in mel)."""
    m0, m1 = float(hz_to_mel(params.fmin_hz)), float(hz_to_mel(params.fmax_hz))
    step = (m1 - m0) / (params.n_mels + 1)
    band = (float(hz_to_mel(hz)) - m0) / step - 1.0
    return (band + 0.5) / params.n_mels


def tick_label_lefts(xs: Sequence[float], widths: Sequence[float], lane_x0: float, lane_x1: float,
                     gap: float = 2.0) -> list[float | None]:
    """Left edge in pixels of each frequency label (ticks at ``xs``, left to right, labels ``widths`` wide), or
    None for one left out: right of its tick where it fits before the next tick (the lane's right edge for the
    last), else left of its tick after the label before it, else not at all. In a narrow lane "1k" ran into
    "10k", and "10k" past the lane into the measure numbers."""
    out: list[float | None] = []
    taken = lane_x0  # right end of the last label drawn
    for i, (x, w) in enumerate(zip(xs, widths, strict=True)):
        limit = xs[i + 1] - gap if i + 1 < len(xs) else lane_x1
        if x + gap + w <= limit:
            out.append(x + gap)
        elif x - gap - w >= taken + gap:
            out.append(x - gap - w)
        else:
            out.append(None)
        if out[-1] is not None:
            taken = out[-1] + w
    return out


def tile_image(db: np.ndarray) -> QImage:
    """Indexed image of one tile (1 byte per pixel; the palette maps it): one row per frame (time down), one
    column per band (low to high)."""
    index = np.ascontiguousarray(to_uint8(db.T, FLOOR_DB, CEIL_DB))  # [frames, bands]
    h, w = index.shape
    image = QImage(index.data, w, h, w, QImage.Format.Format_Indexed8).copy()
    image.setColorTable(COLOR_TABLE)
    return image


class SliceTiler:
    """Spectrogram tiles cut straight from the song's (multi-channel) samples: each tile mixes only its own slice
    to mono, so the song is never copied whole. Frame ``k`` is centred at ``k * hop`` as in
    :class:`audio.spectrogram.SpectrogramTiler`, which computes each slice; ``PRE`` frames of real audio before a
    tile keep its first windows seamless with the tile above."""

    def __init__(self, samples: np.ndarray, sr: int, tile_s: float = 5.0):
        self.samples = samples if samples.ndim == 2 else samples[None, :]
        self.sr = int(sr)
        self.params = LANE_PARAMS
        self.hop = max(1, int(round(self.params.hop_s * self.sr)))
        self.hop_s = self.hop / self.sr
        self.frames_per_tile = max(1, int(round(tile_s / self.hop_s)))
        self.n_frames = self.samples.shape[-1] // self.hop + 1
        self.n_tiles = -(-self.n_frames // self.frames_per_tile)
        self.window_len, _ = self.params.frame_lengths(self.sr)  # the window is a time: samples depend on the rate
        self.pre = -(-(self.window_len // 2) // self.hop)

    def tiles_for(self, start_s: float, end_s: float) -> range:
        first = int(max(start_s, 0.0) / self.hop_s) // self.frames_per_tile
        last = int(max(end_s, 0.0) / self.hop_s) // self.frames_per_tile
        return range(min(first, self.n_tiles), min(last, self.n_tiles - 1) + 1)

    def tile(self, index: int) -> tuple[float, float, np.ndarray]:
        """(start_s, end_s, dB [bands, frames]) of tile ``index``: start_s is its first frame's centre, end_s one
        hop past its last frame's centre (:meth:`SpectrogramItem.add_tile` draws each frame centred)."""
        first = index * self.frames_per_tile
        count = min(self.frames_per_tile, self.n_frames - first)
        s0 = (first - self.pre) * self.hop
        s1 = (first + count + self.pre) * self.hop + self.window_len
        seg = np.zeros(s1 - s0, np.float32)
        lo, hi = max(s0, 0), min(s1, self.samples.shape[-1])
        if hi > lo:
            seg[lo - s0:hi - s0] = self.samples[:, lo:hi].mean(axis=0)
        # one sub-tile of just the frames wanted (the PRE ones, then the tile's): the whole segment was two
        sub = SpectrogramTiler(seg, self.sr, self.params, tile_s=(count + self.pre) * self.hop_s)
        db = sub.tile(0).db[:, self.pre:self.pre + count]
        return first * self.hop_s, (first + count) * self.hop_s, db


class SpectrogramItem(pg.GraphicsObject):
    """Draws the tiles that are ready; missing ones stay dark until they stream in."""

    def __init__(self) -> None:
        super().__init__()
        self.tiles: dict[int, tuple[float, float, QImage]] = {}  # index -> (top_s, bottom_s, image) as drawn
        self.duration_s = 1.0
        self._y_extent = (-1.0, 61.0)
        self.setZValue(-8)
        self.setToolTip(LANE_TOOLTIP)

    def clear(self, duration_s: float = 1.0) -> None:
        self.prepareGeometryChange()
        self.tiles.clear()
        self.duration_s = max(duration_s, 1e-3)
        self.update()

    def add_tile(self, index: int, start_s: float, end_s: float, image: QImage) -> None:
        """A tile of ``image.height()`` frames: ``start_s`` is the centre of its first frame, ``end_s`` as far
        past its last. Each row is drawn centred on its frame's time, so the tile is drawn half a row earlier
        (drawn from its frame's time, every row was half a hop, ~2.5 ms, late: 11-16 px at 4000 px/s)."""
        half = (end_s - start_s) / (2.0 * max(image.height(), 1))
        self.tiles[index] = (start_s - half, end_s - half, image)
        self.update()

    def set_y_extent(self, y0: float, y1: float) -> None:
        """The song's extent in the view's y units (the timeline sets it with the time axis)."""
        self.prepareGeometryChange()
        self._y_extent = (y0, y1)
        self.update()

    def boundingRect(self) -> QRectF:
        y0, y1 = self._y_extent
        return QRectF(geo.SPECTRO_X0, y0, geo.SPECTRO_X1 - geo.SPECTRO_X0, y1 - y0)

    def paint(self, painter: QPainter, *_args) -> None:
        view = geo.visible_range(self)
        if view is None:
            return
        pm = geo.pixel_map(self, painter)
        painter.save()
        painter.resetTransform()
        painter.fillRect(pm.rect(geo.SPECTRO_X0, max(view[2], 0.0), geo.SPECTRO_X1,
                                 min(view[3], self.duration_s)), QColor(8, 8, 14))
        shown = [(s0, s1) for s0, s1, _image in self.tiles.values() if s1 >= view[2] and s0 <= view[3]]
        if shown:
            # one piece per stretch where y is linear in time (the whole range in C-mod; X-mod cuts at tempo
            # changes and stops, and just after a stop shows its opening: TimeAxis.drawn_pieces), each drawn
            # from the rows of the tiles its audio is in (a stop's opening may be in the tile before)
            for a, b, src in pm.axis.drawn_pieces(min(s0 for s0, _ in shown), max(s1 for _, s1 in shown)):
                for start_s, end_s, image in self.tiles.values():
                    lo, hi = max(src, start_s), min(src + (b - a), end_s)
                    if hi > lo:
                        self._draw_rows(painter, pm, image, (start_s, end_s), (lo, hi), a - src)
        self._paint_ticks(painter, pm, view)
        painter.restore()

    @staticmethod
    def _draw_rows(painter: QPainter, pm: geo.PixelMap, image: QImage, tile: tuple[float, float],
                   audio: tuple[float, float], shift: float) -> None:
        """Draw the rows of ``image`` (a tile spanning ``tile`` seconds) for the audio ``audio`` between the rows
        of ``audio`` moved by ``shift`` seconds (a piece of the time axis, where y is linear)."""
        rows_per_s = image.height() / max(tile[1] - tile[0], 1e-9)
        source = QRectF(0.0, (audio[0] - tile[0]) * rows_per_s, image.width(), (audio[1] - audio[0]) * rows_per_s)
        target = pm.piece_rect(geo.SPECTRO_X0, audio[0] + shift, geo.SPECTRO_X1, audio[1] + shift)
        if not pm.time_down:  # reverse scroll: the tile's first row (its start) goes at the bottom
            painter.setTransform(QTransform(1, 0, 0, -1, 0, target.top() + target.bottom()))
        painter.drawImage(target, image, source)
        painter.resetTransform()

    def _paint_ticks(self, painter: QPainter, pm: geo.PixelMap, view: tuple[float, float, float, float]) -> None:
        """Faint frequency ticks and labels along the top edge of the lane (device pixels: never mirrored)."""
        top = min(float(pm.y(view[2])), float(pm.y(view[3])))
        font = painter.font()
        font.setPixelSize(9)
        painter.setFont(font)
        painter.setPen(QPen(QColor(220, 220, 235, 150), 1.0))
        xs = [float(pm.x(geo.SPECTRO_X0 + lane_fraction(hz) * (geo.SPECTRO_X1 - geo.SPECTRO_X0))) for hz, _ in LANE_TICKS]
        widths = [painter.fontMetrics().horizontalAdvance(label) for _, label in LANE_TICKS]
        for x in xs:
            painter.drawLine(QPointF(x, top), QPointF(x, top + 5.0))
        for left, label in zip(tick_label_lefts(xs, widths, float(pm.x(geo.SPECTRO_X0)), float(pm.x(geo.SPECTRO_X1))),
                               (label for _, label in LANE_TICKS), strict=True):
            if left is not None:
                painter.drawText(QRectF(left, top + 1.0, 30.0, 11.0),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), label)


class SpectrogramController(QObject):
    """Feeds the item: one background job computes the tiles nearest the view first."""

    def __init__(self, win, item: SpectrogramItem):
        super().__init__(win)
        self.win, self.item = win, item
        self.enabled = False
        self.tiler: SliceTiler | None = None
        self.job: Job | None = None
        win.session.audio_changed.connect(self._audio_changed)
        win.timeline.cursor_moved.connect(lambda _t: self._maybe_reprioritise())

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        if on:
            self._audio_changed(keep_tiles=True)
        elif self.job is not None:
            self.job.cancel()

    def _audio_changed(self, keep_tiles: bool = False) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
        audio = self.win.session.audio
        if not keep_tiles or audio is None:
            self.item.clear(audio.duration_s if audio is not None else 1.0)
            self.tiler = None
        if audio is None or not self.enabled:
            return
        if self.tiler is None:
            self.tiler = SliceTiler(audio.samples, audio.sample_rate_hz)
        self._start()

    def _order(self, tiler: SliceTiler) -> list[int]:
        """Missing tiles of ``tiler``, nearest to the cursor first (the visible ones lead)."""
        centre = min(int(max(self.win.timeline.cursor_s, 0.0) / (tiler.frames_per_tile * tiler.hop_s)),
                     tiler.n_tiles - 1)
        missing = [i for i in range(tiler.n_tiles) if i not in self.item.tiles]
        return sorted(missing, key=lambda i: (abs(i - centre), i))

    def _start(self) -> None:
        tiler = self.tiler
        assert tiler is not None  # set before every start (_audio_changed, _maybe_reprioritise)
        order = self._order(tiler)
        if not order:
            return

        def compute(ctx: JobContext, indices: list[int]):
            for k, index in enumerate(indices):
                ctx.check()
                start_s, end_s, db = tiler.tile(index)
                ctx.partial((index, start_s, end_s, tile_image(db)))
                ctx.report((k + 1) / len(indices), "spectrogram")
            return len(indices)

        job = Job("spectrogram", compute, order, parent=self)
        job.partial.connect(lambda t: self.item.add_tile(*t) if self.tiler is tiler else None)
        self.job = job
        self.win.run_job(job)
        self._started_at = self.win.timeline.cursor_s

    def _maybe_reprioritise(self) -> None:
        """After a big seek, restart the job so the tiles now on screen come next."""
        if not self.enabled or self.tiler is None or self.job is None or not self.job.running:
            return
        tile_s = self.tiler.frames_per_tile * self.tiler.hop_s
        if abs(self.win.timeline.cursor_s - getattr(self, "_started_at", 0.0)) > 2 * tile_s:
            self.job.cancel()
            self._start()
