"""Convert to Taps/Holds/Rolls/Mines/Lifts/Fakes on an osu! map whose notes carry hitsounds raised ``TypeError:
'dict' object is not callable`` (the conversion handed ``_apply`` its follow map where a function of it is asked
for): nothing converted, no undo step. Now the sounds stay on their notes; a note made a mine keeps its sound, the
.osu file drops both (the status line and Save say so), and turned back into a tap it sounds again."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import osu_hitsounds as hs
from chart.notes import NoteKind

pytestmark = pytest.mark.qt

OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
       "Version:Hard Lv.7\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n[HitObjects]\n"
       "64,192,1000,1,2,0:0:0:0:\n192,192,1500,128,8,2000:0:0:0:0:clap.wav\n320,192,3000,1,0,0:0:0:0:\n")


def test_convert_keeps_each_sound_on_its_note_and_says_what_the_osu_file_drops(window, tmp_path, boxes):
    path = tmp_path / "song [Hard].osu"
    path.write_text(OSU)
    assert window.open_path(path)
    s = window.session
    sounds = hs.kept_sounds(s.chart.extra)
    assert sounds == {(F(2), 0): ("2", "0:0:0:0:"), (F(3), 1): ("8", "0:0:0:0:clap.wav")}
    steps = len(s.doc.undo_stack_names())
    window.editing.select_all()
    window.actions["edit.to_hold"].trigger()  # the taps become holds (the hold stays one): one step
    assert {n.kind for n in s.chart.notes} == {NoteKind.HOLD}
    assert s.doc.undo_stack_names()[steps:] == ["Convert to holds"]
    assert hs.kept_sounds(s.chart.extra) == sounds
    window.actions["edit.to_mine"].trigger()
    assert {n.kind for n in s.chart.notes} == {NoteKind.MINE}
    assert hs.kept_sounds(s.chart.extra) == sounds  # kept on the mines' cells, for a later conversion back
    assert "osu!mania has no mines: the .osu file drops them" in window.statusBar().currentMessage()
    window.actions["edit.to_tap"].trigger()
    assert {n.kind for n in s.chart.notes} == {NoteKind.TAP}
    assert hs.kept_sounds(s.chart.extra) == sounds
    assert s.doc.undo_stack_names()[steps:] == ["Convert to holds", "Convert to mines", "Convert to taps"]
    assert window.files.save()
    assert path.read_text().split("[HitObjects]\n")[1].split() == [
        "64,192,1000,1,2,0:0:0:0:", "192,192,1500,1,8,0:0:0:0:clap.wav", "320,192,3000,1,0,0:0:0:0:"]
    s.doc.undo()  # back to mines: Save lists the mines and the sounds they take with them
    boxes.answers = []
    assert not window.files.save()  # the question answered No
    assert "osu!mania has no mines: dropped (x3)" in boxes[-1][2]
    assert "osu! hitsounds of 2 notes edited away" in boxes[-1][2]
