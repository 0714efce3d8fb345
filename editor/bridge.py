"""DocumentBridge: the pure Document's callback signals as Qt signals.

The domain (:mod:`chart.document`) announces changes with plain callbacks so it stays Qt-free; views connect to
this bridge instead, which also lets Qt queue deliveries to widgets in the GUI thread. Edits always happen on the
GUI thread (workers hand their results back first), so emitting directly from the callbacks is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from PySide6.QtCore import QObject, Signal

from chart.document import Document
from chart.signals import Signal as DocSignal


class DocumentBridge(QObject):
    """Qt twins of a :class:`~chart.document.Document`'s signals. Call :meth:`detach` before dropping it."""

    notes_changed = Signal(str, object, object)  # chart id, beat0 (Fraction), beat1 (Fraction)
    timing_changed = Signal()
    charts_changed = Signal()
    meta_changed = Signal()
    clean_changed = Signal(bool)
    history_changed = Signal()
    changed = Signal()  # any of the above: autosave and the title bar listen to this one

    def __init__(self, doc: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc
        self._links: list[tuple[DocSignal, Callable[..., None]]] = [
            (doc.notes_changed, self._on_notes),
            (doc.timing_changed, self._on_timing),
            (doc.charts_changed, self._on_charts),
            (doc.meta_changed, self._on_meta),
            (doc.clean_changed, self._on_clean),
            (doc.history_changed, self._on_history),
        ]
        for signal, slot in self._links:
            signal.connect(slot)

    def detach(self) -> None:
        """Disconnect from the document (a new document is being opened)."""
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []

    def _on_notes(self, chart_id: str, beat0: Fraction, beat1: Fraction) -> None:
        self.notes_changed.emit(chart_id, beat0, beat1)
        self.changed.emit()

    def _on_timing(self) -> None:
        self.timing_changed.emit()
        self.changed.emit()

    def _on_charts(self) -> None:
        self.charts_changed.emit()
        self.changed.emit()

    def _on_meta(self) -> None:
        self.meta_changed.emit()
        self.changed.emit()

    def _on_clean(self, is_clean: bool) -> None:
        self.clean_changed.emit(bool(is_clean))

    def _on_history(self, *_args) -> None:
        self.history_changed.emit()
