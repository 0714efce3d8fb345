"""Readable text colours: a hue (amber for warnings, cyan/magenta in the AI legend...) made dark or light enough
to read on the widget's actual background.

Colours picked for the dark timeline (#e0a030 amber, #78fff0 cyan) were written as fixed text colours on panels,
list rows and the status bar, where the default light palette put them at 1.1-2.2:1 contrast. :func:`readable`
keeps the hue and moves its lightness until the WCAG 2 contrast ratio reaches 4.5:1 (AA for normal text), darker
on a light background, lighter on a dark one.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

#: WCAG 2 AA contrast ratio for normal-size text.
MIN_CONTRAST = 4.5


def luminance(color: QColor) -> float:
    """WCAG 2 relative luminance (0 black .. 1 white)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1..21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(color: QColor | str, background: QColor, ratio: float = MIN_CONTRAST) -> QColor:
    """``color`` with its hue and saturation, its lightness moved (toward black on a light background, toward white
    on a dark one) just far enough for ``ratio`` against ``background``; unchanged when it already reads."""
    color = QColor(color)
    if contrast(color, background) >= ratio:
        return color
    darker = contrast(QColor("black"), background) >= contrast(QColor("white"), background)
    h, s, lightness, a = cast(tuple[float, float, float, float], color.getHslF())  # stubs say ``object``
    step = -0.01 if darker else 0.01
    while 0.0 <= lightness + step <= 1.0:
        lightness += step
        candidate = QColor.fromHslF(max(h, 0.0), s, lightness, a)
        if contrast(candidate, background) >= ratio:
            return candidate
    return QColor("black" if darker else "white")


def text_color(widget: QWidget, color: QColor | str, role: QPalette.ColorRole = QPalette.ColorRole.Window) -> QColor:
    """:func:`readable` on ``widget``'s background (``role``: Window for labels and bars, Base for lists)."""
    return readable(color, widget.palette().color(role))


def text_style(widget: QWidget, color: QColor | str, role: QPalette.ColorRole = QPalette.ColorRole.Window) -> str:
    """``color: #rrggbb`` for a style sheet: :func:`text_color`."""
    return f"color: {text_color(widget, color, role).name()}"
