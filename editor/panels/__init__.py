"""Dock panels: difficulties, song properties and timing, stats, history, Verify, AI assist."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget


def scrolling(panel: QWidget) -> QScrollArea:
    """``panel`` in a frameless scroll area: a tall panel scrolls rather than stretching the window."""
    scroll = QScrollArea()
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    # a click on the panel's empty space must not take the keyboard from the notefield (the chart keys then did
    # nothing until the notefield was clicked again); the wheel still scrolls it
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return scroll
