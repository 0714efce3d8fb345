"""Go to Timestamp with a text the parser refuses for its numbers (a beat over 0, a number of thousands of
digits): the dialog opens with it on the clipboard, shows the one-line reason, and nothing raises in a Qt slot."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QGuiApplication

pytestmark = pytest.mark.qt


@pytest.mark.parametrize("bad", ["b1/0", "0." + "9" * 5000])
def test_a_refused_number_on_the_clipboard_or_typed_is_a_preview_line(opened, monkeypatch, bad):
    win = opened
    raised: list[str] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: raised.append(f"{kind.__name__}: {value}"))
    QGuiApplication.clipboard().setText(bad)
    dialog = win.timestamps.dialog()  # the clipboard's text is no timestamp: the last one gone to instead
    assert dialog.text() == ""
    dialog.edit.setText(bad)
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    assert dialog.preview.text()
    assert "\n" not in dialog.preview.text()
    dialog.deleteLater()
    assert not win.timestamps.go_to(bad)
    assert win.statusBar().currentMessage().startswith("Go to Timestamp:")
    assert raised == []
    QGuiApplication.clipboard().setText("")
