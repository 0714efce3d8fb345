"""An open menu keeps its keys: a menu item's underlined letter picks the item, never a one-key chart shortcut.

The chart's keys without Ctrl/Alt (T mirrors, P loops, Q changes the note type, G mirrors and flips, arrows...) act
while the notefield has the focus, and Qt leaves the focus there while a menu is open: it also counts a shortcut
live through any open menu that lists its action. Qt asks the focused widget first whether it wants a key (a
``ShortcutOverride`` event) and a menu says yes only for Up/Down/Left/Right, Return and Escape, so the shortcut won:
Timing > Tap Tempo (Alt+I, T) mirrored the selection, File > Quit (Alt+F, Q) changed the note type, and a tap on
Alt then P (the Playback menu) played a loop. :class:`MenuKeyGuard` answers that question for the menus and for the
menu bar while it is walked with the keyboard (a tap on Alt gives it the focus): every key without Ctrl, Alt or Meta
is theirs, so the letter goes to the menu as a key press. Keys with Ctrl or Alt still fire their actions. The
menus keep showing the one-key shortcuts, and the keymap still remaps them.

The guard is an event filter on the menu bar and on its menus, submenus included, so it costs nothing elsewhere;
a menu made later (Open Recent, Plugins, a tool's submenu) is filtered as it is polished, before it first shows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

MODIFIED = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


class MenuKeyGuard(QObject):
    """Gives ``bar``'s menus (and ``bar`` itself while it has the focus) every key pressed without Ctrl, Alt or
    Meta, ahead of the window's shortcuts."""

    def __init__(self, bar: QMenuBar):
        super().__init__(bar)
        self._watch(bar)

    def _watch(self, widget: QWidget) -> None:
        for menu in (widget, *widget.findChildren(QMenu)):
            menu.installEventFilter(self)  # a repeated filter is dropped before it is added again

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.ChildPolished:  # a new menu under a watched one, before it first shows
            child = event.child() if hasattr(event, "child") else None
            if isinstance(child, QMenu):
                self._watch(child)
        elif kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and not event.modifiers() & MODIFIED and isinstance(watched, (QMenu, QMenuBar)) \
                and (isinstance(watched, QMenu) or watched.hasFocus()):
            event.accept()  # the menu (or the menu bar) gets it as a key press: its mnemonic, not a shortcut
            return True
        return False
