"""The remote token is kept out of QSettings, in an owner-only file."""

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
