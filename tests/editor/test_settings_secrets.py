"""Settings: the remote token kept out of QSettings in an owner-only file; numbers a hand-edited INI gets wrong read as defaults."""

from __future__ import annotations

import stat

import pytest

pytestmark = pytest.mark.qt


@pytest.fixture
def settings(tmp_path):
    from editor.settings import EditorSettings, use_ini_file

    use_ini_file(tmp_path / "cfg" / "editor.ini")
    yield EditorSettings()
    use_ini_file(None)


def test_token_lives_in_a_0600_file_not_in_qsettings(settings, tmp_path):
    settings.set("ai/remote_url", "http://127.0.0.1:8080")
    settings.set("ai/remote_token", "  s3cret-token ")
    settings.sync()
    path = settings.secret_path("ai/remote_token")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.get("ai/remote_token") == "s3cret-token"
    assert "s3cret" not in (tmp_path / "cfg" / "editor.ini").read_text(encoding="utf-8")


def test_clearing_the_token_removes_its_file(settings):
    settings.set("ai/remote_token", "abc")
    settings.set("ai/remote_token", "")
    assert not settings.secret_path("ai/remote_token").exists()
    assert settings.get("ai/remote_token") == ""


def test_a_token_left_in_qsettings_by_an_older_version_moves_out(settings, tmp_path):
    settings.qs.setValue("ai/remote_token", "legacy-token")
    settings.sync()
    assert settings.get("ai/remote_token") == "legacy-token"
    settings.sync()
    assert "legacy-token" not in (tmp_path / "cfg" / "editor.ini").read_text(encoding="utf-8")
    assert stat.S_IMODE(settings.secret_path("ai/remote_token").stat().st_mode) == 0o600


def test_numbers_a_hand_edited_ini_gets_wrong_are_read_as_defaults(settings, qtbot):
    """zoom_pps=nan stopped the editor from starting (Cannot set range [nan, nan]); a 5 s latency and a 5x
    volume reached the player while the panel showed its limit; snap 7 became 1/4."""
    from editor.main_window import MainWindow

    for key, value in (("view/zoom_pps", "nan"), ("audio/visual_offset_ms", "nan"), ("audio/latency_ms", "5000"),
                       ("audio/music_volume", "5"), ("edit/divisor", "7"), ("ai/variants", "-3"),
                       ("audio/rate", "inf"), ("audio/tick_volume", "1e999")):
        settings.qs.setValue(key, value)
        assert settings.get(key) == settings.DEFAULTS[key], key
    settings.qs.setValue("audio/latency_ms", "120.5")
    assert settings.get("audio/latency_ms") == 120.5
    settings.qs.setValue("edit/divisor", "12")
    assert settings.get("edit/divisor") == 12
    win = MainWindow(settings)
    qtbot.addWidget(win)
    assert win.timeline.pps == settings.DEFAULTS["view/zoom_pps"]
    win.skip_close_prompt = True
    win.shutdown()
