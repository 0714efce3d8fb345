"""Settings that cannot be written are said, once, and the state stays honest: the AI panel's Token field with the
app data folder unwritable (read-only, a full disk) keeps the token for this session and says it was not kept (an
OSError escaped the Qt slot and remote drafts went out with no token); a settings file that cannot be written is
one warning line (recent files, layout and latency were lost at the next start without a word)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt


def test_a_token_that_cannot_be_written_is_used_and_said(window, settings):
    from editor.settings import app_data_dir

    app_data_dir().parent.mkdir(parents=True, exist_ok=True)
    app_data_dir().write_text("a file where the app data folder should be")  # no file can be made in it
    field = window.ai_panel.token
    field.setText("my-secret-token")
    field.editingFinished.emit()  # raised NotADirectoryError/FileExistsError out of the slot
    assert settings.get("ai/remote_token") == "my-secret-token"  # was '': drafts went out without it
    shown = window.statusBar().currentMessage()
    assert "Remote token not kept: cannot write" in shown
    assert "it is used until the editor closes" in shown
    field.setText("")
    field.editingFinished.emit()
    assert settings.get("ai/remote_token") == ""


def test_a_token_kept_says_nothing(settings):
    assert settings.keep_secret("ai/remote_token", "abc") is None
    assert settings.get("ai/remote_token") == "abc"


def test_a_settings_file_that_cannot_be_written_is_said_once(qtbot, boxes, tmp_path, song_files):
    from editor.main_window import MainWindow
    from editor.settings import EditorSettings, use_ini_file

    (tmp_path / "blocked").write_text("a file where the settings folder should be")
    use_ini_file(tmp_path / "blocked" / "editor.ini")
    try:
        win = MainWindow(EditorSettings())
        qtbot.addWidget(win)
        assert win.open_path(song_files.chart)  # Open Recent is written: no second line
        said = [m.text for m in win.message_bar.log if "Settings cannot be saved" in m.text]
        assert len(said) == 1, said
        assert str(tmp_path / "blocked" / "editor.ini") in said[0]
        win.skip_close_prompt = True
        win.shutdown()
    finally:
        use_ini_file(None)


def test_a_writable_settings_file_says_nothing(window, song_files):
    assert window.open_path(song_files.chart)
    assert not [m for m in window.message_bar.log if "Settings cannot be saved" in m.text]
