"""Select By snap's last class takes the custom snaps between the classes (1/20, 1/28: no class picked them), and
``paused_beats`` finds the beats whose time falls inside a new stop or delay (reported apart from a rounding)."""

from __future__ import annotations

from fractions import Fraction as F

from chart import select
from chart.notes import Note
from chart.retime_map import BeatMap, paused_beats
from chart.timing import TimingData


def test_the_last_snap_class_takes_every_note_the_others_do_not():
    notes = [Note(F(4), 0), Note(F(21, 5), 1), Note(F(22, 5), 2), Note(F(29, 7), 3), Note(F(193, 48), 0),
             Note(F(97, 24), 1), Note(F(1, 2), 2)]
    named = {n for d in select.SNAP_CLASSES[:-1] for n in select.on_snap(d)(notes)}
    other = set(select.on_snap(192)(notes))
    assert other == set(notes) - named == {notes[1], notes[2], notes[3], notes[4], notes[5]}


def test_paused_beats_names_the_stop_or_delay_a_beat_fell_into():
    old = TimingData.constant(120, 0)
    beats = [F(8), F(33, 4), F(17, 2), F(12)]
    stop = BeatMap(old, old.with_changes(stops=((F(8), F(1, 2)),)))
    stop.prepare(beats)
    assert paused_beats(stop) == {(33, 4): ("stop", F(8)), (17, 2): ("stop", F(8))}
    delay = BeatMap(old, old.with_changes(delays=((F(9), F(1, 2)),)))
    delay.prepare([F(9), F(37, 4), F(10)])
    assert paused_beats(delay) == {(37, 4): ("delay", F(9))}
    assert paused_beats(BeatMap(old, old.with_changes(offset=F(-3, 1000)))) == {}
