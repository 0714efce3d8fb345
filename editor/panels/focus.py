"""Panel widgets that leave the keyboard to the notefield, and number boxes that a scrolling wheel passes by.

Keys without Ctrl/Alt (Space, 1-4, arrows...) act on the chart only while the notefield has the focus, so that
typing in a panel never edits the chart. A clicked button took the focus and kept it, so the next Space pressed it
again (a second stop at the cursor, a second chart) instead of playing; a list picked from with the mouse kept it
too, and arrows then changed its value. :func:`return_keys_to_notefield` is applied once to the whole panel dock:
after a button of any panel does its work (or a list's pick is made), the focus goes back to the notefield.

The click still takes the focus first, as before, so a field being typed in commits what was typed (its
``editingFinished``) before the button acts. When the button's work moved the focus out of the panels (a dialog,
the notefield already), it stays there; when it left it in a panel (on the button itself, or on the next widget
after a button disabled itself), the notefield gets it.

Number boxes and sliders take the wheel only while they have the focus (clicked or tabbed into): otherwise the
wheel scrolls the panel, as a designer expects, instead of moving ``#OFFSET`` a step per notch.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QSlider,
    QWidget,
)


def return_keys_to_notefield(root: QWidget, notefield: QWidget) -> None:
    """Every button and list under ``root`` hands the focus back to ``notefield`` after use; every number box,
    slider and list under it ignores the wheel unless it has the focus. For widgets that exist now (panels build
    theirs in their constructors)."""
    for button in root.findChildren(QAbstractButton):
        button.clicked.connect(lambda _checked=False, r=root, n=notefield: _hand_back(r, n))
    for combo in root.findChildren(QComboBox):
        combo.activated.connect(lambda _index, r=root, n=notefield: _hand_back(r, n))
    guard = _WheelOnlyWithFocus(root)
    # sliders, not QAbstractSlider: a scroll bar is one, and a scroll area hands it the wheel over its viewport
    for widget in (*root.findChildren(QAbstractSpinBox), *root.findChildren(QSlider), *root.findChildren(QComboBox)):
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus: the wheel does not take the focus
        widget.installEventFilter(guard)


def _hand_back(root: QWidget, notefield: QWidget) -> None:
    focus = QApplication.focusWidget()
    if focus is None or _inside(focus, root):
        notefield.setFocus(Qt.FocusReason.OtherFocusReason)


def _inside(widget: QWidget | None, root: QWidget) -> bool:
    while widget is not None:
        if widget is root:
            return True
        widget = widget.parentWidget()
    return False


class _WheelOnlyWithFocus(QObject):
    """Passes a wheel event over a box without the focus on to its parent (the panel's scroll area scrolls)."""

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt API
        if ev.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            ev.ignore()
            return True
        return False
