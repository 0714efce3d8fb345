"""Undo at its edges (audit 26): the History panel's first row once the oldest steps were dropped, Undo during a
take, a panel field being typed in when Edit > Undo is chosen, and Convert Music to Ogg undone."""

from __future__ import annotations

from fractions import Fraction

import pytest

pytestmark = pytest.mark.qt


def status(win) -> str:
    return win.statusBar().currentMessage()


def history_panel(win):
    from editor.panels.history import HistoryPanel

    return win.findChildren(HistoryPanel)[0]


def test_first_row_says_when_the_oldest_steps_were_dropped(opened):
    """After more steps than the limit, row 0 read "(opened)" and a click on it said "Undid 1000 steps" while the
    session's first notes were still there."""
    win = opened
    s = win.session
    history = s.doc.history
    history.limit = 5
    panel = history_panel(win)
    beginner = s.doc.song.charts[0]
    opened_notes = list(beginner.notes)
    for k in range(8):
        history._last_push_s = None  # one undo step each
        win.editing.place(Fraction(40 + k), k % 4, s.place_kind)
    assert panel.list.count() == 6
    assert panel.list.item(0).text() == "(oldest kept: 3 earlier steps dropped)"
    panel.go_to(0)
    assert "Undid 5 steps; the 3 steps before it were dropped" in status(win)
    assert panel.list.item(0).text().endswith("(oldest kept: 3 earlier steps dropped)")
    assert len(beginner.notes) == len(opened_notes) + 3  # what the row is: not the opened song
    panel.go_to(1)
    win.actions["edit.undo"].trigger()  # Ctrl+Z to the oldest state kept says it too
    assert "the 3 steps before it were dropped" in status(win)
    history.clear()  # another song: nothing dropped
    assert history.dropped == 0
    assert "(opened)" in panel.list.item(0).text()


def test_undo_and_history_during_a_take_say_why_they_do_nothing(fake):
    win, _clock = fake
    s = win.session
    win.seek(5.0)
    win.editing.toggle_at_cursor(0)
    s.doc.history._last_push_s = None
    win.editing.toggle_at_cursor(1)
    win.actions["edit.undo"].trigger()  # a step to undo and one to redo
    steps = s.doc.history.undo_stack_names()
    win.actions["play.record"].trigger()
    assert win.record.active
    s.status.emit("-- a line from before --")
    win.actions["edit.undo"].trigger()
    assert status(win) == "Undo: recording: Esc ends the take"
    win.actions["edit.redo"].trigger()
    assert status(win) == "Redo: recording: Esc ends the take"
    history_panel(win).go_to(0)
    assert status(win) == "History: recording: Esc ends the take"
    assert s.doc.history.undo_stack_names() == steps


def test_undo_during_a_drag_says_finish_the_drag(opened):
    from chart.commands import AddNotes
    from chart.notes import Note

    win = opened
    history = win.session.doc.history
    win.editing.toggle_at_cursor(0)  # a step to undo
    history.begin_stroke("Move")
    history.update_stroke(AddNotes(win.session.doc.song.charts[0], [Note(Fraction(50), 1)]))
    win.actions["edit.undo"].trigger()
    assert status(win) == "Undo: finish the drag first"
    history.abort_stroke()


def test_edit_undo_commits_the_field_being_typed_in_first(opened, qtbot):
    """Edit > Undo (the menu leaves the focus in the field) of another difficulty's step refilled the field from
    that chart: the typed description ended up nowhere."""
    from PySide6.QtTest import QTest

    win = opened
    s = win.session
    beginner, easy = s.doc.song.charts
    s.set_chart(easy)
    win.editing.place(Fraction(60), 1, s.place_kind)
    s.doc.history._last_push_s = None
    s.set_chart(beginner)
    desc = win.charts_panel.description
    old = beginner.description
    win.activateWindow()
    desc.setFocus()
    qtbot.waitUntil(desc.hasFocus, timeout=2000)
    desc.selectAll()
    QTest.keyClicks(desc, "Tech 2 (final)")
    win.actions["edit.undo"].trigger()  # the typed text is a step of its own, and this Undo takes it back
    assert beginner.description == old
    assert "what was typed in the field; Redo puts it back" in status(win)
    assert s.doc.history.undo_stack_names()[-1] == "Add tap"  # Easy's step is the next Undo's
    win.actions["edit.redo"].trigger()
    assert beginner.description == "Tech 2 (final)"
    win.actions["edit.undo"].trigger()
    desc.setFocus()
    desc.selectAll()
    QTest.keyClicks(desc, "Tech 3")
    win.actions["edit.redo"].trigger()  # a new step: nothing left to redo, and the text is kept
    assert beginner.description == "Tech 3"
    assert "Kept what was typed as a step of its own" in status(win)


def test_music_to_ogg_moves_the_audio_label_and_undo_moves_the_audio_back(opened, qtbot):
    """The label kept naming the converted file ("damaged" included), and after Undo #MUSIC named it again while
    the editor's audio was the Ogg."""
    win = opened
    s = win.session
    folder = s.doc.song.source_path.parent
    s.audio.warnings = ("clicks.wav: damaged frame",)  # as a damaged source decodes
    win._device_changed(win.playback.device_text)
    assert "damaged" in win.audio_label.text()
    win.files.convert_music_to_ogg()
    qtbot.waitUntil(lambda: s.doc.song.music == "clicks.ogg", timeout=20000)
    assert s.audio.path == folder / "clicks.ogg"
    assert "clicks.ogg" in win.audio_label.text()
    assert "damaged" not in win.audio_label.text()
    assert win.audio_label.toolTip().splitlines()[0] == str(folder / "clicks.ogg")
    win.actions["edit.undo"].trigger()
    assert s.doc.song.music == "clicks.wav"
    assert s.audio.path == folder / "clicks.wav"
    assert "clicks.wav · damaged" in win.audio_label.text()
    win.actions["edit.redo"].trigger()
    assert s.audio.path == folder / "clicks.ogg"
    assert "clicks.ogg" in win.audio_label.text()
