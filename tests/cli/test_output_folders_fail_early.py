"""Output folders of long commands: ``separate -o`` into a folder that cannot be made fails before the separation
(it ran the whole separation first, then "error: Read-only file system: ro/stems"); ``export-triton`` onto a full
disk is "cannot write REPO: ..." (it said only "No space left on device") and removes the repository folder it made
(an empty one was left behind)."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from main import main

REPO = Path(__file__).resolve().parents[2]


def test_separate_into_a_folder_that_cannot_be_made_fails_before_separating(tmp_path):
    out = Path("/sys/genelive-stems-test/stems")  # /sys takes no new folder, not even from root
    if out.parent.exists():
        pytest.skip("/sys is writable here")
    wav = tmp_path / "song.wav"
    sf.write(wav, (np.random.default_rng(0).standard_normal((8000 * 5, 2)) * 0.1).astype(np.float32), 8000)
    run = subprocess.run([sys.executable, "main.py", "separate", str(wav), "-o", str(out), "--cache-dir",
                          str(tmp_path / "cache")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines()[-1].startswith(f"error: cannot write {out}: ")
    assert "separating" not in run.stderr  # refused before the work
    assert not (tmp_path / "cache").exists()


def test_a_failed_separation_removes_the_folder_it_made(tmp_path, capsys):
    bad = tmp_path / "song.wav"
    bad.write_bytes(b"not audio at all")
    out = tmp_path / "new" / "stems"
    assert main(["separate", str(bad), "-o", str(out), "--cache-dir", str(tmp_path / "cache")]) == 2
    assert not (tmp_path / "new").exists()


def test_export_triton_onto_a_full_disk_names_the_repository_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    import inference.serving.triton as triton

    def full(path, data, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(triton, "atomic_write_bytes", full)
    repo = tmp_path / "made" / "triton-repo"
    code = main(["export-triton", str(repo), "--models", str(REPO / "resources" / "models")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == f"error: cannot write {repo}: No space left on device"
    assert not (tmp_path / "made").exists()


def test_export_triton_onto_a_full_disk_keeps_a_repository_that_was_there(tmp_path, capsys, monkeypatch):
    import inference.serving.triton as triton

    def full(path, data, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(triton, "atomic_write_bytes", full)
    repo = tmp_path / "triton-repo"
    repo.mkdir()
    (repo / "mine.txt").write_text("kept")
    assert main(["export-triton", str(repo), "--models", str(REPO / "resources" / "models")]) == 2
    assert sorted(p.name for p in repo.iterdir()) == ["mine.txt"]
