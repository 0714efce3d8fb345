"""JSON nested deeper than Python parses ('[[[[...', a damaged or hostile keymap, clipboard text, autosave marker)
is a one-line warning or ignored, never an uncaught RecursionError (the editor did not start with such a keymap)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

DEEP = '{"edit.mirror":' + "[" * 100_000 + "]" * 100_000 + "}"


def test_a_deeply_nested_keymap_is_one_line(tmp_path):
    from editor.actions import KeymapError, read_keymap

    (tmp_path / "keymap.json").write_text(DEEP, encoding="utf-8")
    with pytest.raises(KeymapError, match="nested too deeply"):
        read_keymap(tmp_path / "keymap.json")


def test_a_deeply_nested_autosave_marker_reads_as_none(tmp_path):
    from editor.controllers.autosave_files import MARKER, read_marker

    (tmp_path / MARKER).write_text(DEEP, encoding="utf-8")
    assert read_marker(tmp_path) == {}


def test_deeply_nested_clipboard_text_pastes_the_local_copy(qtbot):
    from PySide6.QtGui import QGuiApplication

    from editor.controllers.transforms import TransformController

    QGuiApplication.clipboard().setText(DEEP)
    local = SimpleNamespace(_copied=None, clipboard=[], clipboard_span=0, clip_sounds=None)
    assert TransformController._clipboard_notes(local) == ([], 0, None)  # type: ignore[arg-type]
