"""An Export cancelled at its Verify question sends the designer to the Verify panel: the panel must then list what
the question found. It checked against the open file's format (.ssc: "FLAC, which StepMania does not play", a
WARNING) while the question had checked against the target's (.osu: "FLAC, which osu! does not play", a PROBLEM),
so the panel showed 0 problems after a question that listed one."""

from __future__ import annotations

from pathlib import Path

import pytest

from chart.formats.registry import load, save
from editor.controllers.export import ExportController
from editor.panels.verify import AUTO_DELAY_MS
from tests.editor.conftest import SR_HZ, click_track, write_song

pytestmark = pytest.mark.qt


def _idle(panel) -> bool:
    return panel._job is None and not panel._timer.isActive()


def test_the_verify_panel_lists_the_cancelled_exports_findings(window, tmp_path: Path, boxes, qtbot):
    import soundfile as sf

    files = write_song(tmp_path / "song")
    sf.write(str(files.folder / "song.flac"), click_track(20.0), SR_HZ)
    song = load(files.chart)
    song.music = "song.flac"
    save(song, files.chart)
    assert window.open_path(files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    panel = window.verify_panel
    qtbot.waitUntil(lambda: _idle(panel), timeout=20000)
    assert "StepMania does not play" in " ".join(i.message for i in panel.run_checks())
    assert panel.scope.isHidden()
    boxes.clear()  # the question answers Cancel: the export is cancelled
    assert not ExportController(window).export(tmp_path / "out" / "song.osu")
    question = next(text for kind, title, text in boxes if title == "Verify before export")
    assert "problem" in question.lower()
    assert window.statusBar().currentMessage() == "Export cancelled; the Verify panel lists what it found for .osu"
    qtbot.waitUntil(lambda: _idle(panel) and panel._shown_export == "osu", timeout=20000)
    rows = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert any(row.startswith("[problem]") and "FLAC, which osu! does not play" in row for row in rows), rows
    assert panel.summary.text().startswith("1 problem(s)")
    assert not panel.scope.isHidden()
    assert panel.scope.text().startswith("Checked for .osu, the format of the export you cancelled")
    panel.run_clicked()  # the next normal run checks the open file's format again
    qtbot.waitUntil(lambda: _idle(panel) and panel._shown_export is None, timeout=20000)
    assert panel.scope.isHidden()
    rows = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert any("StepMania does not play" in row for row in rows), rows
    assert not any("osu!" in row for row in rows), rows


def _cancel_osu_export(window, tmp_path: Path, boxes, qtbot):
    """Export the open song to out/song.osu and cancel the question; (the question's text, the panel once it
    shows the export's list)."""
    panel = window.verify_panel
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    qtbot.waitUntil(lambda: _idle(panel), timeout=20000)
    boxes.clear()
    assert not ExportController(window).export(tmp_path / "out" / "song.osu")
    question = next(text for kind, title, text in boxes if title == "Verify before export")
    qtbot.waitUntil(lambda: _idle(panel) and panel._shown_export == "osu", timeout=20000)
    return question, panel


def _open_with_music(window, tmp_path: Path, music: str) -> None:
    import soundfile as sf

    files = write_song(tmp_path / "song")
    flac = (files.folder / music).resolve()
    flac.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(flac), click_track(20.0), SR_HZ)
    song = load(files.chart)
    song.music = music
    save(song, files.chart)
    assert window.open_path(files.chart)


def test_the_panel_lists_exactly_the_questions_findings(window, tmp_path: Path, boxes, qtbot):
    """Music outside the song's folder, which the export copies into the set: the question checks the set-folder
    rule on the set as written (no problem there) while the panel ran every check on the open song and listed
    "the music file ../audio/song.flac is outside the set's folder", a problem the question never named."""
    _open_with_music(window, tmp_path, "../audio/song.flac")
    question, panel = _cancel_osu_export(window, tmp_path, boxes, qtbot)
    assert "the export copies the audio song.flac into" in question
    rows = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert not any("outside the set's folder" in row for row in rows), rows
    problems = [row for row in rows if row.startswith("[problem]")]
    assert len(problems) == 1, rows
    assert "FLAC, which osu! does not play" in problems[0], rows
    assert panel.summary.text().startswith("1 problem(s)")
    assert "outside the set" not in question + boxes.details


def test_with_auto_off_the_scope_line_does_not_promise_an_edit_rechecks(window, tmp_path: Path, boxes, qtbot):
    _open_with_music(window, tmp_path, "song.flac")
    window.verify_panel.auto.setChecked(False)
    _question, panel = _cancel_osu_export(window, tmp_path, boxes, qtbot)
    assert "an edit or Run checks" not in panel.scope.text()
    assert "Run checks checks the open file again (with auto off, an edit does not)" in panel.scope.text()
    panel.schedule()  # an edit: nothing checks with auto off, and the line stays true
    qtbot.wait(AUTO_DELAY_MS + 200)
    assert panel._shown_export == "osu"
    assert "with auto off" in panel.scope.text()
    panel.auto.setChecked(True)  # ticked again over an out-of-date list: checks the open file at once
    qtbot.waitUntil(lambda: _idle(panel) and panel._shown_export is None, timeout=20000)
    assert panel.scope.isHidden()
