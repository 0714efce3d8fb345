"""The main window's frame (:class:`editor.main_window.MainWindow`): its title, its size and place on the screen,
kept between runs with the panels' layout, and what a drop of several files opens.

The window opened at 1280x860 whatever the screen: on a 1366x768 laptop its status bar and the bottom of the lower
panels lay below the screen, and a layout the designer made (the panels dock floated, moved to the left, resized)
was lost at every start. Now the first size is clamped to the screen's available area, and the geometry, the dock
layout and the panels' split are saved on close and restored at the next start, clamped onto the screen they were
saved on; a geometry saved on a screen that is not there any more (an external monitor unplugged) is ignored, as a
window restored there would open where nobody can see it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QScreen

from editor import messages
from editor.chart_names import chart_name

DEFAULT_SIZE = (1280, 860)
#: Room for the window manager's title bar and borders, which are not known before the window is first shown.
FRAME_ALLOWANCE_PX = (8, 36)
#: Dropped files beyond the one opened that the status line names.
NAMED_DROPS = 3


def window_title(session) -> str:
    """The title: the file name (or the song's title when it has no file, "(demo)" for the bundled demo), the
    chart being edited (by slot and meter, and its mode or description where another chart has the slot:
    :func:`editor.chart_names.chart_name`), the unsaved-changes mark Qt shows as "*"."""
    from editor.demo import is_demo

    doc = session.doc
    name = doc.path.name if doc.path is not None else (doc.song.title or "Untitled")
    if is_demo(doc):
        name += " (demo)"
    chart = session.chart
    what = f" [{chart_name(doc.song, chart)}]" if chart is not None else ""
    return f"{name}{what}[*] — GenéLive Studio"


# ---------------------------------------------------------------------- geometry
def screen_named(name: str | None) -> QScreen | None:
    """The connected screen called ``name``, else None."""
    return next((s for s in QGuiApplication.screens() if s.name() == name), None)


def fit(rect: QRect, area: QRect) -> QRect:
    """``rect`` (a window's geometry, without its frame) made to fit in ``area`` (a screen's available geometry)
    with room for the frame: as large as it was up to the area's size, moved inside it."""
    width = max(1, min(rect.width(), area.width() - FRAME_ALLOWANCE_PX[0]))
    height = max(1, min(rect.height(), area.height() - FRAME_ALLOWANCE_PX[1]))
    x = min(max(rect.x(), area.left()), area.left() + area.width() - width - FRAME_ALLOWANCE_PX[0])
    y = min(max(rect.y(), area.top()), area.top() + area.height() - height - FRAME_ALLOWANCE_PX[1])
    return QRect(max(x, area.left()), max(y, area.top()), width, height)


def restore_frame(win) -> None:
    """Size and place ``win`` as it was at its last close, on that screen and clamped to it; else the default size
    clamped to the screen it opens on. Called once its docks and toolbar exist (their layout is restored too).
    Headless (``main.py open --screenshot``) it is the default size, unclamped, as the docs' pictures are."""
    if messages.is_headless():  # a --screenshot render has no screen to fit: the documented pictures' size
        win.resize(*DEFAULT_SIZE)
        return
    settings = win.settings
    geometry = settings.window_blob("window/geometry")
    screen = screen_named(settings.window_screen())
    if geometry is not None and screen is not None and win.restoreGeometry(geometry):
        if not win.isMaximized() and not win.isFullScreen():
            win.setGeometry(fit(win.geometry(), screen.availableGeometry()))
    else:  # none kept, or kept on a screen that is gone
        screen = win.screen() or QGuiApplication.primaryScreen()
        size = fit(QRect(0, 0, *DEFAULT_SIZE), screen.availableGeometry()) if screen is not None else \
            QRect(0, 0, *DEFAULT_SIZE)
        win.resize(size.width(), size.height())
    state = settings.window_blob("window/state")  # where the panels dock is: not the screen's
    if state is not None:
        win.restoreState(state)  # a dock kept floating off every screen: Qt puts it back on one
        win.toolbar.setVisible(True)  # hidden from the right-click menu by an older version: nothing showed it again
    panels = settings.window_blob("window/panels")
    if panels is not None:
        win.dock.widget().restoreState(panels)


def save_frame(win) -> None:
    """Keep ``win``'s geometry, dock layout and panels' split (and the screen it is on) for the next start."""
    screen = win.screen()
    win.settings.set_window_layout(win.saveGeometry(), win.saveState(), win.dock.widget().saveState(),
                                   screen.name() if screen is not None else None)


# ---------------------------------------------------------------------- drops
def open_dropped(win, paths: list[str]) -> bool:
    """Open the first of the files dropped on ``win`` (one song opens at a time). A status line names the others:
    they were ignored without a word, and a designer who dropped two songs did not know why one was not open."""
    first, others = Path(paths[0]), [Path(p) for p in paths[1:]]
    opened = win.open_path(first)
    if others:
        names = [p.name if p.name != first.name else f"{p.parent.name}/{p.name}" for p in others[:NAMED_DROPS]]
        more = f" and {len(others) - NAMED_DROPS} more" if len(others) > NAMED_DROPS else ""
        count = f"{len(others)} other file{'s' if len(others) > 1 else ''}"
        said = f"opened {first.name}; " if opened else ""
        text = f"{said}ignored {count} dropped with it ({', '.join(names)}{more}): one song opens at a time"
        win.status_warning(text[0].upper() + text[1:])
    return opened

