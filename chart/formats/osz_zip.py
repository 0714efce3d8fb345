"""The zip side of ``.osz`` archives: what may be read (safety checks), extraction beside the archive, and
byte-identical writing. The beatmap side (difficulties, the files a set carries) is :mod:`chart.formats.osz`.

An ``.osz`` comes from anyone (a download, a chat attachment), so nothing in it is trusted before it is read:

* every name must stay inside the set folder: absolute names (``/x``, ``C:x``), ``..`` parts and control characters
  are refused (``\\`` is read as ``/``, as Windows tools write it, so ``..\\x`` is caught too);
* symbolic links, encrypted files, two files whose names differ only in case (one would overwrite the other on
  Windows and macOS) and a file where another needs a folder are refused;
* :data:`MAX_ARCHIVE_BYTES` caps what the archive unpacks to (a zip bomb says small, unpacks huge): the declared
  sizes are summed before anything is written, and zipfile stops each file at its declared size (a file that
  lies fails its CRC);
* a damaged archive (not a zip, truncated, bad CRC, an unknown compression) is a one-line :class:`ParseError`.

Extraction writes into a hidden temporary folder beside the archive and renames it into place only when every file
is on disk, so a full disk or a bad file half-way leaves nothing behind. A command that writes an archive over one
whose extraction sits beside it brings that folder up to date (:func:`extraction_of`, :func:`refresh_extraction`),
or the archive it wrote would not open again.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from chart.fileio import fsync_dir
from chart.formats.errors import ParseError

MAX_ARCHIVE_BYTES = 512 * 2**20  # real sets are 5-50 MB (audio, background, a video at most)
MAX_MEMBERS = 10_000
STAMP = (1980, 1, 1, 0, 0, 0)  # every member's time (zip's earliest): a re-export is byte-identical
_DRIVE = re.compile(r"[A-Za-z]:")
_CHUNK = 1 << 20

Member = tuple[str, zipfile.ZipInfo]  # (safe name, its entry)


@contextlib.contextmanager
def opened(source: Path | bytes) -> Iterator[zipfile.ZipFile]:
    """The archive at a path (or held in memory) open for reading; every zip failure inside the ``with`` (damage
    found while reading a file included) becomes a one-line ParseError, naming the path."""
    where = None if isinstance(source, bytes) else str(source)
    try:
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
        if size > MAX_ARCHIVE_BYTES:
            raise ParseError(f"archive too large ({size / 2**20:.1f} MB; the limit is {MAX_ARCHIVE_BYTES // 2**20} MB)")
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            yield zf
    except ParseError as err:
        raise err if err.path or where is None else err.with_path(where) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError) as err:
        raise ParseError(f"not a readable zip archive (damaged or truncated?): {_reason(err)}", path=where) from None
    except OSError as err:
        raise ParseError(f"cannot read: {err.strerror or err}", path=where) from None


def _reason(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def safe_name(raw: str) -> str:
    """A member's name as a relative POSIX path inside the set folder ("" for a folder entry); ParseError for a
    name that would leave the folder or cannot be a file name."""
    if any(ord(c) < 32 for c in raw):
        raise ParseError(f"a file name with control characters ({raw!r}): refused")
    name = raw.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise ParseError(f"an absolute file name ({raw}): refused")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ParseError(f"a file name that leaves the set folder ({raw}): refused")
    return "/".join(parts) if not raw.endswith(("/", "\\")) else ""


def checked_members(zf: zipfile.ZipFile) -> list[Member]:
    """The archive's files (folder entries left out) with safe names, after every check of the module docstring
    that needs no reading: names, links, encryption, clashes, the unpacked size."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ParseError(f"holds {len(infos)} files; the limit is {MAX_MEMBERS}")
    out: list[Member] = []
    total = 0
    for info in infos:
        name = safe_name(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ParseError(f"holds a symbolic link ({info.filename}): refused")
        if not name or info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ParseError(f"{info.filename} is encrypted (osu! reads no password-protected archive)")
        total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            raise ParseError(f"unpacks to more than {MAX_ARCHIVE_BYTES // 2**20} MB (a zip bomb?): refused")
        out.append((name, info))
    seen: dict[str, str] = {}
    for name, _info in out:
        if name.casefold() in seen:
            raise ParseError(f"holds two files named {seen[name.casefold()]} and {name} (one would overwrite the "
                             f"other)")
        seen[name.casefold()] = name
    for name, _info in out:
        parts = name.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]).casefold() in seen:
                raise ParseError(f"holds a file {'/'.join(parts[:i])} where {name} needs a folder")
    return out


def extract_folder(archive: Path) -> Path:
    """Where :func:`extract` puts an archive: the folder beside it named after it (``Song.osz`` -> ``Song``), as
    osu! names a set it imports."""
    return archive.with_suffix("")


def extract(zf: zipfile.ZipFile, members: Sequence[Member], archive: Path) -> Path:
    """The archive's files in :func:`extract_folder`, extracted there unless that folder holds them already (every
    file the same; files of its own beside them are fine: a chart saved there, backups). Any other folder of that
    name is refused, never written into: it holds work of its own (the set edited since it was extracted)."""
    folder = extract_folder(archive)
    if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
        folder.rmdir()  # an empty folder is in nobody's way
    elif folder.exists() or folder.is_symlink():
        why = _differs(zf, members, folder)
        if why is None:
            return folder
        raise ParseError(f"the folder {folder.name} beside it {why}: open that folder, or move it away to extract "
                         f"the archive again")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    except OSError as err:
        raise ParseError(f"cannot extract into {folder.parent}: {err.strerror or err}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the set folder is an ordinary one
        for name, info in members:
            _write_member(zf, info, tmp / name)
        fsync_dir(tmp)
        os.rename(tmp, folder)  # the whole set appears at once
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ParseError(f"cannot extract into {folder}: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_dir(folder.parent)
    return folder


def _write_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, open(dest, "xb") as dst:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > info.file_size:  # zipfile stops at the declared size; never trust that alone
                raise ParseError(f"{info.filename} unpacks to more than it declares: refused")
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def _differs(zf: zipfile.ZipFile, members: Sequence[Member], folder: Path) -> str | None:
    """How ``folder`` differs from the archive's files (None: it holds every one of them as it is)."""
    if not folder.is_dir():
        return "is a file, not a folder"
    for name, info in members:
        file = folder / name
        if not file.is_file():
            return f"has no {name} (it is not the archive's extraction)"
        if file.stat().st_size != info.file_size or not _same_bytes(zf, info, file):
            return f"holds another version of {name} (edited since it was extracted?)"
    return None


def _same_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: Path) -> bool:
    with zf.open(info) as a, open(file, "rb") as b:
        while chunk := a.read(_CHUNK):
            if b.read(len(chunk)) != chunk:
                return False
        return not b.read(1)


def write_zip(members: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of ``members`` in the order given, byte-identical for the same input: fixed times (:data:`STAMP`),
    Unix ``rw-r--r--`` files, text (``.osu``) deflated, audio and images (compressed already) stored."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED if name.lower().endswith(".osu") else zipfile.ZIP_STORED
            zf.writestr(info, data)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- writing over an archive
def extraction_of(archive: Path) -> frozenset[str] | None:
    """Asked before ``archive`` is written over: the names of its files when the folder beside it
    (:func:`extract_folder`) is its extraction as it stands (a plain folder holding every file of it unchanged;
    files of the user's own beside them do not matter), else None: no such folder, no readable archive, or a folder
    that differs (the user's work, never touched). The new archive would otherwise find a folder that is not its
    extraction and refuse to open (``draft Song.osz -o Song.osz``): :func:`refresh_extraction` follows the write.
    None too for a path that is no ``.osz``, so that every writer may ask."""
    if archive.suffix.lower() != ".osz":  # no archive is written there: nothing to refresh
        return None
    folder = extract_folder(archive)
    try:
        if not archive.is_file() or not folder.is_dir() or folder.is_symlink():
            return None
    except (OSError, ValueError):  # a name too long for the file system, a folder that cannot be read: the write says
        return None
    try:
        with opened(archive) as zf:
            members = checked_members(zf)
            if _differs(zf, members, folder) is not None:
                return None
    except ParseError:
        return None
    return frozenset(name for name, _info in members)


def refresh_extraction(archive: Path, old: frozenset[str]) -> str | None:
    """Make the folder beside ``archive``, the extraction of the archive it replaced (``old``: that one's files, from
    :func:`extraction_of`), the extraction of the new one: its files written where they differ, the old archive's
    files it no longer holds removed, the user's own files left alone. Returns a line to tell the user, or None when
    nothing changed. Left as it was (and said) when a file of the user's own is where the new archive puts another
    one, or the folder cannot be written: opening the archive then says so, as for any folder that differs.

    Not all at once like an extraction (the user's files stay in the folder, so it cannot be renamed into place),
    but each file is replaced whole, and every file taken away is in the old archive, kept as ``NAME.osz.bak``."""
    folder = extract_folder(archive)
    try:
        with opened(archive) as zf:
            members = checked_members(zf)
            new = {name for name, _info in members}
            old_folded = {name.casefold() for name in old}
            for name, info in members:  # a file of the user's own (not the old archive's) in the way: not replaced
                file = folder / name
                theirs = name not in old and name.casefold() not in old_folded and (file.exists() or file.is_symlink())
                if theirs and not _holds(zf, info, file):
                    return (f"the folder {folder} was left as it is: {name} there is not the old archive's; move it "
                            f"away to open {archive.name}")
            gone = sorted(name for name in old if name not in new)
            for name in gone:  # first: on a case-insensitive disk a new name may be an old one in other case
                (folder / name).unlink(missing_ok=True)
                _remove_empty_folders((folder / name).parent, folder)
            written = [(name, info) for name, info in members if not _holds(zf, info, folder / name)]
            for name, info in written:
                _replace_member(zf, info, folder / name)
    except (ParseError, OSError) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else err
        return f"the folder {folder} could not be brought up to date with {archive.name} ({why}): move it away"
    fsync_dir(folder)
    if not written and not gone:
        return None
    return (f"updated the folder {folder} (extracted from the old {archive.name}) to the new archive: "
            f"{len(written)} file{'s' * (len(written) != 1)} written, {len(gone)} removed")


def _holds(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: Path) -> bool:
    return (file.is_file() and not file.is_symlink() and file.stat().st_size == info.file_size
            and _same_bytes(zf, info, file))


def _replace_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    """``dest`` replaced whole by the member (a temporary file beside it, renamed over it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()
        _write_member(zf, info, tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an extracted file
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_empty_folders(folder: Path, top: Path) -> None:
    """``folder`` and the folders above it up to ``top`` (not included), while they are empty."""
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or gone): the rest above is not empty either
            return
        folder = folder.parent
