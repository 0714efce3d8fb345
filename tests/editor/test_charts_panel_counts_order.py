"""The Charts panel: its list and its Delete question count notes as the toolbar's list, ``info`` and the Stats panel
do (mines left out, named apart in the question); Duplicate puts its copy among its mode's charts (F5/F6 and the
saved file walk the song's order); a removed chart (Delete, undoing an Add or a Duplicate) leaves the designer on a
chart of its mode in its place, not on the song's first chart."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.commands import AddNotes
from chart.document import Document
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.note_counts import RECOUNT_MS
from editor.panels.charts import DifficultyPanel
from editor.session import EditorSession

pytestmark = pytest.mark.qt


def _chart(slot: Slot, mode: str = "dance-single", mines: int = 0) -> Chart:
    lanes = 8 if mode == "dance-double" else 4
    notes = [Note(Fraction(k), k % lanes) for k in range(6)]
    notes += [Note(Fraction(k) + Fraction(1, 2), k % lanes, NoteKind.MINE) for k in range(mines)]
    return Chart(mode=mode, lanes=lanes, slot=slot, meter=int(slot) + 1, notes=notes)


def _panel(qtbot, charts: list[Chart]) -> tuple[DifficultyPanel, EditorSession]:
    session = EditorSession()
    session.set_document(Document(Song(title="T", timing=TimingData.constant(120), charts=list(charts))))
    panel = DifficultyPanel(session)
    qtbot.addWidget(panel)
    return panel, session


def _where(session: EditorSession) -> tuple[str, str, int]:
    charts = session.doc.song.charts
    chart = session.chart
    assert chart is not None
    return chart.mode, chart.slot.sm_name, next(i for i, c in enumerate(charts) if c is chart)


def test_the_list_and_the_delete_question_leave_mines_out(qtbot, boxes):
    panel, session = _panel(qtbot, [_chart(Slot.EDIT, mines=3)])
    assert "(6 notes, dance-single)" in panel.list.item(0).text()  # 9 with the mines
    boxes.answers = [QMessageBox.StandardButton.No]
    panel.delete_chart()
    assert boxes[-1][2].startswith("Delete Edit 6 with 6 notes and 3 mines?")
    session.doc.push(AddNotes(
        session.chart_id(), [Note(Fraction(20), 0, NoteKind.MINE), Note(Fraction(21), 1)]))
    qtbot.wait(RECOUNT_MS + 100)
    assert "(7 notes, dance-single)" in panel.list.item(0).text()  # an edit recounts, the mine left out


def test_duplicate_goes_among_its_modes_charts(qtbot):
    charts = [_chart(Slot.EASY), _chart(Slot.MEDIUM), _chart(Slot.EASY, "dance-double"),
              _chart(Slot.MEDIUM, "dance-double")]
    panel, session = _panel(qtbot, charts)
    session.set_chart(charts[1])
    copy = panel.duplicate_chart()
    assert copy is not None
    assert session.chart is copy
    assert _where(session) == ("dance-single", "Edit", 2)  # not after the doubles
    assert session.doc.song.charts[3] is charts[2]


def test_a_removed_chart_leaves_the_designer_on_its_modes_neighbour(qtbot, boxes):
    charts = [_chart(Slot.EASY), _chart(Slot.MEDIUM), _chart(Slot.EASY, "dance-double"),
              _chart(Slot.MEDIUM, "dance-double"), _chart(Slot.HARD, "dance-double")]
    panel, session = _panel(qtbot, charts)
    session.set_chart(charts[3])
    boxes.answers = [QMessageBox.StandardButton.Yes]
    panel.delete_chart()
    assert _where(session) == ("dance-double", "Hard", 3)  # the chart that took its place
    session.doc.undo()
    session.set_chart(charts[4])
    boxes.answers = [QMessageBox.StandardButton.Yes]
    panel.delete_chart()  # the mode's last chart: the one before it
    assert _where(session) == ("dance-double", "Medium", 3)
    session.doc.undo()
    session.set_chart(charts[1])
    panel.duplicate_chart()
    panel.add_chart(Slot.EDIT)
    session.doc.undo()
    session.doc.undo()
    assert session.chart is charts[1]  # where the Duplicate was made, not the song's first chart


def test_the_neighbour_is_found_when_charts_before_it_go_in_the_same_change():
    """Review of audit 25's fix: a cancelled draft takes back its empty Beginner, Easy and Medium at once; from
    Easy or Medium the designer landed on Challenge, past Hard."""
    from chart.song import Chart, Slot
    from editor.session import chart_in_place_of

    beginner, easy, medium, hard, challenge = (Chart(slot=s) for s in (Slot.BEGINNER, Slot.EASY, Slot.MEDIUM,
                                                                         Slot.HARD, Slot.CHALLENGE))
    before = [beginner, easy, medium, hard, challenge]
    after = [hard, challenge]
    assert chart_in_place_of(before, after, easy) is hard
    assert chart_in_place_of(before, after, medium) is hard
    assert chart_in_place_of(before, [beginner, hard, challenge], medium) is hard


def test_a_chart_switch_counts_no_chart_again(opened, monkeypatch):
    """The toolbar's list and the Charts panel share one count per chart (a review measured two walks of every
    chart per F5/F6); a timing change recounts (notes in a new warp stop counting)."""
    import chart.stats
    from chart.commands import SetTiming
    from editor import note_counts as counts_module

    win = opened
    s = win.session
    counts_module.note_counts(s).count(s.chart)  # warm
    calls = []
    real = chart.stats.note_count

    def counting(chart, timing):
        calls.append(chart)
        return real(chart, timing)

    import editor.panels.charts
    import editor.toolbar

    for module in (counts_module, editor.toolbar, editor.panels.charts):  # wherever a list counts
        monkeypatch.setattr(module, "note_count", counting, raising=False)
    for c in s.doc.song.charts:  # every count is taken once ...
        counts_module.note_counts(s).count(c)
    calls.clear()
    for c in [*s.doc.song.charts, s.doc.song.charts[0]]:  # ... and a switch takes none again
        s.set_chart(c)
    assert calls == []
    s.push(SetTiming(s.timing().with_changes(warps=((s.chart.notes[0].beat, 4),))))
    assert counts_module.note_counts(s).count(s.chart) == real(s.chart, s.doc.song.timing_for(s.chart))
    assert calls  # recounted after the timing change


def test_a_count_of_a_removed_chart_is_dropped_without_error(opened):
    """The shared counts asked a removed chart its id when another chart's notes changed (KeyError in the Qt
    event loop, caught by CI in a Save that converts)."""
    from chart.chart_commands import RemoveChart
    from chart.stats import note_count
    from editor.note_counts import note_counts

    win = opened
    s = win.session
    song = s.doc.song
    gone, kept = song.charts[0], song.charts[1]
    for c in song.charts:
        note_counts(s).count(c)
    assert s.push(RemoveChart(gone))
    assert s.push(AddNotes(kept, [Note(Fraction(300), 2)]))  # notes_changed: the removed chart's count goes quietly
    assert note_counts(s).count(kept) == note_count(kept, song.timing_for(kept))
