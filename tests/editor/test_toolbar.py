"""The toolbar: lists that hand the keys back after a pick, the chart list's note counts, the custom snap (list,
Left/Right, settings, what StepMania cannot hold), and the status bar's position after a timing change."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from chart.notes import Note, NoteKind

pytestmark = pytest.mark.qt


def seek_beat(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(Fraction(beat))))


def custom_answer(monkeypatch, rows: int | None) -> None:
    """The Custom... dialog answers ``rows`` (None: Cancel)."""
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *_a, **_k: (rows or 1, rows is not None)))


def test_snap_and_note_lists_hand_the_keys_back_after_a_pick(opened, qtbot):
    win = opened
    seek_beat(win, 10)
    win.session.set_divisor(16)
    win.snap_combo.setFocus()
    qtbot.keyClick(win.snap_combo, Qt.Key.Key_Down)  # a pick in the list: 1/16 -> 1/24
    assert win.session.divisor == 24
    assert QApplication.focusWidget() is win.timeline
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)  # the list kept it: "1" searched it, to 1/12
    assert Note(Fraction(10), 0) in win.session.chart.notes
    assert win.session.divisor == 24
    win.kind_combo.setFocus()
    qtbot.keyClick(win.kind_combo, Qt.Key.Key_Down)  # tap -> mine
    assert win.session.place_kind == NoteKind.MINE
    assert QApplication.focusWidget() is win.timeline
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)  # the cursor moves; the note type stays
    assert win.session.place_kind == NoteKind.MINE
    assert win.timeline.cursor_beat() == Fraction(61, 6)


def test_chart_list_counts_follow_the_notes(opened, qtbot):
    win = opened
    chart = win.session.chart
    count = len([n for n in chart.notes if n.kind != NoteKind.MINE])  # its notes without the mine
    assert win.chart_combo.currentText().endswith(f"· {count} notes")
    seek_beat(win, 10)
    qtbot.keyClick(win.timeline, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: win.chart_combo.currentText().endswith(f"· {count + 1} notes"))
    win.editing.select_all()
    win.transforms.delete()
    qtbot.waitUntil(lambda: win.chart_combo.currentText().endswith("· 0 notes"))
    win.session.doc.undo()
    qtbot.waitUntil(lambda: win.chart_combo.itemText(0).endswith(f"· {count + 1} notes"))
    assert win.chart_combo.itemText(1).endswith(f"· {len(win.session.doc.song.charts[1].notes)} notes")  # no mine


def test_a_burst_of_note_changes_is_counted_once(opened, qtbot, monkeypatch):
    """A drag or a recording take changes the notes at every mouse move or frame; each change walked the whole chart
    to count it (35 ms a step on a 13k-note chart with warps). The list now counts once after the burst."""
    import editor.note_counts as counts
    from chart.commands import AddNotes

    win = opened
    calls = []
    real = counts.note_count  # both lists (toolbar, Charts panel) read one shared count per change
    monkeypatch.setattr(counts, "note_count", lambda *a: calls.append(1) or real(*a))
    for beat in range(20, 40):
        assert win.session.push(AddNotes(win.session.chart, [Note(Fraction(beat), 1)]))
    qtbot.waitUntil(lambda: len(calls) >= 1)
    qtbot.wait(2 * counts.RECOUNT_MS)
    assert len(calls) == 1
    assert win.chart_combo.currentText().endswith(f"· {real(win.session.chart, win.session.timing())} notes")


def test_chart_list_counts_notes_as_info_and_stats_do(opened, qtbot):
    """The list said "170 notes" where ``info`` and Stats said 158: it counted the chart's mines too."""
    from chart.commands import AddNotes
    from chart.stats import chart_stats

    win = opened
    chart = win.session.chart
    count = chart_stats(chart, win.session.timing()).onsets
    assert win.session.push(AddNotes(chart, [Note(Fraction(b), 2, NoteKind.MINE) for b in (10, 11, 12)]))
    qtbot.wait(2 * 150)
    assert win.chart_combo.currentText().endswith(f"· {count} notes")  # three mines more, the same notes


def test_status_bar_position_follows_an_offset_change(opened):
    from chart.commands import SetTiming

    win = opened
    seek_beat(win, 8)  # 120 BPM: measure 2 (from 0), beat 0
    assert win.position_label.text().startswith("measure 2 beat 0.00")
    timing = win.session.timing()
    win.session.push(SetTiming(timing.with_changes(offset=timing.offset + Fraction(1, 4))))  # half a beat later
    assert win.position_label.text().startswith("measure 2 beat 0.50")


def test_custom_snap_joins_the_list_and_left_right_walk_it(opened, qtbot, monkeypatch):
    win = opened
    win.session.set_divisor(16)
    custom_answer(monkeypatch, 5)
    win.snap_combo.setFocus()
    win.snap_combo.activated.emit(win.snap_combo.findData(0))  # "Custom..."
    assert win.session.divisor == 20
    assert win.snap_combo.currentText() == "1/20 (5 per beat)"
    assert [win.snap_combo.itemData(i) for i in range(win.snap_combo.count())] == [
        4, 8, 12, 16, 20, 24, 32, 48, 64, 96, 192, 0]
    assert QApplication.focusWidget() is win.timeline
    assert "off StepMania's 48 rows per beat" in win.statusBar().currentMessage()
    assert win.settings.get("edit/custom_snap") == 5
    qtbot.keyClick(win.timeline, Qt.Key.Key_Right)
    assert win.session.divisor == 24
    qtbot.keyClick(win.timeline, Qt.Key.Key_Left)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Left)
    assert win.session.divisor == 16
    qtbot.keyClick(win.timeline, Qt.Key.Key_Right)
    assert win.session.divisor == 20
    assert win.snap_label.text() == "snap 1/20"


def test_custom_snap_cancelled_or_standard(opened, monkeypatch):
    win = opened
    win.session.set_divisor(12)
    custom_answer(monkeypatch, None)
    win.snap_combo.activated.emit(win.snap_combo.findData(0))
    assert win.session.divisor == 12
    assert win.snap_combo.currentData() == 12  # not left on "Custom..."
    custom_answer(monkeypatch, 4)  # 4 rows per beat is StepMania's 1/16: no custom entry
    win.snap_combo.activated.emit(win.snap_combo.findData(0))
    assert win.session.divisor == 16
    assert win.session.custom_divisor is None
    assert win.snap_combo.count() == 11


def test_custom_snap_is_remembered(opened, settings, qtbot, monkeypatch):
    from editor.main_window import MainWindow

    win = opened
    custom_answer(monkeypatch, 7)
    win.snap_combo.activated.emit(win.snap_combo.findData(0))
    win.session.set_divisor(16)  # walked away from it: it stays in the list
    assert win.snap_combo.findData(28) >= 0
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert again.session.custom_divisor == 28
    assert again.snap_combo.findData(28) >= 0
    assert again.session.divisor == 16
    win.session.set_divisor(28)
    third = MainWindow(settings)
    qtbot.addWidget(third)
    assert third.session.divisor == 28
    assert third.snap_combo.currentText() == "1/28 (7 per beat)"
    for w in (again, third):
        w.skip_close_prompt = True
        w.shutdown()


def test_notes_on_a_snap_stepmania_cannot_hold_are_flagged_not_moved(opened, qtbot, monkeypatch, boxes):
    from chart.checks.base import CheckContext, Severity
    from chart.checks.registry import run_checks
    from chart.formats.registry import load

    win = opened
    custom_answer(monkeypatch, 5)
    win.snap_combo.activated.emit(win.snap_combo.findData(0))
    seek_beat(win, Fraction(51, 5))
    qtbot.keyClick(win.timeline, Qt.Key.Key_2)
    note = Note(Fraction(51, 5), 1)
    assert note in win.session.chart.notes  # exact: 10 1/5 beats
    issues = run_checks(CheckContext(song=win.session.doc.song, chart=win.session.chart))
    assert any(i.severity == Severity.PROBLEM and note in i.notes and "off the 1/192 grid" in i.message
               for i in issues)
    path = win.session.doc.path
    assert not win.files.save()  # .ssc: refused, not moved to 10 5/24
    assert boxes[-1][1] == "Cannot save"
    assert Note(Fraction(245, 24), 1) not in load(path).charts[0].notes
    assert note in win.session.chart.notes


def test_up_and_down_walk_a_custom_snap(opened, qtbot, monkeypatch):
    win = opened
    custom_answer(monkeypatch, 5)
    win.snap_combo.activated.emit(win.snap_combo.findData(0))
    seek_beat(win, Fraction(2, 5))
    qtbot.keyClick(win.timeline, Qt.Key.Key_Up)
    assert win.timeline.cursor_beat() == Fraction(1, 5)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Down)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Down)
    assert win.timeline.cursor_beat() == Fraction(3, 5)


def test_both_chart_lists_follow_one_timer_whatever_songs_were_opened(opened, qtbot):
    """The toolbar made one more recount timer for every song opened (each left running on the window), and the
    Charts panel ran its own: both lists now redraw from the shared counts' one signal."""
    from PySide6.QtCore import QTimer

    from chart.commands import AddNotes
    from editor.note_counts import RECOUNT_MS

    win = opened
    timers = len(win.findChildren(QTimer)) + len(win.session.findChildren(QTimer))
    for _ in range(3):
        win.session.set_document(win.session.doc)  # what opening a song does to the session
    assert len(win.findChildren(QTimer)) + len(win.session.findChildren(QTimer)) == timers
    sent = []
    from editor.note_counts import note_counts

    note_counts(win.session).recount.connect(sent.append)
    chart = win.session.chart
    for beat in range(40, 45):
        assert win.session.push(AddNotes(chart, [Note(Fraction(beat), 3)]))
    qtbot.wait(2 * RECOUNT_MS)
    assert sent == [{win.session.chart_id()}]
    n = note_counts(win.session).count(chart)
    assert win.chart_combo.currentText().endswith(f"· {n} notes")
