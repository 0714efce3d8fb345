"""Edit > Hitsounds with no selection acts on the notes the cursor is on, off the snap too, and never on a neighbour's
(editor/controllers/hitsounds.py); a note whose kept sound is the default in another spelling gets no empty badge
(editor/controllers/hitsound_marks.py)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtCore import Qt

from chart.formats import osu_hitsounds as hs
from editor.controllers.hitsound_marks import mark_arrays

pytestmark = pytest.mark.qt

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
        "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n1000,500,4,1,0,100,1,0\n\n[HitObjects]\n")
# beat 0 (lane 0), 1/4 (lane 3), 1/3 (lane 1), 2/3 (lane 2) at 120 BPM; the snap stays 1/16 (quarter beats)
TRIPLETS = ("64,192,1000,1,0,0:0:0:0:\n448,192,1125,1,0,0:0:0:0:\n192,192,1167,1,0,0:0:0:0:\n"
            "320,192,1333,1,0,0:0:0:0:\n")


def _open(window, tmp_path, objects: str):
    path = tmp_path / "song [Hard].osu"
    path.write_text(HEAD + objects)
    assert window.open_path(path)
    window.timeline.setFocus()
    messages: list[str] = []
    window.session.status.connect(messages.append)
    return messages


def test_regression_w_without_a_selection_acts_on_the_off_snap_note_under_the_cursor(window, tmp_path, qtbot):
    """With the cursor on a 1/3-beat note (Next Note puts it there) and a 1/16 snap, W said "no note selected or
    at the cursor" (2/3), or toggled the 1/4-beat note the snap row rounds to (1/3)."""
    messages = _open(window, tmp_path, TRIPLETS)
    tl, s = window.timeline, window.session
    assert tl.divisor == 16
    tl.set_cursor(0.0)
    for _ in range(4):
        qtbot.keyClick(tl, Qt.Key.Key_Period)  # Next Note: 0, 1/4, 1/3, 2/3
        qtbot.keyClick(tl, Qt.Key.Key_W)
        assert messages[-1] == "Whistle on 1 note"
    assert sorted(hs.kept_sounds(s.chart.extra)) == [(F(0), 0), (F(1, 4), 3), (F(1, 3), 1), (F(2, 3), 2)]


def test_on_an_empty_row_nothing_is_taken_and_between_rows_the_snap_row_is(window, tmp_path, qtbot):
    messages = _open(window, tmp_path, TRIPLETS)
    tl, tool = window.timeline, window.hitsounds
    tl.set_cursor(float(window.session.timing().beat_to_seconds(F(7, 24))))  # an empty 1/192 row: not the 1/4 note
    assert tool.targets() is None
    assert messages[-1] == "Hitsounds: no note selected or at the cursor"
    tl.set_cursor(float(window.session.timing().beat_to_seconds(F(1, 4) + F(1, 97))))  # stopped between rows
    assert [(n.beat, n.lane) for n in tool.targets(quiet=True)[0]] == [(F(1, 4), 3)]


def test_regression_a_default_sound_spelled_otherwise_gets_no_empty_badge(window, tmp_path):
    """hitSound 1 (normal, osu!'s default) and an old map's short ``0:0:0:`` are kept as the notes' sounds, and
    each got a badge with no letters: an empty dark sliver on every note of an old map."""
    _open(window, tmp_path, "64,192,1000,1,1,0:0:0:0:\n192,192,1500,1,0,0:0:0:\n320,192,2000,1,2,0:0:0:0:\n")
    chart = window.session.chart
    assert len(hs.kept_sounds(chart.extra)) == 3
    _times, lanes, codes, beats = mark_arrays(chart, window.session.timing())
    assert lanes.tolist() == [2]
    assert beats.tolist() == [2.0]
    assert codes.tolist() != [0]
    window.hitsounds.marks.refresh()
    assert window.timeline.hitsound_item.lane.tolist() == [2]


def test_regression_w_after_a_jump_onto_a_note_inside_a_warp(window, tmp_path, qtbot):
    """'.' onto a note at beat 41/4 inside a warp 10..14 put the cursor on that beat (the lane keys use it), but W
    read the beat from the cursor's time, the warp's instant, which reads as beat 14: "no note at the cursor"."""
    from chart.commands import AddNotes, SetTiming
    from chart.notes import Note
    from editor.controllers.jumps import go_to_beat

    messages = _open(window, tmp_path, "64,192,1000,1,0,0:0:0:0:\n")
    tl, s = window.timeline, window.session
    s.push(SetTiming(s.timing().with_changes(warps=((F(10), F(4)),))))
    s.push(AddNotes(s.chart, [Note(F(41, 4), 1)]))
    go_to_beat(window, F(9))
    tl.setFocus()
    qtbot.keyClick(tl, Qt.Key.Key_Period)
    assert tl.exact_beat() == F(41, 4)
    assert [(n.beat, n.lane) for n in window.hitsounds.cursor_notes()] == [(F(41, 4), 1)]
    qtbot.keyClick(tl, Qt.Key.Key_W)
    assert messages[-1] == "Whistle on 1 note"
    assert (F(41, 4), 1) in hs.kept_sounds(s.chart.extra)
