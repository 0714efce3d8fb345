"""A cache entry whose stem file is damaged (emptied, cut short: a power loss after the rename) is separated again
and replaced whole; a cache folder that cannot be written ends with the one documented line."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.separation import SeparationError, StemSet, separate_file
from tests.audio.signals import HalfSeparator

SR = 8000


def _song(path: Path) -> np.ndarray:
    x = (0.3 * np.random.default_rng(5).standard_normal((3 * SR, 2))).astype(np.float32)
    sf.write(path, x, SR, subtype="FLOAT")
    return x.T


def _separate(path: Path, cache: Path, **kw) -> StemSet:
    return separate_file(path, separator_factory=lambda sr, ch: HalfSeparator(), cache_dir=cache, **kw)


@pytest.mark.parametrize("damage", ["empty", "cut"])
def test_a_damaged_stem_file_is_separated_again(tmp_path, damage):
    """An emptied stem ended every later run in a libsndfile traceback; a cut one was returned short (the editor:
    "operands could not be broadcast together")."""
    song, cache = tmp_path / "song.wav", tmp_path / "c"
    original = _song(song)
    first = _separate(song, cache)
    stem = first.path("vocals" if damage == "empty" else "accompaniment")
    with open(stem, "r+b") as fh:
        fh.truncate(0 if damage == "empty" else stem.stat().st_size // 3)
    with pytest.raises(SeparationError):
        StemSet.open(first.folder)
    calls: list[float] = []
    again = _separate(song, cache, progress=calls.append)
    assert calls  # separated again, not answered from the damaged entry
    assert again.folder == first.folder
    np.testing.assert_allclose(again.load("vocals"), 0.5 * original, atol=1e-6)
    np.testing.assert_allclose(again.load("accompaniment"), 0.5 * original, atol=1e-6)
    assert sorted(p.name for p in cache.iterdir()) == [first.folder.name]


def test_a_stem_damaged_after_opening_is_one_clear_error(tmp_path):
    song, cache = tmp_path / "song.wav", tmp_path / "c"
    _song(song)
    stems = _separate(song, cache)
    stems.path("vocals").write_bytes(b"")
    with pytest.raises(SeparationError, match="separate the song again"):
        stems.load("vocals")


def test_stem_files_are_fsynced_before_the_entry_is_published(tmp_path, monkeypatch):
    song, cache = tmp_path / "song.wav", tmp_path / "c"
    _song(song)
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    _separate(song, cache)
    assert {"vocals.wav", "accompaniment.wav"} <= set(synced)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EPERM])
@pytest.mark.parametrize("where", ["mkdir", "work folder"])
def test_a_cache_folder_that_cannot_be_written_is_the_documented_line(tmp_path, monkeypatch, code, where):
    """A read-only cache gave the raw errno text naming a hidden work folder ("Read-only file system: .../.key...tmp")
    or, in the editor, "[Errno 30] ..."."""
    song, cache = tmp_path / "song.wav", tmp_path / "c" / "separation"
    _song(song)
    error = OSError(code, os.strerror(code), str(cache))
    if where == "mkdir":
        real_mkdir = Path.mkdir

        def mkdir(self: Path, *args, **kw) -> None:
            if self == cache:
                raise error
            real_mkdir(self, *args, **kw)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    else:
        def make_work_folder(root: Path, key: str):
            raise error

        monkeypatch.setattr("audio.separation_cache.make_work_folder", make_work_folder)
    with pytest.raises(SeparationError) as caught:
        _separate(song, cache)
    assert str(caught.value) == f"disk full or not writable: {cache} ({os.strerror(code)})"
