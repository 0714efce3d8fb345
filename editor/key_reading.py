"""Reading a keymap entry's key text: the spellings Qt does not read, and the keys Qt reads but never fires.

Qt reads "Shift" or "Ctrl+Shift" as a key (the modifier itself) and shows it, but its shortcut map never fires on
a modifier or lock key pressed alone; and it reads at most 4 keys of a sequence, dropping the others without a
word ("Ctrl+K, L, M, N, O" became "Ctrl+K, L, M, N"). :func:`key_problem` names why such an entry cannot be used,
so that the keymap leaves it out with a warning (the action keeps its default key) instead of listing a key in
the F1 table that does nothing.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

#: Key names Qt does not read, as the docs and other programs spell them -> Qt's (matched whole, any case).
KEY_ALIASES = {"pgdn": "PgDown", "pagedown": "PgDown", "pageup": "PgUp", "spacebar": "Space", "control": "Ctrl"}
_ALIAS = re.compile(r"(?<![A-Za-z])(" + "|".join(KEY_ALIASES) + r")(?![A-Za-z])", re.IGNORECASE)
MAX_KEYS = 4  # keys in one sequence, as Qt reads them (QKeySequence's MaxKeyCount)
#: Qt's shortcut map passes over these keys pressed alone (QShortcutMap: Key_Shift to Key_ScrollLock).
NEVER_FIRED = range(Qt.Key.Key_Shift.value, Qt.Key.Key_ScrollLock.value + 1)


def normal_key(text: str) -> str:
    """``text`` with the aliases Qt does not read replaced by Qt's names: 'Ctrl+Shift+PgDn' -> 'Ctrl+Shift+PgDown'."""
    return _ALIAS.sub(lambda m: KEY_ALIASES[m.group(1).lower()], text)


def key_parts(text: str) -> list[str]:
    """``text`` split into its keys as QKeySequence's reader splits it (at ',' or ', ', keeping 'Ctrl+,' and
    'Ctrl+,, X'), but all of them: Qt stops after :data:`MAX_KEYS`."""
    parts = []
    while text:
        p, skip = text.find(","), 0
        if p == len(text) - 1:  # a last comma is the key ','
            p = -1
        elif p != -1:
            if text[p + 1] == ",":  # 'Ctrl+,, X': the first comma is the key
                p += 1
            if p + 1 < len(text) and text[p + 1] == " ":
                p, skip = p + 1, 1
        parts.append(text if p == -1 else text[:p - skip])
        text = "" if p == -1 else text[p + 1:]
    return parts


def key_problem(text: str) -> str | None:
    """Why the shortcut ``text`` (aliases already replaced) cannot be used, or None when it can."""
    if len(key_parts(text)) > MAX_KEYS:
        return f"{len(key_parts(text))} keys: Qt reads at most {MAX_KEYS} in a sequence and drops the others"
    sequence = QKeySequence(text)
    # PySide6's stubs lack QKeySequence.__getitem__ (Qt's operator[], a QKeyCombination)
    keys = [sequence[i].key() for i in range(sequence.count())]  # type: ignore[index]
    if not keys or Qt.Key.Key_unknown in keys or not sequence.toString():  # 'Ctrl+Foo' reads as an unknown key
        return "Qt cannot read it: write e.g. 'Ctrl+Shift+M', 'Alt+3', 'F5', 'PgDn'"
    if any(key.value in NEVER_FIRED for key in keys):
        return "a modifier or lock key alone never fires a shortcut: add a key to it, e.g. 'Shift+M'"
    return None
