"""The ``empty`` check: a chart with no notes to step on (New Song's Beginner left unfilled) is a WARNING, so
Verify, Export's pre-check and ``main.py check`` say it would ship as an empty difficulty; none of the 2807 charts
of the 544 shared songs is empty, so real songs gain no warning."""

from __future__ import annotations

from fractions import Fraction

from chart.checks.base import Severity
from chart.checks.registry import check_song
from chart.formats.registry import save
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def _song(*charts: Chart) -> Song:
    return Song(title="E", timing=TimingData.constant(120), charts=list(charts))


def _filled(slot: Slot) -> Chart:
    return Chart(slot=slot, meter=5, notes=[Note(Fraction(k), k % 4) for k in range(40)])


def test_an_empty_chart_is_a_warning_and_a_filled_one_is_not():
    song = _song(Chart(slot=Slot.BEGINNER, meter=1), _filled(Slot.MEDIUM))
    found = [i for i in check_song(song, target_format="osz") if i.check_id == "empty"]
    assert len(found) == 1
    (issue,) = found
    assert issue.severity == Severity.WARNING
    assert issue.chart_id.endswith("Beginner")
    assert "no notes" in issue.message
    assert "empty difficulty" in issue.message


def test_mines_alone_are_nothing_to_step_on():
    mines = Chart(slot=Slot.EASY, meter=2, notes=[Note(Fraction(k), 0, NoteKind.MINE) for k in range(4)])
    (issue,) = [i for i in check_song(_song(mines)) if i.check_id == "empty"]
    assert "only mines or fakes" in issue.message
    one = Chart(slot=Slot.EASY, meter=2, notes=[Note(Fraction(0), 1)])
    assert [i for i in check_song(_song(one)) if i.check_id == "empty"] == []


def test_check_command_reports_it(tmp_path, capsys):
    from main import main

    path = tmp_path / "e.ssc"
    save(_song(Chart(slot=Slot.BEGINNER, meter=1), _filled(Slot.MEDIUM)), path)
    main(["check", str(path)])
    out = capsys.readouterr()
    assert "empty difficulty" in out.out + out.err
