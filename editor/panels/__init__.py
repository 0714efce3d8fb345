"""Dock panels: difficulties, song properties and timing, stats, history, Verify, AI assist."""

from PySide6.QtWidgets import QScrollArea, QWidget


def scrolling(panel: QWidget) -> QScrollArea:
    """``panel`` in a frameless scroll area: a tall panel scrolls rather than stretching the window."""
    scroll = QScrollArea()
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    return scroll
