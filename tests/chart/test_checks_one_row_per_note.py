"""One bad note is one PROBLEM row, Verify's density agrees with the Stats panel, and the parity parse never
crosses the feet on a chart's first row.

* ``representable`` leaves to ``duplicates``, ``holds`` and ``note-in-hold`` the notes they report (two taps on one
  lane and row read "duplicates 13, representable 13" in the editor's list), and a hold of length 0 is one
  unrepresentable entry, not one for its head and one for its tail.
* the density WARNING uses the Stats panel's Mean NPS (``chart_stats``): 21 steps 0.4 s apart are 2.50 NPS there,
  and the check said 2.62, over Beginner's 2.595 limit.
* L D R L U at 0.3 s was parsed R L R L R (the right foot on Left on the first arrow), moving the crossover
  WARNING from beat 2 to beat 0 when the U was added.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.checks.base import CheckContext, Severity
from chart.checks.density import FAR_FACTOR
from chart.checks.registry import run_checks
from chart.formats.notedata import unrepresentable_notes
from chart.notes import Note
from chart.notes import NoteKind as K
from chart.parity import Foot, parse_feet
from chart.song import Chart, Slot, Song
from chart.stats import SLOT_NPS_RANGES, chart_stats
from chart.timing import TimingData


def problems(notes: list[Note], fmt: str = "ssc") -> list[str]:
    chart = Chart(slot=Slot.MEDIUM, meter=5, notes=sorted(notes))
    song = Song(title="t", timing=TimingData.constant(120, 0), charts=[chart])
    return [i.check_id for i in run_checks(CheckContext(song, chart, target_format=fmt))
            if i.severity == Severity.PROBLEM]


@pytest.mark.parametrize("fmt", ["ssc", "sm", "osu"])
def test_two_taps_on_one_lane_and_row_are_one_problem(fmt):
    assert problems([Note(F(0), 0), Note(F(1), 1), Note(F(1), 1), Note(F(2), 2)], fmt) == ["duplicates"]


def test_a_hold_starting_inside_a_hold_is_one_problem():
    assert problems([Note(F(0), 0, K.HOLD, F(4)), Note(F(2), 0, K.HOLD, F(4))]) == ["holds"]


def test_a_tap_on_a_holds_end_row_is_one_problem():
    assert problems([Note(F(0), 0, K.HOLD, F(2)), Note(F(2), 0)]) == ["note-in-hold"]


def test_a_hold_of_length_0_is_one_problem_and_one_unrepresentable_entry():
    zero = Note(F(1), 0, K.HOLD, F(0))
    assert problems([Note(F(0), 1), zero]) == ["holds"]
    assert [(p.note, p.reason) for p in unrepresentable_notes([Note(F(0), 1), zero], 4)] == [
        (zero, "hold/roll of length 0")]


def test_what_no_notes_check_reports_is_still_representables():
    # a note before beat 0 in a duplicate pair: the duplicates row does not say .ssc cannot hold it
    found = problems([Note(F(-1), 0), Note(F(-1), 0), Note(F(1), 1)])
    assert found.count("duplicates") == 1
    assert found.count("representable") == 2


def test_density_uses_the_stats_panels_mean():
    timing = TimingData.constant(150, 0)  # a step every 0.4 s
    chart = Chart(slot=Slot.BEGINNER, meter=2, notes=[Note(F(k), k % 4) for k in range(21)])
    song = Song(title="t", timing=timing, charts=[chart])
    mean = chart_stats(chart, timing).mean_nps
    assert mean == pytest.approx(2.5)
    assert mean < SLOT_NPS_RANGES[Slot.BEGINNER][1] * FAR_FACTOR
    assert not [i for i in run_checks(CheckContext(song, chart)) if i.check_id == "density"]
    dense = Chart(slot=Slot.BEGINNER, meter=2, notes=[Note(F(k, 2), k % 4) for k in range(41)])  # 5 NPS
    found = [i.message for i in run_checks(CheckContext(Song(timing=timing, charts=[dense]), dense))
             if i.check_id == "density"]
    assert len(found) == 1
    assert found[0].startswith(f"{chart_stats(dense, timing).mean_nps:.2f} notes/s")


def _feet(pattern: str) -> list[Foot | None]:
    notes = [Note(F(k), "LDUR".index(c)) for k, c in enumerate(pattern)]
    return [f for r in parse_feet(notes, TimingData.constant(200, 0)).rows for f in r.feet]  # 0.3 s apart


def test_the_first_arrow_is_not_crossed_over_and_a_note_added_at_the_end_leaves_the_crossover_where_it_was():
    L, R = Foot.LEFT, Foot.RIGHT  # noqa: N806
    assert _feet("LDRL") == [L, R, L, R]
    assert _feet("LDRLU") == [L, R, L, R, L]
    chart = Chart(slot=Slot.BEGINNER, meter=1, notes=[Note(F(k), "LDUR".index(c)) for k, c in enumerate("LDRLU")])
    song = Song(title="t", timing=TimingData.constant(200, 0), charts=[chart])
    crossings = [i.beat for i in run_checks(CheckContext(song, chart)) if i.check_id == "parity"]
    assert crossings == [F(2)]


@pytest.mark.parametrize("first", ["L", "D", "U", "R", "LR", "DU", "LD", "UR"])
def test_the_first_row_is_stepped_uncrossed_whatever_it_holds(first):
    notes = [Note(F(0), "LDUR".index(c)) for c in first] + [Note(F(k + 1, 2), (3 - k) % 4) for k in range(6)]
    parse = parse_feet(notes, TimingData.constant(200, 0))
    assert not parse.rows[0].crossover
