"""Small wording: snap ordinals ("Select 32ths" read as a typo) and the AI panel's ◀/▶ tooltips with their keys."""

from __future__ import annotations


def test_select_snap_actions_use_english_ordinals():
    from editor.actions import SPECS, ordinal

    texts = [s.text for s in SPECS if s.id.startswith("edit.select_snap_")]
    assert "Select 32nds" in texts
    assert "Select 12ths" in texts
    assert "Select 32ths" not in texts
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 22, 192, 96)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "22nd", "192nd", "96th"]


def test_variant_buttons_name_their_actions_and_keys(opened):
    panel = opened.ai_panel
    assert panel.prev_variant.toolTip() == "Previous draft variant of the range ([)"
    assert panel.next_variant.toolTip() == "Next draft variant of the range (])"
    opened.actions["ai.next_variant"].setShortcut("Ctrl+]")
    assert panel.next_variant.toolTip().endswith("(Ctrl+])")  # follows the keymap
