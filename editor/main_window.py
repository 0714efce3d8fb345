"""MainWindow: the notefield in the middle, the minimap beside it, panels in docks, menus and a status bar.

The window only assembles parts: behaviour lives in the controllers (files, editing, playback, drafting,
autosave) and panels, which share one :class:`~editor.session.EditorSession`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QDialog, QDockWidget, QHBoxLayout, QMainWindow, QSplitter, QWidget

from editor import messages
from editor.actions import ActionSet, effective_keymap
from editor.controllers.drafting import DraftController
from editor.controllers.editing import EditController
from editor.controllers.files import FileController
from editor.controllers.playback import PlaybackController
from editor.controllers.plugins import PluginController
from editor.controllers.record import RecordController
from editor.controllers.transforms import TransformController
from editor.controllers.view_sync import ViewSync
from editor.menus import build_menus
from editor.panel_tabs import PanelTabs
from editor.panels import scrolling
from editor.panels.focus import return_keys_to_notefield, tab_in_layout_order
from editor.session import EditorSession
from editor.settings import EditorSettings, app_data_dir
from editor.status_bar import StatusReadouts
from editor.status_messages import INFO, WARNING, MessageBar
from editor.timeline.minimap import DensityMinimap
from editor.timeline.view import TimelineWidget
from editor.toolbar import build_toolbar, refresh_chart_combo
from editor.window_frame import open_dropped, restore_frame, save_frame, window_title
from editor.workers import Job, JobRegistry

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app.svg"


class MainWindow(QMainWindow):
    """One editor window."""

    # the window's actions by id: shadows QWidget.actions() (a method nothing here calls); the name stays, as the
    # controllers, panels and menus use it throughout
    actions: ActionSet  # type: ignore[assignment]

    def __init__(self, settings: EditorSettings | None = None):
        super().__init__()
        self.settings = settings or EditorSettings()
        self.session = EditorSession(self)
        self.jobs = JobRegistry(self)
        self.skip_close_prompt = False
        self.setWindowIcon(QIcon(str(ICON)))
        self.setAcceptDrops(True)  # drop a chart, song folder or audio file to open it
        self._build_central()
        self.message_bar = MessageBar()
        self.setStatusBar(self.message_bar)  # elided messages, whole in the tooltip and View > Messages...
        self.messages_dialog: QDialog | None = None  # View > Messages... (a MessagesDialog)
        self._warning: str | None = None  # the text status_warning emits
        keymap, warning = effective_keymap(app_data_dir() / "keymap.json")
        self.actions = ActionSet(self, keymap, focus_owner=self.centralWidget())
        self.files = FileController(self, self.session, self.settings, self.jobs)
        self.sync = ViewSync(self.session, self.timeline, self.minimap, self)
        self.editing = EditController(self, self.session, self.timeline)
        self.transforms = TransformController(self, self.session, self.timeline)
        self.plugins = PluginController(self, self.session, self.timeline)
        self.playback = PlaybackController(self, self.session, self.timeline, self.settings)
        from editor.controllers.test_play import TestPlayController

        self.test_play = TestPlayController(self, self.session, self.playback, self.timeline)
        self.record = RecordController(self, self.session, self.playback, self.timeline, self.settings)
        self.drafting = DraftController(self, self.session, self.settings)
        from editor.controllers.autosave import AutosaveController

        self.autosave = AutosaveController(self, self.session)
        self.sync.set_ghost_store(self.drafting.ghosts)
        from editor.timeline.spectrogram_item import SpectrogramController, SpectrogramItem

        spectrogram_item = SpectrogramItem()
        self.timeline.set_spectrogram_item(spectrogram_item)
        self.spectrogram = SpectrogramController(self, spectrogram_item)
        self._build_dock()
        self._build_panels()
        self.readouts = StatusReadouts(self)
        self.toolbar = build_toolbar(self)
        build_menus(self)
        self._build_late_panels()
        return_keys_to_notefield(self.dock, self.timeline)  # after a panel's button or list, keys edit the chart
        central = self.centralWidget()
        assert central is not None  # set by _build_central
        tab_in_layout_order(self, (self.toolbar, central, self.panels, self.lower_panels))
        self._connect()
        self.session.set_divisor(int(self.settings.get("edit/divisor")))
        self._divisor_changed(self.session.divisor)
        self.timeline.set_zoom(float(self.settings.get("view/zoom_pps")))
        if warning:  # a warning line, and a dialog too once the window shows
            self.status_warning(warning)
            QTimer.singleShot(0, self, lambda: messages.warning(self, "Keyboard shortcuts", warning))
        self._update_title()
        restore_frame(self)  # last run's size, place and panels layout, or the default size; fitted to the screen
        self.settings.watch(self.status_warning)  # a settings file that cannot be written: said once

    # ------------------------------------------------------------------ layout
    def _build_central(self) -> None:
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.timeline = TimelineWidget()
        self.minimap = DensityMinimap()
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.minimap)
        self.setCentralWidget(central)
        self.minimap.seek_requested.connect(self.seek)
        self.minimap.density_fn = self._density

    def _density(self):
        """NPS curve of the current chart over the whole song (chart.stats), from the notefield's arrays."""
        from chart.stats import nps_curve

        index = self.timeline.index
        if self.session.chart is None or index is None:
            return None
        return nps_curve(index.onset_times_s(), start_s=0.0, end_s=self.minimap.duration_s)  # past the audio

    def _build_dock(self) -> None:
        # Two tab stacks: what you work with (top) and what watches your work (bottom), so Verify and the
        # stats stay in view while the AI or chart panels are open.
        self.panels, self.lower_panels = PanelTabs(), PanelTabs()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.panels)
        splitter.addWidget(self.lower_panels)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.dock = QDockWidget("Panels", self)
        self.dock.setObjectName("panels")
        self.dock.setWidget(splitter)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)

    def add_panel(self, title: str, widget: QWidget, lower: bool = False, scroll: bool = False) -> None:
        """``scroll``: a tall panel scrolls rather than setting the window's minimum height (1280x720 screens)."""
        (self.lower_panels if lower else self.panels).addTab(scrolling(widget) if scroll else widget, title)

    def _build_panels(self) -> None:
        from editor.panels.charts import DifficultyPanel
        from editor.panels.history import HistoryPanel
        from editor.panels.song import PropertiesPanel
        from editor.panels.stats import StatsPanel
        from editor.panels.timing import TimingPanel

        self.charts_panel = DifficultyPanel(self.session)
        self.properties_panel = PropertiesPanel(self.session)
        self.timing_panel = TimingPanel(self.session, self.timeline.cursor_beat, self.jump_to)
        self.stats_panel = StatsPanel(self.session)
        self.history_panel = HistoryPanel(self.session)
        self.add_panel("Charts", self.charts_panel)
        self.add_panel("Song", self.properties_panel)
        self.add_panel("Timing", self.timing_panel)
        self.add_panel("Stats", self.stats_panel, lower=True, scroll=True)
        self.add_panel("History", self.history_panel, lower=True)
        from editor.panels.verify import VerifyPanel

        self.verify_panel = VerifyPanel(self.session, self.jump_to)
        self.verify_panel.checked.connect(self._issues_checked)
        self.verify_panel.set_ghosts(self.drafting.ghosts)
        self.files.saved.connect(self.verify_panel.schedule)  # Save As another format: checked against that
        self.lower_panels.insertTab(0, self.verify_panel, "Verify")
        self.lower_panels.setCurrentIndex(0)
        self.dock.setMinimumWidth(340)

    def _issues_checked(self, issues: list) -> None:
        """Problems (red) and warnings (amber) of the current chart as ticks in the minimap."""
        from editor.panels.verify import minimap_marks

        self.minimap.set_issues(*minimap_marks(issues, self.session.chart, self.session.timing()))

    def _build_late_panels(self) -> None:
        """Panels that need the actions (built after the keymap)."""
        from editor.controllers.stems import StemsController
        from editor.panels.playback import PlaybackPanel

        self.stems = StemsController(self, self.session)
        self.drafting.stem_samples = self.stems.stem_samples
        self.playback_panel = PlaybackPanel(self.playback, self)
        self.add_panel("Playback", self.playback_panel, scroll=True)
        from editor.panels.test_play import TestPlayPanel

        self.test_play_panel = TestPlayPanel(self.test_play, self.jump_to)
        test_scroll = scrolling(self.test_play_panel)
        self.add_panel("Test Play", test_scroll, lower=True)
        self.test_play.ended.connect(lambda *_: self.lower_panels.setCurrentWidget(test_scroll))
        from editor.panels.ai import AiPanel

        self.ai_panel = AiPanel(self, self.drafting)
        # the AI panel is the tallest; it scrolls rather than stretching the window
        self.panels.insertTab(0, scrolling(self.ai_panel), "AI")
        self.panels.setCurrentIndex(0)

    def _connect(self) -> None:
        s = self.session
        s.status.connect(lambda text: self.message_bar.post(text, WARNING if text == self._warning else INFO))
        self.message_bar.line.clicked.connect(self.show_messages)
        s.divisor_changed.connect(self._divisor_changed)
        s.document_replaced.connect(self._document_replaced)
        s.audio_changed.connect(self._audio_changed)
        self.playback.device_changed.connect(self._device_changed)
        s.chart_switched.connect(self._update_title)
        s.chart_switched.connect(self._refresh_chart_combo)
        s.chart_switched.connect(self._position_changed)  # a split-timing chart puts another beat under the cursor
        s.reference_changed.connect(self._refresh_chart_combo)
        self.timeline.cursor_moved.connect(self._cursor_moved)
        self.timeline.zoom_changed.connect(lambda _pps: self._position_changed())
        self._document_replaced()

    def _document_replaced(self) -> None:
        self.session.bridge.clean_changed.connect(lambda _clean: self._update_title())
        self.session.bridge.changed.connect(self._update_title)
        self.session.bridge.charts_changed.connect(self._refresh_chart_combo)
        self.session.bridge.timing_changed.connect(self._position_changed)  # a new offset or BPM: another beat
        self._refresh_chart_combo()
        self.minimap.set_duration(self.session.duration_s())
        self.timeline.set_cursor(float(self.session.timing().beat_to_seconds(0)))
        self._update_title()
        self._cursor_moved(self.timeline.cursor_s)

    def _audio_changed(self) -> None:
        s = self.session
        if s.audio is not None:
            from editor.audio_support import peaks_for

            self.timeline.set_peaks(peaks_for(s.audio), s.audio.duration_s)
        else:
            self.timeline.set_peaks(None)
        self.minimap.set_duration(s.duration_s())
        self._device_changed(self.playback.device_text)

    def _device_changed(self, text: str) -> None:
        self.readouts.show_device(text)

    def _divisor_changed(self, divisor: int) -> None:
        self.settings.set("edit/divisor", divisor)
        self.readouts.show_snap(divisor)
        self.timeline.set_divisor(divisor)

    def _cursor_moved(self, t_s: float) -> None:
        self.readouts.show_position(t_s)
        self.minimap.set_view(*self.timeline.visible_times(), t_s)

    def _position_changed(self) -> None:
        self._cursor_moved(self.timeline.cursor_s)

    def _update_title(self) -> None:
        self.setWindowModified(not self.session.doc.is_clean)
        self.setWindowTitle(window_title(self.session))

    # ------------------------------------------------------------------ charts
    def _refresh_chart_combo(self) -> None:
        refresh_chart_combo(self)

    def choose_chart(self, index: int) -> None:
        charts = self.session.doc.song.charts
        if 0 <= index < len(charts):
            self.session.set_chart(charts[index])
            self.timeline.setFocus()

    def step_chart(self, direction: int) -> None:
        charts = self.session.doc.song.charts
        if not charts:
            return
        i = next((k for k, c in enumerate(charts) if c is self.session.chart), 0)
        self.choose_chart((i + direction) % len(charts))

    def show_keymap(self) -> None:
        from editor.dialogs.keymap_help import KeymapDialog

        KeymapDialog(self, self.actions.shortcut_table()).exec()

    def status_warning(self, text: str) -> None:
        """A status line that info lines do not replace for a while (editor.status_messages); logged too. It goes
        out on ``session.status`` as every message does, marked so that the bar shows it as a warning."""
        self._warning = text
        self.session.status.emit(text)
        self._warning = None

    def show_messages(self) -> None:
        """View > Messages...: the log of status messages (one dialog, raised when already open)."""
        from editor.dialogs.messages import MessagesDialog

        if self.messages_dialog is None:
            self.messages_dialog = MessagesDialog(self, self.message_bar)
        self.messages_dialog.show()
        self.messages_dialog.raise_()

    def show_calibration(self) -> None:
        from editor.dialogs.calibration import CalibrationDialog

        CalibrationDialog(self, self.playback).exec()
        self.playback_panel.refresh()

    def set_show_spectrogram(self, on: bool) -> None:
        self.settings.set("view/spectrogram", bool(on))
        spectro = getattr(self, "spectrogram", None)
        if spectro is not None:
            spectro.set_enabled(bool(on))
        self.timeline.set_show_spectrogram(bool(on))

    def set_show_curve(self, on: bool) -> None:
        self.settings.set("view/curve", bool(on))
        self.timeline.set_show_curve(bool(on))

    def start_ai(self) -> None:
        self.drafting.start(self.ai_panel)

    def decision_region(self):
        return self.drafting.decision_region()

    def accept_drafts(self, everything: bool = False) -> int:
        return self.drafting.decide(accept=True, everything=everything)

    def reject_drafts(self, everything: bool = False) -> int:
        return self.drafting.decide(accept=False, everything=everything)

    def export(self) -> bool:
        from editor.controllers.export import ExportController

        return ExportController(self).export()

    # ------------------------------------------------------------------ navigation
    def seek(self, t_s: float) -> None:
        """Move the cursor (and the playhead, when playing) to ``t_s``."""
        self.timeline.seek(t_s)

    def on_playhead(self, t_s: float) -> None:
        """Playback frame: refresh the position read-outs (the timeline already moved)."""
        self._cursor_moved(t_s)

    def jump_to(self, chart, beat, notes=()) -> None:
        """Show ``beat`` of ``chart`` with ``notes`` selected (Verify issues, AI regions)."""
        if chart is not None and chart is not self.session.chart:
            self.session.set_chart(chart)
        if beat is not None:  # with its beat: one inside a warp shares its time with the warp's other beats
            self.timeline.seek(float(self.session.timing().beat_to_seconds(beat)), beat=beat)
        self.session.select_in_chart(notes)  # a list made before edits may name notes the chart no longer holds
        self.timeline.setFocus()

    # ------------------------------------------------------------------ files
    def open_path(self, path: str | Path) -> bool:
        return self.files.open_path(path)

    def maybe_save_changes(self) -> bool:
        """Ask about unsaved changes (:meth:`FileController.maybe_save_changes`); True when it is fine to drop the
        current document."""
        return self.files.maybe_save_changes()

    def new_song_from_audio(self, path: Path | None = None, check_unsaved: bool = True) -> bool:
        """Start a song from an audio file: decode and detect the tempo in the background, then confirm it. A chart
        (or song folder) picked or dropped here is opened as one (:func:`editor.controllers.new_song.from_audio`)."""
        from editor.controllers import new_song

        return new_song.from_audio(self, path, check_unsaved)

    def run_job(self, job: Job) -> Job:
        return self.jobs.start(job)

    def dragEnterEvent(self, ev) -> None:  # noqa: N802 - Qt API
        if ev.mimeData().hasUrls() and any(u.isLocalFile() for u in ev.mimeData().urls()):
            ev.acceptProposedAction()

    def dropEvent(self, ev) -> None:  # noqa: N802 - Qt API
        paths = [u.toLocalFile() for u in ev.mimeData().urls() if u.isLocalFile()]
        if paths:
            ev.acceptProposedAction()
            open_dropped(self, paths)  # the first; a status line names the others

    # ------------------------------------------------------------------ closing
    def closeEvent(self, ev: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.record.active:  # the take ends first: a key not yet shown left the song "clean", and it went unasked
            self.record.stop("closing")
        if not self.skip_close_prompt and not self.maybe_save_changes():
            ev.ignore()
            return
        self.shutdown()
        ev.accept()

    def shutdown(self) -> None:
        """Stop background work and devices (called on close, and by tests)."""
        self.jobs.shutdown()
        for name in ("held_results", "test_play", "record", "stems", "playback", "autosave", "drafting"):
            part = getattr(self, name, None)
            if part is not None and hasattr(part, "shutdown"):
                part.shutdown()
        self.settings.set("view/zoom_pps", self.timeline.pps)
        save_frame(self)
        self.settings.sync()
