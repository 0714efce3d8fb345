"""A main window started with a user keymap.json, for the tests of remapped keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def window_with_keymap(qtbot, settings, keymap: dict, show: bool = True) -> Iterator:
    """The window made after ``keymap`` was written as the user's keymap.json (shown and exposed unless ``show`` is
    False), shut down without its close prompt afterwards."""
    from editor.main_window import MainWindow
    from editor.settings import app_data_dir

    app_data_dir().mkdir(parents=True, exist_ok=True)
    (app_data_dir() / "keymap.json").write_text(json.dumps(keymap))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    if show:
        win.show()
        qtbot.waitExposed(win)
    try:
        yield win
    finally:
        win.skip_close_prompt = True
        win.shutdown()
