"""User-facing messages: modal boxes when a person is at the window, stderr lines when it runs headless.

All controllers report problems through these functions, so tests can capture them (monkeypatch
``QMessageBox``) and the ``--screenshot`` mode never blocks on a dialog.
"""

from __future__ import annotations

import sys
from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

_headless = False
_errors_printed = 0


def set_headless(value: bool) -> None:
    """When True, messages print one line on stderr and questions take their safe default."""
    global _headless, _errors_printed
    _headless, _errors_printed = value, 0


def errors_printed() -> int:
    """Error lines printed headless since :func:`set_headless`: ``--screenshot`` then exits 2, not 0."""
    return _errors_printed


def is_headless() -> bool:
    return _headless


def one_line(text: object) -> str:
    """``text`` with its line breaks and runs of spaces made single spaces (errors quoted in a dialog line)."""
    return " ".join(str(text).split())


def error(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    """A problem the user must know about (could not open, save, export...). ``text`` is one or two lines;
    ``details`` (a traceback, a log) goes under the box's Show Details... button (headless: not printed)."""
    global _errors_printed
    if _headless:
        _errors_printed += 1
        print(f"error: {title}: {text}", file=sys.stderr)
        return
    if not details:
        QMessageBox.critical(parent, title, text)
        return
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(details)
    box.exec()


def warning(parent: QWidget | None, title: str, text: str) -> None:
    if _headless:
        print(f"warning: {title}: {text}", file=sys.stderr)
        return
    QMessageBox.warning(parent, title, text)


def information(parent: QWidget | None, title: str, text: str) -> None:
    """Something the user should know that is not a problem (what a reader changed on opening)."""
    if _headless:
        print(f"note: {title}: {text}", file=sys.stderr)
        return
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str, default: bool = False, details: str = "") -> bool:
    """Yes/No question; headless answers ``default``. ``details``: the whole list behind a shortened ``text``,
    under the box's Show Details... button (scrollable, so a long list never makes the box taller than the
    screen)."""
    if _headless:
        return default
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    yes_no = QMessageBox.StandardButton.Yes if default else QMessageBox.StandardButton.No
    if not details:
        return QMessageBox.question(parent, title, text, buttons, yes_no) == QMessageBox.StandardButton.Yes
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
    box.setDefaultButton(yes_no)
    box.setDetailedText(details)
    return box.exec() == QMessageBox.StandardButton.Yes


class SaveChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_save_changes(parent: QWidget | None, name: str, also: str = "") -> SaveChoice:
    """Save / Discard / Cancel for unsaved changes (``also``: a sentence after the question, what goes either way);
    headless keeps the user's work by cancelling."""
    if _headless:
        return SaveChoice.CANCEL
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    text = f"Save the changes to {name}?" + (f" {also}" if also else "")
    answer = QMessageBox.question(parent, "Unsaved changes", text, buttons, QMessageBox.StandardButton.Save)
    if answer == QMessageBox.StandardButton.Save:
        return SaveChoice.SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return SaveChoice.DISCARD
    return SaveChoice.CANCEL


def confirm_discard(parent: QWidget | None, title: str, text: str) -> bool:
    """Discard / Cancel (Cancel the default): True to go on and drop what ``text`` names; headless cancels."""
    if _headless:
        return False
    buttons = QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
    return QMessageBox.question(parent, title, text, buttons,
                                QMessageBox.StandardButton.Cancel) == QMessageBox.StandardButton.Discard
