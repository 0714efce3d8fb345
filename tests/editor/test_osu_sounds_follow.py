"""osu! hitsounds, green lines, bookmarks and breaks stay with their notes through editor edits: Keep notes in time
(editor/panels/timing.py push_timing) and the note transforms (editor/controllers/transforms.py)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.formats import osu_hitsounds as hs
from editor.panels.timing import push_timing

pytestmark = pytest.mark.qt

OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Editor]\nBookmarks: 2000,4000\n\n"
       "[Metadata]\nTitle:T\nCreator:C\nVersion:Hard Lv.7\n\n[Difficulty]\nCircleSize:4\n\n"
       "[Events]\n//Break Periods\n2,2200,3800\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n2000,-50,4,1,0,100,0,0\n\n"
       "[HitObjects]\n64,192,1000,1,0,0:0:0:0:\n64,192,2000,1,4,0:0:0:0:finish.wav\n64,192,4000,1,0,0:0:0:0:\n")


def _open(window, tmp_path, text=OSU):
    path = tmp_path / "song [Hard].osu"
    path.write_text(text)
    assert window.open_path(path)
    return window.session, path


def test_keep_notes_in_time_keeps_sounds_green_lines_bookmarks_and_breaks_on_their_notes(window, tmp_path):
    s, path = _open(window, tmp_path)
    s.keep_notes_in_time = True
    messages: list[str] = []
    s.status.connect(messages.append)
    assert push_timing(s, s.timing().with_changes(bpms=((F(0), F(240)),)), None, "BPM")
    assert messages == ["BPM: 3 note(s) given new beats to keep their times"]
    assert hs.kept_sounds(s.chart.extra) == {(F(8), 0): ("4", "0:0:0:0:finish.wav")}
    assert window.files.save()
    out = path.read_text()
    for name in ("HitObjects", "Events", "Editor"):
        assert out.split(f"[{name}]")[1].split("\n\n")[0] == OSU.split(f"[{name}]")[1].split("\n\n")[0]
    assert "\n2000,-50,4,1,0,100,0,0\n" in out
    s.doc.undo()  # one step: timing, notes, sounds and tokens
    assert hs.kept_sounds(s.chart.extra) == {(F(4), 0): ("4", "0:0:0:0:finish.wav")}
    assert [n.beat for n in s.chart.notes] == [2, 4, 8]


CHORDS = OSU.split("[HitObjects]")[0] + ("[HitObjects]\n64,192,1000,1,2,0:0:0:0:\n448,192,1000,1,0,0:0:0:0:\n"
                                         "192,192,1500,1,8,0:0:0:0:clap.wav\n320,192,1500,1,0,0:0:0:0:\n"
                                         "64,192,2000,1,4,2:0:0:0:\n")


def test_mirror_carries_each_sound_to_its_note_in_one_undo_step(window, tmp_path):
    s, path = _open(window, tmp_path, CHORDS)
    before = hs.kept_sounds(s.chart.extra)
    window.editing.select_all()
    window.transforms.mirror()
    assert hs.kept_sounds(s.chart.extra) == {(b, 3 - lane): sound for (b, lane), sound in before.items()}
    assert window.files.save()
    assert path.read_text().split("[HitObjects]\n")[1].split() == [
        "64,192,1000,1,0,0:0:0:0:", "448,192,1000,1,2,0:0:0:0:", "192,192,1500,1,0,0:0:0:0:",
        "320,192,1500,1,8,0:0:0:0:clap.wav", "448,192,2000,1,4,2:0:0:0:"]
    s.doc.undo()
    assert hs.kept_sounds(s.chart.extra) == before


def test_a_sound_never_lands_on_the_note_that_replaced_its_own_and_save_counts_it(window, tmp_path, boxes):
    lane0 = OSU.split("[HitObjects]")[0] + ("[HitObjects]\n64,192,1000,1,0,0:0:0:0:\n64,192,1500,1,0,0:0:0:0:\n"
                                            "64,192,2000,1,8,0:0:0:0:clap.wav\n192,192,3000,1,2,0:0:0:0:\n")
    s, path = _open(window, tmp_path, lane0)
    s.select([n for n in s.chart.notes if n.beat in (2, 3)])
    window.transforms.scale(F(2))  # 3 -> 4: onto the clap note, which it replaces
    assert [(n.beat, n.lane) for n in s.chart.notes] == [(2, 0), (4, 0), (6, 1)]
    assert hs.kept_sounds(s.chart.extra) == {(F(6), 1): ("2", "0:0:0:0:")}  # clap.wav not on the moved note
    s.doc.undo()
    assert hs.kept_sounds(s.chart.extra)[(F(4), 0)] == ("8", "0:0:0:0:clap.wav")
    s.select([n for n in s.chart.notes if n.beat == 2])
    window.transforms.copy()
    window.timeline.set_cursor(2.0)  # beat 4 at 120 BPM: paste the plain note over the clap note
    window.transforms.paste()
    assert (F(4), 0) not in hs.kept_sounds(s.chart.extra)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert window.files.save()
    assert "osu! hitsounds of 1 note edited away" in boxes[-1][2]
    assert "clap.wav" not in path.read_text()


def test_moving_a_hold_s_start_keeps_its_sound(window, tmp_path):
    """Alt+drag of a hold's head (editor/controllers/hold_head.py) passed no follow map: the sound was counted lost."""
    from chart.notes import NoteKind
    from editor.controllers.hold_head import drag_head

    held = OSU.split("[HitObjects]")[0] + "[HitObjects]\n64,192,2000,128,4,3000:0:0:0:0:finish.wav\n"
    s, _path = _open(window, tmp_path, held)
    hold = s.chart.notes[0]
    assert hold.kind == NoteKind.HOLD
    assert hs.kept_sounds(s.chart.extra).keys() == {(hold.beat, 0)}
    s.set_divisor(4)
    moved = drag_head(s, hold, hold.beat - 1)
    s.doc.commit_stroke()
    assert moved.beat == hold.beat - 1
    assert moved.end_beat == hold.end_beat
    assert hs.kept_sounds(s.chart.extra).keys() == {(moved.beat, 0)}
