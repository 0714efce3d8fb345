"""A delay written to .sm as a stop one row earlier, with a note (or a hold's end) on that row.

StepMania pauses for a stop *after* its row's note is judged and for a delay *before* its own (chart.timing), so
the note on the row before a delay keeps its time under the stop, the delay's own note still comes after the
pause, and no note lies between the two rows. The .sm save used to refuse this ("delay becomes a stop one row
earlier, where a note is") although nothing moved.
"""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats import sm
from chart.notes import Note, NoteKind
from chart.song import Chart, Song
from chart.timing import TimingData

ROW = F(1, 48)


def _song() -> Song:
    timing = TimingData(offset=F("-0.1"), bpms=((F(0), F(120)),), delays=((F(8), F(1, 2)), (F(12), F(1, 4))))
    notes = [Note(F(7), 0), Note(F(8) - ROW, 1), Note(F(8), 2), Note(F(8) + ROW, 3),
             Note(F(10), 0, NoteKind.HOLD, F(2) - ROW),  # its end on the row before the delay at 12
             Note(F(12), 1), Note(F(16), 2)]
    return Song(timing=timing, charts=[Chart(notes=notes)])


def test_a_note_on_the_row_before_a_delay_is_written_and_keeps_its_time():
    song = _song()
    assert [p for p in sm.problems(song) if p.fatal] == []
    back = sm.loads(sm.dumps(song))
    assert back.timing.stops == ((F(8) - ROW, F(1, 2)), (F(12) - ROW, F(1, 4)))
    assert back.charts[0].notes == song.charts[0].notes
    for note in song.charts[0].notes:
        for beat in (note.beat, note.end_beat):
            assert back.timing.beat_to_seconds(beat) == song.timing.beat_to_seconds(beat), beat


def test_the_row_before_and_the_delay_row_stay_apart_by_the_pause():
    """The pause still falls between the two rows' notes (not before the earlier one, not after the later)."""
    back = sm.loads(sm.dumps(_song())).timing
    gap = back.beat_to_seconds(F(8)) - back.beat_to_seconds(F(8) - ROW)
    assert gap == F(1, 2) + ROW * F(60, 120)
