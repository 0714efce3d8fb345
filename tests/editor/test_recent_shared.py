"""Open Recent with two editor processes (audit 22): each changed the list from its own in-memory copy of the
settings file and wrote it back whole, so the files the other process had opened meanwhile were lost."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.qt


def other_process(ini, code: str) -> None:
    """Run ``code`` (with ``settings``, an EditorSettings on ``ini``) in another Python process, as a second
    editor would."""
    script = ("import sys; from editor.settings import EditorSettings, use_ini_file; "
              f"use_ini_file({str(ini)!r}); settings = EditorSettings(); {code}; settings.sync()")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_open_recent_keeps_the_files_another_editor_process_opened(settings, tmp_path):
    ini = settings.qs.fileName()
    mine, theirs, later = (tmp_path / f"{name}.ssc" for name in ("mine", "theirs", "later"))
    settings.add_recent(mine)
    settings.sync()
    other_process(ini, f"settings.add_recent({str(theirs)!r})")  # opened there while this one runs
    assert settings.add_recent(later) == [str(later), str(theirs), str(mine)]  # was [later, mine]
    settings.sync()
    other_process(ini, f"settings.add_recent({str(mine)!r})")
    assert settings.remove_recent(later) == [str(mine), str(theirs)]  # a gone file is forgotten, the rest kept
