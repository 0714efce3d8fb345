"""``main.py separate`` and files already in the output folder: never the input itself, other stems only with
--force (both refused before any work); ``--help`` names the real default cache folder."""

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


def _song(path: Path, seconds: float = 2.0) -> Path:
    sf.write(path, (np.random.default_rng(0).standard_normal((int(seconds * SR), 2)) * 0.1).astype(np.float32), SR)
    return path


def test_a_stem_that_would_replace_the_input_is_refused(tmp_path):
    """`separate stems/vocals.wav -o stems/` replaced its own input with its vocals stem, exit 0."""
    song = _song(tmp_path / "vocals.wav")
    before = song.read_bytes()
    for extra in ((), ("--force",)):
        run = _separate(song, "-o", tmp_path, "--cache-dir", tmp_path / "cache", *extra)
        assert run.returncode == 2, run.stderr
        assert run.stderr.strip().splitlines() == [
            f"error: -o {tmp_path} would replace the input {song} with its vocals stem; choose another folder"]
        assert song.read_bytes() == before
        assert not (tmp_path / "cache").exists()  # refused before any work


def test_existing_stems_are_replaced_only_with_force(tmp_path):
    song = _song(tmp_path / "song.wav")
    out, cache = tmp_path / "stems", ("--cache-dir", tmp_path / "cache")
    out.mkdir()
    (out / "vocals.wav").write_bytes(b"earlier work")
    run = _separate(song, "-o", out, "--stems", "vocals,drums", *cache)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines() == [f"error: -o {out} already holds vocals.wav; pass --force to replace them"]
    assert (out / "vocals.wav").read_bytes() == b"earlier work"
    assert not (out / "drums.wav").exists()
    assert not (tmp_path / "cache").exists()
    run = _separate(song, "-o", out, "--stems", "vocals,drums", "--force", *cache)
    assert run.returncode == 0, run.stderr
    assert sf.info(out / "vocals.wav").frames == 2 * SR


def test_help_names_the_real_default_cache(monkeypatch):
    """--help said ~/.cache/genelive-studio; the cache is its `separation` folder."""
    from audio.separation import default_cache_dir
    from cli.common import build_parser

    monkeypatch.delenv("GENELIVE_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    sub = next(a for a in build_parser()._actions if a.dest == "command").choices["separate"]
    text = next(a for a in sub._actions if a.dest == "cache_dir").help
    real = "~/" + default_cache_dir().relative_to(Path.home()).as_posix()
    assert f"(default {real}," in text
    monkeypatch.setenv("GENELIVE_CACHE_DIR", "/x")
    assert default_cache_dir().as_posix() == "/x/separation"
    assert "$GENELIVE_CACHE_DIR/separation" in text
