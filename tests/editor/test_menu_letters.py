"""A menu that a user's key displaces takes a letter no other menu needs when one is left, rather than another
menu's Alt letter (which left Help without an Alt key); a menu that merely got its own letter back is not
reported as moved."""

from __future__ import annotations

import json

import pytest

from tests.editor.keymap_window import window_with_keymap

pytestmark = pytest.mark.qt


@pytest.mark.parametrize(("key", "title", "untouched"), [
    ("Alt+P", "Pla&yback", "He&lp"),  # was Pla&yback -> P&layback, and Help had no Alt key
    ("Alt+V", "Vie&w", "T&iming"),  # was V&iew, pushing Timing on to Alt+N
])
def test_a_displaced_menu_takes_a_free_letter(qapp, tmp_path, key, title, untouched):
    from editor.actions import effective_keymap
    from editor.menus import MENUS, alt_letter, menu_titles, shipped_titles

    path = tmp_path / "keymap.json"
    path.write_text(json.dumps({"edit.to_fake": key}))
    keymap, warning = effective_keymap(path)
    titles = menu_titles(MENUS, {x for x in map(alt_letter, keymap.values()) if x}, shipped_titles())
    assert title in titles
    assert untouched in titles
    assert sum(a != b for a, b in zip(titles, shipped_titles(), strict=True)) == 1  # only the menu the key took
    assert warning is not None
    assert "has no Alt key" not in warning
    assert f"so the {title.replace('&', '')} menu opens with Alt+{title[title.index('&') + 1].upper()}" in warning
    assert warning.count("menu opens with") == 1


def test_a_menu_that_got_its_letter_back_is_not_reported_as_moved(qapp, tmp_path):
    from editor.actions import effective_keymap

    path = tmp_path / "keymap.json"
    path.write_text(json.dumps({"edit.to_hold": "Ctrl+Shift+H", "edit.to_fake": "Alt+F"}))
    warning = effective_keymap(path)[1]
    assert warning is not None
    assert warning == "keymap: Alt+F now does Convert to Fakes, so the File menu opens with Alt+L"  # Help's L is free
    # Help is &Help again, as shipped: not listed (it was, as "the Help menu opens with Alt+H")


def test_the_window_shows_the_chosen_letters(qtbot, settings, boxes):
    with window_with_keymap(qtbot, settings, {"edit.to_fake": "Alt+P"}, show=False) as win:
        titles = [a.text() for a in win.menuBar().actions()]
        assert "Pla&yback" in titles
        assert "He&lp" in titles
