"""Panel widgets that leave the keyboard to the notefield, number boxes that a scrolling wheel passes by, and Tab
in the window's on-screen order (:func:`tab_in_layout_order`).

Keys without Ctrl/Alt (Space, 1-4, arrows...) act on the chart only while the notefield has the focus, so that
typing in a panel never edits the chart. A clicked button took the focus and kept it, so the next Space pressed it
again (a second stop at the cursor, a second chart) instead of playing; a list picked from with the mouse kept it
too, and arrows then changed its value. :func:`return_keys_to_notefield` is applied once to the whole panel dock:
after a button of any panel is clicked with the mouse (or a list's pick is made with it), the focus goes back to
the notefield. A button pressed with Space (or a list picked from with the keyboard) keeps the focus: whoever
reached it with Tab goes on from there (sending it back to the notefield took 77 Tabs to tick three AI slots and
reach Draft). :class:`_MouseUse` tells the two apart by the last input the widget (or its drop-down list) had.

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
    mouse = _MouseUse(root)
    for button in root.findChildren(QAbstractButton):
        button.installEventFilter(mouse)
        button.clicked.connect(lambda _checked=False, r=root, n=notefield, m=mouse: _hand_back_if_mouse(m, r, n))
    for combo in root.findChildren(QComboBox):
        for widget in (combo, combo.view(), combo.view().viewport()):  # the list pops up in a window of its own
            widget.installEventFilter(mouse)
        combo.activated.connect(lambda _index, r=root, n=notefield, m=mouse: _hand_back_if_mouse(m, r, n))
    guard = _WheelOnlyWithFocus(root)
    # sliders, not QAbstractSlider: a scroll bar is one, and a scroll area hands it the wheel over its viewport
    for widget in (*root.findChildren(QAbstractSpinBox), *root.findChildren(QSlider), *root.findChildren(QComboBox)):
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus: the wheel does not take the focus
        widget.installEventFilter(guard)


def tab_in_layout_order(window: QWidget, areas: tuple[QWidget, ...]) -> None:
    """Tab walks ``areas`` in the order given (the toolbar, the notefield, the upper panels, the lower panels), each
    in its own order, then whatever else the window has. Qt's order is the order widgets were made in: Tab went
    from the notefield through the panels' tab bars to the lower panel, up to the toolbar, then into the upper
    panel, whose AI page is made last. For the widgets that exist now."""
    chain: list[QWidget] = []
    widget = window.nextInFocusChain()
    while widget is not None and widget is not window and widget not in chain:  # a ring: never None in fact
        # a tab widget too (its tab bar is its focus proxy), or it kept its place and took Tab there. No
        # focusProxy() call: on a table header's viewport PySide 6.11 then crashed at the next garbage collection
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    rank = {id(w): next((i for i, area in enumerate(areas) if _inside(w, area)), len(areas)) for w in chain}
    ordered = sorted(chain, key=lambda w: rank[id(w)])  # stable: each area keeps its own order
    for first, second in zip(ordered, ordered[1:], strict=False):
        QWidget.setTabOrder(first, second)


def _hand_back_if_mouse(mouse: _MouseUse, root: QWidget, notefield: QWidget) -> None:
    if mouse.used():
        _hand_back(root, notefield)


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


class _MouseUse(QObject):
    """Whether the button or list acting now was worked with the mouse: the last input event any of the watched
    widgets had was a mouse button or the wheel, not a key (Space on a check box, arrows in a list, a mnemonic)."""

    MOUSE = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
             QEvent.Type.Wheel)
    KEYS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.Shortcut)

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.by_mouse = False

    def used(self) -> bool:
        """True once for a mouse click or pick (the next programmatic click is not one)."""
        by_mouse, self.by_mouse = self.by_mouse, False
        return by_mouse

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt API
        if ev.type() in self.MOUSE:
            self.by_mouse = True
        elif ev.type() in self.KEYS:
            self.by_mouse = False
        return False


class _WheelOnlyWithFocus(QObject):
    """Passes a wheel event over a box without the focus on to its parent (the panel's scroll area scrolls)."""

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt API
        if ev.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            ev.ignore()
            return True
        return False
