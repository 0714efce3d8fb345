"""Playability of drafts (session 20 audit): rows no closer than the slot's min_gap_s after snapping, no jack
faster than the human charts have, and a refine keeping the lower chart's rolls and lifts."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.notes import Note, NoteKind
from chart.timing import TimingData
from inference.decode import decode_onsets
from inference.drafter import Drafter
from inference.lane_decision import MIN_JACK_S
from inference.lane_features import HOLD_LENGTHS_BEAT, ROW_DIM
from inference.lanes import LaneRequest, decode_rows
from inference.manifest import SlotDecode
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050
TIMING = TimingData.constant(120, Fraction(-1, 2))  # beat 0 at 0.5 s


def test_min_gap_s_holds_between_snapped_rows():
    # two peaks 0.10 s apart (= min_gap_s): the second snaps to the 1/24 row 1/6 beat (83 ms) after the first
    cfg = SlotDecode(threshold=0.5, min_gap_s=0.1, divisors=[4, 8, 12, 16, 24], snap_tolerance_s=0.03)
    prob = np.zeros(300)
    prob[100], prob[110] = 0.9, 0.7  # 1.00 s (beat 2 at 120 BPM, offset 0) and 1.10 s
    out = decode_onsets(prob, 100.0, TimingData.constant(120), cfg)
    assert out.beats == [Fraction(2)]  # the stronger row stays, the 83 ms neighbour goes
    assert np.all(np.diff(out.seconds) >= cfg.min_gap_s - 1e-3)


class _OneLane:
    """A lane model sure of one panel every row (the kind of run that gave 59 ms jacks)."""

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows, history, state):
        b = len(rows)
        arrow = np.full((b, 15), -8.0, np.float32)
        arrow[:, 0] = 8.0  # Left
        arrow[:, 1] = 2.0  # then Down
        return {"arrow_logits": arrow, "hold_logits": np.full((b, 4), -9.0, np.float32),
                "length_logits": np.zeros((b, len(HOLD_LENGTHS_BEAT)), np.float32)}, state


@pytest.mark.parametrize("slot", [2, 3, 4])
def test_no_jack_faster_than_the_slots_floor(slot):
    # rows 1/6 beat apart at 150 BPM (67 ms) then 1/2 beat apart (200 ms)
    beats = [Fraction(i, 6) for i in range(12)] + [Fraction(2) + Fraction(i, 2) for i in range(1, 8)]
    seconds = np.array([float(b) * 0.4 for b in beats])
    request = LaneRequest(beats, np.zeros((len(beats), ROW_DIM), np.float32), slot, seconds)
    rows = decode_rows(_OneLane(), [request])[0]
    gaps = np.diff(seconds)
    arrows = rows.arrows.tolist()
    fast = [i for i in range(1, len(arrows)) if gaps[i - 1] < MIN_JACK_S[slot] and arrows[i] & arrows[i - 1]]
    assert fast == []
    slow = [i for i in range(1, len(arrows)) if gaps[i - 1] >= MIN_JACK_S[slot] and arrows[i] & arrows[i - 1]]
    assert slow  # a slower jack is still the model's to choose


@pytest.fixture(scope="module")
def drafter(tmp_path_factory):
    return Drafter(drafting_model(tmp_path_factory.mktemp("draft")))


@pytest.fixture(scope="module")
def audio():
    return (click_track(120, 0.5, 20.0, SR), SR)


def test_refine_keeps_the_lower_charts_rolls_and_lifts(drafter, audio):
    beats = [Fraction(i) for i in range(4, 32, 2)]  # every other beat: room for a roll of a beat between rows
    lower = [Note(b, 0, NoteKind.ROLL, Fraction(1)) if k % 3 == 0 else
             Note(b, 3, NoteKind.LIFT) if k % 3 == 1 else Note(b, 1) for k, b in enumerate(beats)]
    lower.append(Note(Fraction(5), 2, NoteKind.MINE))
    hard = drafter.refine(audio, TIMING, lower, "easy", ["hard"])[0]
    got = {(n.beat, n.lane): n for n in hard.notes}
    rolls = [got[(n.beat, n.lane)] for n in lower if n.kind == NoteKind.ROLL and (n.beat, n.lane) in got]
    lifts = [got[(n.beat, n.lane)] for n in lower if n.kind == NoteKind.LIFT and (n.beat, n.lane) in got]
    assert rolls
    assert lifts
    assert all(n.kind in (NoteKind.ROLL, NoteKind.TAP) for n in rolls)  # a tap only where it had to be cut
    assert any(n.kind == NoteKind.ROLL for n in rolls)
    assert all(n.kind == NoteKind.LIFT for n in lifts)
    assert not any(n.kind == NoteKind.MINE for n in hard.notes)  # mines are not steps: a draft has none
    fresh = drafter.refine(audio, TIMING, lower, "easy", ["hard"], keep_arrows=False)[0]
    assert not any(n.kind in (NoteKind.ROLL, NoteKind.LIFT) for n in fresh.notes)


class _HoldEverything:
    """A lane model that makes every arrow a hold of 8 beats (the longest the length head offers)."""

    def initial_state(self, batch: int) -> None:
        return None

    def step(self, rows, history, state):
        b = len(rows)
        length = np.full((b, len(HOLD_LENGTHS_BEAT)), -5.0, np.float32)
        length[:, -1] = 5.0
        return {"arrow_logits": np.tile(np.arange(15, dtype=np.float32) % 4, (b, 1)),
                "hold_logits": np.full((b, 4), 9.0, np.float32), "length_logits": length}, state


def test_draft_holds_end_before_the_song_falls_silent(drafter, monkeypatch):
    import inference.lanes

    samples = click_track(120, 0.5, 20.0, SR)
    samples[14 * SR:] = 0.0  # silent from 14 s (beat 27) to the end (beat 39)
    monkeypatch.setattr(inference.lanes, "stepper_for", lambda model: (_HoldEverything(), 100.0, 80))
    notes = drafter.draft((samples, SR), TIMING, ["easy", "medium", "hard"], seed=1)
    holds = [n for d in notes for n in d.notes if n.kind.has_length]
    assert holds
    assert all(n.end_beat <= 27 for n in holds)
    assert any(n.kind == NoteKind.TAP and n.beat >= 27 for d in notes for n in d.notes) or not any(
        n.beat >= 27 for d in notes for n in d.notes)  # rows in the silence stay, as taps


def test_quiet_holds_cut_onto_the_grid_and_a_head_in_silence_is_a_tap():
    from inference.draft_silence import quiet_holds, silences

    samples = click_track(120, 0.5, 20.0, SR)
    samples[int(10.5 * SR):int(12.0 * SR)] = 0.0  # beats 20-23: 3 beats of silence
    samples[int(15.0 * SR):int(15.3 * SR)] = 0.0  # 0.6 beat: too short to count
    spans = silences(samples, SR, TIMING)
    assert len(spans) == 1
    assert abs(float(spans[0][0]) - 20) < 0.05
    assert abs(float(spans[0][1]) - 23) < 0.05
    notes = [Note(Fraction(18), 0, NoteKind.HOLD, Fraction(4)), Note(Fraction(21), 1, NoteKind.ROLL, Fraction(2)),
             Note(Fraction(28), 2, NoteKind.HOLD, Fraction(2)), Note(Fraction(19), 3)]
    out = quiet_holds(notes, spans, TIMING)
    assert out[0] == Note(Fraction(18), 0, NoteKind.HOLD, Fraction(2))  # the 16th before the silence (beat 20.01)
    assert out[1] == Note(Fraction(21), 1)  # its head is in the silence: a tap
    assert out[2:] == notes[2:]  # over the short gap: kept
    assert quiet_holds(notes, silences(None, 0, TIMING), TIMING) == notes


def test_simplified_rows_are_no_harder_on_the_feet_than_their_source():
    from chart.parity import parse_feet
    from inference.simplify_feet import eased, troubles

    timing = TimingData.constant(150)  # 8ths: 0.2 s apart
    pattern = [0, 1, 2, 3, 0, 2, 1, 3]  # Left Down Up Right Left Up Down Right: feet alternate, nothing crossed
    source = [Note(Fraction(i, 2), pattern[i % 8]) for i in range(64)] + [Note(Fraction(33), 1, NoteKind.HOLD,
                                                                                   Fraction(1, 2))]
    source = [n for n in source if not (n.beat == 33 and n.kind == NoteKind.TAP)]
    assert not troubles(parse_feet(source, timing))
    kept = [n for i, n in enumerate(sorted(source)) if i % 8 not in (3, 4)]  # dropping rows breaks the alternation
    assert troubles(parse_feet(kept, timing))  # crossovers, fast double steps ... that the source has not
    out, moved = eased(kept, source, timing)
    assert not troubles(parse_feet(out, timing))
    assert moved
    assert sorted(n.beat for n in out) == sorted(n.beat for n in kept)  # the same rows, only arrows moved
    assert [n for n in out if n.kind == NoteKind.HOLD]
    assert eased(kept, source, timing) == (out, moved)


def test_simplify_above_beginner_moves_arrows_that_would_cross_the_feet(drafter, audio, monkeypatch):
    import inference.simplify
    from chart.parity import parse_feet
    from inference.simplify_feet import troubles

    timing = TimingData.constant(150)
    pattern = [0, 1, 2, 3, 0, 2, 1, 3]
    source = [Note(Fraction(i, 2), pattern[i % 8]) for i in range(64)]
    # the rows simplify keeps: every row but two of each eight (the model's choice, fixed here)
    monkeypatch.setattr(inference.simplify, "rows_to_keep",
                        lambda seconds, scores, count, gap: np.array([i for i in range(64) if i % 8 not in (3, 4)]))
    for slot in ("hard", "medium"):
        out = drafter.simplify(audio, timing, source, "challenge", [slot])[0]
        assert len({n.beat for n in out.notes}) == 48
        assert not troubles(parse_feet(out.notes, timing))
