"""chart.fileio: atomic replace, .bak handling, failures leave the old file and no temporary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chart import fileio
from chart.fileio import atomic_write_bytes, atomic_write_text


def test_write_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "a.ssc"
    atomic_write_text(path, "one", keep_backup=True)
    assert path.read_text() == "one"
    assert not (tmp_path / "a.ssc.bak").exists()  # nothing to back up yet
    atomic_write_text(path, "two", keep_backup=True)
    atomic_write_text(path, "three", keep_backup=True)
    assert path.read_text() == "three"
    assert (tmp_path / "a.ssc.bak").read_text() == "two"
    atomic_write_text(path, "four")
    assert (tmp_path / "a.ssc.bak").read_text() == "two"  # without keep_backup the backup is left alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ssc", "a.ssc.bak"]


def test_failed_write_keeps_old_file_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.sm"
    atomic_write_bytes(path, b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        atomic_write_bytes(path, b"new" * 1000, keep_backup=True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.sm"]


def test_backup_by_copy_where_links_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.osu"
    atomic_write_text(path, "first")

    def no_links(src, dst) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(fileio.os, "link", no_links)
    atomic_write_text(path, "second", keep_backup=True)
    assert (tmp_path / "a.osu.bak").read_text() == "first"
    assert path.read_text() == "second"


def test_stale_backup_staging_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "a.ssc"
    atomic_write_text(path, "first")
    stale = tmp_path / f".a.ssc.bak.{os.getpid()}.tmp"  # as a killed process with our pid would leave it
    stale.write_text("garbage")
    atomic_write_text(path, "second", keep_backup=True)
    assert (tmp_path / "a.ssc.bak").read_text() == "first"
    assert not stale.exists()


def test_backup_is_an_independent_file(tmp_path: Path) -> None:
    path = tmp_path / "a.ssc"
    atomic_write_text(path, "first")
    atomic_write_text(path, "second", keep_backup=True)
    atomic_write_text(path, "third", keep_backup=True)  # the hard link must not tie .bak to the new file
    assert (tmp_path / "a.ssc.bak").read_text() == "second"


def test_new_files_get_the_umask_mode_and_old_files_keep_theirs(tmp_path) -> None:
    """Regression: mkstemp's 0600 leaked into saved charts, making them unreadable to other users."""
    import os
    import stat

    from chart.fileio import atomic_write_text

    umask = os.umask(0o022)
    try:
        new = atomic_write_text(tmp_path / "new.ssc", "a")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        os.chmod(new, 0o640)
        atomic_write_text(new, "b", keep_backup=True)
        assert stat.S_IMODE(new.stat().st_mode) == 0o640
    finally:
        os.umask(umask)


def test_a_symlinked_file_is_written_through_its_link(tmp_path: Path) -> None:
    real = tmp_path / "library" / "song.ssc"
    real.parent.mkdir()
    atomic_write_text(real, "old")
    link = tmp_path / "Songs" / "song.ssc"
    link.parent.mkdir()
    link.symlink_to(real)
    assert atomic_write_text(link, "new", keep_backup=True) == link
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert (real.parent / "song.ssc.bak").read_text() == "old"


def test_a_name_at_the_length_limit_can_be_written(tmp_path: Path) -> None:
    path = tmp_path / ("é" * 124 + ".ssc")  # 252 bytes: the temporary's name must still fit in 255
    atomic_write_text(path, "one")
    atomic_write_text(path, "two", keep_backup=True)  # no room for a .bak name: saved without one
    assert path.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_several_files_are_replaced_together_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    paths = [tmp_path / f"song [{k}].osu" for k in range(3)]
    for p in paths:
        atomic_write_text(p, "old")
    real = fileio._write_temporary

    def full(path, data):
        if path == paths[2]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(fileio, "_write_temporary", full)
    with pytest.raises(OSError, match="No space"):
        fileio.atomic_write_many([(p, b"new") for p in paths])
    assert [p.read_text() for p in paths] == ["old"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    monkeypatch.setattr(fileio, "_write_temporary", real)
    assert fileio.atomic_write_many([(p, b"new") for p in paths]) == paths
    assert [p.read_text() for p in paths] == ["new"] * 3


def test_a_folder_in_the_way_of_one_file_leaves_the_set_unchanged(tmp_path: Path) -> None:
    """A folder named like the third file of a set: the first two were replaced (and exit 2 said nothing of
    them); now the set is written whole or not at all."""
    paths = [tmp_path / f"song [{k}].osu" for k in range(3)]
    for p in paths[:2]:
        atomic_write_text(p, "old")
    paths[2].mkdir()
    with pytest.raises(IsADirectoryError) as err:
        fileio.atomic_write_many([(p, b"new") for p in paths])
    assert err.value.filename == str(paths[2])
    assert [p.read_text() for p in paths[:2]] == ["old"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_a_replace_that_fails_midway_puts_the_set_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rename that fails after others of the set were done (a file made read-only by another program, a
    disk error): the files replaced before it get their old contents back, a file new to the folder goes."""
    import errno

    paths = [tmp_path / f"song [{k}].osu" for k in range(4)]
    for p in paths[:3]:
        atomic_write_text(p, f"old {p.name}")
    real = os.replace

    def fails_third(src, dst):
        if str(dst) == str(paths[2]):
            raise OSError(errno.EIO, "Input/output error", str(src), None, str(dst))
        return real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", fails_third)
    with pytest.raises(OSError, match="Input/output"):
        fileio.atomic_write_many([(p, b"new") for p in [paths[3], paths[0], paths[1], paths[2]]])
    monkeypatch.setattr(fileio.os, "replace", real)
    assert [p.read_text() for p in paths[:3]] == [f"old {p.name}" for p in paths[:3]]
    assert not paths[3].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths[:3])
