"""osu! hitsounds through the clipboard (editor/controllers/clip_sounds.py, chart/paste_sounds.py): copied notes
paste with their sounds in the paste's one undo step, as in osu!'s editor; Cut then Paste at the same beat gives
the sounds back exactly (Save reports nothing dropped); a paste into a StepMania chart adds no osu! data."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
from PySide6.QtGui import QGuiApplication

from chart.formats import osu_hitsounds as hs

pytestmark = pytest.mark.qt

OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
       "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,2,1,70,1,0\n\n[HitObjects]\n"
       "64,192,0,1,2,0:0:0:0:\n192,192,500,1,4,2:3:0:0:\n320,192,1000,1,8,0:0:1:80:\n"
       "448,192,1500,1,0,0:0:0:0:kick.wav\n64,192,4000,1,0,0:0:0:0:\n")
SOUNDS = {(F(0), 0): ("2", "0:0:0:0:"), (F(1), 1): ("4", "2:3:0:0:"), (F(2), 2): ("8", "0:0:1:80:"),
          (F(3), 3): ("0", "0:0:0:0:kick.wav")}


@pytest.fixture
def osu_map(window, tmp_path):
    path = tmp_path / "song [Hard].osu"
    path.write_text(OSU)
    assert window.open_path(path)
    window.timeline.setFocus()
    return window, path


def _copy_first_four(win, cut: bool = False) -> None:
    s = win.session
    s.select([n for n in s.chart.notes if n.beat < 4])
    win.actions["edit.cut" if cut else "edit.copy"].trigger()
    s.clear_selection()


def _at(win, beat: int) -> None:
    win.timeline.set_cursor(float(win.session.doc.song.timing.beat_to_seconds(F(beat))))


def test_copy_and_paste_gives_the_pasted_notes_their_sounds_and_undo_takes_them_back(osu_map):
    win, _path = osu_map
    s = win.session
    before = list(s.chart.extra)
    _copy_first_four(win)
    _at(win, 16)
    win.actions["edit.paste"].trigger()
    kept = hs.kept_sounds(s.chart.extra)
    assert {(b + 16, lane): sound for (b, lane), sound in SOUNDS.items()}.items() <= kept.items()
    assert SOUNDS.items() <= kept.items()  # the copied notes keep theirs
    assert s.doc.undo_stack_names()[-1] == "Paste"  # one step, sounds included
    s.doc.undo()
    assert s.chart.extra == before
    win.transforms._copied = None  # as another window's paste: the sounds come from the clipboard's JSON
    assert "sounds" in json.loads(QGuiApplication.clipboard().text())
    _at(win, 8)
    win.actions["edit.paste_keep"].trigger()
    kept = hs.kept_sounds(s.chart.extra)
    assert {(b + 8, lane): sound for (b, lane), sound in SOUNDS.items() if b}.items() <= kept.items()
    assert (F(8), 0) not in kept  # the chart's own note stays there, with its own (default) sound
    assert hs.lost_sounds("c", s.chart.extra, s.chart.notes) == []


def test_cut_then_paste_at_the_same_beat_restores_the_sounds_and_save_drops_none(osu_map, boxes):
    win, path = osu_map
    s = win.session
    before = list(s.chart.extra)
    _copy_first_four(win, cut=True)
    assert hs.lost_sounds("c", s.chart.extra, s.chart.notes)  # cut: the sounds are off the chart for now
    _at(win, 0)
    win.actions["edit.paste"].trigger()
    assert hs.kept_sounds(s.chart.extra) == SOUNDS
    assert s.chart.extra == before
    assert hs.lost_sounds("c", s.chart.extra, s.chart.notes) == []
    assert win.files.save()
    assert not [b for b in boxes if "hitsound" in b[2].lower()]
    assert path.read_text().split("[HitObjects]\n")[1] == OSU.split("[HitObjects]\n")[1]  # byte for byte
    s.doc.undo()  # the paste: the cut's lost sounds are back
    assert len(hs.lost_sounds("c", s.chart.extra, s.chart.notes)) == 1
    assert "edited away" in hs.lost_sounds("c", s.chart.extra, s.chart.notes)[0].reason


def test_a_paste_into_a_stepmania_chart_adds_no_osu_data(osu_map, song_files):
    win, _path = osu_map
    _copy_first_four(win)
    assert win.open_path(song_files.chart)
    s = win.session
    before = list(s.chart.extra)
    count = len(s.chart.notes)
    _at(win, 40)
    win.actions["edit.paste"].trigger()
    assert len(s.chart.notes) > count  # pasted
    assert s.chart.extra == before
    assert not hs.carries_sounds(s.chart.extra)
