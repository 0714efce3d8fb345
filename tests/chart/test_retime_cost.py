"""Keep notes in time does its work per distinct beat in integers, not per note in Fractions: one F12 with Keep
notes in time froze the editor for 3.5 s on a 28k-note song (~90 us per note: two exact conversions and a numpy
snap per beat, all of it again for the osu! extras). Work is counted here, never timed."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.notes import Note, NoteKind
from chart.retime import retime_notes_counted, retime_osu_extra
from chart.timing import TimingData

OLD = TimingData(bpms=((F(0), F(170)), (F(64), F(175))), stops=((F(32), F(1, 5)),), delays=((F(96), F(1, 8)),))
NUDGES = {"offset +1 ms": OLD.with_changes(offset=F(1, 1000)), "offset +10 ms": OLD.with_changes(offset=F(1, 100)),
          "BPM +0.01": OLD.with_changes(bpms=((F(0), F("170.01")), (F(64), F(175))))}


@pytest.fixture
def conversions(monkeypatch) -> dict[str, int]:
    """Calls of TimingData's exact (Fraction) conversions."""
    calls = {"beat_to_seconds": 0, "seconds_to_beat": 0}
    for name in calls:
        exact = getattr(TimingData, name)

        def counted(self, value, _name=name, _exact=exact):
            calls[_name] += 1
            return _exact(self, value)

        monkeypatch.setattr(TimingData, name, counted)
    return calls


@pytest.mark.parametrize("nudge", NUDGES)
def test_a_nudge_converts_no_note_in_fractions(conversions, nudge):
    """2,000 notes of 16ths and holds, the rows around a stop and a delay included: the old code converted each
    of the 2,000 distinct beats exactly, then again for the osu! extras of a chart that has none (4,000
    seconds_to_beat calls and more beat_to_seconds); now every beat is mapped in integers (a note judged away
    from its time by a pause too)."""
    notes = [Note(F(k, 4), k % 4, NoteKind.HOLD if k % 16 == 0 else NoteKind.TAP, F(1) if k % 16 == 0 else F(0))
             for k in range(2000)]
    moved, dropped, _shift, _changed = retime_notes_counted(notes, OLD, NUDGES[nudge])
    assert retime_osu_extra([], notes, OLD, NUDGES[nudge]) == []
    assert len(moved) + dropped == len(notes)
    assert conversions == {"beat_to_seconds": 0, "seconds_to_beat": 0}
