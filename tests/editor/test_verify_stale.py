"""Verify after an edit: a click on an issue listed before it (auto off, within auto's delay, during a slow run)
selected notes no longer in the chart, so Delete refused ("Delete: 'note tap at beat ... is not in chart ...'") and
Copy copied deleted notes; ticking "auto" again left the list out of date; and the minimap drew warnings red, as
problems."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtGui import QColor

from chart.checks.base import Issue, Severity
from chart.commands import AddNotes, RemoveNotes
from chart.notes import Note

pytestmark = pytest.mark.qt

JUMP = [Note(Fraction(9, 2), 1), Note(Fraction(9, 2), 3)]  # while the Beginner hold from beat 4 (lane 1) is down


def with_a_hand(win) -> int:
    """Add a jump during the Beginner chart's hold and run the checks: the row of its ``hands`` issue."""
    s, panel = win.session, win.verify_panel
    assert s.push(AddNotes(s.chart, JUMP, name="Add"))
    panel.run_checks()
    return next(k for k, (_c, i) in enumerate(panel.issues) if i.check_id == "hands")


def test_an_issue_listed_before_an_edit_selects_only_the_notes_still_there(opened):
    win = opened
    s, panel = win.session, win.verify_panel
    panel.auto.setChecked(False)
    row = with_a_hand(win)
    hold = next(n for n in s.chart.notes if n.kind.has_length and n.beat == 4)
    assert set(panel.issues[row][1].notes) == {hold, *JUMP}
    assert s.push(RemoveNotes(s.chart, [JUMP[0]], name="Delete"))
    panel.jump_to(row)
    assert s.selection == {hold, JUMP[1]}
    assert win.statusBar().currentMessage() == (
        "The Verify list is out of date; 1 of its 3 notes is no longer in the chart (the others are selected): Run "
        "checks to refresh it")
    win.transforms.copy()
    assert sorted((n.beat, n.lane) for n in win.transforms.clipboard) == [(0, 0), (Fraction(1, 2), 3)]  # from beat 4
    win.transforms.delete()
    assert hold not in s.chart.notes  # refused before: a selected note was gone
    assert JUMP[1] not in s.chart.notes
    assert "is not in chart" not in win.statusBar().currentMessage()


def test_an_issue_whose_notes_are_all_gone_selects_nothing_and_says_the_checks_rerun(opened):
    win = opened
    s, panel = win.session, win.verify_panel
    row = with_a_hand(win)  # auto on: the edit below schedules a run, the click comes within its delay
    assert s.push(RemoveNotes(s.chart, list(panel.issues[row][1].notes), name="Delete"))
    panel.jump_to(row)
    assert s.selection == set()
    assert win.statusBar().currentMessage().endswith("its notes are no longer in the chart: the checks run again "
                                                     "shortly")


def test_an_up_to_date_issue_selects_its_notes_and_says_nothing_more(opened):
    win = opened
    s, panel = win.session, win.verify_panel
    panel.auto.setChecked(False)
    row = with_a_hand(win)
    panel.jump_to(row)
    assert s.selection == set(panel.issues[row][1].notes)
    assert "out of date" not in win.statusBar().currentMessage()


def test_ticking_auto_again_reruns_the_checks_on_an_out_of_date_list(opened, qtbot):
    win = opened
    s, panel = win.session, win.verify_panel
    qtbot.waitUntil(lambda: not panel._timer.isActive() and panel._job is None, timeout=10000)  # the opening's run
    panel.auto.setChecked(False)
    with_a_hand(win)
    assert s.push(RemoveNotes(s.chart, [JUMP[0]], name="Delete"))
    qtbot.wait(800)  # longer than auto's delay
    assert any(i.check_id == "hands" for _c, i in panel.issues)  # auto off: the list stays as it was
    panel.auto.setChecked(True)
    qtbot.waitUntil(lambda: not any(i.check_id == "hands" for _c, i in panel.issues), timeout=10000)


def test_minimap_ticks_problems_red_and_warnings_amber(opened, qtbot):
    from editor.panels.verify import minimap_marks
    from editor.timeline.minimap import PROBLEM_TICK, WARNING_TICK

    win = opened
    s, panel, minimap = win.session, win.verify_panel, win.minimap
    timing = s.timing()
    issues = [(s.chart, Issue(Severity.WARNING, "w", Fraction(8))), (s.chart, Issue(Severity.PROBLEM, "p", Fraction(24))),
              (s.chart, Issue(Severity.INFO, "i", Fraction(16))), (s.chart, Issue(Severity.PROBLEM, "chart-wide"))]
    problems, warnings = minimap_marks(issues, s.chart, timing)
    assert (problems, warnings) == ([float(timing.beat_to_seconds(24))], [float(timing.beat_to_seconds(8))])
    panel.checked.emit(issues)
    assert (minimap.issue_times_s, minimap.warning_times_s) == (problems, warnings)
    image = minimap.grab().toImage()

    def tick(t_s: float) -> QColor:
        return image.pixelColor(minimap.width() - 4, round(minimap._y(t_s)))

    assert tick(problems[0]) == PROBLEM_TICK
    assert tick(warnings[0]) == WARNING_TICK
