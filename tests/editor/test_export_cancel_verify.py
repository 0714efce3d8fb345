"""An Export cancelled at its Verify question sends the designer to the Verify panel: the panel must then list what
the question found. It checked against the open file's format (.ssc: "FLAC, which StepMania does not play", a
WARNING) while the question had checked against the target's (.osu: "FLAC, which osu! does not play", a PROBLEM),
so the panel showed 0 problems after a question that listed one."""

from __future__ import annotations

from pathlib import Path

import pytest

from chart.formats.registry import load, save
from editor.controllers.export import ExportController
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
