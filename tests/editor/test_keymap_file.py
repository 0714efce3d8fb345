"""keymap.json: the docs' spellings (PgDn) and a UTF-8 BOM are read, one bad entry costs only itself, a key
sequence that starts with another action's key is a conflict (reported, the user's entry wins), and the labels,
tooltips and status lines name the keys as remapped."""

from __future__ import annotations

import codecs
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from editor.actions import effective_keymap, read_keymap
from tests.editor.keymap_window import window_with_keymap

pytestmark = pytest.mark.qt


def write(tmp_path, data) -> object:
    path = tmp_path / "keymap.json"
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode("utf-8"))
    return path


def test_the_docs_spelling_and_a_bom_are_read(qapp, tmp_path):
    path = write(tmp_path, codecs.BOM_UTF8 + b'{"edit.mirror": "M", "nav.next_stream": "Ctrl+Shift+PgDn",'
                                            b' "nav.measure_up": "pageup", "play.toggle": "Control+Spacebar"}')
    keymap, warning = effective_keymap(path)
    assert warning is None
    assert keymap["edit.mirror"] == "M"
    assert keymap["nav.next_stream"] == "Ctrl+Shift+PgDown"
    assert keymap["nav.measure_up"] == "PgUp"
    assert keymap["play.toggle"] == "Ctrl+Space"


def test_a_bad_entry_is_left_out_and_named_and_the_others_apply(qapp, tmp_path):
    path = write(tmp_path, {"edit.mirror": "M", "edit.flip": "Ctrl+Foo", "edit.nothing": "K", "_c": "comment"})
    kept, refused = read_keymap(path)
    assert kept == {"edit.mirror": "M"}
    assert [line.split(" (")[0] for line in refused] == ["invalid shortcut 'Ctrl+Foo' for edit.flip",
                                                         "unknown action 'edit.nothing'"]
    keymap, warning = effective_keymap(path)
    assert keymap["edit.mirror"] == "M"
    assert keymap["edit.flip"] == "Y"
    assert "Ctrl+Foo" in warning
    assert "edit.nothing" in warning
    assert "its other keys apply" in warning


@pytest.mark.parametrize(("mine", "loser", "key"), [
    ({"edit.turn_left": "T, L"}, "Mirror Lanes", "T"),  # a default key starts the user's sequence
    ({"edit.turn_left": "Ctrl+S, Ctrl+L"}, "Save", "Ctrl+S"),
    ({"edit.turn_left": "Ctrl+K"}, None, None),  # no overlap
])
def test_a_sequence_starting_with_another_action_s_key_takes_it_and_says_so(qapp, tmp_path, mine, loser, key):
    keymap, warning = effective_keymap(write(tmp_path, mine))
    assert keymap["edit.turn_left"] == mine["edit.turn_left"]
    if loser is None:
        assert warning is None
        return
    assert keymap["edit.mirror" if key == "T" else "file.save"] == ""
    assert "now does Turn Left" in warning
    assert loser in warning
    assert f"({key}: one starts the other)" in warning


def test_the_user_s_own_entries_that_start_alike_keep_the_first(qapp, tmp_path):
    keymap, warning = effective_keymap(write(tmp_path, {"edit.turn_left": "Ctrl+K", "edit.turn_right": "Ctrl+K, R"}))
    assert keymap["edit.turn_left"] == "Ctrl+K"
    assert keymap["edit.turn_right"] == ""
    assert "Turn Left" in warning
    assert "Turn Right" in warning
    assert "the first keeps it" in warning


def test_a_typed_sequence_fires_its_action_once_the_prefix_owner_lost_it(qtbot, settings, boxes, song_files):
    with window_with_keymap(qtbot, settings, {"edit.turn_left": "T, L"}) as win:
        assert win.open_path(song_files.chart)
        seen: list[str] = []
        for aid in ("edit.mirror", "edit.turn_left"):
            win.actions[aid].triggered.connect(lambda _=False, aid=aid: seen.append(aid))
        win.activateWindow()
        win.timeline.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is win.timeline, timeout=3000)
        qtbot.keyClick(win.timeline, Qt.Key.Key_T)
        qtbot.keyClick(win.timeline, Qt.Key.Key_L)
        assert seen == ["edit.turn_left"]


def test_labels_tooltips_and_status_lines_name_the_remapped_keys(qtbot, settings, boxes, song_files):
    with window_with_keymap(qtbot, settings, {
        "play.beat_ticks": "B", "play.note_ticks": "", "timing.bpm_up": "Ctrl+Alt+8", "timing.bpm_down": "Ctrl+Alt+7",
        "play.toggle": "Ctrl+Space", "view.prev_chart": "Ctrl+Alt+Left", "view.next_chart": "Ctrl+Alt+Right"}) as win:
        assert win.open_path(song_files.chart)
        assert win.playback_panel.beat_ticks.text() == "beats (B)"
        assert win.playback_panel.note_ticks.text() == "notes"  # no key, no hint
        assert win.play_button.toolTip() == "Play / pause from the cursor (Ctrl+Space)"
        assert win.chart_combo.toolTip().endswith("(Ctrl+Alt+Left/Ctrl+Alt+Right)")
        win.timing_nudges.nudge_bpm(1)
        assert "Ctrl+Alt+7/Ctrl+Alt+8, x10: Shift+F7/Shift+F8" in win.statusBar().currentMessage()
        assert "F7/F8" not in win.statusBar().currentMessage().replace("Shift+F7/Shift+F8", "")
        win.actions["play.beat_ticks"].setShortcut("Ctrl+B")  # the label follows the action's key
        assert win.playback_panel.beat_ticks.text() == "beats (Ctrl+B)"


def test_an_unknown_action_is_not_blamed_on_its_key(qapp, tmp_path):
    """The key-spelling hint is for a key Qt cannot read; a mistyped action id gets the closest id instead."""
    _keymap, warning = effective_keymap(write(tmp_path, {"edit.mirorr": "M"}))
    assert "Qt cannot read" not in warning
    assert "did you mean 'edit.mirror'?" in warning
    assert "resources/keymap.json" in warning
    _keymap, warning = effective_keymap(write(tmp_path, {"edit.flip": "Ctrl+Foo"}))
    assert "Qt cannot read it: write e.g. 'Ctrl+Shift+M'" in warning


def test_a_modifier_alone_or_more_than_four_keys_is_left_out_and_named(qapp, tmp_path):
    """Qt reads "Shift" and "Ctrl+Shift" as keys but never fires them, and drops a 5th key without a word: such an
    entry is named in the warning and the action keeps its default key (audit 24)."""
    path = write(tmp_path, {"edit.mirror": "Shift", "edit.flip": "Ctrl+Shift", "edit.mirror_flip": "Ctrl+K, L, M, N, O",
                            "edit.turn_left": "Ctrl+K, L, M, N", "edit.turn_right": "Ctrl+,, Shift+,"})
    kept, refused = read_keymap(path)
    assert kept == {"edit.turn_left": "Ctrl+K, L, M, N", "edit.turn_right": "Ctrl+,, Shift+,"}
    assert [line.split(" (")[0] for line in refused] == ["invalid shortcut 'Shift' for edit.mirror",
                                                         "invalid shortcut 'Ctrl+Shift' for edit.flip",
                                                         "invalid shortcut 'Ctrl+K, L, M, N, O' for edit.mirror_flip"]
    assert "a modifier or lock key alone never fires a shortcut" in refused[0]
    assert "5 keys: Qt reads at most 4" in refused[2]
    keymap, warning = effective_keymap(path)
    assert (keymap["edit.mirror"], keymap["edit.flip"], keymap["edit.mirror_flip"]) == ("T", "Y", "G")
    assert "'Shift' for edit.mirror" in warning
    assert "'Ctrl+K, L, M, N, O'" in warning


def test_keys_are_counted_as_qt_splits_them(qapp):
    from editor.key_reading import key_parts

    assert key_parts("Ctrl+K, L,M, N, O") == ["Ctrl+K", "L", "M", "N", "O"]
    assert key_parts("Ctrl+,, Shift+,") == ["Ctrl+,", "Shift+,"]
    assert key_parts("Ctrl+,") == ["Ctrl+,"]
    assert key_parts("") == []
