"""PanelTabs: the dock's tab widgets, whose pages may be panels wrapped in a scroll area.

A tall panel (AI, Playback, Stats, Test Play) sits in a :func:`editor.panels.scrolling` area so that it scrolls
rather than setting the window's minimum height; callers still name the panel itself to bring its tab forward.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget


class PanelTabs(QTabWidget):
    """A QTabWidget whose ``setCurrentWidget`` also takes a widget inside one of its pages."""

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt's name)
        for i in range(self.count()):
            page = self.widget(i)
            assert page is not None  # i < count()
            if page is widget or page.isAncestorOf(widget):
                self.setCurrentIndex(i)
                return
        super().setCurrentWidget(widget)  # not a page: Qt's own warning
