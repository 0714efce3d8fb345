"""The notefield's focus frame: a thin accent line round its edge while it has the keyboard focus.

The lane keys, Space, the arrows and the other one-key shortcuts act only while the notefield has the focus
(:mod:`editor.actions`); every other widget shows its focus, the notefield drew nothing, so after a Tab or a click
into a panel the keys silently did nothing. :class:`FocusFrameMixin` draws a :data:`FRAME_PX` frame in the
palette's highlight colour, made readable on the notefield's dark background (3:1, WCAG's contrast for a control's
focus indicator, whichever palette the window uses), on top of the scene (``drawForeground``, in viewport pixels).
A focus change repaints only the frame's strip, never the whole scene.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFocusEvent, QPainter, QPalette, QPen, QRegion

from editor.colors import readable

FRAME_PX = 2
NOTEFIELD_BACKGROUND = QColor(12, 13, 17)  # TimelineWidget's background
FOCUS_CONTRAST = 3.0  # WCAG 2 non-text contrast (1.4.11)


def frame_color(palette: QPalette, background: QColor = NOTEFIELD_BACKGROUND) -> QColor:
    """The palette's highlight, its lightness moved until it reads against the notefield's background."""
    return readable(palette.color(QPalette.ColorRole.Highlight), background, FOCUS_CONTRAST)


class FocusFrameMixin:
    """For a QGraphicsView: a focus frame drawn over the scene while the view has the keyboard focus."""

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        super().focusInEvent(event)  # type: ignore[misc]
        self._repaint_frame()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        super().focusOutEvent(event)  # type: ignore[misc]
        self._repaint_frame()

    def _repaint_frame(self) -> None:
        viewport = self.viewport()  # type: ignore[attr-defined]
        edge = viewport.rect()
        viewport.update(QRegion(edge).subtracted(QRegion(edge.adjusted(FRAME_PX, FRAME_PX, -FRAME_PX, -FRAME_PX))))

    def drawForeground(self, painter: QPainter, rect) -> None:  # noqa: N802 (Qt's name)
        super().drawForeground(painter, rect)  # type: ignore[misc]
        if not self.hasFocus():  # type: ignore[attr-defined]
            return
        painter.save()
        painter.resetTransform()  # viewport pixels, whatever the scene's zoom and scroll direction
        pen = QPen(frame_color(self.palette()), FRAME_PX)  # type: ignore[attr-defined]
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = FRAME_PX / 2
        painter.drawRect(QRectF(self.viewport().rect()).adjusted(half, half, -half, -half))  # type: ignore[attr-defined]
        painter.restore()
