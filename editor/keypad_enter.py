"""The keypad's Enter does in the notefield what Return does there.

Qt tells the two keys apart (``Key_Enter`` with the keypad modifier, ``Key_Return``), and a shortcut written
"Return" never fires for the keypad's Enter: Accept Drafts (Return) and Accept All (Ctrl+Return) did nothing for
it, silently, while the panels' lists take both keys alike. So an Enter that no shortcut took (a key mapped to
"Enter" itself keeps it) and that reaches ``owner`` (the notefield's parent: an unused key goes up to it) triggers
the action whose key is Return with the same Ctrl/Shift/Alt, as remapped (``keymap.json``): one key per action in
the keymap and the F1 table, and the keypad follows Return wherever it goes.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence


class KeypadEnter(QObject):
    """An event filter on ``owner``: an unused Enter triggers the action of ``actions`` on Return."""

    def __init__(self, owner: QObject, actions: Mapping[str, QAction]):
        super().__init__(owner)
        self.actions = actions
        owner.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent) \
                or event.key() != Qt.Key.Key_Enter:
            return False
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = QKeySequence(Qt.Key.Key_Return | mods)  # type: ignore[operator]  # a Qt.Key | modifiers combination
        action = next((a for a in self.actions.values() if a.shortcut() == key), None)
        if action is None or not action.isEnabled():
            return False
        action.trigger()
        return True
