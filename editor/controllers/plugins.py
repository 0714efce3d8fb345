"""PluginController: the Plugins menu - run a note plugin (``chart.plugins``) on the selection, as one undo step.

The menu lists the plugins of the bundled folder (``resources/plugins``) and the user's (``<app data>/plugins``,
Plugins > Open Plugins Folder creates it), by name, with their description as the tooltip and status tip; a file
that does not load is listed greyed out with the reason. Plugins > Reload Plugins reads the folders again (after
editing a plugin). A plugin works on the selection (a selected beat range, even one with no notes, hands over its notes and span),
or on the whole chart when nothing is selected; its result
replaces those notes in one step named "Plugin: NAME" and ends up selected. A plugin that raises or returns bad
notes changes nothing: a dialog says why in one line.

A plugin runs in its own process (``chart.plugins.run_plugin``) as a background job: the editor stays responsive,
Plugins > Stop Running Plugin (or the time limit) ends one that does not return, and one that crashes is reported.
If the notes or timing of the chart it ran on change while a plugin runs, its result is dropped (it was computed
from the old ones) and the status bar says so. Looking at another difficulty meanwhile changes nothing: the result
goes to the chart it ran on, and the status bar names it. A result that comes back during a drag or a recording
take waits for it to end (edits cannot go in while one is open), and one during a test play waits for the test
play to end (it judges the notes it started with: the new ones would be shown but not played), then is checked as
above.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu

from chart.commands import ReplaceGivenNotes
from chart.plugins import (
    BrokenPlugin,
    Plugin,
    PluginCancelled,
    PluginContext,
    PluginError,
    discover,
    run_plugin,
)
from editor import messages
from editor.chart_names import chart_label
from editor.controllers.save_checks import finish_first
from editor.controllers.under_way import HeldResult
from editor.settings import app_data_dir
from editor.workers import Cancelled, Job, JobContext

BUNDLED = Path(__file__).resolve().parents[2] / "resources" / "plugins"


def user_folder() -> Path:
    return app_data_dir() / "plugins"


class PluginController(QObject):
    """One window's plugins."""

    def __init__(self, win, session, timeline):
        super().__init__(win)
        self.win, self.session, self.timeline = win, session, timeline
        self.plugins: list[Plugin] = []
        self.broken: list[BrokenPlugin] = []
        self.menu: QMenu | None = None
        self.job: Job | None = None
        self.stop_action: QAction | None = None
        self.held = HeldResult(self, win)  # a result waiting for a drag, a recording take or a test play to end
        self.held.changed.connect(self._sync_stop)
        self.reload(quiet=True)

    def folders(self) -> list[Path]:
        return [BUNDLED, user_folder()]

    def reload(self, quiet: bool = False) -> None:
        self.plugins, self.broken = discover(self.folders())
        self._fill()
        if not quiet:
            text = f"{len(self.plugins)} plugin{'s' if len(self.plugins) != 1 else ''} loaded"
            if self.broken:
                text += f"; {len(self.broken)} could not be loaded: " + "; ".join(b.reason for b in self.broken)
            self.session.status.emit(text)

    def attach(self, menu: QMenu) -> None:
        self.menu = menu
        self._fill()

    def _fill(self) -> None:
        menu = self.menu
        if menu is None:
            return
        menu.clear()
        for plugin in self.plugins:
            action = menu.addAction(plugin.name.replace("&", "&&"))  # "Jumps & Holds", not a mnemonic mark
            action.setToolTip(plugin.description)
            action.setStatusTip(plugin.description)
            action.triggered.connect(lambda _=False, p=plugin: self.run(p))
        for bad in self.broken:
            action = menu.addAction(f"{bad.path.name.replace('&', '&&')} (not loaded)")
            action.setEnabled(False)
            action.setToolTip(bad.reason)
            action.setStatusTip(bad.reason)
        if self.plugins or self.broken:
            menu.addSeparator()
        self.stop_action = menu.addAction("&Stop Running Plugin")
        self.stop_action.setEnabled(self.running)
        self.stop_action.triggered.connect(self.stop)
        menu.addAction("&Reload Plugins").triggered.connect(lambda: self.reload())
        menu.addAction("Open Plugins &Folder...").triggered.connect(self.open_folder)
        menu.setToolTipsVisible(True)

    def open_folder(self) -> Path:
        folder = user_folder()
        folder.mkdir(parents=True, exist_ok=True)
        if not messages.is_headless():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.session.status.emit(f"Plugins folder: {folder} (add .py files, then Plugins > Reload Plugins)")
        return folder

    def context(self) -> PluginContext | None:
        s = self.session
        chart = s.chart
        if chart is None:
            return None
        selected = sorted(n for n in s.selection if s.doc.contains(chart, n))
        span = None if s.range_beats is None else (min(s.range_beats), max(s.range_beats))
        chosen = bool(selected) or span is not None  # a range with no notes in it is still a selection
        return PluginContext(
            notes=tuple(selected if chosen else chart.notes), chart_notes=tuple(chart.notes), timing=s.timing(),
            lanes=chart.lanes, slot=chart.slot.name.lower(), meter=int(chart.meter), divisor=s.divisor,
            cursor_beat=self.timeline.cursor_beat(), scope="selection" if chosen else "chart", range_beats=span)

    @property
    def running(self) -> bool:
        return self.job is not None or self.held.waiting

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
        elif self.held.waiting:
            self.held.drop()
            self.session.status.emit("Plugin stopped: its result waited for the drag, lane key, take or test play "
                                     "to end; nothing was changed")

    def run(self, plugin: Plugin) -> bool:
        """Start ``plugin`` on the selection (else the chart) in the background; when it returns, its result is one
        undo step, or a one-line dialog says why nothing changed. False when it cannot start."""
        s = self.session
        ctx = self.context()
        if ctx is None:
            s.status.emit(f"{plugin.name}: no chart")
            return False
        line = finish_first(self.win, s.doc)
        if line is not None:
            s.status.emit(f"{plugin.name}: {line}")
            return False
        if self.running:
            s.status.emit(f"{plugin.name}: another plugin is still running (Plugins > Stop Running Plugin)")
            return False
        chart, doc = s.chart, s.doc
        job = Job("plugin", _work, plugin, ctx, parent=self)
        job.finished.connect(lambda new: self._failed(plugin, new.text, new.details) if isinstance(new, Failed)
                             else self._apply(plugin, ctx, doc, chart, new))
        job.failed.connect(lambda text: self._failed(plugin, text))
        job.cancelled.connect(lambda: s.status.emit(f"{plugin.name}: stopped; nothing was changed"))
        job.done.connect(self._done)
        self.job = job
        self._sync_stop()
        s.status.emit(f"Running {plugin.name}... (Plugins > Stop Running Plugin)")
        self.win.run_job(job)
        return True

    def _failed(self, plugin: Plugin, text: str, details: str = "") -> None:
        """The outcome in the status bar too: "Running NAME..." stayed there after the dialog had said why. The
        dialog's Show Details... holds the traceback and the end of what the plugin printed, for its author."""
        self.session.status.emit(messages.one_line(f"{plugin.name} failed: {text}; nothing was changed"))
        messages.error(self.win, f"Plugin: {plugin.name}", f"{plugin.path.name}: {text}. Nothing was changed.",
                       details)

    def _done(self) -> None:
        self.job = None
        self._sync_stop()

    def _sync_stop(self) -> None:
        if self.stop_action is not None:  # enabled in place: rebuilding the menu would delete the running action
            self.stop_action.setEnabled(self.running)

    def _apply(self, plugin: Plugin, ctx: PluginContext, doc, chart, new) -> bool:
        """Apply a result to the chart it ran on (shown or not) unless that chart's notes or timing changed; during
        a drag, a recording take or a test play, wait for it to end."""
        s = self.session
        if doc is not s.doc or not any(c is chart for c in doc.song.charts):
            s.status.emit(f"{plugin.name}: its chart was closed or deleted while it ran, so its result was dropped")
            return False
        # no edit can go in during a drag or a take (one with no notes must not cost the result), and a test play
        # judges the notes it started with (a result applied during one was shown but not played: all Miss); the
        # held result is dropped on close or another song
        if self.held.hold_if_busy(lambda: self._apply(plugin, ctx, doc, chart, new),
                                  lambda busy: f"{plugin.name}: done; its result goes in when {busy} ends", doc):
            return False
        if tuple(chart.notes) != ctx.chart_notes or doc.song.timing_for(chart) != ctx.timing:
            # a timing edit too: the plugin may have placed notes by time
            s.status.emit(f"{plugin.name}: the chart changed while it ran, so its result was dropped; run it again")
            return False
        if sorted(new) == list(ctx.notes):
            s.status.emit(f"{plugin.name}: nothing to change")
            return False
        # an osu! map's hitsounds stay on the notes the plugin left on their cells (or moved within their row)
        if not s.push(ReplaceGivenNotes(chart, ctx.notes, new, name=f"Plugin: {plugin.name}")):
            return False
        where = ctx.scope
        if chart is s.chart:
            s.select(new)
        else:
            where += f", on {chart_label(chart)}, the chart it ran on: not the one shown"
        s.status.emit(f"{plugin.name}: {len(ctx.notes)} note(s) in, {len(new)} out ({where})")
        return True


@dataclass(frozen=True)
class Failed:
    """A plugin run that failed: its one line, and the details behind it (traceback, what it printed)."""
    text: str
    details: str


def _work(job: JobContext, plugin: Plugin, ctx: PluginContext):
    """The job: the plugin in its own process; a PluginError comes back as :class:`Failed` (the job's failure
    signal carries one line only)."""
    try:
        return run_plugin(plugin, ctx, cancelled=lambda: job.cancelled)
    except PluginCancelled:
        raise Cancelled() from None
    except PluginError as exc:
        return Failed(str(exc), exc.details)
