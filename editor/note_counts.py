"""The note counts the toolbar's chart list and the Charts panel show, one per chart, shared.

A count walks the whole chart (:func:`chart.stats.note_count`: the notes StepMania judges, so warps and fakes are
looked up; 35 ms for 13k notes among 99 warps), and both lists showed every chart's count at every chart switch,
meter or description edit: two walks of every chart per F5/F6 (about 170 ms on five such charts). A count is kept
until that chart's notes change (``notes_changed``), or any timing does (``timing_changed``: notes in a new warp
stop counting), or another song is opened.

Both lists redraw their changed lines from one signal, :attr:`NoteCounts.recount`, sent :data:`RECOUNT_MS` after the
last change: a drag or a recording take changes the notes at every mouse move or frame. Before, each list ran its own
timer, and the toolbar made one more for every song opened.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from chart.song import Chart
from chart.stats import note_count

RECOUNT_MS = 150  # the lists' counts follow an edit this long after the last change


class NoteCounts(QObject):
    """``count(chart)``, computed once per change of the chart's notes or of the timing; ``recount`` (a set of
    chart ids) once a burst of changes pauses."""

    recount = Signal(object)

    def __init__(self, session) -> None:
        super().__init__(session)
        self.session = session
        self._counts: dict[int, tuple[Chart, int]] = {}
        self._pending: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOUNT_MS)
        self._timer.timeout.connect(self._send)
        session.document_replaced.connect(self._attach)
        self._attach()

    def _attach(self) -> None:
        self._counts.clear()
        self._pending.clear()
        self._timer.stop()
        bridge = self.session.bridge
        bridge.notes_changed.connect(self._forget)
        bridge.timing_changed.connect(self._timing_changed)

    def _timing_changed(self) -> None:
        """Notes in a new warp or fake segment stop counting: every chart."""
        self._counts.clear()
        doc = self.session.doc
        self._later({doc.chart_id(c) for c in doc.song.charts})

    def _forget(self, chart_id: str, *_args) -> None:
        """Drop the count of the chart ``chart_id`` names, and those of charts no longer in the song (a deleted
        chart has no id there: asking raised KeyError in the middle of a Save)."""
        doc = self.session.doc
        live = {id(c) for c in doc.song.charts}
        for key, (chart, _n) in list(self._counts.items()):
            if key not in live or doc.chart_id(chart) == chart_id:
                del self._counts[key]
        self._later({chart_id})

    def _later(self, ids: set[str]) -> None:
        self._pending |= ids
        self._timer.start()

    def _send(self) -> None:
        ids, self._pending = self._pending, set()
        self.recount.emit(ids)

    def count(self, chart: Chart) -> int:
        hit = self._counts.get(id(chart))
        if hit is not None and hit[0] is chart:
            return hit[1]
        n = note_count(chart, self.session.doc.song.timing_for(chart))
        self._counts[id(chart)] = (chart, n)
        return n


def note_counts(session) -> NoteCounts:
    """The session's shared :class:`NoteCounts` (made on first use)."""
    counts = getattr(session, "_note_counts", None)
    if counts is None:
        counts = session._note_counts = NoteCounts(session)
    return counts
