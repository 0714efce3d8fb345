"""``main.py separate`` through a real subprocess: arguments checked before any work, decoder warnings printed as
one ``warning:`` line each (also from the cache), mpg123's own stderr lines kept out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[2]
SR = 22050


def _separate(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "separate", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def _stereo_noise(seconds: float) -> np.ndarray:
    return (np.random.default_rng(0).standard_normal((int(seconds * SR), 2)) * 0.1).astype(np.float32)


def test_a_stem_typo_is_refused_before_separating(tmp_path):
    """--stems was checked after the whole separation, which also left a cache entry behind."""
    wav = tmp_path / "song.wav"
    sf.write(wav, _stereo_noise(20.0), SR)
    run = _separate(wav, "-o", tmp_path / "out", "--stems", "vocal", "--cache-dir", tmp_path / "cache")
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: unknown stem 'vocal' for this method (available: vocals, accompaniment, drums)"]
    assert "separating" not in run.stderr
    assert not (tmp_path / "cache").exists()
    assert not (tmp_path / "out").exists()


def test_truncated_mp3_says_so_once_per_run_without_native_noise(tmp_path):
    full = tmp_path / "full.mp3"
    with sf.SoundFile(str(full), "w", SR, 2, format="MP3", subtype="MPEG_LAYER_III") as f:
        x = _stereo_noise(12.0)
        for i in range(0, len(x), 4096):
            f.write(x[i:i + 4096])
    song = tmp_path / "song.mp3"
    song.write_bytes(full.read_bytes()[:full.stat().st_size // 2])
    args = (song, "-o", tmp_path / "stems", "--stems", "vocals", "--cache-dir", tmp_path / "cache", "--force")
    for attempt in ("decoded", "cached"):
        run = _separate(*args)
        assert run.returncode == 0, run.stderr
        warned = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
        assert len(warned) == 1, attempt
        assert "song.mp3 ends at" in warned[0]
        assert "(truncated?)" in warned[0]
        assert "Xing" not in run.stderr, attempt  # mpg123's own "Warning: Xing stream size off ..." lines
        assert "Warning:" not in run.stderr, attempt


def test_non_finite_samples_separate(tmp_path):
    """A NaN in a float WAV ended in librosa's 'Audio buffer is not finite everywhere' traceback."""
    x = _stereo_noise(4.0)
    x[SR, 0] = np.nan
    wav = tmp_path / "nan.wav"
    sf.write(wav, x, SR, subtype="FLOAT")
    run = _separate(wav, "-o", tmp_path / "stems", "--cache-dir", tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "warning: audio nan.wav holds 1 sample that is not a number" in run.stderr
    vocals, _ = sf.read(tmp_path / "stems" / "vocals.wav")
    assert np.isfinite(vocals).all()
