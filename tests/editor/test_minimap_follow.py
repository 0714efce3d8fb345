"""The minimap's visible-window box follows every change of what the notefield shows: it was sent only on cursor
moves and zooms, so Beat-Spaced on or off and a window resize left it showing a stale range."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.commands import SetTiming
from chart.timing import TimingData

pytestmark = pytest.mark.qt

# 120 BPM, 240 BPM from beat 16 to 48: Beat-Spaced changes how many seconds the notefield shows there.
TIMING = TimingData(offset=Fraction(-1, 10), bpms=((Fraction(0), Fraction(120)), (Fraction(16), Fraction(240)),
                                                    (Fraction(48), Fraction(120))))


def assert_box_follows(win) -> None:
    t0, t1 = win.timeline.visible_times()
    assert win.minimap.view_s == pytest.approx((t0, t1), abs=1e-6)
    assert win.minimap.cursor_s == pytest.approx(win.timeline.cursor_s)


def test_the_box_follows_beat_spaced_reverse_and_resizes(opened, qtbot):
    win = opened
    win.session.push(SetTiming(TIMING))
    win.seek(float(TIMING.beat_to_seconds(24)))
    assert_box_follows(win)
    before = win.minimap.view_s
    win.actions["view.beat_spaced"].trigger()
    assert win.timeline.axis.beat_spaced
    assert win.timeline.visible_times() != pytest.approx(before)  # the notefield shows another span now ...
    assert_box_follows(win)  # ... and the box says so
    win.actions["view.reverse"].trigger()
    assert_box_follows(win)
    win.actions["view.beat_spaced"].trigger()
    assert_box_follows(win)
    for height in (500, 900):
        shown = win.timeline.visible_times()
        win.resize(win.width(), height)
        qtbot.waitUntil(lambda shown=shown: win.timeline.visible_times() != shown, timeout=3000)  # new height
        assert_box_follows(win)
    win.actions["view.reverse"].trigger()
