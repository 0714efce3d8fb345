"""Edit > Hitsounds (editor/controllers/hitsounds.py): osu!'s W/E/R and Shift(+Alt)+Q/W/E/R on the selection or
the cursor's row of an osu! map, one undo step each, the menu's state of the notes, the .osu file written with
exactly those sounds, the sounds following moved notes, and the badges on the notefield (none on a dance chart)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtCore import Qt

from chart.formats import osu_hitsounds as hs
from chart.hitsound_edit import HitSound, sounds_of
from editor.timeline.hitsound_item import badge_text, look_code

pytestmark = pytest.mark.qt

OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
       "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n[HitObjects]\n"
       "64,192,0,1,0,0:0:0:0:\n192,192,500,1,2,0:0:0:0:\n64,192,1000,128,0,1500:0:0:0:0:\n"
       "320,192,1000,1,0,0:0:0:0:\n448,192,2000,1,8,0:0:0:0:clap.wav\n")
SHIFT, ALT = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier


@pytest.fixture
def osu_map(window, tmp_path, qtbot):
    path = tmp_path / "song [Hard].osu"
    path.write_text(OSU)
    assert window.open_path(path)
    window.timeline.setFocus()
    messages: list[str] = []
    window.session.status.connect(messages.append)
    return window, path, messages


def _cells(notes):
    return [(n.beat, n.lane) for n in notes]


def _objects(path) -> list[str]:
    return path.read_text().split("[HitObjects]\n")[1].split()


def test_w_puts_whistle_on_the_selection_as_one_undo_step_and_again_takes_it_off(osu_map, qtbot):
    win, _path, messages = osu_map
    s = win.session
    first = s.chart.notes[:2]  # beat 0 (no sound) and beat 1 (whistle)
    s.select(first)
    before = list(s.chart.extra)
    qtbot.keyClick(win.timeline, Qt.Key.Key_W)
    assert [x.bits for x in sounds_of(s.chart, _cells(first))] == [2, 2]
    assert messages[-1] == "Whistle on 1 note"  # the other had it already
    assert s.doc.undo_stack_names()[-1] == "Whistle on 1 note"
    qtbot.keyClick(win.timeline, Qt.Key.Key_W)  # all have it: off for all, as in osu!
    assert [x.bits for x in sounds_of(s.chart, _cells(first))] == [0, 0]
    assert messages[-1] == "Whistle off 2 notes"
    s.doc.undo()
    s.doc.undo()
    assert s.chart.extra == before
    qtbot.keyClick(win.timeline, Qt.Key.Key_E)
    qtbot.keyClick(win.timeline, Qt.Key.Key_R)
    assert [x.bits for x in sounds_of(s.chart, _cells(first))] == [12, 14]
    assert s.doc.undo_stack_names()[-2:] == ["Finish on 2 notes", "Clap on 2 notes"]


def test_without_a_selection_the_cursor_row_is_acted_on(osu_map, qtbot):
    win, _path, messages = osu_map
    s = win.session
    win.timeline.set_cursor(1.0)  # beat 2: the hold head in lane 0 and the tap in lane 2
    assert win.hitsounds.targets(quiet=True)[2] == "2 notes at the cursor"
    qtbot.keyClick(win.timeline, Qt.Key.Key_E, SHIFT)  # soft normal set
    assert messages[-1] == "Soft normal set on 2 notes"
    assert hs.kept_sounds(s.chart.extra)[(F(2), 0)] == ("0", "2:0:0:0:")
    assert hs.kept_sounds(s.chart.extra)[(F(2), 2)] == ("0", "2:0:0:0:")
    win.timeline.set_cursor(0.25)  # between rows: nothing, said in one line
    qtbot.keyClick(win.timeline, Qt.Key.Key_W)
    assert messages[-1] == "Hitsounds: no note selected or at the cursor"
    assert s.doc.undo_stack_names()[-1] == "Soft normal set on 2 notes"
    win.timeline.set_cursor(1.0)
    qtbot.keyClick(win.timeline, Qt.Key.Key_E, SHIFT)  # again: nothing changes, no step
    assert messages[-1] == "Soft normal set: the 2 notes at the cursor have it already"
    assert s.doc.undo_stack_names()[-1] == "Soft normal set on 2 notes"
    assert len(s.doc.undo_stack_names()) == 1


def test_the_menu_shows_the_state_of_the_selection(osu_map):
    win, _path, _messages = osu_map
    s, tool, a = win.session, win.hitsounds, win.actions
    s.select(s.chart.notes[:2])
    tool.show_state()
    whistle = a["edit.hitsound_whistle"]
    assert not whistle.isChecked()
    assert whistle.text().endswith("(1 of 2)")
    assert tool.header.text() == "2 selected notes"
    assert a["edit.normal_set_auto"].isChecked()
    assert a["edit.addition_set_auto"].isChecked()
    s.select(s.chart.notes[1:2])
    tool.show_state()
    assert whistle.isChecked()
    assert whistle.text() == "&Whistle"
    assert tool.state()["edit.hitsound_clap"] is False
    tool._plain_texts()
    assert all("(" not in a[i].text() for i in tool._ids())  # the Keyboard Shortcuts list shows plain names


def test_sample_sets_index_and_volume_are_saved_to_osu_exactly_and_read_back(osu_map, qtbot):
    win, path, messages = osu_map
    s = win.session
    s.select(s.chart.notes[:4])
    qtbot.keyClick(win.timeline, Qt.Key.Key_R)  # clap
    qtbot.keyClick(win.timeline, Qt.Key.Key_E, SHIFT)  # normal set Soft
    qtbot.keyClick(win.timeline, Qt.Key.Key_R, SHIFT | ALT)  # addition set Drum
    assert win.hitsounds.set_custom(2, 70)
    assert messages[-1] == "Sample index 2, volume 70 % on 4 notes"
    s.select(s.chart.notes[4:])
    assert win.hitsounds.reset()
    assert win.files.save()
    assert _objects(path) == ["64,192,0,1,8,2:3:2:70:", "192,192,500,1,10,2:3:2:70:",
                              "64,192,1000,128,8,1500:2:3:2:70:", "320,192,1000,1,8,2:3:2:70:",
                              "448,192,2000,1,0,0:0:0:0:"]
    cells = _cells(s.chart.notes)
    edited = sounds_of(s.chart, cells)
    assert win.open_path(path)
    assert sounds_of(win.session.chart, cells) == edited
    assert edited[1] == HitSound(10, 2, 3, 2, 70, "")


def test_sounds_set_here_follow_their_notes_when_moved_and_the_badges_with_them(osu_map, qtbot):
    win, _path, _messages = osu_map
    s = win.session
    note = s.chart.notes[0]
    s.select([note])
    qtbot.keyClick(win.timeline, Qt.Key.Key_E)  # finish
    win.hitsounds.marks.refresh()
    item = win.timeline.hitsound_item
    assert sorted(zip(item.time_s.round(3), item.lane)) == [(0.0, 0), (0.5, 1), (2.0, 3)]
    win.timeline.set_zoom(60.0)  # a few seconds on screen at any window size
    win.timeline.set_cursor(0.5)
    win.timeline.viewport().repaint()  # the badges drawn: F, W and C (with a custom file) made their sprites
    assert {code for code, _px in item._sprites} == {look_code(4, 0, 0, False), look_code(2, 0, 0, False),
                                                    look_code(8, 0, 0, True)}
    assert [text for text, _ in badge_text(look_code(10, 2, 3, True))] == ["s", "W", "C", "d", "•"]
    s.set_divisor(4)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Down, ALT)  # shift later by a beat
    assert hs.kept_sounds(s.chart.extra)[(F(1), 0)] == ("4", "0:0:0:0:")
    assert (F(0), 0) not in hs.kept_sounds(s.chart.extra)
    qtbot.waitUntil(lambda: sorted(zip(item.time_s.round(3), item.lane)) == [(0.5, 0), (0.5, 1), (2.0, 3)])


def test_a_dance_chart_shows_no_badges_and_the_keys_say_why_they_do_nothing(opened, qtbot):
    win = opened
    messages: list[str] = []
    win.session.status.connect(messages.append)
    win.session.select(win.session.chart.notes[:2])
    steps = win.session.doc.undo_stack_names()
    qtbot.keyClick(win.timeline, Qt.Key.Key_W)
    assert messages[-1].startswith("Hitsounds: this dance-single chart is not an osu!mania map")
    assert win.session.doc.undo_stack_names() == steps
    win.hitsounds.marks.refresh()
    win.timeline.viewport().repaint()
    assert len(win.timeline.hitsound_item) == 0
    assert win.timeline.hitsound_item._sprites == {}  # nothing drawn
    win.hitsounds.show_state()
    assert win.hitsounds.header.text() == "Not an osu!mania map"


def test_the_index_and_volume_dialog_keeps_what_it_is_not_told(qapp):
    from editor.dialogs.hitsound_custom import HitsoundCustomDialog

    dialog = HitsoundCustomDialog(None, "3 selected notes", None, 80)
    assert dialog.values() == (None, 80)
    dialog.index.setValue(3)
    dialog.volume.setValue(dialog.volume.minimum())
    assert dialog.values() == (3, None)
    dialog.deleteLater()
