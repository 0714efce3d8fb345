"""While an AI job runs (Suggest Arrows or Simplify, which a song without a stated tempo allows), Draft on such a
song says the AI is still working instead of asking "Detect the tempo now?": a Yes there started Detect Tempo,
whose new timing then dropped the running job's ghosts."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.song import Slot

pytestmark = pytest.mark.qt


def test_a_busy_ai_refuses_before_the_tempo_question(window, song_files, qtbot, boxes):
    path = song_files.chart
    path.write_text(re.sub(r"#BPMS:[^;]*;", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    detect: list[bool] = []
    window.actions["timing.detect"].triggered.disconnect()  # the real one starts a tempo analysis
    window.actions["timing.detect"].triggered.connect(lambda *_: detect.append(True))
    boxes.answers[:] = [QMessageBox.StandardButton.Yes]
    window.drafting._busy = True  # noqa: SLF001  an Arrows job is running
    try:
        assert window.ai_panel.draft([Slot.MEDIUM]) is None
    finally:
        window.drafting._busy = False  # noqa: SLF001
    assert not boxes  # no question asked
    assert not detect
    assert window.statusBar().currentMessage() == "The AI is still working; cancel it first"
    assert window.session.doc.song.chart(Slot.MEDIUM) is None  # nothing added for the refused draft
