"""The main window's frame (audit 22): it opened at 1280x860 on any screen (a 1366x768 laptop lost the status bar
below the screen), its size, place and panels layout were never kept, and dropping several files opened the first
and ignored the rest without a word. The offscreen platform's one screen is 800x800."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, QRect, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication

from editor.window_frame import DEFAULT_SIZE, fit
from tests.editor.conftest import write_song
from tests.editor.test_autosave import close, new_window

pytestmark = pytest.mark.qt


def available() -> QRect:
    return QGuiApplication.primaryScreen().availableGeometry()


def test_the_first_window_fits_a_screen_smaller_than_its_default_size(window, qtbot):
    area = available()
    assert area.width() < DEFAULT_SIZE[0]  # the test screen is smaller, as a laptop's
    qtbot.wait(20)
    assert area.contains(window.frameGeometry())  # was 1280x860: the bottom and right lay off the screen


def test_fit_keeps_a_window_inside_the_screen():
    area = QRect(0, 0, 1366, 728)  # a 1366x768 screen less its taskbar
    fitted = fit(QRect(0, 0, 1280, 860), area)
    assert fitted.height() < 728
    assert fitted.width() == 1280
    far = fit(QRect(3000, 2000, 600, 400), area)  # a place on a bigger screen
    assert area.contains(far)
    assert far.size() == QRect(0, 0, 600, 400).size()


def test_size_place_and_panels_layout_are_kept_for_the_next_start(window, settings, qtbot):
    window.resize(620, 560)
    window.move(40, 50)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.dock)
    qtbot.wait(20)
    kept = window.geometry()
    close(window)  # what closing the window does
    second = new_window(qtbot, settings)
    try:
        second.show()
        qtbot.wait(20)
        assert second.geometry() == kept
        assert second.dockWidgetArea(second.dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    finally:
        close(second)


def test_a_kept_geometry_larger_than_the_screen_is_fitted_to_it(window, settings, qtbot):
    window.setMinimumSize(0, 0)
    window.setGeometry(QRect(300, 400, 1900, 1100))  # saved on a bigger screen of the same name
    close(window)
    second = new_window(qtbot, settings)
    try:
        second.show()
        qtbot.wait(20)
        assert available().contains(second.frameGeometry())
    finally:
        close(second)


def test_a_geometry_kept_from_a_screen_that_is_gone_is_ignored(window, settings, qtbot):
    window.resize(620, 560)
    window.move(40, 50)
    close(window)
    settings.qs.setValue("window/screen", "HDMI-2 (unplugged)")
    second = new_window(qtbot, settings)
    try:
        assert second.size() != window.size()  # the default size, fitted to this screen
        assert second.width() == fit(QRect(0, 0, *DEFAULT_SIZE), available()).width()
    finally:
        close(second)


def test_a_damaged_kept_layout_is_ignored(settings, qtbot):
    for key in ("window/geometry", "window/state", "window/panels"):
        settings.qs.setValue(key, "not bytes")
    settings.qs.setValue("window/screen", QGuiApplication.primaryScreen().name())
    win = new_window(qtbot, settings)
    try:
        assert available().contains(QRect(win.pos(), win.size()))
    finally:
        close(win)


def drop(win, *paths) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = win.rect().center()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    win.dragEnterEvent(enter)
    assert enter.isAccepted()
    win.dropEvent(QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier))


def test_dropping_several_files_opens_the_first_and_names_the_others(window, tmp_path):
    first, second = write_song(tmp_path / "x"), write_song(tmp_path / "y")
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    said: list[str] = []
    window.session.status.connect(said.append)
    drop(window, first.chart, second.chart, notes)
    assert window.session.doc.path == first.chart
    (line,) = [s for s in said if "ignored" in s]
    assert line.startswith("Opened clicks.ssc; ignored 2 other files dropped with it")
    assert "y/clicks.ssc" in line
    assert "notes.txt" in line
    assert line.endswith("one song opens at a time")
    said.clear()
    drop(window, second.chart)  # one file: nothing more to say
    assert window.session.doc.path == second.chart
    assert not [s for s in said if "ignored" in s]



def test_the_toolbar_cannot_be_hidden_and_one_kept_hidden_shows_again(window, settings, qtbot):
    """The right-click menu's "Main" hid the toolbar (Snap, Note, Chart, Compare, Play) for good: the layout kept
    it hidden at every start and no menu item showed it again (audit 24)."""
    menu = window.createPopupMenu()
    main = next(a for a in menu.actions() if a.text() == "Main")
    assert not main.isEnabled()
    window.toolbar.hide()  # what an older version's "Main" did, kept by the layout saved at close
    close(window)
    second = new_window(qtbot, settings)
    try:
        second.show()
        qtbot.wait(20)
        assert second.toolbar.isVisible()
        assert second.snap_combo.isVisible()
    finally:
        close(second)
