"""Keep notes in time (``editor.panels.timing.push_timing``) keeps StepMania's display segments and an osu! map's
green lines and bookmarks with the notes they belong to, in the same undo step: a fake segment stayed on its old
beats (other notes became fake), and a green line on a note left it when the note's rounding moved it."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.document import Document
from chart.formats import display_segments as ds
from chart.formats import osu_mania
from chart.formats.osu_beats import BOOKMARKS, INHERITED
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.panels.timing import push_timing
from editor.session import EditorSession

pytestmark = pytest.mark.qt


def _session(song: Song) -> tuple[EditorSession, list[str]]:
    s = EditorSession()
    s.set_document(Document(song))
    s.keep_notes_in_time = True
    said: list[str] = []
    s.status.connect(said.append)
    return s, said


def _fake_times(song: Song) -> list[float]:
    t = song.timing
    return [round(float(t.beat_to_seconds(n.beat)), 3) for n in song.charts[0].notes if ds.never_judged(t, n.beat)]


def test_a_tempo_change_keeps_the_same_notes_fake_in_one_undo_step(qtbot):
    old = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)),), extra=(("FAKES", "16.000=2.000"),
                                                                     ("LABELS", "4.000=Chorus")))
    song = Song(title="t", timing=old, charts=[Chart(slot=Slot.HARD, meter=9,
                                                     notes=[Note(F(k, 2), k % 4) for k in range(80)])])
    s, said = _session(song)
    before = _fake_times(song)
    assert push_timing(s, old.with_changes(bpms=((F(0), F(125)),)), None, "Change timing", merge=False)
    assert _fake_times(s.doc.song) == before == [8.1, 8.35, 8.6, 8.85]
    assert ds.read(s.doc.song.timing, "LABELS") == [(F(25, 6), "Chorus")]
    assert said[-1].endswith("; 1 fake segment, 1 label moved with them"), said[-1]
    s.doc.undo()  # one step: timing, segments and notes
    assert s.doc.song.timing == old
    assert _fake_times(s.doc.song) == before


OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Editor]\nBookmarks: 4900\n\n"
       "[Metadata]\nTitle:T\nCreator:C\nVersion:Hard Lv.7\n\n[Difficulty]\nCircleSize:4\n\n"
       "[TimingPoints]\n100,600,4,2,0,60,1,0\n4900,-100,4,2,0,20,0,0\n\n"
       "[HitObjects]\n64,192,100,1,0,0:0:0:0:\n64,192,4900,1,0,0:0:0:0:\n")


def test_an_offset_nudge_keeps_a_green_line_and_bookmark_on_their_note(qtbot):
    """6 ms at 100 BPM is under half a row: the note keeps its beat and moves 6 ms, the line and bookmark with it
    (they kept 4900 ms, 6 ms after the note: past osu!'s 5 ms, its volume went from 20% to 60%)."""
    song = osu_mania.loads(OSU)
    s, _ = _session(song)
    old = song.timing
    assert push_timing(s, old.with_changes(offset=old.offset + F(6, 1000)), None, "Nudge offset", merge=False)
    out = osu_mania.dumps(s.doc.song)
    assert "\n4894,-100,4,2,0,20,0,0\n" in out
    assert "Bookmarks: 4894" in out
    assert "64,192,4894,1,0,0:0:0:0:" in out
    assert dict(s.doc.song.extra)[INHERITED].startswith("@8,")
    assert dict(s.doc.song.extra)[BOOKMARKS] == "@8"
