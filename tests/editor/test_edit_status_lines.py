"""Status lines and guards of editing operations (audit 24): notes that fell inside a new stop reported as such,
not blamed on the 1/48 row; Select By snap picks custom snaps and names its class as the menu does; a chart
switch during a mouse drag drops the drag; every edit key says what it did, or that nothing was selected."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtCore import QPoint, Qt

from chart.document import Document
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.panels.timing import push_timing
from editor.session import EditorSession

pytestmark = pytest.mark.qt


def test_notes_inside_a_new_stop_are_reported_apart_from_the_rounding(qtbot):
    old = TimingData.constant(120, 0)  # the stop is 1 beat: the notes after it stay on rows at their times
    notes = [Note(F(8), 0), Note(F(33, 4), 1), Note(F(17, 2), 2), Note(F(12), 3)]  # a 16th run into the stop
    s = EditorSession()
    s.set_document(Document(Song(title="t", timing=old, charts=[Chart(slot=Slot.HARD, meter=5, notes=notes)])))
    s.keep_notes_in_time = True
    said: list[str] = []
    s.status.connect(said.append)
    assert push_timing(s, old.with_changes(stops=((F(8), F(1, 2)),)), None, "Add stop", merge=False)
    assert [n.beat for n in s.doc.song.charts[0].notes][:3] == [F(8)] * 3  # now a jump on the stop's beat
    text = said[-1]
    assert "(the finest row is 1/48 beat)" not in text, text  # every other note landed on a row at its time
    assert "2 note(s) (beats 8.25, 8.5) fell inside the stop at beat 8" in text, text
    assert "up to 250.0 ms" in text, text
    assert "jumps" in text, text


def test_a_rounding_is_still_reported_with_the_row(qtbot):
    old = TimingData.constant(120, 0)
    s = EditorSession()
    s.set_document(Document(Song(title="t", timing=old, charts=[Chart(slot=Slot.HARD, meter=5,
                                                                        notes=[Note(F(4), 0)])])))
    s.keep_notes_in_time = True
    said: list[str] = []
    s.status.connect(said.append)
    assert push_timing(s, old.with_changes(offset=F(-3, 1000)), None, "Nudge", merge=False)
    assert "within 3.0 ms (the finest row is 1/48 beat)" in said[-1], said[-1]
    assert "fell inside" not in said[-1], said[-1]


def test_a_shorter_warp_that_makes_jumps_says_so(qtbot):
    """Shortening a warp with Keep notes in time: its former notes keep their beats and are judged now, and the
    notes after it are re-beated onto the same rows: two new jumps, and the status line did not say so."""
    old = TimingData(offset=F(0), bpms=((F(0), F(120)),), warps=((F(4), F(2)),))
    notes = [Note(F(b, 2), b % 4) for b in range(4, 20)]  # a note every half beat, beats 2 to 9.5
    s = EditorSession()
    s.set_document(Document(Song(title="t", timing=old, charts=[Chart(slot=Slot.EASY, meter=3, notes=notes)])))
    s.keep_notes_in_time = True
    said: list[str] = []
    s.status.connect(said.append)
    assert push_timing(s, old.with_changes(warps=((F(4), F(1)),)), None, "Change timing", merge=False)
    assert "2 more jump row(s) than before" in said[-1], said[-1]


def test_select_by_snap_takes_custom_snaps_into_the_last_class(opened):
    win = opened
    s = win.session
    custom = [Note(F(21, 5), 1), Note(F(22, 5), 2), Note(F(29, 7), 3)]  # 1/20 and 1/28
    for n in custom:
        win.editing.place(n.beat, n.lane, s.place_kind)
    s.clear_selection()
    win.actions["edit.select_snap_192"].trigger()
    assert set(custom) <= s.selection
    assert "96ths, Finer and Other Snaps" in win.statusBar().currentMessage()
    s.clear_selection()
    win.actions["edit.select_snap_32"].trigger()
    assert "32nds" in win.statusBar().currentMessage()  # as the menu names it (was "32ths")


def _pos(win, beat, lane: int) -> QPoint:
    t = float(win.session.timing().beat_to_seconds(F(beat)))
    return win.timeline.widget_pos(t, lane + 0.5).toPoint()


def test_switching_the_chart_during_a_drag_drops_the_drag(opened, qtbot):
    win = opened
    s = win.session
    s.set_divisor(4)
    win.seek(float(s.timing().beat_to_seconds(0)))
    first = s.chart
    before = list(first.notes)
    s.select([Note(F(1), 1)])
    vp = win.timeline.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=_pos(win, 1, 1))
    qtbot.mouseMove(vp, pos=_pos(win, 2, 1))
    win.actions["view.next_chart"].trigger()  # F6 with the button still down
    assert s.chart is not first
    assert list(first.notes) == before  # the move undone in the chart left
    assert "Drag dropped" in win.statusBar().currentMessage()
    qtbot.mouseMove(vp, pos=_pos(win, 3, 1))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=_pos(win, 3, 1))
    assert list(first.notes) == before
    assert "Move notes" not in s.doc.history.undo_stack_names()
    assert not s.doc.history.in_stroke


@pytest.mark.parametrize(("action", "text"), [
    ("edit.mirror", "Mirror: nothing selected"), ("edit.flip", "Flip: nothing selected"),
    ("edit.turn_left", "Turn left: nothing selected"), ("edit.shuffle", "Shuffle: nothing selected"),
    ("edit.shift_down", "Shift notes: nothing selected"), ("edit.to_hold", "Convert to holds: nothing selected"),
    ("edit.delete", "Delete: nothing selected"), ("edit.cut", "Cut: nothing selected")])
def test_edit_keys_with_nothing_selected_say_so(opened, action, text):
    opened.session.clear_selection()
    opened.actions[action].trigger()
    assert opened.statusBar().currentMessage() == text


def test_cut_and_paste_say_what_they_did(opened):
    win = opened
    s = win.session
    chart = s.chart  # Beginner: 0/0 1/1 2/2 3/3, a hold at 4 ...
    s.select([n for n in chart.notes if n.beat < 2])
    win.actions["edit.cut"].trigger()
    assert win.statusBar().currentMessage() == "Cut 2 note(s)"
    win.seek(float(s.timing().beat_to_seconds(2)))
    win.actions["edit.paste"].trigger()  # lanes 0 and 1 at beats 2 and 3: the span holds no note there
    assert win.statusBar().currentMessage() == "Pasted 2 note(s) at beat 2"
    win.actions["edit.paste"].trigger()  # again: onto the notes it pasted
    assert win.statusBar().currentMessage() == "Pasted 2 note(s) at beat 2, replacing 2 of the chart's"
    win.actions["edit.mirror"].trigger()  # the pasted notes stay selected
    assert win.statusBar().currentMessage() == "Mirror: 2 note(s)"


def test_paste_from_a_wider_chart_keeps_the_dropped_count_in_its_line(window, qtbot):
    """The success line replaced "Paste: 3 note(s) beyond lane 4 dropped" at once: the drop was not said."""
    timing = TimingData(offset=F(0), bpms=((F(0), F(120)),))
    seven = Chart(slot=Slot.HARD, notes=[Note(F(b), b % 7) for b in range(7)], lanes=7)
    four = Chart(slot=Slot.EASY, notes=[Note(F(0), 0)])
    window.files.adopt(Document(Song(title="Two", timing=timing, charts=[seven, four])))
    s = window.session
    s.select(list(seven.notes))
    window.actions["edit.copy"].trigger()
    s.set_chart(four)
    window.seek(float(timing.beat_to_seconds(F(8))))
    window.actions["edit.paste"].trigger()
    assert window.statusBar().currentMessage() == "Pasted 4 note(s) at beat 8; 3 beyond lane 4 dropped"
    s.select([])
    window.seek(float(timing.beat_to_seconds(F(20))))
    window.actions["edit.paste_keep"].trigger()
    assert window.statusBar().currentMessage().endswith("; 3 beyond lane 4 dropped")
