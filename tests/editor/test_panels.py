"""Panels and views: Verify jump, difficulty list, timing and properties edits (all undoable), stats, history,
the keymap file, the minimap seek, the spectrogram streaming in."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton, QTableWidget

from chart.commands import AddNotes
from chart.notes import Note, NoteKind
from chart.song import Slot

pytestmark = pytest.mark.qt


def test_verify_lists_issues_and_jumps_to_them(opened, qtbot):
    win = opened
    win.session.set_chart(win.session.doc.song.chart(Slot.EASY))
    win.editing.place(Fraction(7, 3), 0, win.session.place_kind)  # off the common grid
    from chart.commands import AddNotes

    # a mine with a tap in the same cell (an imported file's; a click there selects the tap instead)
    assert win.session.push(AddNotes(win.session.chart, [Note(Fraction(6), 0, NoteKind.MINE)]))
    win.session.clear_selection()
    win.seek(0.0)
    issues = win.verify_panel.run_checks()
    assert issues
    rows = [i for i, (_c, issue) in enumerate(win.verify_panel.issues) if issue.beat == Fraction(6)]
    assert rows
    item = win.verify_panel.list.item(rows[0])
    rect = win.verify_panel.list.visualItemRect(item)
    qtbot.mouseClick(win.verify_panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.timeline.cursor_beat() == Fraction(6)
    _chart, issue = win.verify_panel.issues[rows[0]]
    assert win.session.selection == set(issue.notes)
    assert win.timeline.hasFocus()
    assert "problem" in win.verify_panel.summary.text()


def test_verify_all_charts_switches_chart_on_jump(opened):
    win = opened
    win.verify_panel.all_charts.setChecked(True)
    easy = win.session.doc.song.chart(Slot.EASY)
    win.session.push(AddNotes(easy, [Note(Fraction(3), 2)]))  # a second tap in an occupied cell
    win.verify_panel.run_checks()
    rows = [i for i, (c, issue) in enumerate(win.verify_panel.issues) if c is easy and issue.beat == Fraction(3)]
    assert rows
    win.verify_panel.jump_to(rows[0])
    assert win.session.chart is easy


def test_difficulty_list_add_duplicate_edit_delete_undo(opened, boxes):
    from PySide6.QtWidgets import QMessageBox

    win = opened
    boxes.answers = [QMessageBox.StandardButton.Yes]  # "Delete chart with N notes?"
    panel = win.charts_panel
    n = len(win.session.doc.song.charts)
    hard = panel.add_chart(Slot.HARD)
    assert win.session.chart is hard
    assert hard.meter == 9
    panel.meter.setValue(11)
    panel.meter.editingFinished.emit()
    panel.description.setText("tech")
    panel.description.editingFinished.emit()
    assert (hard.meter, hard.description) == (11, "tech")
    win.session.set_chart(win.session.doc.song.charts[0])
    copy = panel.duplicate_chart()
    assert copy.notes == win.session.doc.song.charts[0].notes
    assert copy.slot == Slot.EDIT
    assert len(win.session.doc.song.charts) == n + 2
    panel.delete_chart()
    assert len(win.session.doc.song.charts) == n + 1
    names = win.session.doc.undo_stack_names()
    assert names[-1] == "Remove chart"
    for _ in range(5):
        win.session.doc.undo()
    assert len(win.session.doc.song.charts) == n
    assert win.chart_combo.count() == n


def test_timing_panel_adds_bpm_and_stop_at_cursor(opened):
    win = opened
    win.seek(float(win.session.timing().beat_to_seconds(8)))
    panel = win.timing_panel
    assert panel.add_at_cursor("bpms")
    assert panel.add_at_cursor("stops")
    timing = win.session.doc.song.timing
    assert (Fraction(8), Fraction(120)) in timing.bpms
    assert (Fraction(8), Fraction(1, 2)) in timing.stops
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 1).text() == "BPM"
               and panel.table.item(r, 0).text() == "8")
    panel.table.item(row, 2).setText("150")
    assert (Fraction(8), Fraction(150)) in win.session.doc.song.timing.bpms
    panel.table.item(row, 2).setText("-3")  # refused with a message, table restored
    assert (Fraction(8), Fraction(150)) in win.session.doc.song.timing.bpms
    # notes after beat 8 moved in time with the new tempo: the timeline index follows
    win.sync.rebuild()
    beat9 = win.timeline.index.notes.index(Note(Fraction(9), 1)) if Note(Fraction(9), 1) in \
        win.timeline.index.notes else None
    assert beat9 is None or win.timeline.index.start_s[beat9] == pytest.approx(
        float(win.session.timing().beat_to_seconds(9)))
    for _ in range(3):
        win.session.doc.undo()
    assert win.session.doc.song.timing.bpms == ((Fraction(0), Fraction(120)),)


def test_timing_panel_edits_warps_and_time_signatures(opened):
    win = opened
    panel = win.timing_panel
    win.seek(float(win.session.timing().beat_to_seconds(8)))
    assert panel.add_at_cursor("time_signatures")
    assert panel.add_at_cursor("warps")
    timing = win.session.doc.song.timing
    assert timing.time_signatures == ((Fraction(8), 4, 4),)
    assert timing.warps == ((Fraction(8), Fraction(1)),)

    def row_of(kind):
        return next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 1).text() == kind)

    sig = row_of("Time signature")
    assert panel.table.item(sig, 2).text() == "4/4"
    panel.table.item(sig, 2).setText("3/4")
    timing = win.session.doc.song.timing
    assert timing.time_signatures == ((Fraction(8), 3, 4),)
    assert list(timing.measure_starts(15)) == [0, 4, 8, 11, 14]  # the grid's measure lines follow
    for bad in ("0/4", "3", "three/4"):  # refused with a message, the table restored
        panel.table.item(row_of("Time signature"), 2).setText(bad)
        assert win.session.doc.song.timing.time_signatures == ((Fraction(8), 3, 4),)
        assert panel.table.item(row_of("Time signature"), 2).text() == "3/4"
    assert "time signature like 3/4" in win.statusBar().currentMessage()
    panel.table.item(row_of("Time signature"), 0).setText("12")  # moved to beat 12
    assert win.session.doc.song.timing.time_signatures == ((Fraction(12), 3, 4),)
    warp = row_of("Warp (beats)")
    panel.table.item(warp, 2).setText("0")
    assert win.session.doc.song.timing.warps == ((Fraction(8), Fraction(1)),)
    panel.table.item(row_of("Warp (beats)"), 2).setText("2")
    timing = win.session.doc.song.timing
    assert timing.warps == ((Fraction(8), Fraction(2)),)
    assert timing.beat_to_seconds(10) == timing.beat_to_seconds(8)  # the warped beats take no time
    panel.table.setCurrentCell(row_of("Warp (beats)"), 0)
    assert panel.remove_selected()
    assert win.session.doc.song.timing.warps == ()
    for _ in range(6):
        win.session.doc.undo()
    assert win.session.doc.song.timing.warps == ()
    assert win.session.doc.song.timing.time_signatures == ()


def test_properties_panel_edits_metadata_and_offset(opened):
    win = opened
    panel = win.properties_panel
    panel.edits["title"].setText("New title")
    panel.edits["title"].editingFinished.emit()
    panel.offset.setValue(-0.25)
    assert win.session.doc.song.title == "New title"
    assert win.session.doc.song.timing.offset == Fraction(-1, 4)
    assert win.session.doc.undo_stack_names()[-2:] == ["Change song properties", "Change offset"]
    win.session.doc.undo()
    assert panel.offset.value() == pytest.approx(-0.1)


def test_stats_panel_compares_with_the_slot(opened, qtbot):
    win = opened
    win.stats_panel.refresh()
    text = win.stats_panel.labels["Verdict"].text()
    assert "Beginner" in text
    assert win.stats_panel.labels["Notes"].text() == "8 steps in 8 rows; also 1 mine"  # the demo chart's 9 notes


def test_history_panel_jumps_through_steps(opened):
    win = opened
    for beat in (10, 11, 12):
        win.editing.place(Fraction(beat), 0, win.session.place_kind)
    panel = win.history_panel
    assert panel.list.count() == 4
    panel.go_to(1)
    assert Note(Fraction(10), 0) in win.session.chart.notes
    assert Note(Fraction(11), 0) not in win.session.chart.notes
    panel.go_to(3)
    assert Note(Fraction(12), 0) in win.session.chart.notes


def test_shipped_keymap_lists_every_action_with_its_default():
    import json

    from editor.actions import DEFAULT_KEYMAP, SPECS

    shipped = json.loads(DEFAULT_KEYMAP.read_text(encoding="utf-8"))
    shipped.pop("_comment")
    assert shipped == {s.id: s.shortcut for s in SPECS}  # regenerate with editor.actions.write_default_keymap()


def test_user_keymap_overrides_defaults(qtbot, settings, boxes):
    from editor.main_window import MainWindow
    from editor.settings import app_data_dir

    app_data_dir().mkdir(parents=True, exist_ok=True)
    (app_data_dir() / "keymap.json").write_text(json.dumps({"edit.mirror": "M", "play.loop": ""}))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    assert win.actions["edit.mirror"].shortcut().toString() == "M"
    assert win.actions["play.loop"].shortcut().isEmpty()
    assert win.actions["edit.flip"].shortcut().toString() == "Y"
    (app_data_dir() / "keymap.json").write_text('{"no.such.action": "X"}')
    bad = MainWindow(settings)
    qtbot.addWidget(bad)
    assert "unknown action" in bad.statusBar().currentMessage()
    for w in (win, bad):
        w.skip_close_prompt = True
        w.shutdown()


def test_minimap_click_seeks(opened, qtbot):
    win = opened
    mm = win.minimap
    y = int(4 + (mm.height() - 8) * 0.5)
    qtbot.mouseClick(mm, Qt.MouseButton.LeftButton, pos=QPoint(mm.width() // 2, y))
    assert win.timeline.cursor_s == pytest.approx(win.session.duration_s() * 0.5, abs=0.1)
    assert mm._curve is not None
    assert mm._curve[1].max() > 0


def test_spectrogram_streams_in(opened, qtbot):
    win = opened
    win.actions["view.spectrogram"].setChecked(True)
    tiler = win.spectrogram.tiler
    assert tiler is not None
    qtbot.waitUntil(lambda: len(win.spectrogram.item.tiles) == tiler.n_tiles, timeout=30000)
    start, end, image = win.spectrogram.item.tiles[0]
    assert image.width() == 128
    assert end > start
    assert win.timeline.vb.viewRange()[0][0] < -2.0  # the lane made room on the left


def test_tempo_dialog_candidates_and_halving(qtbot):
    from audio.tempo import TempoCandidate
    from editor.dialogs.tempo import TempoDialog

    dialog = TempoDialog(None, [TempoCandidate(174.0, 0.25, 0.7), TempoCandidate(87.0, 0.25, 0.2)], "x.ogg")
    qtbot.addWidget(dialog)
    timing = dialog.timing()
    assert float(timing.bpms[0][1]) == 174.0
    assert timing.offset == Fraction(-1, 4)
    dialog.list.setCurrentRow(1)
    assert float(dialog.timing().bpms[0][1]) == 87.0
    double = next(b for b in dialog.findChildren(QPushButton) if b.text() == "×2")
    double.click()
    assert float(dialog.timing().bpms[0][1]) == 174.0


def test_keymap_dialog_lists_the_shortcuts(opened, qtbot):
    from editor.dialogs.keymap_help import KeymapDialog

    dialog = KeymapDialog(opened, opened.actions.shortcut_table())
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget)
    texts = {table.item(r, 1).text() for r in range(table.rowCount())}
    assert "Mirror Lanes" in texts


def test_an_issue_of_a_deleted_chart_reruns_the_checks_instead_of_failing(opened):
    from chart.commands import RemoveChart

    win = opened
    panel = win.verify_panel
    panel.auto.setChecked(False)
    panel.all_charts.setChecked(True)
    easy = win.session.doc.song.chart(Slot.EASY)
    win.session.push(AddNotes(easy, [Note(Fraction(3), 2)]))  # a second tap in an occupied cell
    panel.run_checks()
    row = next(i for i, (c, _issue) in enumerate(panel.issues) if c is easy)
    win.session.push(RemoveChart(easy))
    panel.jump_to(row)  # raised "not part of this song" in the Qt slot
    assert "That chart was removed" in win.statusBar().currentMessage()
    assert all(c is not easy for c, _issue in panel.issues)


def test_verify_reruns_after_a_metadata_change_and_a_save_as(opened, qtbot, tmp_path):
    from chart.commands import SetSongMeta

    win = opened
    panel = win.verify_panel
    assert panel.auto.isChecked()
    with qtbot.waitSignal(panel.checked, timeout=3000):  # e.g. #MUSIC pointed at the Ogg (the mp3-delay check)
        win.session.push(SetSongMeta(title="Other"))
    win.files.ask_save_path = lambda *_a, **_k: tmp_path / "copy.ssc"
    with qtbot.waitSignal(panel.checked, timeout=3000):  # checked against the new file's format
        assert win.files.save_as()


def test_a_user_key_taken_from_another_action_or_unreadable_is_said(qtbot, settings, boxes):
    from editor.main_window import MainWindow
    from editor.settings import app_data_dir

    app_data_dir().mkdir(parents=True, exist_ok=True)
    (app_data_dir() / "keymap.json").write_text(json.dumps({"edit.flip": "Ctrl+Z"}))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    assert win.actions["edit.flip"].shortcut().toString() == "Ctrl+Z"
    assert win.actions["edit.undo"].shortcut().isEmpty()  # both had it: Qt fired neither
    qtbot.waitUntil(lambda: any(title == "Keyboard shortcuts" for _k, title, _t in boxes), timeout=2000)
    assert "Undo has no shortcut" in boxes[-1][2]
    for bad in ("Ctrl+Foo", "Hyper+M"):
        (app_data_dir() / "keymap.json").write_text(json.dumps({"edit.flip": bad}))
        other = MainWindow(settings)
        qtbot.addWidget(other)
        assert "invalid shortcut" in other.statusBar().currentMessage()
        assert other.actions["edit.flip"].shortcut().toString() == "Y"  # the defaults are used
        other.skip_close_prompt = True
        other.shutdown()
    win.skip_close_prompt = True
    win.shutdown()
