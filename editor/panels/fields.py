"""The panel field being typed in, committed before the document is saved, exported or dropped.

Panel fields (Song title, chart meter, ...) change the document on ``editingFinished``: when the field loses focus
or Return is pressed, so that typing a title is one undo step rather than one per letter. A shortcut such as
Ctrl+S or Ctrl+Q does not take the focus away, so without this the save would write the old value and say
"Saved", and closing would not ask about the typed text. A table cell being typed in (the Timing table's) is
committed through its view, as leaving the cell does, and its editor closed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QDockWidget,
    QLineEdit,
    QWidget,
)


def commit_focused_field(window: QWidget) -> None:
    """Make the text field or spin box of ``window`` that has (or last had) the keyboard focus commit what was typed
    in it, as leaving it does: a spin box takes its text as its value, then ``editingFinished`` is emitted (a
    field whose value equals the document's pushes nothing). A floating panel dock counts as part of the window."""
    docks = [dock.focusWidget() for dock in window.findChildren(QDockWidget)]
    for widget in (QApplication.focusWidget(), window.focusWidget(), *docks):
        if widget is not None and _inside(widget, window):
            _commit(widget)
            return


def _inside(widget: QWidget, window: QWidget) -> bool:
    parent: QWidget | None = widget
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


def cell_view(widget: QWidget | None) -> QAbstractItemView | None:
    """The item view whose cell ``widget`` is the open editor of (a delegate's editor in its viewport), else None."""
    viewport = widget.parentWidget() if widget is not None else None
    view = viewport.parentWidget() if viewport is not None else None
    if isinstance(view, QAbstractItemView) and view.viewport() is viewport \
            and view.state() == QAbstractItemView.State.EditingState:
        return view
    return None


def _commit(widget: QWidget) -> None:
    view = cell_view(widget)
    if view is not None:  # the cell's value goes to the model (cellChanged), as leaving the cell does
        view.commitData(widget)
        view.closeEditor(widget, QAbstractItemDelegate.EndEditHint.NoHint)
        return
    spin = widget.parentWidget()
    if isinstance(widget, QLineEdit) and isinstance(spin, QAbstractSpinBox):  # a spin box's own text field
        widget = spin
    if isinstance(widget, QAbstractSpinBox):
        widget.interpretText()
        widget.editingFinished.emit()
    elif isinstance(widget, QLineEdit) and widget.hasAcceptableInput():  # what Qt requires before it emits
        widget.editingFinished.emit()
