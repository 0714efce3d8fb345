"""Export's "Verify before export" question: what the target format drops is never cut off by warnings.

The box once listed the warnings first and cut the whole list at 8 lines, so on a real song every osu!mania
conversion line ("osu!mania has no mines: dropped (x479)") was behind "... and 22 more", with no way to see it.
"""

from __future__ import annotations

from chart.checks.base import Issue, Severity


def test_every_conversion_and_the_dropped_count_are_in_the_question(opened, tmp_path, boxes, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    import editor.controllers.export as export

    win = opened
    many = [Issue(Severity.WARNING, f"warning number {k}", None, (), "fake", "dance-single/Easy") for k in range(12)]
    monkeypatch.setattr(export, "export_findings", lambda song, *_a, **_k: [(song.charts[0], i) for i in many])
    boxes.answers = [QMessageBox.StandardButton.No]
    assert not export.ExportController(win).export(tmp_path / "out.osu")
    kind, title, text = boxes[-1]
    assert title == "Verify before export"
    assert "osu!mania has no mines: dropped" in text  # the Beginner chart's mine
    assert "roll written as a hold" in text
    assert text.index("conversion:") < text.index("warning number 0")
    assert "leaves out 1 note. Export with these notes?" in text
    assert "warning number 11" not in text
    assert "... and 4 more (Show Details...)" in text
    assert "warning number 11" in boxes.details  # the whole list behind Show Details...
    assert "conversion: dance-single/Beginner: osu!mania has no mines: dropped" in boxes.details
    assert not list(tmp_path.glob("out*.osu"))


def test_conversions_of_several_charts_are_summed_per_kind(opened):
    from chart.notes import Note, NoteKind
    from editor.controllers.export import conversion_summary

    song = opened.session.doc.song
    song.charts[1].notes.append(Note(song.charts[1].notes[-1].beat + 1, 0, NoteKind.MINE))
    lines, dropped = conversion_summary(song, "osu")
    assert "conversion: 2 charts: osu!mania has no mines: dropped (x2)" in lines
    assert dropped == 2


def test_an_empty_chart_is_in_the_question(opened, tmp_path, boxes):
    """New Song's Beginner left empty went out as a 0-note difficulty with nothing said (chart.checks.empty)."""
    from PySide6.QtWidgets import QMessageBox

    from chart.song import Chart, Slot
    from editor.controllers.export import ExportController

    song = opened.session.doc.song
    song.charts.append(Chart(slot=Slot.CHALLENGE, meter=12))
    boxes.answers = [QMessageBox.StandardButton.No]
    assert not ExportController(opened).export(tmp_path / "out.osz")
    _kind, title, _text = boxes[-1]
    assert title == "Verify before export"
    assert "warning: dance-single/Challenge: the chart has no notes" in boxes.details
    assert not (tmp_path / "out.osz").exists()
