"""Status lines, dialogs and tooltips name the keys as keymap.json remaps them (audit 24): six of them still named
the defaults ("note tick (F4)", "Shift+Up/Down", "Ctrl+Shift+A", "Ctrl+PgUp/PgDown", "Space opens the output")."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

pytestmark = pytest.mark.qt

KEYMAP = {"play.note_ticks": "Ctrl+4", "edit.range_up": "Ctrl+Shift+U", "edit.range_down": "Ctrl+Shift+J",
          "ai.arrows": "Ctrl+Alt+A", "nav.prev_label": "Alt+1", "nav.next_label": "Alt+2", "play.toggle": "Ctrl+Space"}
DEFAULTS = ("F4", "Shift+Up", "Shift+Down", "Shift+Up/Down", "Ctrl+Shift+A", "Ctrl+PgUp", "PgDown", "Space opens")


@pytest.fixture
def remapped(qtbot, settings, boxes, song_files):
    from editor.main_window import MainWindow
    from editor.settings import app_data_dir

    app_data_dir().mkdir(parents=True, exist_ok=True)
    (app_data_dir() / "keymap.json").write_text(json.dumps(KEYMAP))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_path(song_files.chart)
    qtbot.waitUntil(lambda: win.playback.player is not None, timeout=10000)
    yield win
    win.skip_close_prompt = True
    win.shutdown()


def no_default(text: str) -> None:
    assert not [key for key in DEFAULTS if key in text], text


def test_status_lines_and_the_section_tempo_dialog_name_the_remapped_keys(remapped, boxes):
    win, lines = remapped, []
    win.session.status.connect(lines.append)
    win.actions["play.hitsounds"].trigger()  # on by default: now off
    assert lines[-1] == "Hitsounds off: notes play the note tick (Ctrl+4) when it is on"
    win.actions["play.hitsounds"].trigger()  # on again, on a StepMania chart
    assert lines[-1].endswith("its notes keep the note tick (Ctrl+4)")
    win.session.clear_selection()
    win.actions["play.loop"].trigger()
    assert lines[-1] == "Loop: select a range (Ctrl+Shift+U/Ctrl+Shift+J) or some notes first"
    win.actions["timing.detect_section"].trigger()
    assert "a beat range (Ctrl+Shift+U/Ctrl+Shift+J, or Shift+drag in an empty stretch)" in boxes[-1][2]
    win.playback.player._failure = "the device was unplugged"  # what a device stream reports when it stops
    assert win.playback.output_stopped()
    assert lines[-1].endswith("Play (Ctrl+Space) opens the output again.")
    for text in (*lines, boxes[-1][2]):
        no_default(text)


def test_a_status_line_drops_the_hint_of_an_action_left_without_a_key(remapped):
    win, lines = remapped, []
    win.session.status.connect(lines.append)
    win.actions["play.note_ticks"].setShortcut("")
    win.actions["play.hitsounds"].trigger()
    assert lines[-1] == "Hitsounds off: notes play the note tick when it is on"


def test_the_ai_and_timing_tooltips_name_the_remapped_keys_and_follow_them(remapped):
    win = remapped
    arrows = next(b for b in win.ai_panel.findChildren(QPushButton) if b.text() == "Arrows for selection")
    assert arrows.toolTip().endswith("as N variants (Ctrl+Alt+A)")
    panel = win.timing_panel
    combo = panel.segment_combo
    label_tip = combo.itemData(combo.findData("LABELS"), Qt.ItemDataRole.ToolTipRole)
    assert label_tip.endswith("shown on the timeline, Alt+1/Alt+2 go to it")
    assert panel.add_at_cursor("LABELS")
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 1).text() == "Label")
    assert panel.table.item(row, 0).toolTip() == label_tip
    win.actions["ai.arrows"].setShortcut("Ctrl+Alt+R")  # the tooltips follow a key that changes
    win.actions["nav.next_label"].setShortcut("")
    assert arrows.toolTip().endswith("(Ctrl+Alt+R)")
    assert combo.itemData(combo.findData("LABELS"), Qt.ItemDataRole.ToolTipRole).endswith(", Alt+1 go to it")
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 1).text() == "Label")
    assert panel.table.item(row, 2).toolTip().endswith(", Alt+1 go to it")
    no_default(arrows.toolTip())


def test_without_a_window_the_label_tip_names_the_default_keys(qapp):
    from editor.panels.timing import segment_tip

    assert segment_tip(None, "LABELS").endswith(", Ctrl+PgUp/Ctrl+PgDown go to it")
    assert segment_tip(None, "SCROLLS").startswith("Scroll speed from here")
