"""Chart formats by file extension: ``load(path)``, ``load_folder(folder)``, ``save(song, path)``, ``formats()``,
``unrepresentable()``. An archive format (``.osz``, an osu! beatmap set zipped: :mod:`chart.formats.osz`) reads and
writes through its module's ``load_archive`` and ``dump_bytes`` instead of text.

Every reader raises only :class:`~chart.formats.errors.ParseError` (unreadable files included, with the path in
the message); writers raise :class:`~chart.formats.errors.WriteError` when notes would move, and write
atomically through :mod:`chart.fileio` (a crash leaves the old file or the new one).
"""

from __future__ import annotations

import copy
import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path
from types import ModuleType

from chart.fileio import atomic_write_bytes, atomic_write_many
from chart.formats.errors import MAX_INPUT_BYTES, ParseError, Unrepresentable, WriteError, check_size
from chart.formats.notedata import text_floor
from chart.formats.relink import FILE_TAGS as FILE_TAGS  # re-exported: the relinking lives in its own module
from chart.formats.relink import relink_charts as relink_charts
from chart.formats.relink import relinked_extra as relinked_extra
from chart.song import Chart, Song


@dataclass(frozen=True)
class Format:
    """One file format: its name, extensions, and the module that reads and writes it."""

    name: str
    extensions: tuple[str, ...]
    module_name: str
    description: str
    archive: bool = False  # a zip of a song folder: read with load_archive, written with dump_bytes (bytes)

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(self.module_name)


_FORMATS = (
    Format("ssc", (".ssc",), "chart.formats.ssc", "StepMania 5 .ssc (per-chart timing)"),
    Format("sm", (".sm",), "chart.formats.sm", "StepMania .sm"),
    Format("osu", (".osu",), "chart.formats.osu_mania", "osu!mania .osu (one difficulty per file)"),
    Format("json", (".json",), "chart.formats.game_json", "JSON game export (docs/game-format.md)"),
    Format("osz", (".osz",), "chart.formats.osz", "osu! beatmap archive .osz (a zipped set)", archive=True),
)


def formats() -> list[Format]:
    """Every format, in preference order (.ssc first: it holds the most; the .osz archive last)."""
    return list(_FORMATS)


def format_for(path: str | Path | None = None, name: str | None = None) -> Format:
    """The format of a path (by extension) or of a name ("sm", "ssc", "osu", "json").

    Raises
    ------
    ParseError
        For an unknown extension or name (one line naming the known ones).
    """
    if name is not None:
        key = name.lower().lstrip(".")
        for fmt in _FORMATS:
            if key == fmt.name or f".{key}" in fmt.extensions:
                return fmt
        raise ParseError(f"unknown chart format {name!r} (known: {_known()})")
    suffix = Path(str(path)).suffix.lower()
    for fmt in _FORMATS:
        if suffix in fmt.extensions:
            return fmt
    raise ParseError(f"unknown chart file extension {suffix or '(none)'!r} (known: {_known()})", path=str(path))


def _known() -> str:
    return ", ".join(ext for fmt in _FORMATS for ext in fmt.extensions)


def loads(data: bytes | str, fmt: str, report: list[Unrepresentable] | None = None) -> Song:
    """Song from file contents in a named format. Raises only ParseError.

    ``report``, when given, receives what the reader dropped or moved (non-fatal entries), e.g. notes of a
    .osu more than 1 ms off the 1/192 grid, or StepMania keysound notes.
    """
    found = format_for(name=fmt)
    check_size(data)
    return found.module.loads(data, report) if isinstance(data, str) else found.module.load_bytes(data, report)


def dumps(song: Song, fmt: str) -> str:
    """File text of ``song`` in a named format (raises WriteError if notes would move)."""
    return format_for(name=fmt).module.dumps(song)


def load(path: str | Path, report: list[Unrepresentable] | None = None) -> Song:
    """Read a chart file by its extension; ``Song.source_path`` is set to ``path``.

    ``report``, when given, receives what the reader dropped, moved or read leniently (see :func:`loads`;
    :func:`read_notes` words it for a designer).

    Raises
    ------
    ParseError
        Unknown extension, unreadable or too large file, or bad contents; the message names the file.
    """
    path = Path(path)
    fmt = format_for(path)
    if fmt.archive:  # extracted beside it, read as its folder would be (source_path: a file of that folder)
        return fmt.module.load_archive(path, report)[0]
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise ParseError(f"file too large ({size / 2**20:.1f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB)")
        data = path.read_bytes()
        song = fmt.module.load_bytes(data, report)
    except ParseError as err:
        raise err.with_path(str(path)) from None
    except OSError as err:
        raise ParseError(f"cannot read: {err.strerror or err}", path=str(path)) from None
    song.source_path = path
    return song


def chart_files(folder: str | Path) -> list[Path]:
    """The chart files of a song folder that opening it reads: its ``.ssc``, else ``.sm``, ``.osu``, ``.json``
    files (sorted; empty when it holds none). An ``.osz`` beside them is a set to open on its own, not a chart."""
    files = sorted(p for p in Path(folder).iterdir() if p.is_file())
    for fmt in _FORMATS:
        if fmt.archive:
            continue
        found = [p for p in files if p.suffix.lower() in fmt.extensions]
        if found:
            return found
    return []


def load_folder(folder: str | Path, report: list[Unrepresentable] | None = None) -> tuple[Song, Path | None]:
    """A song folder as one song, and the file that saving it rewrites (None: it came from several files).

    The folder's chart file of the first format in :func:`formats` order is read (a song folder holds its
    ``.ssc`` and often an ``.sm`` of the same song). An osu! beatmap set keeps one difficulty per ``.osu``
    file: they are merged into one song (:func:`chart.formats.osu_set.merge_set`) and ``Song.source_path``
    is the first of them, so ``#MUSIC`` resolves beside it; difficulties of other osu! game modes (a hybrid set)
    are skipped and named in ``report``. Several ``.ssc`` (or ``.sm``, ``.json``) files are different songs, and
    which one was meant is not guessed. ``report``: see :func:`load` (:func:`read_notes` words it). An ``.osz``
    archive is a song folder too: it is extracted beside it (:func:`chart.formats.osz.load_archive`) and read so.

    Raises
    ------
    ParseError
        No chart file, several songs, or a file :func:`load` cannot read; the message names the folder or file.
    """
    folder = Path(folder)
    if folder.suffix.lower() in format_for(name="osz").extensions and not folder.is_dir():
        return format_for(name="osz").module.load_archive(folder, report)
    try:
        files = chart_files(folder)
    except OSError as err:
        raise ParseError(f"cannot read the folder: {err.strerror or err}", path=str(folder)) from None
    if not files:
        raise ParseError("the folder holds no chart file (.ssc, .sm, .osu, .json)", path=str(folder))
    if files[0].suffix.lower() == ".osu":
        return _load_osu_set(folder, files, report)
    if len(files) == 1:
        return load(files[0], report), files[0]
    names = ", ".join(p.name for p in files[:4]) + (", ..." if len(files) > 4 else "")
    raise ParseError(f"the folder holds {len(files)} {files[0].suffix} files ({names}): open one of them",
                     path=str(folder))


def _load_osu_set(folder: Path, files: list[Path], report: list[Unrepresentable] | None) -> tuple[Song, Path | None]:
    """An osu! beatmap set's mania difficulties as one song. A set may mix game modes: the difficulties of other
    modes are skipped (named in ``report``); a set with none of osu!mania is refused. An unreadable difficulty is
    skipped too, named with its error: one hand-edited file kept a designer from the others (it stays as it is:
    saving writes the difficulties read). A set none of whose difficulties reads is refused with the first error."""
    from chart.formats.osu_set import read_difficulty

    songs: list[Song] = []
    skipped: list[tuple[str, ParseError]] = []
    broken: list[ParseError] = []
    for path in files:
        song, error = read_difficulty(partial(load, path), path.name, report, skipped)
        if song is not None:
            songs.append(song)
        elif error is not None:
            broken.append(error)
    if not songs:
        if broken:
            raise broken[0]
        if len(skipped) == 1:
            raise skipped[0][1]
        raise ParseError(f"none of its {len(files)} .osu files is an osu!mania difficulty ({skipped[0][1].message})",
                         path=str(folder))
    song = merge_osu_set(songs, skipped, str(folder), report)
    return song, song.source_path if len(songs) == 1 else None


def merge_osu_set(songs: list[Song], skipped: Sequence[tuple[str, ParseError]], where: str,
                  report: list[Unrepresentable] | None) -> Song:
    """The read difficulties of an osu! beatmap set (a folder's, an archive's) as one song; ``skipped``: the files
    of other game modes (a folder's unreadable ones too), named in ``report``. ``Song.source_path`` is the first
    difficulty's (``#MUSIC`` resolves beside it); a merge error without a file names ``where``."""
    from chart.formats.osu_set import merge_set

    if report is not None:
        report += [Unrepresentable("", Fraction(0), f"{name} skipped: {err.message}", fatal=False)
                   for name, err in skipped]
    if len(songs) == 1:
        return songs[0]
    try:
        song = merge_set(songs)
    except ParseError as err:
        raise err if err.path else err.with_path(where) from None
    song.source_path = songs[0].source_path
    return song


def read_notes(report: list[Unrepresentable]) -> list[str]:
    """What a reader moved, dropped or read leniently (the ``report`` of :func:`load` / :func:`load_folder`), one
    line each, repeats counted: ``"read: CHART: reason"`` (the lines ``convert``, ``check`` and ``info`` print)."""
    counts: dict[str, int] = {}
    for u in report:
        line = f"read: {u.chart_id or 'song'}: {u.reason}"
        counts[line] = counts.get(line, 0) + 1
    return [f"{line} (x{n})" if n > 1 else line for line, n in counts.items()]


def save(song: Song, path: str | Path, keep_backup: bool = False) -> Path:
    """Write ``song`` to ``path`` in the format of its extension, atomically (see :mod:`chart.fileio`)."""
    return atomic_write_bytes(path, encode(song, path), keep_backup=keep_backup)


def encode(song: Song, path: str | Path) -> bytes:
    """The bytes :func:`save` writes to ``path``: the format's text in UTF-8, or an archive (``.osz``), whose
    writer reads the files the song names (found beside ``song.source_path`` or beside ``path``). Raises
    :class:`TooLargeError` (nothing is written) for a text over the :data:`MAX_INPUT_BYTES` that :func:`load`
    accepts: the editor's Save and Export and the CLI all write through here."""
    fmt = format_for(path)
    if fmt.archive:
        return fmt.module.dump_bytes(song, path)
    floor = sum(text_floor(c.notes, c.lanes) for c in song.charts) if fmt.name in ("sm", "ssc") else 0
    if floor > MAX_INPUT_BYTES:  # before the text: a note at beat 10**9 is gigabytes of empty measures
        raise TooLargeError(fmt, floor, f"a {fmt.extensions[0]} writes every measure up to a chart's last note: "
                                        "delete notes far past the song's end, or split its charts between files")
    data = fmt.module.dumps(song).encode("utf-8")
    if len(data) > MAX_INPUT_BYTES:
        raise TooLargeError(fmt, len(data))
    return data


class TooLargeError(WriteError):
    """A file :func:`load` would refuse as too large: a 24-chart song of 219k notes wrote a 21.1 MB .json without
    a word, and reopening it failed. The reader's limit guards every reader against hostile input (it is what
    the fuzzing promises). A .json takes 100-130 bytes per note, 7-40x a .ssc (shared songs), so it reaches the
    limit first, at ~180k notes; a .ssc holds millions. The editor's autosaves are JSON too, but they are written
    with :func:`dumps` and read back without the limit (``editor.controllers.autosave_files``): a huge song still
    autosaves."""

    def __init__(self, fmt: Format, size: int, hint: str = "") -> None:
        hint = hint or ("save as .ssc, 7 to 40 times smaller" if fmt.name == "json" else
                        "split the song's charts between several files")
        reason = f"the file would be {size / 2**20:.1f} MB, over the {MAX_INPUT_BYTES // 2**20} MB a reader accepts"
        super().__init__(fmt.extensions[0], [Unrepresentable("", Fraction(0), f"{reason}; {hint}")])
        self.args = (f"cannot write {fmt.extensions[0]}: {reason}; {hint}",)


def split_per_chart(song: Song, path: str | Path) -> list[tuple[Song, Path]]:
    """The songs and files that saving ``song`` to ``path`` writes: one, or for osu!mania (one difficulty per file)
    one single-chart song per chart in ``NAME [Slot description].osu`` (:func:`load_folder` reads them back as one
    song), each of its own ``Version``: a name taken gets a number in the description, as its file name."""
    path = Path(path)
    if format_for(path).name != "osu" or len(song.charts) <= 1:
        return [(song, path)]
    from chart.formats.osu_mania import BEATMAP_ID, VERSION_KEY, version_name

    def label(chart: Chart, keys: bool) -> str:
        text = chart.slot.sm_name + (f" {chart.description}" if chart.description else "")
        kept = dict(chart.extra).get(VERSION_KEY)
        if kept is not None and version_name(chart, song.extra) == kept:
            text = kept  # a difficulty name from another tool, still true: the file is named as osu! shows it
        text = f"{chart.lanes}K {text}" if keys else text  # osu!'s way to tell key counts apart
        return "".join(ch for ch in text if ch.isalnum() or ch in " -_").strip()

    def keyed_version(chart: Chart) -> Chart:
        """``chart`` named ``"4K Hard Lv.9"`` in ``Version``: osu! tells a set's difficulties apart by their names,
        and a single and a double Hard 9 would share one. A foreign name still true is kept as it is."""
        name = version_name(chart, song.extra)
        if name == dict(chart.extra).get(VERSION_KEY):
            return chart
        chart = copy.copy(chart)
        chart.extra = [item for item in chart.extra if item[0] != VERSION_KEY] + [(VERSION_KEY, f"{chart.lanes}K {name}")]
        return chart

    # A BeatmapID names one difficulty: one kept in the song (a .ssc written from one .osu) or repeated in a second
    # chart (a copy) would give several files one identity, so only a chart's own first one is written.
    song_extra = [item for item in song.extra if item[0] != BEATMAP_ID]
    keyed = keyed_version if len({c.lanes for c in song.charts}) > 1 else (lambda chart: chart)  # several key counts
    versions: set[str] = set()  # a number never takes another chart's own name ("2"):
    own_names = {version_name(keyed(c), song.extra).lower() for c in song.charts}
    finals = []  # (the chart written, the chart its file is named by: as numbered, so a set read back is named alike)
    for original in song.charts:
        base, chart, k, renamed = original, keyed(original), 2, False
        while (version := version_name(chart, song.extra)).lower() in versions or renamed and version.lower() in own_names:
            base = copy.copy(original)  # numbered, as the file names ("Edit Lv.4: copy 2"); Verify says so
            base.extra = [item for item in original.extra if item[0] != VERSION_KEY]  # (chart.checks.slots)
            base.description, k, renamed = f"{original.description} {k}".lstrip(), k + 1, True
            chart = keyed(base)
        versions.add(version.lower())
        finals.append((chart, base))
    plain = [label(base, False) for _, base in finals]
    lanes = {p: {b.lanes for (_, b), q in zip(finals, plain) if q == p} for p in plain}
    names = [label(b, len(lanes[p]) > 1) for (_, b), p in zip(finals, plain)]  # a single and a double Hard
    out, used, ids = [], set(), set()
    for (chart, _), name in zip(finals, names):
        unique, k = name, 2
        while unique.lower() in used:  # the same slot, mode and name twice: numbered, never overwritten
            unique, k = f"{name} {k}", k + 1
        used.add(unique.lower())
        own = dict(chart.extra).get(BEATMAP_ID)
        if own is not None and own in ids:
            chart = copy.copy(chart)
            chart.extra = [item for item in chart.extra if item[0] != BEATMAP_ID]
        ids.add(own)
        single = copy.copy(song)
        single.charts, single.extra = [chart], song_extra
        out.append((single, path.with_name(f"{path.stem} [{unique}]{path.suffix}")))
    return out


def leftover_set_files(song: Song, path: str | Path) -> list[Path]:
    """The ``.osu`` files beside ``path`` that writing ``song`` there (:func:`split_per_chart`) does not rewrite
    but that opening the folder reads as difficulties of the same song (osu!mania, the same audio): a difficulty
    deleted or renamed since the set was read. osu! shows them too. Empty for other formats."""
    path = Path(path)
    if format_for(path).name != "osu":
        return []
    written = [target for _part, target in split_per_chart(song, path)]
    try:
        files = sorted(p for p in path.parent.iterdir() if p.suffix.lower() == ".osu" and p.is_file())
    except OSError:
        return []
    out = []
    for file in files:
        if any(_same_file(file, target) for target in written):
            continue
        try:
            other = load(file)
        except ParseError:  # another game mode, or not a beatmap: opening the folder skips or refuses it anyway
            continue
        if other.music.lower() == song.music.lower():
            out.append(file)
    return out


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (by name, or the same file on a case-insensitive disk)."""
    if a == b:
        return True
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def save_split(song: Song, path: str | Path, keep_backup: bool = False) -> list[Path]:
    """:func:`save`, one file per chart where the format holds one difficulty (:func:`split_per_chart`). Every
    file's text is made before any is written, so a chart the format cannot hold leaves no file written, and the
    files are replaced together (:func:`chart.fileio.atomic_write_many`): a full disk, or a folder in the way of
    one file, leaves none changed. ``keep_backup``: a file replaced keeps its old version as ``NAME.bak``."""
    parts = [(target, encode(part, target)) for part, target in split_per_chart(song, path)]
    return atomic_write_many(parts, keep_backup=keep_backup)


def conversions(song: Song, format_name: str) -> list[str]:
    """What writing ``song`` as ``format_name`` converts or drops (the non-fatal :func:`unrepresentable`
    entries), one line each, repeats counted: the list Save and Export show before writing."""
    from chart.formats.errors import conversion_lines

    return conversion_lines(unrepresentable(song, format_name))


def unrepresentable(song_or_chart: Song | Chart, format_name: str) -> list[Unrepresentable]:
    """What ``format_name`` cannot hold as it is: fatal entries would make ``save`` refuse, the others are
    documented conversions (e.g. mines dropped in osu!mania). A lone chart is checked inside a default song."""
    if isinstance(song_or_chart, Chart):
        song = Song(charts=[song_or_chart])
        if song_or_chart.timing is not None:
            song.timing = song_or_chart.timing
    else:
        song = song_or_chart
    return list(format_for(name=format_name).module.problems(song))
