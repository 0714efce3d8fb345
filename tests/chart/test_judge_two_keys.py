"""A lane with two keys (D and Left): a press while the lane is already down is a new step, for the Judge (a jack
hit with alternating keys, a roll re-tapped with the other key) and for the Recorder (a new note; the held one
ends before it)."""

from __future__ import annotations

from fractions import Fraction

from chart.judge import Grade, Judge
from chart.notes import Note, NoteKind
from chart.record import Recorder
from chart.timing import TimingData

T120 = TimingData.constant(120, "-0.1")  # beat 0 at 0.1 s, 0.5 s a beat


def test_a_press_with_the_lane_down_judges_the_next_note_of_a_jack():
    judge = Judge([Note(Fraction(0), 0), Note(Fraction(1, 4), 0)], T120, 0.0, lanes=4)
    judge.press(0, 0.100)  # D
    second = judge.press(0, 0.225)  # Left, D still down: was ignored (the note then missed)
    assert second is not None
    assert second.grade == Grade.MARVELOUS
    judge.release(0, 0.300)  # the lane's last key up
    summary = judge.finish()
    assert summary.counts[Grade.MARVELOUS] == 2
    assert summary.counts[Grade.MISS] == 0


def test_a_roll_re_tapped_with_the_other_key_is_kept():
    roll = Note(Fraction(0), 1, NoteKind.ROLL, Fraction(2))  # 0.1 .. 1.1 s
    judge = Judge([roll], T120, 0.0, lanes=4)
    judge.press(1, 0.1)  # F, held down the whole time
    for t in (0.45, 0.8, 1.05):  # Down tapped every 0.35 s (each comes up again, F still down)
        judge.press(1, t)
    judge.release(1, 1.2)
    summary = judge.finish()
    assert summary.holds_ok == 1
    assert summary.holds_dropped == 0


def test_a_press_with_the_lane_down_keeps_the_lane_down_until_released():
    hold = Note(Fraction(0), 0, NoteKind.HOLD, Fraction(2))  # 0.1 .. 1.1 s
    judge = Judge([hold, Note(Fraction(4), 0, NoteKind.MINE)], T120, 0.0, lanes=4)
    judge.press(0, 0.1)
    judge.press(0, 0.5)  # the other key: the hold stays held, nothing else judged
    judge.release(0, 2.2)  # held across the mine at 2.1 s
    summary = judge.finish()
    assert summary.holds_ok == 1
    assert summary.mines_hit == 1


def test_recorder_a_second_key_of_a_held_lane_places_a_new_note():
    rec = Recorder((), T120, 16, 0.1, lanes=4)  # from beat 0, 1/16 (a quarter beat, 0.125 s)
    assert rec.press(0, 0.100) == Note(Fraction(0), 0)
    assert rec.press(0, 0.110) is None  # the same line: the same note
    assert rec.press(0, 0.225) == Note(Fraction(1, 4), 0)  # a jack tapped with the other key
    rec.release(0, 0.300)
    assert rec.finish(0.4).added == (Note(Fraction(0), 0), Note(Fraction(1, 4), 0))


def test_recorder_a_second_key_ends_a_held_hold_a_step_before_its_note():
    rec = Recorder((), T120, 16, 0.1, lanes=4)
    rec.press(2, 0.1)  # beat 0, held
    rec.advance(0.9)  # drawn out to beat 1.5 so far
    assert rec.press(2, 1.1) == Note(Fraction(2), 2)  # the other key at beat 2
    rec.release(2, 1.15)
    take = rec.finish(1.3)
    assert take.added == (Note(Fraction(0), 2, NoteKind.HOLD, Fraction(7, 4)), Note(Fraction(2), 2))
    assert take.dropped == 0
