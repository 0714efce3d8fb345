"""VerifyPanel: run the checks of :mod:`chart.checks` on the current chart (or all charts) and jump to an issue.

Clicking an issue moves the cursor to its beat, switches to its chart and selects the notes concerned that are still
in it: a list shown before an edit (with "auto" off, within auto's delay, during a slow run) may name notes since
deleted or moved, and selecting those made Delete refuse and Copy copy notes that are gone; the status bar says
when the list is out of date. With "auto" on, the checks rerun a moment after each edit (and at once when "auto"
is ticked again over an out-of-date list), in a worker thread on a snapshot of the song (a 20k-note chart takes a
few hundred ms, a whole big song seconds: the window must not freeze meanwhile); their results are shown only if
nothing changed while they ran (a change schedules the next run). "Run checks" runs them at once, in the same
worker (all charts of a 58k-note song took 4.7 s: on the GUI thread that froze the window), the summary saying
"Checking..." meanwhile; :meth:`VerifyPanel.run_checks` runs them on the GUI thread and returns the issues (tests).

The checks run against the open file's format, except once after an Export cancelled at its Verify question
(:meth:`VerifyPanel.show_for_export`): then the list is the question's own findings, every chart checked against the
export's format ("FLAC, which osu! does not play"; the set-folder check on the set as the export writes it), and a
line above the list says so until the next run (an edit or a switch of chart with "auto" on, Run checks), which
checks the open file's format again; with "auto" off the line says that only Run checks does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chart import sorted_notes
from chart.checks.base import CheckContext, Issue, Severity, describe_beat
from chart.checks.registry import run_checks
from chart.note_keys import NoteSet
from chart.song import Chart, Song
from chart.song_copy import snapshot
from chart.timing import TimingData
from editor.colors import readable
from editor.session import EditorSession
from editor.workers import Job, JobContext

AUTO_DELAY_MS = 600
COLORS = {Severity.PROBLEM: QColor(240, 90, 90), Severity.WARNING: QColor(240, 180, 60),
          Severity.INFO: QColor(150, 170, 200)}


class VerifyPanel(QWidget):
    """Issue list with jump-to-issue."""

    checked = Signal(list)  # [(chart, Issue)] after every run

    def __init__(self, session: EditorSession, jump, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.jump = jump  # callable(chart, beat, notes): move the editor there
        self.issues: list[tuple[Chart, Issue]] = []  # (chart, issue) rows, as shown
        self.drafts_waiting = lambda chart: 0  # AI draft notes not yet accepted in a chart (set_ghosts)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.run_button = QPushButton("Run checks")
        self.run_button.clicked.connect(self.run_clicked)
        self.all_charts = QCheckBox("all charts")
        self.auto = QCheckBox("auto")
        self.auto.setChecked(True)
        self.auto.setToolTip("Re-run the checks shortly after each edit")
        for w in (self.run_button, self.all_charts, self.auto):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = QLabel("")
        layout.addWidget(self.summary)
        self.scope = QLabel("")  # "Checked for .osu, the export's format..." (show_for_export), else hidden
        self.scope.setWordWrap(True)
        self.scope.hide()
        layout.addWidget(self.scope)
        self.list = QListWidget()
        self.list.setAccessibleName("Verify issues")
        self.list.setWordWrap(True)  # a long message wraps at the panel's edge (and is the row's tooltip)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)  # rewrapped when the dock is resized
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        layout.addWidget(self.list)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTO_DELAY_MS)
        self._timer.timeout.connect(self.run_in_background)
        self._changes = 0  # counts the changes: a background run's results are shown only if none came meanwhile
        self._edits = 0  # counts the changes of the song (not a switch of chart): the list is out of date
        self._shown = (0, 0)  # (changes, edits) the list shown was checked at
        self._job: Job | None = None
        self._job_input: tuple[int, int, list[Chart]] = (0, 0, [])  # (changes, edits, charts) the running job checks
        self._shown_export: str | None = None  # the export's format the list shown was checked against
        self._again = False  # run once more when the running job ends
        self.all_charts.toggled.connect(self._all_charts_toggled)
        self.auto.toggled.connect(self._auto_toggled)
        session.document_replaced.connect(self._attach)
        session.chart_switched.connect(self._rerun_soon)
        session.audio_changed.connect(self.schedule)
        self._attach()

    def _attach(self) -> None:
        bridge = self.session.bridge
        for signal in (bridge.notes_changed, bridge.timing_changed, bridge.charts_changed, bridge.meta_changed):
            signal.connect(lambda *_: self.schedule())  # meta: #MUSIC (the mp3-delay check) and chart tags
        self.schedule()

    def schedule(self, *_args) -> None:
        """The song changed: rerun the checks after the auto delay (when "auto" is on)."""
        self._edits += 1
        self._rerun_soon()

    def _rerun_soon(self, *_args) -> None:
        self._changes += 1
        if self.auto.isChecked():
            self._timer.start()

    def _auto_toggled(self, on: bool) -> None:
        """Ticked again: check at once when something changed meanwhile (the edits made with it off scheduled
        nothing, and the list kept naming what they fixed)."""
        if on and self._shown != (self._changes, self._edits):
            self.run_in_background()
        self._show_scope()  # its line names what checks the open file again, which depends on auto

    def _all_charts_toggled(self, _on: bool) -> None:
        self._changes += 1  # a run for the other choice must not be shown
        self.run_in_background()

    def show_for_export(self, fmt: str, found: list[tuple[Chart, Issue]]) -> None:
        """An Export to ``fmt`` was cancelled at its Verify question: list ``found``, the question's own findings
        (:func:`editor.controllers.export.export_findings`: (chart, issue) pairs of the open song), so that the two
        cannot differ (module docstring)."""
        self._timer.stop()
        self._changes += 1  # a normal run still going is not shown, nor run again: this list is newer
        self._again = False
        self.issues = list(found)
        self._shown, self._shown_export = (self._changes, self._edits), fmt
        self._show()
        self.checked.emit(list(self.issues))

    def _all(self) -> bool:
        """Whether the list is of every chart: "all charts" ticked, or a check for an export (every chart)."""
        return self.all_charts.isChecked() or self._shown_export is not None

    def _targets(self) -> tuple[list[Chart], float | None, str | None]:
        s = self.session
        charts = s.doc.song.charts if self.all_charts.isChecked() else [c for c in [s.chart] if c is not None]
        audio_s = s.audio.duration_s if s.audio is not None else None
        fmt = s.doc.path.suffix.lstrip(".").lower() if s.doc.path is not None else None
        return list(charts), audio_s, fmt

    def run_clicked(self) -> None:
        """The button: the checks at once, in the worker (:meth:`run_in_background`); the window stays usable."""
        self._timer.stop()  # this run is the one auto would have made
        self.summary.setText("Checking...")
        self.run_in_background()

    def run_checks(self) -> list[Issue]:
        """Run the checks now, on the GUI thread (a chart removed under the list, tests) and show the results."""
        charts, audio_s, fmt = self._targets()
        found = _check(None, self.session.doc.song, charts, audio_s, fmt)
        self._present(charts, found, (self._changes, self._edits))
        return [i for _c, i in self.issues]

    def run_in_background(self) -> None:
        """The automatic re-run: the checks on a snapshot of the song in a worker thread (:func:`_check`)."""
        if self._job is not None:  # one at a time; run again once it ends (its results may be stale by then)
            self._again = True
            return
        charts, audio_s, fmt = self._targets()
        song = snapshot(self.session.doc.song)
        index = {id(c): k for k, c in enumerate(self.session.doc.song.charts)}
        charts = [c for c in charts if id(c) in index]
        job = Job("verify", _check, song, [song.charts[index[id(c)]] for c in charts], audio_s, fmt)
        job.finished.connect(self._background_done)
        job.failed.connect(self._background_failed)
        self._job, self._job_input = job, (self._changes, self._edits, charts)
        job.start()

    def _background_done(self, found: list[list[Issue]]) -> None:
        (changes, edits, charts), self._job = self._job_input, None
        if changes == self._changes:
            self._present(charts, found, (changes, edits))
        elif self._shown[0] != self._changes:
            self._again = True  # the song changed while they ran: check it again (not when the list is newer)
        if self._again:
            self._again = False
            self.run_in_background()

    def _background_failed(self, message: str) -> None:
        self._job = None
        self._show()  # the list as it was, not "Checking..."
        self.session.status.emit(f"Verify failed: {message}")

    def set_ghosts(self, ghosts) -> None:
        """Follow the AI drafts: an empty chart whose drafts wait is told to accept them, not to be deleted."""
        self.drafts_waiting = lambda chart: len(d.notes) if (d := ghosts.get(chart)) is not None else 0
        ghosts.changed.connect(self._show)

    def _message(self, chart: Chart, issue: Issue) -> str:
        if issue.check_id == "empty" and (n := self.drafts_waiting(chart)):
            return (f"the chart has no notes yet: {n} AI draft note{'s' if n != 1 else ''} wait in it "
                    f"(accept them in the AI panel to keep them in the saved file)")
        return issue.message

    def _present(self, charts: list[Chart], found: list[list[Issue]], at: tuple[int, int]) -> None:
        self.issues = [(chart, i) for chart, issues in zip(charts, found, strict=True) for i in issues]
        self._shown, self._shown_export = at, None
        self._show()
        self.checked.emit(list(self.issues))

    def _show(self) -> None:
        self.list.clear()
        counts = {sev: 0 for sev in Severity}
        charts = self.session.doc.song.charts
        for chart, issue in self.issues:
            counts[issue.severity] += 1
            # beats as the messages print them (describe_beat): "beat 111.458: ... first at beat 2675/24" read as two
            where = f"beat {describe_beat(issue.beat)}" if issue.beat is not None else "chart"
            prefix = f"{chart_name(chart, issue, charts)}: " if self._all() else ""
            item = QListWidgetItem(f"[{issue.severity.label}] {prefix}{where}: {self._message(chart, issue)}")
            item.setToolTip(item.text())  # a long row is cut at the panel's edge
            item.setForeground(readable(COLORS[issue.severity], self.list.palette().color(QPalette.ColorRole.Base)))
            item.setData(Qt.ItemDataRole.UserRole, self.list.count())
            self.list.addItem(item)
        self._show_scope()
        if not self.issues:
            self.summary.setText("No issues found.")
        else:
            self.summary.setText(f"{counts[Severity.PROBLEM]} problem(s), {counts[Severity.WARNING]} warning(s), "
                                 f"{counts[Severity.INFO]} note(s) — click one to jump to it")

    def _show_scope(self) -> None:
        """The line above an export's list (:meth:`show_for_export`): which format, and what checks the open file
        again: with "auto" off an edit checks nothing."""
        self.scope.setVisible(self._shown_export is not None)
        if self._shown_export is not None:
            again = ("an edit or Run checks checks the open file again" if self.auto.isChecked() else
                     "Run checks checks the open file again (with auto off, an edit does not)")
            self.scope.setText(f"Checked for .{self._shown_export}, the format of the export you cancelled (all "
                               f"charts); {again}")

    def _activated(self, item: QListWidgetItem) -> None:
        self.jump_to(self.list.row(item))

    def jump_to(self, row: int) -> None:
        if 0 <= row < len(self.issues):
            chart, issue = self.issues[row]
            if not self.session.has_chart(chart):  # listed before the chart was deleted (auto off, or within its delay)
                self.session.status.emit("That chart was removed; the checks ran again")
                self.run_checks()
                return
            notes = list(issue.notes)
            gone = sorted_notes.missing(chart.notes, notes)  # by value: an undo puts back equal notes
            if gone:
                dropped = NoteSet(gone)
                notes = [n for n in notes if n not in dropped]
            self.jump(chart, issue.beat, notes)
            if gone or self._shown[1] != self._edits:
                self.session.status.emit(self._out_of_date(len(gone), len(issue.notes)))

    def _out_of_date(self, gone: int, of: int) -> str:
        """The status line for a click on an issue listed before the song changed (``gone`` of its ``of`` notes
        are no longer in the chart)."""
        if gone and gone == of:
            what = f"; its note{'s are' if of > 1 else ' is'} no longer in the chart"
        elif gone:
            what = f"; {gone} of its {of} notes {'is' if gone == 1 else 'are'} no longer in the chart (the others are " \
                   "selected)"
        else:
            what = ""
        then = "the checks run again shortly" if self.auto.isChecked() else "Run checks to refresh it"
        return f"The Verify list is out of date{what}: {then}"


def minimap_marks(issues: list[tuple[Chart, Issue]], chart: Chart | None, timing: TimingData
                  ) -> tuple[list[float], list[float]]:
    """Times (s) of the problems and of the warnings of ``chart`` among ``issues`` (what :attr:`VerifyPanel.checked`
    sends), for the minimap's ticks: red for a problem, amber for a warning (INFO is not marked), as in the list."""
    marks: dict[Severity, list[float]] = {Severity.PROBLEM: [], Severity.WARNING: []}
    for c, issue in issues:
        if c is chart and issue.beat is not None and issue.severity in marks:
            marks[issue.severity].append(float(timing.beat_to_seconds(issue.beat)))
    return marks[Severity.PROBLEM], marks[Severity.WARNING]


def _check(job: JobContext | None, song: Song, charts: list[Chart], audio_s: float | None,
           fmt: str | None) -> list[list[Issue]]:
    """The issues of each chart of ``charts`` (charts of ``song``); in a job, stops between charts once cancelled.

    The song's own findings (its shared timing or metadata a format cannot hold, its music file) go with the first
    chart listed: the song's first with "all charts" (once, not per chart), else the chart shown, so that a PROBLEM
    that makes Save refuse is never hidden by which chart is on screen."""
    out = []
    for k, chart in enumerate(charts):
        if job is not None:
            job.check()
        out.append(run_checks(CheckContext(song, chart, audio_length_s=audio_s, target_format=fmt,
                                           song_level=k == 0)))
    return out


def chart_name(chart: Chart, issue: Issue, charts: list[Chart]) -> str:
    """How an "all charts" row names its chart: the slot ("Hard"), or where another chart of the song shares it
    (a dance-double Hard beside the dance-single one, several Edits) the chart id as the ``check`` command prints
    it (``dance-double/Hard``, ``dance-single/Edit/Wild``, ``dance-single/Hard#2``)."""
    if sum(c.slot == chart.slot for c in charts) < 2:
        return chart.slot.sm_name
    return issue.chart_id or chart.chart_id()
