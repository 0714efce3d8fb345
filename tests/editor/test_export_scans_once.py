"""Export's checks of a big song: the osu! representability scan once per export (and once more by the writer), and
the Verify panel brought up to date in its worker, not on the GUI thread.

The scan (every note's millisecond, chart.formats.osu_mania) ran five times per chart (the refusal, the Verify
pass's ``representable`` check, the conversions, their summary, the writer) and the Verify panel's checks once more
on the GUI thread: exporting a 58k-note song to .osu froze the window for 10-20 s.
"""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QMessageBox


def count_scans(monkeypatch) -> list:
    import chart.formats.osu_mania as om

    calls: list = []
    real = om._chart_problems
    monkeypatch.setattr(om, "_chart_problems", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    return calls


def test_an_osu_export_scans_each_chart_once_before_the_writer(opened, tmp_path, boxes, monkeypatch, qtbot):
    from editor.controllers.export import ExportController

    win = opened
    charts = len(win.session.doc.song.charts)
    qtbot.waitUntil(lambda: win.verify_panel._job is None, timeout=10000)  # the run after opening
    ran_on: list[threading.Thread] = []
    import editor.panels.verify as verify

    real = verify.run_checks
    monkeypatch.setattr(verify, "run_checks", lambda *a, **k: ran_on.append(threading.current_thread()) or real(*a, **k))
    calls = count_scans(monkeypatch)
    boxes.answers = [QMessageBox.StandardButton.Yes]  # "Export with these notes?" (a mine is dropped)
    assert ExportController(win).export(tmp_path / "out.osu")
    assert len(list(tmp_path.glob("out*.osu"))) == charts
    assert len(calls) == 2 * charts  # the export's one pass, and the writer's own (was 5 per chart)
    assert "conversion: dance-single/Beginner: osu!mania has no mines: dropped" in boxes.details
    qtbot.waitUntil(lambda: bool(ran_on) and win.verify_panel._job is None, timeout=10000)
    assert threading.main_thread() not in ran_on  # the panel's checks ran in its worker


def test_a_chart_osu_cannot_hold_still_refuses_a_multi_chart_export(opened, tmp_path, boxes):
    """The refusal reads the one pass over the whole song: its "one difficulty per file" entry is answered by the
    files per chart, a chart's own problem is not."""
    from editor.controllers.export import ExportController

    opened.session.doc.song.charts[1].meter = 2_000_000
    assert not ExportController(opened).export(tmp_path / "out.osu")
    (kind, title, text), = boxes
    assert (kind, title) == ("critical", "Cannot export")
    assert "meter 2000000" in text
    assert "dance-single/Easy" in text
    assert not list(tmp_path.glob("out*.osu"))


def test_an_osz_without_its_audio_is_refused_before_the_export_question(opened, song_files, tmp_path, boxes):
    """The archive's writer refuses a set without its audio: Export says so at once, not after "Export anyway?"
    (answered Yes, it then refused)."""
    from editor.controllers.export import ExportController

    song_files.audio.unlink()
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert not ExportController(opened).export(tmp_path / "out.osz")
    (kind, title, text), = boxes
    assert (kind, title) == ("critical", "Cannot export")
    assert "an .osz carries the audio of the set" in text
    assert not (tmp_path / "out.osz").exists()
