"""What follows an edit on a big chart must not freeze the GUI thread: the Stats panel is not recomputed while its
tab is hidden (it was, 30-80 ms a change on a 13k-note chart), and the Foot Labels re-parse after an edit runs in a
worker thread (it ran on the GUI thread, ~200 ms), showing its labels only if the chart did not change meanwhile."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest

from chart.commands import AddNotes
from chart.notes import Note
from chart.song import Slot
from editor.controllers import feet as feet_module
from editor.panels import stats as stats_module
from editor.panels.stats import REFRESH_DELAY_MS

pytestmark = pytest.mark.qt


def easy(win):
    return next(c for c in win.session.doc.song.charts if c.slot == Slot.EASY)


def test_stats_wait_while_hidden_and_catch_up_when_shown(opened, qtbot, monkeypatch):
    win = opened
    calls = []
    real = stats_module.chart_stats
    monkeypatch.setattr(stats_module, "chart_stats", lambda *a, **k: calls.append(1) or real(*a, **k))
    win.lower_panels.setCurrentWidget(win.verify_panel)  # the Stats tab is behind it
    assert not win.stats_panel.isVisible()
    win.session.set_chart(easy(win))
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(40), 0)]))
    qtbot.wait(REFRESH_DELAY_MS * 3)
    assert calls == []  # nothing computed for a hidden panel
    assert win.stats_panel.stale
    win.lower_panels.setCurrentWidget(win.stats_panel)
    qtbot.waitUntil(lambda: win.stats_panel.isVisible(), timeout=2000)
    assert len(calls) == 1  # recomputed once, when shown
    assert win.stats_panel.labels["Notes"].text().startswith("17 steps")
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(41), 1)]))
    qtbot.waitUntil(lambda: win.stats_panel.labels["Notes"].text().startswith("18 steps"), timeout=3000)


def test_the_foot_parse_after_an_edit_runs_off_the_gui_thread(opened, qtbot, monkeypatch):
    win = opened
    win.session.set_chart(easy(win))  # 16 steps
    win.actions["view.feet"].trigger()
    item = win.timeline.feet_item
    assert len(item.time_s) == 16
    threads: list[threading.Thread] = []
    release = threading.Event()
    release.set()

    def wrap(real):
        def parse(notes, timing):
            threads.append(threading.current_thread())
            release.wait(5)
            return real(notes, timing)
        return parse

    for name in ("parse_feet_shared", "parse_feet"):  # (before the fix the module called parse_feet)
        if hasattr(feet_module, name):
            monkeypatch.setattr(feet_module, name, wrap(getattr(feet_module, name)))
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(8), 0)]))
    qtbot.waitUntil(lambda: len(item.time_s) == 17, timeout=5000)
    assert threads
    assert all(t is not threading.main_thread() for t in threads)

    # a parse that the chart outran is not shown: the next one is
    release.clear()
    threads.clear()
    shown: list[int] = []
    real_set = item.set_labels
    monkeypatch.setattr(item, "set_labels", lambda *a: shown.append(len(a[0])) or real_set(*a))
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(9), 1)]))
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=5000)  # parsing 18 steps, held up
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(10), 2)]))
    release.set()
    qtbot.waitUntil(lambda: len(threads) == 2 and win.sync.feet._job is None and bool(shown), timeout=5000)
    assert len(item.time_s) == 19
    assert 18 not in shown  # the held-up parse (18 steps) was not shown once the 19th note was in


def test_the_gui_thread_gets_the_gil_back_quickly_from_a_worker():
    """A worker running Python (Verify's checks) made the GUI thread wait up to 5 ms for the GIL after each of its
    calls into Qt: placing a note took 3-5x as long while Verify ran. The editor's app asks for the GIL sooner."""
    import sys

    from editor.app import GIL_SWITCH_INTERVAL_S, ensure_app

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # Python's default
    try:
        ensure_app()
        assert sys.getswitchinterval() <= 0.001
        assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL_S)
    finally:
        sys.setswitchinterval(before)
