"""``main.py info``: its counts agree with each other and with the Stats panel (the notes column counted judged
steps, the holds column every hold, a warp's too), a long chart id keeps the columns in line, a chart without
steps has no estimated difficulty ("1.0 Beginner" for an empty Hard), and a couple chart's figures are per
player."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from chart.formats.registry import save
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from main import main

WARPED = TimingData.constant(120).with_changes(warps=((Fraction(20), Fraction(2)),))  # beats 20..22 take no time


def _info(capsys, path, *extra: str) -> str:
    assert main(["info", str(path), *extra]) == 0
    return capsys.readouterr().out


def _row(out: str, chart_id: str) -> list[str]:
    (line,) = [line for line in out.splitlines() if line.startswith(chart_id + " ")]
    return line[len(chart_id):].split()


def test_counts_are_the_judged_steps_and_skipped_notes_are_listed_apart(tmp_path, capsys) -> None:
    notes = ([Note(Fraction(b), b % 4) for b in range(16)]
             + [Note(Fraction(17), 0, NoteKind.HOLD, Fraction(1)), Note(Fraction(18), 1, NoteKind.MINE),
                Note(Fraction(21), 2, NoteKind.HOLD, Fraction(1)), Note(Fraction(41, 2), 3, NoteKind.ROLL,
                                                                       Fraction(1, 2))])  # in the warp
    long_id = "if you really need them all"
    song = Song(title="W", timing=WARPED, charts=[Chart(slot=Slot.HARD, meter=8, notes=notes),
                                                  Chart(slot=Slot.EDIT, meter=9, notes=notes, description=long_id)])
    path = save(song, tmp_path / "w.ssc")
    out = _info(capsys, path)
    header = next(line for line in out.splitlines() if line.startswith("chart "))
    cols = header.split()
    hard = dict(zip(cols[1:], _row(out, "dance-single/Hard")))
    assert (hard["notes"], hard["holds"], hard["rolls"], hard["mines"], hard["skipped"]) == ("17", "1", "0", "1", "2")
    edit_id = f"dance-single/Edit/{long_id}"
    lines = [line for line in out.splitlines() if line.startswith(("chart ", "dance-single/"))]
    assert len({line.index(" Hard ") if " Hard " in line else line.index(" Edit ") if " Edit " in line
                else line.index(" slot ") for line in lines}) == 1  # the slot column starts at one place
    assert _row(out, edit_id)[0] == "Edit"
    data = json.loads(_info(capsys, path, "--json"))["charts"][0]
    assert data["counts"] == {"tap": 16, "hold": 1, "roll": 0, "mine": 1, "fake": 0, "lift": 0}
    assert data["skipped"] == 2
    assert sum(data["counts"][k] for k in ("tap", "hold", "roll", "lift")) == data["onsets"] == 17
    assert sum(data["counts"].values()) + data["skipped"] == len(notes)


def test_a_chart_without_steps_has_no_estimate(tmp_path, capsys) -> None:
    song = Song(title="E", timing=TimingData.constant(120), charts=[
        Chart(slot=Slot.HARD, meter=9, notes=[]),
        Chart(slot=Slot.CHALLENGE, meter=12, notes=[Note(Fraction(k), k % 4, NoteKind.MINE) for k in range(8)]),
        Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(k), k % 4) for k in range(8)])])
    path = save(song, tmp_path / "e.ssc")
    out = _info(capsys, path)
    assert _row(out, "dance-single/Hard")[-2:] == ["-", "-"]
    assert _row(out, "dance-single/Challenge")[-2:] == ["-", "-"]
    assert _row(out, "dance-single/Easy")[-1] != "-"  # a chart with steps keeps its estimate
    charts = json.loads(_info(capsys, path, "--json"))["charts"]
    assert [(c["difficulty"], c["typical_slot"]) for c in charts[:2]] == [(None, None), (None, None)]
    assert charts[2]["difficulty"] == pytest.approx(float(_row(out, "dance-single/Easy")[-2]))


def test_a_couple_chart_is_counted_per_player(tmp_path, capsys) -> None:
    notes = [n for k in range(64) for n in (Note(Fraction(k, 2), k % 4), Note(Fraction(k, 2), 4 + (k + 1) % 4))]
    song = Song(title="C", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.MEDIUM, meter=5, mode="dance-couple", lanes=8, notes=sorted(notes))])
    out = _info(capsys, save(song, tmp_path / "c.ssc"))
    row = _row(out, "dance-couple/Medium")
    assert row[2] == "128"  # notes: both players'
    assert row[7:9] == ["0", "0"]  # jumps, hands: one arrow each is no jump
    assert float(row[9]) < 4.48
    assert row[-1] == "Medium"
    assert "player 1's (the busier)" in out


def test_the_nps_columns_round_the_exact_figures_once(tmp_path, capsys) -> None:
    """(audit 27) The table formatted ``as_dict``'s 3-place NPS to 2 places: 3.5148 showed 3.52 where the Stats
    panel and Verify show 3.51. Here 3.74468... (3.745 to 3 places, then "3.75"; the panel's "3.74")."""
    from chart.stats import chart_stats

    notes = [Note(Fraction(k, 16), k % 4) for k in range(10)] + [Note(Fraction(10, 16) + Fraction(21, 4), 0)]
    song = Song(title="N", timing=TimingData.constant(120), charts=[Chart(slot=Slot.EASY, meter=3, notes=notes)])
    path = save(song, tmp_path / "n.ssc")
    st = chart_stats(song.charts[0], song.timing)
    row = _row(_info(capsys, path), "dance-single/Easy")
    assert f"{st.mean_nps:.2f}" == "3.74"
    assert row[-4] == "3.74"
    assert row[-3] == f"{st.peak_nps:.2f}"
