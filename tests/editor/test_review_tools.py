"""Paste Keeping Notes (Ctrl+Shift+V), Expand 3:2 / Compress 2:3, and osu! review timestamps (Copy Timestamp,
Go to Timestamp) in the window."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from chart.commands import AddNotes
from chart.notes import Note, NoteKind
from chart.sorted_notes import inside_holds

pytestmark = pytest.mark.qt

CTRL, SHIFT, ALT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier,
                    Qt.KeyboardModifier.AltModifier)
HOLD_4 = Note(Fraction(4), 0, NoteKind.HOLD, Fraction(2))  # the Beginner chart's hold (conftest.demo_notes)


def seek_beat(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(Fraction(beat))))


def notes(win) -> list[Note]:
    return list(win.session.chart.notes)


def playable(win) -> bool:
    cells = [(n.beat, n.lane) for n in notes(win)]
    return len(cells) == len(set(cells)) and not inside_holds(notes(win))


def test_paste_keeping_notes_skips_what_the_chart_has_there_in_one_undo_step(opened, qtbot):
    win = opened  # Beginner: 0/0 1/1 2/2 3/3, hold 4/0 (2 beats), mine 5/2, 6/1, 13/2 on lane 2, roll 8/3
    s = win.session
    s.select([Note(Fraction(k), k) for k in range(4)])
    qtbot.keyClick(win.timeline, Qt.Key.Key_C, CTRL)
    seek_beat(win, 4)
    before = notes(win)
    qtbot.keyClick(win.timeline, Qt.Key.Key_V, CTRL | SHIFT)
    pasted = {Note(Fraction(5), 1), Note(Fraction(6), 2), Note(Fraction(7), 3)}
    assert set(notes(win)) == set(before) | pasted  # 4/0 lands on the hold's head: the hold stays, the tap skipped
    assert s.selection == pasted
    assert "3 note(s) pasted, 1 skipped" in win.statusBar().currentMessage()
    assert s.doc.history.undo_stack_names()[-1] == "Paste keeping notes"
    s.doc.undo()
    assert notes(win) == before
    s.select([Note(Fraction(0), 0)])  # one tap of lane 0, pasted at beat 5: inside the hold
    win.transforms.copy()
    seek_beat(win, 5)
    assert win.transforms.paste_keep() == 0
    assert notes(win) == before
    assert "nothing pasted" in win.statusBar().currentMessage()
    qtbot.keyClick(win.timeline, Qt.Key.Key_V, CTRL)  # a plain paste replaces instead: the hold is cut before it
    assert Note(Fraction(5), 0) in notes(win)
    assert HOLD_4 not in notes(win)
    assert playable(win)


def test_a_pasted_hold_ends_one_snap_step_before_a_chart_note(opened):
    win = opened
    s = win.session
    s.set_divisor(16)
    s.select([HOLD_4])
    win.transforms.copy()
    s.push(AddNotes(s.chart, [Note(Fraction(11), 0)]))
    seek_beat(win, 10)
    assert win.transforms.paste_keep() == 1
    assert Note(Fraction(10), 0, NoteKind.HOLD, Fraction(3, 4)) in notes(win)  # 11 - 1/4
    assert Note(Fraction(11), 0) in notes(win)
    assert "1 hold(s) shortened" in win.statusBar().currentMessage()
    assert playable(win)


def test_expand_3_2_makes_8ths_of_12ths_and_compress_2_3_takes_them_back(opened):
    win = opened
    s = win.session
    triplets = [Note(Fraction(20) + Fraction(k, 3), k) for k in range(3)]
    s.push(AddNotes(s.chart, triplets))
    before = notes(win)
    s.select(triplets)
    win.actions["edit.expand_3_2"].trigger()
    assert {Note(Fraction(20), 0), Note(Fraction(41, 2), 1), Note(Fraction(21), 2)} <= set(notes(win))
    assert s.doc.history.undo_stack_names()[-1] == "Expand 3:2"
    win.actions["edit.compress_2_3"].trigger()
    assert notes(win) == before
    scale_menu = next(a.menu() for a in win.menuBar().actions()[1].menu().actions()
                      if a.menu() is not None and "Compress" in a.text())
    texts = [a.text() for a in scale_menu.actions()]
    assert "Expand 3:2 (12ths to 8ths)" in texts
    assert "Compress 2:3 (8ths to 12ths)" in texts


def test_copy_timestamp_writes_osu_text_for_the_selection_or_the_cursor(opened, qtbot):
    win = opened  # 120 BPM, beat 0 at 0.1 s
    win.session.select([Note(Fraction(2), 2), Note(Fraction(1), 1)])
    qtbot.keyClick(win.timeline, Qt.Key.Key_C, CTRL | ALT)
    assert QGuiApplication.clipboard().text() == "00:00:600 (600|1,1100|2) - "
    win.session.clear_selection()
    seek_beat(win, 4)
    assert win.timestamps.copy() == "00:02:100 - "
    assert "Copied timestamp 00:02:100 -" in win.statusBar().currentMessage()
    win.session.set_range((Fraction(20), Fraction(24)))  # a range without notes: its start
    assert win.timestamps.copy() == "00:10:100 - "


def test_go_to_timestamp_moves_and_selects_the_listed_notes(opened):
    win = opened
    s = win.session
    seek_beat(win, 12)
    assert win.timestamps.go_to("too dense: 00:00:600 (600|1,1100|2,3100|3) - maybe drop one")
    assert win.timeline.cursor_s == pytest.approx(0.6)
    assert s.selection == {Note(Fraction(1), 1), Note(Fraction(2), 2)}
    assert "2 of the 3 listed notes selected" in win.statusBar().currentMessage()
    assert "3100|3" in win.statusBar().currentMessage()  # beat 6 is in lane 1, not 3
    assert win.timestamps.go_to("b8.5")
    assert win.timeline.cursor_beat() == Fraction(17, 2)
    assert win.timestamps.go_to("m3")  # the measure line the grid numbers 3
    assert win.timeline.cursor_beat() == 12
    assert win.timestamps.go_to("0:04.1")
    assert win.timeline.cursor_beat() == 8


def test_an_unreadable_timestamp_moves_nothing(opened):
    win = opened
    seek_beat(win, 6)
    win.session.select([Note(Fraction(6), 1)])
    for text in ("", "next week", "1:2:3"):
        assert not win.timestamps.go_to(text)
        assert win.timeline.cursor_beat() == 6
        assert win.session.selection == {Note(Fraction(6), 1)}
        message = win.statusBar().currentMessage()
        assert message.startswith("Go to Timestamp:")
        assert "\n" not in message
    assert not win.timestamps.go_to("59:00:000 - ")  # past the song: says where the cursor stopped
    assert "as far as the song goes" in win.statusBar().currentMessage()


def test_go_to_dialog_reads_the_clipboard_and_previews(opened, monkeypatch):
    from editor.dialogs.go_to_timestamp import GoToTimestampDialog

    win = opened
    assert win.actions["edit.go_to_timestamp"].shortcut().toString() == "Ctrl+G"
    QGuiApplication.clipboard().setText("00:00:600 (600|1) - fix this")
    dialog = win.timestamps.dialog()
    assert dialog.text() == "00:00:600 (600|1) - fix this"
    assert "1 of the 1 listed notes found" in dialog.preview.text()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.isEnabled()
    dialog.edit.setText("soon")
    assert not ok.isEnabled()
    assert "not a timestamp" in dialog.preview.text()
    dialog.accept()  # Return on an unreadable line: the dialog stays
    assert dialog.result() == 0
    dialog.deleteLater()

    def answer(self):
        self.edit.setText("b12")
        self.accept()
        return self.result()

    monkeypatch.setattr(GoToTimestampDialog, "exec", answer)
    assert win.timestamps.ask()
    assert win.timeline.cursor_beat() == 12


def test_paste_keeping_notes_of_lanes_the_chart_lacks_changes_nothing(opened):
    import json

    win = opened
    before = notes(win)
    QGuiApplication.clipboard().setText(json.dumps({"format": "genelive-notes/1", "span": "1",
                                                    "notes": [["0", 6, "tap", "0"], ["1", 7, "tap", "0"]]}))
    seek_beat(win, 10)
    assert win.transforms.paste_keep() == 0
    assert notes(win) == before
    assert "2 note(s) beyond lane 4 dropped" in win.statusBar().currentMessage()
