"""Verify's automatic re-run and the timed autosave work on a snapshot of the song in a worker thread, so a big
song does not freeze the window after every edit (Verify: 1-2 s on a 22k-note chart; autosave: 1-3 s), and what
they produce is used only if the song did not change in a way that makes it stale meanwhile."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest

from chart.formats.registry import load
from chart.notes import Note

pytestmark = pytest.mark.qt
MAIN = threading.main_thread()


def place(win, beat, lane=0) -> Note:
    win.editing.place(Fraction(beat), lane, win.session.place_kind)
    return Note(Fraction(beat), lane)


def generations(win) -> list:
    return sorted(win.autosave.folder.glob("autosave-*.json"))


def test_auto_verify_runs_in_a_worker_and_shows_only_results_of_the_current_song(opened, qtbot, monkeypatch):
    import editor.panels.verify as verify
    from chart.commands import AddNotes

    win, panel = opened, opened.verify_panel
    panel._timer.stop()
    qtbot.waitUntil(lambda: getattr(panel, "_job", None) is None, timeout=5000)  # the run after opening
    threads: list[threading.Thread] = []
    gate = threading.Event()
    real = verify.run_checks

    def held(ctx, *args):
        threads.append(threading.current_thread())
        if threading.current_thread() is not MAIN and len(threads) == 1:
            gate.wait(10)  # the first run is still checking when the next edit comes
        return real(ctx, *args)

    monkeypatch.setattr(verify, "run_checks", held)
    shown: list[list] = []
    shown_in: list[threading.Thread] = []
    panel.checked.connect(lambda issues: shown.append(issues) or shown_in.append(threading.current_thread()))
    place(win, 9)
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)  # the auto re-run after the edit's delay
    assert threads[0] is not MAIN
    tap = win.session.chart.notes[0]
    win.session.push(AddNotes(win.session.chart, [tap]))  # a duplicate, while the first run is busy
    gate.set()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert any(i.check_id == "duplicates" for _c, i in shown[0])  # the stale run's results were never shown
    assert all(t is not MAIN for t in threads)
    assert set(shown_in) == {MAIN}  # results are shown on the GUI thread


def test_timed_autosave_serialises_in_a_worker(opened, qtbot, monkeypatch):
    import chart.formats.registry as registry

    win = opened
    threads: list[threading.Thread] = []
    real = registry.dumps
    monkeypatch.setattr(registry, "dumps", lambda song, fmt: threads.append(threading.current_thread())
                        or real(song, fmt))
    written_in: list[threading.Thread] = []
    win.autosave.saved.connect(lambda _path: written_in.append(threading.current_thread()))
    win.autosave.start_session()
    note = place(win, 21)
    win.autosave.timer.timeout.emit()  # the 30 s tick
    qtbot.waitUntil(lambda: len(generations(win)) == 1, timeout=5000)
    assert threads == [threads[0]]
    assert threads[0] is not MAIN
    assert note in load(generations(win)[0]).chart(win.session.chart.slot).notes
    assert written_in == [MAIN]  # written (and rotated) on the GUI thread, where the folder is managed


@pytest.fixture
def held_dumps(monkeypatch):
    """``chart.formats.registry.dumps`` that waits in a worker thread until ``release()``: (started, release)."""
    import chart.formats.registry as registry

    started, gate = threading.Event(), threading.Event()
    real = registry.dumps

    def dumps(song, fmt):
        if threading.current_thread() is not MAIN:
            started.set()
            gate.wait(10)
        return real(song, fmt)

    monkeypatch.setattr(registry, "dumps", dumps)
    yield started, gate.set
    gate.set()


def test_a_save_while_an_autosave_serialises_drops_that_autosave(opened, qtbot, held_dumps):
    win, (started, release) = opened, held_dumps
    win.autosave.start_session()
    place(win, 21)
    win.autosave.timer.timeout.emit()
    qtbot.waitUntil(started.is_set, timeout=3000)
    assert win.files.save()  # the file now holds the work; the snapshot being written is stale
    release()
    qtbot.waitUntil(lambda: win.autosave._job is None, timeout=5000)
    assert generations(win) == []  # a crash now must not offer to roll the saved file back to it


def test_an_edit_while_an_autosave_serialises_goes_into_the_next_one(opened, qtbot, held_dumps):
    win, (started, release) = opened, held_dumps
    slot = win.session.chart.slot
    win.autosave.start_session()
    first = place(win, 21)
    win.autosave.timer.timeout.emit()
    qtbot.waitUntil(started.is_set, timeout=3000)
    second = place(win, 22, 1)  # the window is not frozen meanwhile
    release()
    qtbot.waitUntil(lambda: len(generations(win)) == 1, timeout=5000)
    notes = load(generations(win)[0]).chart(slot).notes
    assert first in notes
    assert second not in notes
    win.autosave.timer.timeout.emit()  # the edit made it dirty again
    qtbot.waitUntil(lambda: len(generations(win)) == 2, timeout=5000)
    assert second in load(generations(win)[-1]).chart(slot).notes
    win.autosave.timer.timeout.emit()
    qtbot.wait(200)
    assert len(generations(win)) == 2  # nothing new since
