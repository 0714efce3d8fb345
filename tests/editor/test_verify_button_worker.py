"""Verify's "Run checks" button runs the checks in the panel's worker, as the automatic rerun does.

The button ran them on the GUI thread: with "all charts" ticked on a 58k-note song the window froze for 4.7 s,
though docs/editor.md promises the window stays usable while Verify runs.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt


def test_the_button_checks_every_chart_in_the_worker_and_says_it_is_checking(opened, qtbot, monkeypatch):
    import editor.panels.verify as verify

    panel = opened.verify_panel
    panel._timer.stop()
    qtbot.waitUntil(lambda: panel._job is None, timeout=10000)  # the run after opening
    panel.all_charts.blockSignals(True)  # ticked without its own run
    panel.all_charts.setChecked(True)
    panel.all_charts.blockSignals(False)
    threads: list[threading.Thread] = []
    real = verify.run_checks
    monkeypatch.setattr(verify, "run_checks", lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    shown: list[list] = []
    panel.checked.connect(shown.append)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.summary.text() == "Checking..."
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert len(threads) == len(opened.session.doc.song.charts)
    assert threading.main_thread() not in threads
    assert panel.summary.text() != "Checking..."
    charts = opened.session.doc.song.charts
    assert all(any(c is chart for chart in charts) for c, _issue in shown[-1])  # the song's, not the snapshot's
