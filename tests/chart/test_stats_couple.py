"""A couple chart is two players, each on a pad of their own: Stats and ``info`` count each player on their own
(as StepMania's radar and Verify's ``hands`` check do) and report the busier player's jumps, NPS and difficulty.
Both players stepping one arrow at the same moment counted as a jump, and the two streams together as one
"Hard"-dense Medium (65 jumps, 6.55 NPS, an estimate of 12.0)."""

from __future__ import annotations

from fractions import Fraction

from chart.notes import Note
from chart.song import Chart, Slot
from chart.stats import chart_stats
from chart.timing import TimingData

TIMING = TimingData.constant(120)


def _both_players() -> list[Note]:
    """8ths for both players on the same rows (one arrow each), player 1 jumping once while player 2 taps."""
    notes = [n for k in range(64) for n in (Note(Fraction(k, 2), k % 4), Note(Fraction(k, 2), 4 + (k + 1) % 4))]
    return sorted(notes + [Note(Fraction(40), 0), Note(Fraction(40), 3), Note(Fraction(40), 5)])


def _chart(mode: str, notes: list[Note]) -> Chart:
    return Chart(slot=Slot.MEDIUM, meter=5, mode=mode, lanes=8, notes=notes)


def test_a_couple_charts_figures_are_the_busier_players() -> None:
    notes = _both_players()
    st = chart_stats(_chart("dance-couple", notes), TIMING)
    p1 = chart_stats(_chart("dance-single", [n for n in notes if n.lane < 4]), TIMING)
    p2 = chart_stats(_chart("dance-single", [n for n in notes if n.lane >= 4]), TIMING)
    assert (st.onsets, st.counts["tap"]) == (131, 131)  # the counts are the whole chart's
    assert st.player == 1
    assert [p.onsets for p in st.players] == [66, 65]
    assert (st.rows, st.jumps, st.hands, st.quads) == (p1.rows, 1, 0, 0)
    assert (st.mean_nps, st.peak_nps, st.difficulty, st.typical_slot) == (
        p1.mean_nps, p1.peak_nps, p1.difficulty, p1.typical_slot)
    assert st.mean_nps < 4.48
    assert st.typical_slot is Slot.MEDIUM
    assert (st.players[1].jumps, st.players[1].mean_nps) == (0, p2.mean_nps)
    d = st.as_dict()
    assert (d["player"], d["jumps"], len(d["players"])) == (1, 1, 2)
    assert "counts" not in d["players"][0]


def test_the_busier_player_may_be_player_2_and_pump_couple_is_split_too() -> None:
    notes = [Note(Fraction(k, 4), 5 + k % 5) for k in range(64)] + [Note(Fraction(k), 0) for k in range(16)]
    st = chart_stats(Chart(slot=Slot.HARD, meter=8, mode="pump-couple", lanes=10, notes=sorted(notes)), TIMING)
    assert st.player == 2
    assert st.players[1].onsets == 64
    assert st.onsets == 80
    assert st.mean_nps == st.players[1].mean_nps > st.players[0].mean_nps


def test_other_two_pad_modes_are_one_player() -> None:
    """A doubles chart is one player on both pads, and a routine chart's notes are player 1's alone: the 8 lanes
    are counted together (a row on both pads is a jump)."""
    notes = _both_players()
    for mode in ("dance-double", "dance-routine"):
        st = chart_stats(_chart(mode, notes), TIMING)
        assert (st.player, st.players, st.jumps) == (0, (), 65)
        assert "player" not in st.as_dict()
