"""StatsPanel: counts, notes per second and the estimated difficulty of the current chart against its slot.

Recomputed from :mod:`chart.stats` at most a few times a second while editing (a timer coalesces changes), and only
while the panel is shown: behind another tab it notes that it is out of date and recomputes when it is shown again
(on a 13k-note chart a recompute is ~30 ms on the GUI thread, ~80 ms with View > Compare on).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from chart.keyboard import is_foot_chart, is_keyboard
from chart.song import Slot
from chart.stats import SLOT_NPS_RANGES, ChartStats, chart_stats, row_overlap, shown_counts
from editor.session import EditorSession

REFRESH_DELAY_MS = 250


class StatsPanel(QWidget):
    """Read-only statistics of the current chart."""

    ROWS = ("Notes", "Taps / holds / rolls / lifts", "Jumps / hands / quads", "Length", "Mean NPS", "Peak NPS",
            "Estimated difficulty", "Verdict", "Compared with")

    def __init__(self, session: EditorSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        form = QFormLayout(self)
        self.labels: dict[str, QLabel] = {}
        for row in self.ROWS:
            label = QLabel("-")
            label.setWordWrap(True)
            form.addRow(row, label)
            self.labels[row] = label
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._refresh_if_shown)
        self.stale = False  # something changed while the panel was hidden
        session.document_replaced.connect(self._attach)
        session.chart_switched.connect(self.schedule)
        session.reference_changed.connect(self.schedule)
        self._attach()

    def _attach(self) -> None:
        bridge = self.session.bridge
        bridge.notes_changed.connect(lambda *_: self.schedule())
        bridge.timing_changed.connect(self.schedule)
        bridge.charts_changed.connect(self.schedule)
        self.refresh()

    def schedule(self) -> None:
        self._timer.start()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self.stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        self.stale = False
        chart = self.session.chart
        if chart is None:
            for label in self.labels.values():
                label.setText("-")
            return
        timing = self.session.timing()
        st = chart_stats(chart, timing)
        self.labels["Notes"].setText(notes_line(st.onsets, st.rows, st.counts, st.players))
        c, _ = shown_counts(chart, timing, st)  # the steps' parts: they add up to st.onsets (counted by chart_stats)
        self.labels["Taps / holds / rolls / lifts"].setText(
            f"{c['tap']} / {c['hold']} / {c['roll']} / {c['lift']}")
        self.labels["Jumps / hands / quads"].setText(", ".join(
            f"{who}{p.jumps} / {p.hands} / {p.quads}" for who, p in _each_player(st)))
        self.labels["Length"].setText(f"{st.drain_s:.1f} s of notes")
        whose = f" (player {st.player}'s, the busier)" if st.players else ""
        self.labels["Mean NPS"].setText(f"{st.mean_nps:.2f}{whose}")
        self.labels["Peak NPS"].setText(f"{st.peak_nps:.2f}{whose}")
        self.labels["Estimated difficulty"].setText(
            f"{st.difficulty:.1f}{' per player' if st.players else ''} (typical of {st.typical_slot.sm_name}; "
            f"meter says {chart.meter})" if st.has_estimate else f"- (no steps; meter says {chart.meter})")
        self.labels["Verdict"].setText(
            verdict(chart.slot, st.mean_nps, st.typical_slot, not_pad_name(chart)) if st.onsets else "-")
        self.labels["Compared with"].setText(self._comparison(chart))

    def _comparison(self, chart) -> str:
        """How the chart's rows relate to the compared difficulty's (View > Compare), or "-": the compared chart's
        rows kept, of all its rows, and the rows this chart adds."""
        ref = self.session.shown_reference()
        if ref is None:
            return "-"
        song = self.session.doc.song
        ov = row_overlap(chart, song.timing_for(chart), ref, song.timing_for(ref))
        name = f"{ref.slot.sm_name} {ref.meter}"
        if ov.kept_share is None:
            return f"{name}: no steps"
        return f"{name}: keeps {ov.shared}/{ov.reference_rows} rows ({ov.kept_share:.0%}), +{ov.rows - ov.shared}"


def notes_line(steps: int, rows: int, counts: dict[str, int], players: tuple[ChartStats, ...] = ()) -> str:
    """The steps (judged taps, hold and roll heads, lifts: the notes `main.py info` counts), then what else the
    chart holds, so that the parts add up to every note of the chart: mines, fakes, and steps StepMania skips (in
    a warp or a fake segment). ``counts`` are the kind counts of all the chart's notes; ``players``: a couple
    chart's players (:attr:`ChartStats.players`), whose steps and rows are named one by one."""
    skipped = sum(counts[k] for k in ("tap", "hold", "roll", "lift")) - steps
    extra = [f"{n} {name}{'' if n == 1 else 's'}{why}" for n, name, why in (
        (counts["mine"], "mine", ""), (counts["fake"], "fake", ""),
        (skipped, "skipped step", " (warps, fake segments)")) if n]
    where = (f" ({', '.join(f'player {i}: {p.onsets} in {p.rows} rows' for i, p in enumerate(players, 1))})"
             if players else f" in {rows} rows")
    return f"{steps} steps{where}" + (f"; also {', '.join(extra)}" if extra else "")


def _each_player(st: ChartStats) -> list[tuple[str, ChartStats]]:
    """(prefix, stats) of each player of a couple chart, each on their own pad; [("", st)] for one player."""
    return [(f"player {i}: ", p) for i, p in enumerate(st.players, 1)] if st.players else [("", st)]


def not_pad_name(chart) -> str:
    """What ``chart`` is when it is not stepped on a dance pad (:func:`chart.keyboard.is_foot_chart`), for the
    verdict: "Keyboard chart" (an osu!mania map), else its mode ("kb7-single chart"); "" for a pad chart."""
    if is_foot_chart(chart):
        return ""
    return "Keyboard chart" if is_keyboard(chart) else f"{chart.mode} chart"


def verdict(slot: Slot, mean_nps: float, typical: Slot, not_pad: str = "") -> str:
    """One line comparing the chart's density with what its slot usually has. A chart not stepped on a dance pad
    (``not_pad``: what it is, :func:`not_pad_name`; an osu!mania map, a kb7-single chart) has no usual range: the
    ranges are of pad charts, and Verify's density check skips it."""
    if not_pad:
        return f"{not_pad}: no slot range (the usual ranges are of dance pad charts)"
    rng = SLOT_NPS_RANGES.get(slot)
    if rng is None:
        return f"Edit chart: reads like {typical.sm_name}"
    lo, hi = rng[0], rng[-1]
    if mean_nps < lo:
        return f"Sparse for {slot.sm_name} ({mean_nps:.2f} < {lo:.2f} NPS typical); reads like {typical.sm_name}"
    if mean_nps > hi:
        return f"Dense for {slot.sm_name} ({mean_nps:.2f} > {hi:.2f} NPS typical); reads like {typical.sm_name}"
    return f"Within the usual {slot.sm_name} range ({lo:.2f}..{hi:.2f} NPS)"
