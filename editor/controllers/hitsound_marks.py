"""HitsoundMarks: keeps the notefield's hitsound badges (:mod:`editor.timeline.hitsound_item`) on the current
chart's sounded notes.

The badges are worked out from the chart's kept sounds (:func:`chart.formats.osu_hitsounds.kept_sounds`), only for
a chart that keeps some: a dance chart costs one look at its extras per refresh. A sound is shown only while its
note is on its cell (a sound whose note an edit removed is not drawn on empty space). Every change that can move
a badge (the notes, the chart's extras, the timing, another chart or document) asks for a refresh, coalesced to
one per event-loop turn, so a drag of a hitsounded passage rebuilds the badges once per mouse move at most.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtCore import QObject, QTimer

from chart.formats.osu_hitsounds import HITSOUNDS, carries_sounds, kept_sounds
from chart.hitsound_edit import HitSound, sounded
from editor.session import EditorSession
from editor.timeline.hitsound_item import HitsoundMarksItem, look_code


def mark_arrays(chart, timing) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(time s, lane, :func:`~editor.timeline.hitsound_item.look_code`, beat) of each sounded note of ``chart``
    whose badge has something to show (a kept sound that is the default in another spelling has none)."""
    if chart is None or not carries_sounds(chart.extra):
        return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    beats, lanes, codes = _sound_arrays(dict(chart.extra)[HITSOUNDS])
    # cells of the notes the .osu file writes, by float beat (one Fraction is one float; a set of float pairs
    # hashes ~20x faster than one of Fraction pairs): ~5 ms for 10 000 notes where bisecting per sound took 0.1 s
    cells = {(n.beat.numerator / n.beat.denominator, n.lane) for n in sounded(chart.notes)}
    keep = np.fromiter(((b, lane) in cells for b, lane in zip(beats.tolist(), lanes.tolist())), dtype=bool,
                       count=len(beats))
    keep &= codes != 0  # the default in another spelling (hitSound 1, an old map's "0:0:0:"): no letters to show
    times = timing.beats_to_seconds_array(beats[keep]) if keep.any() else np.zeros(0)
    return times, lanes[keep], codes[keep], beats[keep]


@lru_cache(maxsize=4)
def _sound_arrays(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float beat, lane, look code) per kept sound of a ``HitObjects.hitsounds`` text, read once per text: an
    edit of the notes that moves no sound keeps the text, and its refresh only checks which notes are there."""
    kept = kept_sounds([(HITSOUNDS, text)])
    beats = np.fromiter((b.numerator / b.denominator for b, _ in kept), dtype=np.float64, count=len(kept))
    lanes = np.fromiter((lane for _, lane in kept), dtype=np.int64, count=len(kept))
    looks: dict[tuple[str, str], int] = {}  # a map has a handful of different sounds: each is read once
    for sound in kept.values():
        if sound not in looks:
            s = HitSound.parse(sound)
            looks[sound] = look_code(s.bits, s.normal_set, s.addition_set, s.custom())
    codes = np.fromiter((looks[sound] for sound in kept.values()), dtype=np.int64, count=len(kept))
    return beats, lanes, codes


class HitsoundMarks(QObject):
    """Feeds a :class:`HitsoundMarksItem` from the session (see the module docstring)."""

    def __init__(self, session: EditorSession, item: HitsoundMarksItem, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.item = session, item
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        session.document_replaced.connect(self._document_replaced)
        session.chart_switched.connect(self.schedule)
        self._document_replaced()

    def _document_replaced(self) -> None:
        bridge = self.session.bridge
        bridge.notes_changed.connect(self._notes_changed)
        bridge.timing_changed.connect(self.schedule)
        bridge.charts_changed.connect(self.schedule)  # a chart's extras (the sounds) are chart fields
        self.schedule()

    def _notes_changed(self, chart_id: str, *_beats) -> None:
        chart = self.session.chart  # None only when chart_id() is None, which no chart_id equals
        if chart_id == self.session.chart_id() and chart is not None and carries_sounds(chart.extra):
            self.schedule()

    def schedule(self) -> None:
        self._timer.start()

    def refresh(self) -> None:
        """Rebuild the badges of the current chart now."""
        self._timer.stop()
        chart = self.session.chart
        self.item.set_marks(*mark_arrays(chart, self.session.timing()))
