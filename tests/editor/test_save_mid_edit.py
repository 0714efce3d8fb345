"""Save, Save As and Export during a recording take or a drag write nothing and say to finish it first: File > Save
clicked during a take wrote the first half of the take, and once the take was undone the editor said there was
nothing to save while the file held its notes. A save that runs out of memory is one dialog, not a crash."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.commands import AddNotes
from chart.notes import Note

pytestmark = pytest.mark.qt

K = Qt.Key
BEAT0_S, SPB = 0.1, 0.5  # the test song: 120 BPM, beat 0 at 0.1 s


def press(win, qtbot, clock, key, at_s: float) -> None:
    player = win.playback.player
    clock.advance((at_s - player.position_s()) / player.rate)
    qtbot.keyPress(win.timeline, key)
    clock.advance(0.05)
    qtbot.keyRelease(win.timeline, key)


def test_save_save_as_and_export_during_a_take_write_nothing(fake, qtbot, tmp_path):
    from editor.controllers.export import ExportController

    win, clock = fake
    s = win.session
    path = s.doc.path
    on_disk = path.read_bytes()
    before = list(s.chart.notes)
    win.seek(BEAT0_S + 10 * SPB)
    assert win.record.start()
    press(win, qtbot, clock, K.Key_D, BEAT0_S + 10 * SPB)
    press(win, qtbot, clock, K.Key_F, BEAT0_S + 11 * SPB)
    qtbot.waitUntil(lambda: len(s.chart.notes) == len(before) + 2, timeout=2000)  # half a take, shown
    win.actions["file.save"].trigger()  # clicked in the menu: the take's keys do not stop it
    assert win.statusBar().currentMessage() == "Not saved: finish the recording take first (Esc ends it)"
    win.files.ask_save_path = lambda *_a, **_k: pytest.fail("Save As asked for a file during the take")
    assert not win.files.save_as()
    assert not ExportController(win).export(tmp_path / "copy.ssc")
    assert win.statusBar().currentMessage() == "Not exported: finish the recording take first (Esc ends it)"
    assert path.read_bytes() == on_disk
    assert list(tmp_path.glob("copy*")) == []
    assert win.record.active  # the take goes on
    qtbot.keyClick(win.timeline, K.Key_Escape)
    assert not s.doc.is_clean
    s.doc.undo()  # the take taken back: the file's notes again
    assert list(s.chart.notes) == before
    assert s.doc.is_clean


def test_a_drag_is_named_and_a_save_after_it_writes(opened):
    win = opened
    s = win.session
    s.doc.begin_stroke("Move notes")
    s.doc.update_stroke(AddNotes(s.chart, [Note(Fraction(30), 0)]))
    assert not win.files.save()
    assert win.statusBar().currentMessage() == "Not saved: finish the drag first"
    s.doc.commit_stroke()
    assert win.files.save()
    assert s.doc.is_clean


def test_a_save_that_runs_out_of_memory_is_one_dialog(opened, boxes, monkeypatch):
    from editor.controllers import save_checks

    def no_memory(*_args):
        raise MemoryError()

    win = opened
    s = win.session
    s.doc.push(AddNotes(s.chart, [Note(Fraction(30), 0)]))
    monkeypatch.setattr(save_checks, "write", no_memory)
    assert not win.files.save()
    assert [(kind, title) for kind, title, _ in boxes] == [("critical", "Cannot save")]
    assert "not enough memory to build the file" in boxes[0][2]
    assert not s.doc.is_clean


def test_closing_in_the_middle_of_a_take_ends_it_and_asks(fake, qtbot, boxes):
    """A lane key pressed in the frame the window closed was not in the song yet: the song looked clean, nothing was
    asked, and the take's note was committed and lost as the window went. The take now ends first."""
    from PySide6.QtWidgets import QMessageBox

    win, clock = fake
    s = win.session
    win.seek(BEAT0_S + 10 * SPB)
    assert win.record.start()
    press(win, qtbot, clock, K.Key_D, BEAT0_S + 10 * SPB)
    boxes.answers = [QMessageBox.StandardButton.Cancel]
    assert not win.close()  # asked, and cancelled: the window stays
    assert [kind for kind, _title, _text in boxes] == ["question"]
    assert not win.record.active
    assert not s.doc.is_clean
    assert any(n.beat == 10 for n in s.chart.notes)
