"""The editor on a 1280x720 / 1366x768 laptop screen: tall panels scroll instead of setting the window's height.

The Playback panel (481 px tall) once set the dock's, and so the window's, minimum height to 824 px: the bottom
of the window lay below a 720 px screen. At that height the Stats panel squeezed its wrapped Verdict line.
"""

from __future__ import annotations


def test_the_window_fits_a_720_px_screen(opened, qtbot):
    win = opened
    assert win.minimumSizeHint().height() <= 680  # 720 px less a taskbar
    win.resize(1280, 680)
    qtbot.wait(50)
    assert win.height() == 680


def test_a_wrapped_panel_tab_is_still_brought_forward_by_its_panel(opened):
    win = opened
    win.panels.setCurrentWidget(win.playback_panel)
    assert win.panels.currentWidget().isAncestorOf(win.playback_panel)
    win.lower_panels.setCurrentWidget(win.stats_panel)
    assert win.lower_panels.currentWidget().isAncestorOf(win.stats_panel)


def test_stats_rows_get_their_wrapped_height_at_the_smallest_window(opened, qtbot):
    win = opened
    win.resize(1280, win.minimumSizeHint().height())
    win.lower_panels.setCurrentWidget(win.stats_panel)
    win.session.chart_switched.emit()
    qtbot.wait(300)
    for row in ("Verdict", "Estimated difficulty"):
        label = win.stats_panel.labels[row]
        assert label.height() >= label.heightForWidth(label.width()), row
