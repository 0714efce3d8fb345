"""Text colours that read on the palette in use (WCAG 2 contrast >= 4.5:1), light or dark.

The amber warnings, the AI legend's cyan/magenta and Verify's row colours were fixed colours picked for a dark
background: on the default light palette they were 1.1-2.2:1, unreadable."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from editor.colors import MIN_CONTRAST, contrast, readable

HUES = ["#e0a030", "#f0b43c", "#78fff0", "#f078ff", "#f05a5a", "#96aac8", "#000000", "#ffffff"]


@pytest.mark.parametrize("background", ["#efefef", "#ffffff", "#2b2b2b", "#000000", "#808080"])
@pytest.mark.parametrize("hue", HUES)
def test_readable_reaches_aa_contrast_on_light_and_dark_backgrounds(hue, background):
    assert contrast(readable(hue, QColor(background)), QColor(background)) >= MIN_CONTRAST


def test_contrast_is_wcag_s():
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)


def test_a_readable_colour_keeps_its_hue():
    dark = readable("#e0a030", QColor("#ffffff"))
    assert abs(dark.hslHueF() - QColor("#e0a030").hslHueF()) < 0.02
    assert readable("#e0a030", QColor("#000000")) == QColor("#e0a030")  # already reads on black: unchanged


def _style_color(widget) -> QColor:
    return QColor(re.search(r"color:\s*(#[0-9a-fA-F]{6})", widget.styleSheet()).group(1))


def test_the_window_s_warning_texts_read_on_its_palette(opened, qtbot):
    from editor.status_messages import WARNING

    win = opened
    window_bg = win.palette().color(QPalette.ColorRole.Window)
    win.message_bar.post("Something is off", WARNING)
    assert contrast(_style_color(win.message_bar.line), window_bg) >= MIN_CONTRAST
    assert contrast(_style_color(win.test_play_panel.hint), window_bg) >= MIN_CONTRAST
    legend = next(w for w in win.ai_panel.findChildren(QLabel) if "magenta" in w.text())
    for hue in re.findall(r"color:(#[0-9a-fA-F]{6})", legend.text()):
        assert contrast(QColor(hue), window_bg) >= MIN_CONTRAST
    win.verify_panel.run_checks()
    qtbot.waitUntil(lambda: win.verify_panel.list.count() > 0)
    base = win.verify_panel.list.palette().color(QPalette.ColorRole.Base)
    for row in range(win.verify_panel.list.count()):
        assert contrast(win.verify_panel.list.item(row).foreground().color(), base) >= MIN_CONTRAST
