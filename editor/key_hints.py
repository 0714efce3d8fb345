"""Key hints that follow the keymap: labels, tooltips and status lines name the key that does it now.

A text such as "beats (F3)" or "F7/F8, Shift x10" written once named the default key even after ``keymap.json``
gave the action another one (or none); :func:`key_text` reads the window's action instead, and :func:`follow_keys`
rewrites a label when an action's key changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from editor.actions import SPEC_BY_ID


def _action(where: QObject | None, action_id: str) -> QAction | None:
    """The window's QAction ``action_id``: a direct child of ``where`` or of one of its ancestors (the main window
    owns them; a panel in a floating dock is a window of its own, so ``window()`` would not do)."""
    while where is not None:
        found = where.findChild(QAction, action_id, Qt.FindChildOption.FindDirectChildrenOnly)
        if found is not None:
            return found
        where = where.parent()
    return None


def key_text(where: QObject | None, *action_ids: str, sep: str = "/") -> str:
    """The keys of ``action_ids`` as the window ``where`` is in (a widget, or a QObject below one) has them now, in
    the platform's text ("F7/F8"; remapped ones as remapped; those without a key left out; '' when none has one).
    Without such a window, the defaults. For hints in labels, tooltips and status lines: they name the key that
    does it, not the one it used to be."""
    texts = []
    for action_id in action_ids:
        action = _action(where, action_id)
        sequence = action.shortcut() if action is not None else QKeySequence(SPEC_BY_ID[action_id].shortcut)
        if not sequence.isEmpty():
            texts.append(sequence.toString(QKeySequence.SequenceFormat.NativeText))
    return sep.join(texts)


def hint(where: QObject | None, *action_ids: str) -> str:
    """`` (F5/F6)`` for the end of a label or tooltip; '' when none of the actions has a key."""
    keys = key_text(where, *action_ids)
    return f" ({keys})" if keys else ""


def follow_keys(where: QObject, action_ids: tuple[str, ...], refresh: Callable[[], object]) -> bool:
    """Call ``refresh`` now and whenever one of these actions changes (its key included). False when ``where`` is
    in no window with them (yet): only the defaults to show."""
    found = False
    for action_id in action_ids:
        action = _action(where, action_id)
        if action is not None:
            action.changed.connect(refresh)
            found = True
    refresh()
    return found
