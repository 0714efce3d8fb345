"""A timing edit with Keep notes in time (``editor.panels.timing.push_timing``: the Timing table, the F7/F8/F11/F12
nudges, Detect Tempo of Selection) leaves a song that saves, and says what it could not keep: 20kmh lost 328 notes
charted in its warps to a +6.5 ms tempo correction and then refused to save (a roll's end on a mine's cell), and
Shift+F11 put a note before beat 0, which Save refused."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.document import Document
from chart.formats.registry import encode
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.panels.timing import push_timing
from editor.session import EditorSession
from tests.chart.helpers import hold, tap

pytestmark = pytest.mark.qt


def _session(timing: TimingData, notes: list[Note]) -> tuple[EditorSession, list[str]]:
    s = EditorSession()
    s.set_document(Document(Song(title="t", timing=timing, charts=[Chart(slot=Slot.HARD, meter=9, notes=notes)])))
    s.keep_notes_in_time = True
    said: list[str] = []
    s.status.connect(said.append)
    return s, said


def test_a_tempo_correction_keeps_every_note_of_a_warp(qtbot):
    """The warp's mines stay on their beats, in the warp; the roll that ends inside it keeps its end there (it
    went to the end of the warp's collapsed row, on a mine's cell, and the save was refused)."""
    old = TimingData(bpms=((F(0), F(135)),), warps=((F(8), F(4)),))
    mines = [Note(F(10) + F(k, 8), lane, NoteKind.MINE) for k in range(16) for lane in range(4)]
    notes = [hold(6, 0, F(9, 4), NoteKind.ROLL), *mines, tap(12, 1), tap(13, 2)]
    s, said = _session(old, notes)
    encode(s.doc.song, "t.ssc")
    assert push_timing(s, old.with_changes(bpms=((F(0), F("135.082")),)), None, "Set section tempo", merge=False)
    chart = s.doc.song.charts[0]
    assert len(chart.notes) == len(notes)
    assert [n for n in chart.notes if n.kind is NoteKind.MINE] == mines
    assert "dropped" not in said[-1], said[-1]
    encode(s.doc.song, "t.ssc")


def test_a_squeezed_hold_is_shortened_and_the_status_line_says_so(qtbot):
    old = TimingData.constant(120)
    s, said = _session(old, [hold(1, 0, 1), tap(2 + F(1, 48), 0), hold(1, 1, F(1, 48)), tap(1 + F(1, 12), 1)])
    assert push_timing(s, TimingData.constant(30), None, "BPM", merge=False)
    assert said[-1].endswith("; 1 hold(s) shortened to end a row before a note they reached; "
                             "1 dropped on a cell already taken"), said[-1]
    encode(s.doc.song, "t.ssc")
    s.doc.undo()
    assert len(s.doc.song.charts[0].notes) == 4


def test_an_offset_nudge_puts_no_note_before_beat_0(qtbot):
    """Shift+F11 (-10 ms) at 120 BPM: the note on beat 0 went to beat -1/48; now it stays on beat 0, 10 ms late,
    and the status line says so."""
    old = TimingData.constant(120, "-0.1")
    s, said = _session(old, [tap(0, 0), tap(F(1, 2), 1), tap(1, 2)])
    assert push_timing(s, old.with_changes(offset=F("-0.11")), None, "Nudge offset", merge=False)
    assert min(n.beat for n in s.doc.song.charts[0].notes) == 0
    assert "; 1 moved up to beat 0 (no chart file keeps one before it), up to 10.0 ms late" in said[-1], said[-1]
    encode(s.doc.song, "t.ssc")
