"""The stem cache's robustness: bytes changed during a run, damaged entries, work folders of killed runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.separation import SeparationError, separate_file
from audio.separation_work import make_work_folder, release_work_folder, sweep_stale_work
from tests.audio.signals import HalfSeparator

REPO = Path(__file__).resolve().parents[2]
SR = 8000


def _song(path: Path, seed: int) -> np.ndarray:
    x = (0.3 * np.random.default_rng(seed).standard_normal((4 * SR, 2))).astype(np.float32)
    sf.write(path, x, SR, subtype="FLOAT")
    return x.T


def _separate(path: Path, cache: Path, **kw):
    return separate_file(path, separator_factory=lambda sr, ch: HalfSeparator(), cache_dir=cache, **kw)


def _entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_audio_overwritten_during_the_run_is_not_filed_under_the_old_bytes(tmp_path):
    """The key was the hash of the bytes before decoding; a re-export over the file mid-run filed a mix of old and
    new audio under it, returned for the old bytes from then on."""
    song, cache = tmp_path / "song.wav", tmp_path / "c"
    original = _song(song, 1)
    old_bytes = song.read_bytes()
    other = tmp_path / "other.wav"
    _song(other, 2)

    def overwrite(fraction: float) -> None:
        if 0.2 < fraction < 1.0 and song.read_bytes() == old_bytes:
            with open(song, "r+b") as fh:  # in place, same size: as an audio editor's re-export
                fh.write(other.read_bytes())

    with pytest.raises(SeparationError, match="changed while it was being separated; separate it again"):
        _separate(song, cache, progress=overwrite)
    assert _entries(cache) == []  # nothing cached, no work folder left
    song.write_bytes(old_bytes)
    stems = _separate(song, cache)
    np.testing.assert_allclose(stems.load("vocals"), 0.5 * original, atol=1e-6)


def test_an_entry_missing_a_stem_file_is_repaired(tmp_path):
    """A stem deleted by hand (meta.json kept): every run separated again, then failed "lacks a stem file"."""
    song, cache = tmp_path / "song.wav", tmp_path / "c"
    original = _song(song, 3)
    first = _separate(song, cache)
    first.path("vocals").unlink()
    again = _separate(song, cache)
    assert again.folder == first.folder
    np.testing.assert_allclose(again.load("vocals"), 0.5 * original, atol=1e-6)
    assert _entries(cache) == [first.folder.name]  # the damaged one went, no work or aside folder left
    calls: list[float] = []
    assert _separate(song, cache, progress=calls.append).folder == first.folder
    assert calls == []  # a cache hit from now on


def test_an_entry_without_meta_is_repaired_too(tmp_path):
    song, cache = tmp_path / "song.wav", tmp_path / "c"
    _song(song, 4)
    first = _separate(song, cache)
    (first.folder / "meta.json").unlink()
    assert _separate(song, cache).stems == ("vocals", "accompaniment")
    assert _entries(cache) == [first.folder.name]


def _age(folder: Path, seconds: float) -> None:
    when = time.time() - seconds
    for p in [*folder.iterdir(), folder]:
        os.utime(p, (when, when))


def test_sweep_removes_dead_work_folders_and_keeps_live_and_fresh_ones(tmp_path):
    live, live_fd = make_work_folder(tmp_path, "a" * 32)  # held by this run
    (live / "vocals.wav").write_bytes(b"x" * 100)
    _age(live, 7200)
    dead, dead_fd = make_work_folder(tmp_path, "b" * 32)
    (dead / "vocals.wav").write_bytes(b"x" * 100)
    release_work_folder(dead, dead_fd, remove=False)  # its process ended without cleaning up
    young, young_fd = make_work_folder(tmp_path, "c" * 32)
    release_work_folder(young, young_fd, remove=False)  # between mkdtemp and its lock, as far as a sweep can tell
    _age(dead, 7200)
    entry = tmp_path / ("d" * 32)
    entry.mkdir()
    _age(entry, 7200)
    try:
        assert sweep_stale_work(tmp_path) == [dead]
        assert live.is_dir()
        assert young.is_dir()
        assert entry.is_dir()
        assert not dead.exists()
    finally:
        release_work_folder(live, live_fd, remove=True)


def test_a_killed_runs_work_folder_goes_when_the_cache_is_next_used(tmp_path):
    """SIGKILL (the OOM killer, the editor closed mid-run) left 66 MB work folders in the cache for ever."""
    cache = tmp_path / "c"
    cache.mkdir()
    code = ("import os, signal, sys; from pathlib import Path; from audio.separation_work import make_work_folder; "
            "w, _ = make_work_folder(Path(sys.argv[1]), 'e' * 32); (w / 'vocals.wav').write_bytes(b'x' * 1000); "
            "os.kill(os.getpid(), signal.SIGKILL)")
    subprocess.run([sys.executable, "-c", code, str(cache)], cwd=REPO, check=False)
    (orphan,) = cache.iterdir()
    assert orphan.name.startswith(".")
    assert orphan.name.endswith(".tmp")
    _age(orphan, 120)
    song = tmp_path / "song.wav"
    _song(song, 5)
    stems = _separate(song, cache)
    assert _entries(cache) == [stems.folder.name]


def test_a_copy_served_from_the_cache_is_named_in_its_warnings(tmp_path):
    """Audit 25: the cache is keyed by the audio's bytes, and its stored warning named the file separated first:
    separating final_mix.wav, a byte copy of a truncated old_take.wav, said "audio old_take.wav ends at ..."."""
    full = tmp_path / "full.wav"
    _song(full, 3)
    data = full.read_bytes()
    for name in ("old_take.wav", "final_mix.wav"):
        (tmp_path / name).write_bytes(data[: len(data) // 2])  # cut: the decoder warns that it ends early
    cache = tmp_path / "cache"
    first = _separate(tmp_path / "old_take.wav", cache)
    assert first.warnings, "a truncated file is expected to warn"
    assert all(w.startswith("audio old_take.wav ") for w in first.warnings), first.warnings
    again = _separate(tmp_path / "final_mix.wav", cache)
    assert again.folder == first.folder  # served from the cache
    assert [w.replace("final_mix.wav", "old_take.wav") for w in again.warnings] == list(first.warnings)
    assert all(w.startswith("audio final_mix.wav ") for w in again.warnings), again.warnings
