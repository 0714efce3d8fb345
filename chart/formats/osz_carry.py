"""The files an ``.osz`` carries besides its ``.osu`` texts (:func:`chart.formats.osz.dump_bytes`): the audio, every
file the ``[Events]`` blocks name (background, video, storyboard sprites, animation frames, storyboard samples),
and the set's storyboard script (``.osb``) with every file it names.

The storyboard: a song read from an osu! set (folder or archive: its ``source_path`` is a ``.osu``) carries the
``.osb`` of that folder, the one named after the set (``Artist - Title (Creator).osb``, as osu! names it), or the
folder's only one. osu! finds a set's storyboard by that name only, made from the ``[Metadata]`` of its ``.osu``
files, so the ``.osb`` goes into the archive named after the *exported* metadata (:func:`osb_name`): a song renamed
since, or a set read from files named otherwise, still shows its storyboard. The script's text is carried as it is,
unless a file it names has to be renamed in the archive (named from outside the folder): it is then written with
its variables put in and those names changed.

What is named but not found is listed (:attr:`Carried.missing`; ``problems`` words it), never dropped silently;
so is what is found but may not go in (:attr:`Carried.refused`: not a media file, or outside the song's folder and
the one above it, :mod:`chart.formats.osz_scope`). The
hitsound samples that hit objects and timing points play (``soft-hitclap2.wav``, a hit object's own file) are named
by no line: osu! finds them by naming rules, which :mod:`chart.formats.osu_samples` follows; the writers pass the
files found (``samples``) and they go in under their names in the song folder, the names osu! looks for. Not
carried: skin files (docs/formats.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path, PurePosixPath

from chart.formats.errors import Unrepresentable, WriteError
from chart.formats.msd import decode
from chart.formats.osz_scope import Scope
from chart.formats.osz_zip import MAX_ARCHIVE_BYTES
from chart.formats.relink import named_file, relinked_events
from chart.song import Song

_BAD_NAME = re.compile(r'[\x00-\x1f"<>|:*?\\/]')  # what Windows refuses in a file name, and osu! strips
_VARIABLE = re.compile(r"^(\$[^=\s]+)\s*=(.*)$")


def audio_of(song: Song) -> Path | None:
    """The song's audio file (:meth:`Song.audio_path`), None when there is none (its folder gone included) or it
    may not be carried (:mod:`chart.formats.osz_scope`: :func:`no_audio` says why)."""
    try:
        audio = song.audio_path()
        ok = audio is not None and audio.is_file() and not Scope(song, None).refusal(audio, audio=True)
        return audio if ok else None
    except OSError:
        return None


def no_audio(song: Song, why: str = "") -> Unrepresentable:
    """The fatal problem of a song without audio to carry; ``why``: what its named file is instead."""
    if not why:
        try:
            audio = song.audio_path()
            why = Scope(song, None).refusal(audio, audio=True) if audio is not None and audio.is_file() else ""
        except OSError:
            why = ""
    named = (f"its audio file {song.music} {why or 'was not found'}" if song.music
             else "the song names no audio file")
    return Unrepresentable("", Fraction(0), f"{named}: an .osz carries the audio of the set")


def osb_name(artist: str, title: str, creator: str, audio: str) -> str:
    """The storyboard file osu! looks for in a set whose ``.osu`` files say these ``[Metadata]``: ``Artist - Title
    (Creator).osb`` (the audio file's stem for a set without an artist), without what Windows refuses."""
    head = f"{artist} - {title}" if artist else PurePosixPath(audio.replace("\\", "/")).stem
    return _BAD_NAME.sub("", head + (f" ({creator})" if creator else "") + ".osb")


def storyboard_of(song: Song) -> tuple[Path | None, str]:
    """(the ``.osb`` the song's osu! set folder shows, a note when the folder holds some but none is carried)."""
    source = song.source_path
    if source is None or source.suffix.lower() != ".osu":
        return None, ""
    try:
        found = sorted(p for p in source.parent.iterdir() if p.suffix.lower() == ".osb" and p.is_file())
    except OSError:
        return None, ""
    if len(found) <= 1:
        return (found[0] if found else None), ""
    stem = source.stem
    cut = stem.rfind(" [")
    want = (stem[:cut] if cut > 0 and stem.endswith("]") else stem).casefold() + ".osb"
    named = [p for p in found if p.name.casefold() == want]
    if named:
        return named[0], ""
    return None, (f"the folder holds {len(found)} storyboards ({', '.join(p.name for p in found[:3])}) and none is "
                  f"named after the set's .osu files: none is carried")


def _expanded(text: str) -> str:
    """A storyboard's text with its ``[Variables]`` put in (``$bg=bg.png``, then ``Sprite,...,$bg,...``)."""
    variables, section = [], ""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped
        elif section == "[Variables]" and (m := _VARIABLE.match(stripped)):
            variables.append((m.group(1), m.group(2).strip()))
    if not variables:
        return text
    out = []
    for line in text.split("\n"):
        if not line.lstrip().startswith("$"):
            for name, value in sorted(variables, key=lambda v: -len(v[0])):  # $bg2 before $bg
                line = line.replace(name, value)
        out.append(line)
    return "\n".join(out)


def _without_variables(text: str) -> str:
    """A storyboard's text but its ``[Variables]`` section (values there name no file by themselves)."""
    out, section = [], ""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped
        if section != "[Variables]":
            out.append(line)
    return "\n".join(out)


class Carried:
    """The files an archive carries and their names in it: a file keeps its name in the song folder (a clean
    relative name, found beside the song's file), else it goes by its file name; the song folder's own files choose
    first, and a later file that would share a name is numbered (``bg 2.jpg``), never put over another. A file named
    twice (``bg.jpg``, ``./bg.jpg``, through a link) is carried once. ``target`` None: only the song's own folder is
    looked in (what ``problems`` can know before a target is chosen). WriteError when there is no audio, unless
    ``need_audio`` is False (an osu! set folder written by :mod:`chart.formats.osu_set_files`: :attr:`audio` None).
    ``samples``: the hitsound sample files of the song's folder to carry too (:func:`chart.formats.osu_samples.
    song_samples`; the callers that only look at the named files pass none and encode nothing);
    :attr:`samples` holds those carried as samples only (not also named by the ``[Events]`` or storyboard)."""

    def __init__(self, song: Song, target: Path | None, need_audio: bool = True, samples: Sequence[Path] = ()):
        self.bases = [song.source_path.parent if song.source_path is not None else None,
                      target.parent if target is not None else None]
        self.files: dict[str, tuple[Path, str, bool]] = {}  # real path -> (file as named, name asked for, clean)
        self.refs: dict[str, tuple[list[str], bool]] = {}  # a name in the song -> (real paths, an animation's?)
        self.missing: list[tuple[str, str]] = []  # (a name no file answers, what names it)
        self.refused: list[tuple[str, str, str]] = []  # (a name whose file may not go in, what names it, why)
        self._scope, self._why = Scope(song, target), ""
        found = self._find(song.music, audio=True) if song.music else None
        why = self.audio_why = self._why  # what the named audio file is instead of one to carry ("" : not found)
        if found is None and (audio := audio_of(song)) is not None:
            found = (audio, False)  # the song folder's only audio file, as games fall back to it
        if found is None and need_audio:
            raise WriteError(".osz", [no_audio(song, why)])
        self.audio = self._ask(song.music, [found[0]], False)[0] if found is not None else None
        self._where = "the [Events]"
        for extra in [song.extra, *(c.extra for c in song.charts)]:
            for key, raw in extra:
                if key == "Events":
                    relinked_events(raw, self._collect)
        self.storyboard, self.storyboard_note = storyboard_of(song)
        self._script = ""
        if self.storyboard is not None:
            try:
                self._bytes = self.storyboard.read_bytes()
            except OSError as err:
                raise WriteError(".osz", [Unrepresentable("", Fraction(0), f"cannot read {self.storyboard.name}: "
                                                                           f"{err.strerror or err}")]) from None
            self._script = _expanded(decode(self._bytes))
            self._where = f"the storyboard {self.storyboard.name}"
            relinked_events(_without_variables(self._script), self._collect)
        self.samples: set[str] = set()  # real paths
        for file in samples:
            real = os.path.realpath(file)
            if real not in self.files and not self._scope.refusal(file):
                self.files[real] = (file, *self._own_name(file))
                self.samples.add(real)
        self.named: dict[str, str] = {}  # real path -> name in the archive
        taken: set[str] = set()
        for real, (_file, name, _clean) in sorted(self.files.items(), key=lambda item: not item[1][2]):
            stem, suffix, k = name[: len(name) - len(PurePosixPath(name).suffix)], PurePosixPath(name).suffix, 2
            while name.casefold() in taken:
                name, k = f"{stem} {k}{suffix}", k + 1
            taken.add(name.casefold())
            self.named[real] = name

    def _collect(self, value: str) -> str:
        """Note the file an [Events] line names (:meth:`name` rewrites the text once every name is chosen)."""
        found = self._find(value)
        if found is not None:
            self._ask(value, [found[0]], False)
            return value
        why = self._why
        for base in self.bases:  # an Animation names "fire.png" for its frames fire0.png, fire1.png...
            frames = _frames(base, value) if base is not None else []
            refusals = [self._scope.refusal(f) for f in frames]
            if frames and not any(refusals):
                self._ask(value, frames, True)
                return value
            why = why or next((r for r in refusals if r), "")
        if why and (value, self._where, why) not in self.refused:
            self.refused.append((value, self._where, why))
        elif not why and value.strip() and (value, self._where) not in self.missing:
            self.missing.append((value, self._where))
        return value

    def _ask(self, value: str, files: list[Path], animation: bool) -> list[str]:
        reals = [os.path.realpath(file) for file in files]
        for real, file in zip(reals, files):
            self.files.setdefault(real, (file, *self._own_name(file)))
        self.refs.setdefault(value, (reals, animation))
        return reals

    def _own_name(self, file: Path) -> tuple[str, bool]:
        """(the name ``file`` gets, whether it lies in the song's folder): its path from that folder, however the
        song names it (``sb/star.png``, or ``../set/sb/star.png`` relinked for a copy in another folder), else its
        file name. Lexical, as names are written."""
        base = self.bases[0]
        if base is not None:
            try:
                return Path(os.path.abspath(file)).relative_to(os.path.abspath(base)).as_posix(), True
            except ValueError:
                pass
        return file.name, False

    def _find(self, value: str, audio: bool = False) -> tuple[Path, bool] | None:
        """(the file ``value`` names, whether it was found beside the song's own file); None as well for a file
        that may not be carried (:attr:`_why` then says why)."""
        self._why = ""
        for i, base in enumerate(self.bases):
            if base is not None and (file := named_file(base, value)) is not None:
                self._why = self._scope.refusal(file, audio)
                if not self._why:
                    return file, i == 0
        return None

    def name(self, value: str) -> str:
        """What the ``.osu`` text names in place of ``value`` (itself when it names no file here)."""
        reals, animation = self.refs.get(value, ([], False))
        if not reals:
            return value
        if not animation:
            return self.named[reals[0]]
        folder = PurePosixPath(self.named[reals[0]]).parent  # an animation: its frames' folder, its own file name
        return str(folder / PurePosixPath(value.replace("\\", "/")).name)

    def relinked(self, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, relinked_events(v, self.name) if k == "Events" else v) for k, v in extra]

    def script(self) -> bytes:
        """The storyboard's bytes for the archive: as they are, unless a name in it changes (module docstring)."""
        if self._script == "":
            return b""
        relinked = relinked_events(self._script, self.name)
        return self._bytes if relinked == self._script else relinked.encode("utf-8")

    def members(self) -> list[tuple[str, bytes]]:
        """(name, bytes) of every carried file: the audio first, then the others by name."""
        others = sorted((real for real in self.named if real != self.audio), key=lambda r: self.named[r].casefold())
        out, total = [], 0
        for real in [self.audio, *others] if self.audio is not None else others:
            file = self.files[real][0]
            try:
                data = file.read_bytes()
            except OSError as err:
                raise WriteError(".osz", [Unrepresentable("", Fraction(0), f"cannot read {file.name}: "
                                                                           f"{err.strerror or err}")]) from None
            total += len(data)
            if total > MAX_ARCHIVE_BYTES:
                raise WriteError(".osz", [Unrepresentable("", Fraction(0), f"the set's files pass "
                                                                           f"{MAX_ARCHIVE_BYTES // 2**20} MB")])
            out.append((self.named[real], data))
        return out


def _frames(base: Path, value: str) -> list[Path]:
    """The frames ``NAME0.png``, ``NAME1.png``... of an animation named ``NAME.png``, in frame order."""
    named = base / value.replace("\\", "/")
    stem, suffix = named.stem.lower(), named.suffix.lower()
    try:
        found = [p for p in named.parent.iterdir() if p.is_file() and p.suffix.lower() == suffix
                 and p.stem.lower().startswith(stem) and p.stem[len(stem):].isdigit()]
    except (OSError, ValueError):
        return []
    return sorted(found, key=lambda p: int(p.stem[len(stem):]))
