"""The separator's numba median on a full disk (found in audit 25: ``separate`` on a fresh clone said "error: File
too large" instead of its one line naming the cache): numba compiles the kernel, then fails to save its on-disk
cache; the filter runs uncached instead. A file-size limit (writes past it fail with EFBIG, as ENOSPC does on a
full disk) stands in for the full disk, and a fresh NUMBA_CACHE_DIR makes numba write its cache."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import numpy as np
from scipy.ndimage import median_filter
from audio.separation_median import median_filter_axis
a = np.random.default_rng(0).random((40, 300)).astype(np.float32)
got = median_filter_axis(a, 31, 1)
assert np.array_equal(got, median_filter(a, size=(1, 31), mode="reflect"))
print("ok")
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def test_the_median_runs_when_numba_cannot_save_its_cache(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                          preexec_fn=_limit, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_separate_on_a_full_disk_with_a_fresh_numba_cache_names_the_cache(tmp_path):
    """The whole command, as on a fresh install: librosa's istft (numba, cache=True) could not save its cache
    either and ``separate`` said "error: File too large" with no path; it now gets as far as the stem cache, whose
    write fails with the documented line."""
    import numpy as np
    import soundfile as sf

    sr = 8000
    song = tmp_path / "song.wav"
    sf.write(song, (0.2 * np.random.default_rng(0).standard_normal((5 * sr, 2))).astype(np.float32), sr,
             subtype="PCM_16")
    cache = tmp_path / "cache"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "PYTHONDONTWRITEBYTECODE": "1"}

    def limit() -> None:  # 1 kB: every numba cache file fails (librosa's, saved while it is imported, too)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    done = subprocess.run([sys.executable, "main.py", "separate", str(song), "-o", str(tmp_path / "out"),
                           "--cache-dir", str(cache), "--stems", "vocals"], cwd=REPO, env=env,
                          capture_output=True, text=True, preexec_fn=limit, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.splitlines()[-1] == f"error: disk full or not writable: {cache}", done.stderr[-2000:]


def test_only_numba_cache_errors_are_retried():
    from audio.numba_cache import from_numba_cache, uncached_on_failure

    calls = []

    def fails():
        calls.append(1)
        raise OSError(28, "No space left on device")

    import pytest

    with pytest.raises(OSError, match="No space left"):
        uncached_on_failure(fails)
    assert len(calls) == 1  # not from numba's cache code: raised at once
    assert not from_numba_cache(ValueError("x"))
