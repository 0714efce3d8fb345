"""``separate`` on a full disk: one line and exit 2, not libsndfile's traceback ("System error.", a RuntimeError),
and nothing half-written. A file-size limit (RLIMIT_FSIZE: writes past it fail with EFBIG, as with ENOSPC on a
full disk) stands in for the full disk."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[2]
SR = 8000
LIMIT_BYTES = 100_000  # a float stem of the 5 s stereo song is 320 kB


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def _separate(song: Path, out: Path, cache: Path, limited: bool) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "separate", str(song), "-o", str(out), "--cache-dir", str(cache),
                           "--stems", "vocals"], cwd=REPO, capture_output=True, text=True,
                          preexec_fn=_limit if limited else None)


@pytest.fixture
def song(tmp_path) -> Path:
    path = tmp_path / "song.wav"
    x = 0.2 * np.random.default_rng(0).standard_normal((5 * SR, 2))
    sf.write(path, x.astype(np.float32), SR, subtype="PCM_16")  # 160 kB: under the limit, it is only read
    return path


def test_a_full_disk_while_filling_the_cache_is_one_line(song, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    done = _separate(song, out, cache, limited=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == f"error: disk full or not writable: {cache}"
    assert "Traceback" not in done.stderr
    assert list(cache.iterdir()) == []  # no entry, no work folder


def test_a_full_disk_while_writing_the_stems_is_one_line(song, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    assert _separate(song, tmp_path / "first", cache, limited=False).returncode == 0  # cached: only -o is written
    done = _separate(song, out, cache, limited=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == f"error: disk full or not writable: {out}"
    assert "Traceback" not in done.stderr
    assert not out.exists()  # no stem, no temporary file: the folder this run made is removed again
