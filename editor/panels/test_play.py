"""TestPlayPanel: start a test play and read how it went.

After a run: the judgment counts, holds and mines, the score, where the hits fell (median, spread, early/late and
a histogram of the offsets), a hint when the hits are consistently early or late, and the spots that went wrong
(Good or worse, dropped holds, mines hit); clicking a spot moves the cursor there and selects its notes, as the
Verify panel does (the notes at its beat and lane now: after an edit fixed the spot, those still there, or none).
The results go with another song or with the chart played (they were of nothing left to go to).
The start button waits while a test play or a record take runs (they share the keys and the song).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chart import sorted_notes
from chart.checks.base import describe_beat
from chart.judge import Grade, Judge, Summary
from editor.colors import text_style
from editor.controllers.live_keys import KEYS_BY_LANES, MAX_KEY_LANES, key_names
from editor.controllers.test_play import signed
from editor.key_hints import follow_keys, hint

HIST_RANGE_MS = 180  # the Boo window
HIST_BIN_MS = 10
HINT_MIN_HITS = 8
HINT_MEDIAN_MS = 12.0  # a median further from 0 than this is worth a word
# the HUD's colours, darkened to read on a light panel
PANEL_COLORS = {Grade.MARVELOUS: "#0a86a8", Grade.PERFECT: "#a07c00", Grade.GREAT: "#2a8f2a",
                Grade.GOOD: "#2f66c4", Grade.BOO: "#8048b8", Grade.MISS: "#c82828"}


def offset_hint(summary: Summary) -> str:
    """One line about a consistent early/late bias of the hits, or '' when there is none worth mentioning."""
    if summary.median_offset_ms is None or len(summary.offsets_ms) < HINT_MIN_HITS:
        return ""
    m = summary.median_offset_ms
    if abs(m) < HINT_MEDIAN_MS:
        return ""
    return (f"Your hits were {abs(m):.0f} ms {'late' if m > 0 else 'early'} (median). If that happens on every "
            "song, set Output latency in the Playback panel (or run Latency Calibration); if only on this song, "
            "its #OFFSET may be off.")


def keys_text(chart) -> str:
    """The panel's line about the keys of ``chart`` (None: no chart yet, 4 lanes)."""
    lanes = 4 if chart is None else chart.lanes
    if lanes not in KEYS_BY_LANES:
        return f"No key layout for {lanes} lanes: test play and record take 1 to {MAX_KEY_LANES} lanes."
    return f"Keys: {key_names(lanes)} ({lanes} lanes). Esc ends. Windows: StepMania judge 4."


class TestPlayPanel(QWidget):
    """Start button, results of the last test play and its trouble spots."""

    __test__ = False  # not a pytest class

    def __init__(self, controller, jump, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.jump = jump  # callable(chart, beat, notes)
        self.chart = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.start_button = QPushButton("Test play from cursor")
        follow_keys(controller.win, ("play.test",), lambda: self.start_button.setToolTip(  # the key as remapped
            "Play the chart with the keyboard from the cursor, judged" + hint(controller.win, "play.test")))
        self.start_button.clicked.connect(controller.start)
        row.addWidget(self.start_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.help = QLabel(keys_text(controller.session.chart))
        self.help.setWordWrap(True)
        layout.addWidget(self.help)
        form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        for name in ("Judgments", "Holds / mines", "Score", "Offsets"):
            label = QLabel("-")
            label.setWordWrap(True)
            form.addRow(name, label)
            self.labels[name] = label
        layout.addLayout(form)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(text_style(self.hint, "#f0b43c"))  # amber, dark enough on a light palette
        layout.addWidget(self.hint)
        self.histogram = pg.PlotWidget()
        self.histogram.setFixedHeight(90)
        self.histogram.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a picture (Offsets says it in words): no Tab stop
        self.histogram.setMenuEnabled(False)
        self.histogram.setMouseEnabled(False, False)
        self.histogram.hideAxis("left")
        self.histogram.setLabel("bottom", "early  ← ms →  late")
        self.histogram.setXRange(-HIST_RANGE_MS, HIST_RANGE_MS, padding=0)
        self.bars: pg.BarGraphItem | None = None
        self.histogram.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#888")))
        layout.addWidget(self.histogram)
        layout.addWidget(QLabel("Trouble spots (click to go there):"))
        self.list = QListWidget()
        self.list.setAccessibleName("Trouble spots")
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        layout.addWidget(self.list, 1)
        controller.started.connect(self._started)
        controller.ended.connect(self.show_results)
        session = controller.session
        session.chart_switched.connect(self.show_keys)  # another chart or song: its keys, not the last run's
        session.document_replaced.connect(self._new_document)  # another song: the spots are of nothing open
        session.bridge.charts_changed.connect(self._chart_gone)  # the chart played deleted (or its adding undone)
        record = getattr(controller.win, "record", None)  # a take holds the keys and the song too
        if record is not None:
            record.started.connect(self._sync_button)
            record.ended.connect(self._sync_button)

    def show_keys(self) -> None:
        """List the keys of the chart shown (between runs; a run lists its own)."""
        if not self.controller.active:
            self.help.setText(keys_text(self.controller.session.chart))

    def _sync_button(self, *_) -> None:
        self.start_button.setEnabled(self.controller.playback.live_stop is None)

    def _played_chart_open(self) -> bool:
        return self.chart is not None and any(c is self.chart for c in self.controller.session.doc.song.charts)

    def _chart_gone(self) -> None:
        if self.chart is not None and not self._played_chart_open():
            self.clear_results()

    def _new_document(self) -> None:
        self.controller.session.bridge.charts_changed.connect(self._chart_gone)  # the new song's bridge
        self.clear_results()

    def clear_results(self) -> None:
        """Forget the last run (its song or chart is gone): no counts, no spots to click."""
        self.chart = None
        for label in self.labels.values():
            label.setText("-")
        self.hint.setText("")
        self._histogram(np.empty(0))
        self.list.clear()

    def _started(self) -> None:
        self.start_button.setEnabled(False)
        if self.controller.chart is not None:
            self.help.setText(f"Playing: {key_names(self.controller.chart.lanes)}. Esc ends.")

    def show_results(self, summary: Summary, judge: Judge, chart) -> None:
        self._sync_button()
        self.help.setText(keys_text(chart))
        self.chart = chart
        c = summary.counts
        self.labels["Judgments"].setText("  ".join(
            f"<b style='color:{PANEL_COLORS[g]}'>{g.label} {c[g]}</b>" for g in Grade)
            + f"<br>max combo {summary.max_combo}")
        holds = summary.holds_ok + summary.holds_dropped
        # only the mines the run got to: those after where it ended were never a danger
        self.labels["Holds / mines"].setText(
            f"{summary.holds_ok}/{holds} holds kept; {summary.mines_hit}/{summary.mines_reached} mines hit")
        self.labels["Score"].setText(f"{summary.score * 100:.2f} % of {summary.judged} notes judged"
                                     if summary.judged else "no note was reached")
        median, mean, spread = summary.median_offset_ms, summary.mean_offset_ms, summary.spread_ms
        if median is None or mean is None or spread is None:  # all three or none: the same hits' offsets
            self.labels["Offsets"].setText("no hits")
        else:
            self.labels["Offsets"].setText(
                f"median {signed(median, 1)} ms, mean {signed(mean, 1)}, spread "
                f"{spread:.1f} ms; {summary.early} early, {summary.late} late")
        self.hint.setText(offset_hint(summary))
        self._histogram(summary.offsets_ms)
        self.list.clear()
        for spot in judge.trouble():
            item = QListWidgetItem(f"beat {describe_beat(spot.beat)}: {spot.what}")
            item.setForeground(QColor(PANEL_COLORS[spot.grade or Grade.MISS]))  # dropped holds, mines: red
            item.setData(Qt.ItemDataRole.UserRole, (spot.beat, spot.notes))
            self.list.addItem(item)
        if not self.list.count():
            self.list.addItem("none: every note Great or better, every hold kept" if summary.judged
                              else "none: the run ended before the first note")

    def _histogram(self, offsets_ms: np.ndarray) -> None:
        if self.bars is not None:
            self.histogram.removeItem(self.bars)
            self.bars = None
        if not len(offsets_ms):
            return
        edges = np.arange(-HIST_RANGE_MS, HIST_RANGE_MS + HIST_BIN_MS, HIST_BIN_MS, dtype=float)
        counts, _ = np.histogram(np.clip(offsets_ms, -HIST_RANGE_MS, HIST_RANGE_MS - 1e-9), bins=edges)
        self.bars = pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts, brush="#6fa8dc")
        self.histogram.addItem(self.bars)
        self.histogram.setYRange(0, max(1, int(counts.max())), padding=0.05)

    def _activated(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        chart = self.chart
        if data is not None and chart is not None and self._played_chart_open():  # (deleted by an undo, say)
            beat, played = data
            # the notes there now (the designer may have fixed the spot since): by beat and lane
            found = [sorted_notes.note_at(chart.notes, n.beat, n.lane) for n in played]
            notes = [n for n in found if n is not None]
            self.jump(chart, beat, notes)
            if not notes:
                self.controller.session.status.emit(
                    f"Beat {describe_beat(beat)}: the note{'s' if len(played) > 1 else ''} of this spot "
                    f"{'are' if len(played) > 1 else 'is'} no longer in the chart (edited since the run)")
