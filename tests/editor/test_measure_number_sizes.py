"""A measure number too wide for the gutter left of the lanes is drawn in a smaller font (down to 6 pt) before it
is left out: beside the spectrogram lane a 4-lane notefield 480-560 px wide numbered measures 10-12 and not
110-112 ("110" in 8 pt is 21 px; the gutter is 0.36 lane less 2 px), so past measure 99 no measure had a number."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetricsF

from chart.timing import TimingData
from editor.timeline.grid_item import MIN_NUMBER_PT, number_font
from tests.editor.test_grid_texts import Recorder, paint_grid

pytestmark = pytest.mark.qt


class FontRecorder(Recorder):
    def drawText(self, rect, flags, text):  # noqa: N802 - Qt API
        self.texts.append((rect, text, self._painter.font().pointSizeF()))
        return self._painter.drawText(rect, flags, text)


def numbers(qtbot, width: int, at_s: float) -> dict[int, float]:
    """{measure number: its font's size} drawn at ``at_s`` in a ``width``-px 4-lane notefield with the
    spectrogram lane shown."""
    from editor.timeline.spectrogram_item import SpectrogramItem
    from editor.timeline.view import TimelineWidget

    w = TimelineWidget()
    qtbot.addWidget(w)
    w.resize(width, 700)
    w.show()
    qtbot.waitExposed(w)
    w.set_song(TimingData.constant(120), 4, 300.0)
    w.set_spectrogram_item(SpectrogramItem())
    w.set_show_spectrogram(True)
    real = w.grid_item.paint
    recorded: list[FontRecorder] = []

    def paint(painter, *args):
        recorded.append(FontRecorder(painter))
        return real(recorded[-1], *args)

    w.grid_item.paint = paint  # paint_grid's Recorder, with the font of each text
    paint_grid(w, at_s, 240.0)
    return {int(text): pt for _rect, text, pt in recorded[-1].texts if text.isdigit()}


@pytest.mark.parametrize("width", [480, 540])
def test_three_digit_measure_numbers_are_drawn_smaller_not_left_out(qtbot, width):
    early, late = numbers(qtbot, width, 22.0), numbers(qtbot, width, 222.0)
    assert set(early) >= {11}
    assert set(late) >= {111}, f"measures 110-112 unnumbered at {width} px: {late}"
    assert all(pt == 8.0 for pt in early.values())  # the two-digit ones as before
    assert all(MIN_NUMBER_PT <= pt < 8.0 for pt in late.values())


def test_number_font_shrinks_to_the_floor_then_gives_up():
    font = QFont()
    font.setPointSizeF(8.0)
    wide = QFontMetricsF(font).horizontalAdvance("111")
    assert number_font(font, "111", wide) is font
    smaller = number_font(font, "111", wide - 3)
    assert smaller is not None
    assert smaller.pointSizeF() < 8.0
    assert QFontMetricsF(smaller).horizontalAdvance("111") <= wide - 3
    floor = QFont(font)
    floor.setPointSizeF(MIN_NUMBER_PT)
    assert number_font(font, "111", QFontMetricsF(floor).horizontalAdvance("111") - 1) is None
