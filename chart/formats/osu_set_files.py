"""An osu! set folder made whole: the files a set's ``.osu`` texts name, copied into the folder they are written to.

osu! loads a set's audio, background, video and storyboard only from the set's folder, and a set folder is what a
designer zips or copies into osu!'s Songs. So ``.osu`` files written to a folder their files are not in (``convert
song/X.osu other/X.osu``, the editor's Export) get a copy of the audio, of every file the ``[Events]`` name and of
the set's storyboard (``.osb``, named as osu! looks for it) with the files it names, and the texts name the
copies: the same files, under the same names, an ``.osz`` of the set carries (:class:`chart.formats.osz_carry.
Carried`). So are the hitsound sample files the hit objects play (:mod:`chart.formats.osu_samples`): no line
names them, osu! looks them up by name in the set's folder, so each is copied under its own name wherever that
folder lacks it (none for a set written to its own folder). One function for the commands
(``cli.common.write_chart_files``) and the editor's Export, which write the copies and the ``.osu`` files all or
nothing (:func:`write_set`). A file already in the folder stays where it is; a different file of a copy's name
there is never replaced (:class:`SetFileClash`).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from chart.fileio import atomic_write_many
from chart.formats.osu_samples import song_samples
from chart.formats.osz_carry import Carried, osb_name
from chart.song import Song
from chart.song_copy import with_extras

_NAMED = 4  # samples named in the note


class SetFileClash(ValueError):
    """A file the set needs cannot be copied in: another file of that name is in the folder (one line)."""


@dataclass
class SetFiles:
    """What writing ``song`` as an osu! set needs: the song naming the copies, the copies to write (path, bytes),
    and the names of the audio, the other files and the hitsound samples that these copies are (for the note that
    says so)."""

    song: Song
    copies: list[tuple[Path, bytes]] = field(default_factory=list)
    audio: str = ""
    others: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    no_audio: str = ""  # why the set goes without its audio ("the audio x.ogg was not found"), else ""

    def missing(self) -> str:
        """``"the audio x.ogg was not found: the set goes without it (osu! does not play a map without its audio)"``,
        or "" when the set has its audio."""
        return f"{self.no_audio}: the set goes without it (osu! does not play a map without its audio)" \
            if self.no_audio else ""

    def note(self, folder: Path) -> str:
        """``"copied the audio x.ogg (and 2 event files, 2 hitsound samples: soft-hitclap.wav, kick.wav) into
        FOLDER"``, or "" when nothing is copied. The samples are named (up to 4): no line of the set names them."""
        parts = [f"{len(self.others)} event file{'s' if len(self.others) != 1 else ''}"] if self.others else []
        if self.samples:
            names = ", ".join(self.samples[:_NAMED]) + (f" and {len(self.samples) - _NAMED} more"
                                                        if len(self.samples) > _NAMED else "")
            parts.append(f"{len(self.samples)} hitsound sample{'s' if len(self.samples) != 1 else ''}: {names}")
        if not self.audio and not parts:
            return ""
        what = f"the audio {self.audio}" + (f" (and {', '.join(parts)})" if parts else "") if self.audio else ", ".join(parts)
        return f"copied {what} into {folder} (osu! loads files only from the set's folder)"

    def write(self, output: Path, keep_backup: bool = False) -> list[Path]:
        """Write :attr:`song` to ``output`` (one file per difficulty for .osu) with the copies, all or nothing
        (:func:`write_set`): every file's text is made before any is written. Returns the chart files' paths."""
        from chart.formats.registry import encode, split_per_chart

        files = [(target, encode(part, target)) for part, target in split_per_chart(self.song, output)]
        return write_set(files, self.copies, keep_backup=keep_backup)


def set_files(song: Song, output: Path) -> SetFiles:
    """The copies that make ``output``'s folder a whole osu! set for ``song``, whose names are relinked for
    ``output`` already (``AudioFilename: ../song/x.ogg``, as convert and Export relink them). Nothing for another
    format or a set written beside its files. A copy keeps its path from the song's folder (``sb/star.png``).
    The hitsound samples (:func:`chart.formats.osu_samples.song_samples`) are copied wherever the folder lacks
    them, being found by name there. :class:`SetFileClash` when a different file of a copy's name is there or a
    file cannot be read; WriteError when the storyboard cannot be read."""
    from chart.formats.registry import format_for

    output = Path(output)
    if format_for(output).name != "osu":
        return SetFiles(song)
    folder = Path(os.path.abspath(output.parent))
    carried = Carried(song, output, need_audio=False, samples=song_samples(song))
    lost = "" if carried.audio is not None else (
        f"the audio {song.music} {carried.audio_why or 'was not found'}" if song.music else "the song names no audio file")
    outside = {real for real, (file, _name, _clean) in carried.files.items()
               if real in carried.samples or not Path(os.path.abspath(file)).is_relative_to(folder)}
    copies = [(output.parent / carried.named[real], data) for real, data in _members(carried, outside)]
    by_name = sorted(outside, key=lambda r: carried.named[r].casefold())
    out = SetFiles(song, audio=carried.named[carried.audio] if carried.audio in outside else "",
                   others=[carried.named[r] for r in by_name if r != carried.audio and r not in carried.samples],
                   samples=[carried.named[r] for r in by_name if r in carried.samples], no_audio=lost)
    if outside:
        def name(value: str) -> str:
            reals = carried.refs.get(value, ([], False))[0]
            return carried.name(value) if any(r in outside for r in reals) else value

        out.song = with_extras(song, lambda extra: _relinked(extra, name))
        if out.audio:
            out.song.music = out.audio
    script, storyboard = carried.script(), carried.storyboard
    if script and storyboard is not None and not Path(os.path.abspath(storyboard)).is_relative_to(folder):
        osb = _osb_name(out.song, output)
        copies.append((output.parent / osb, script))
        out.others.append(osb)
    out.copies = [(path, data) for path, data in copies if not _there(path, data)]  # not those copied before
    kept = {path for path, _data in out.copies}
    out.audio = out.audio if output.parent / out.audio in kept else ""
    out.others = [name for name in out.others if output.parent / name in kept]
    out.samples = [name for name in out.samples if output.parent / name in kept]
    return out


def write_set(files: list[tuple[Path, bytes]], copies: list[tuple[Path, bytes]], keep_backup: bool = False) -> list[Path]:
    """Write the ``.osu`` ``files`` and the set's ``copies`` (:func:`set_files`) as one
    (:func:`chart.fileio.atomic_write_many`): a full disk leaves none written. A copy's subfolder inside the set
    (``sb/``) is made first and removed again when the write fails; the set's folder itself (the ``files``' folder)
    is never made here: a missing one is the write's "No such file or directory", as for any chart file, and the
    caller decides whether to make it (``convert``: one level, said). Returns the ``files``' paths."""
    made: list[Path] = []
    sets = {path.parent for path, _data in files}
    try:
        for path, _data in copies:
            inside = next((s for s in sets if path.parent.is_relative_to(s) and s.is_dir()), None)
            if inside is None:  # the set's folder is missing: nothing is made, the write says so
                continue
            missing = [p for p in [path.parent, *path.parent.parents] if p.is_relative_to(inside) and p != inside
                       and not p.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                made.append(folder)
        return atomic_write_many([*files, *copies], keep_backup=keep_backup)[:len(files)]
    except BaseException:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _members(carried: Carried, outside: set[str]) -> list[tuple[str, bytes]]:
    out = []
    for real in outside:
        file = carried.files[real][0]
        try:
            out.append((real, file.read_bytes()))
        except OSError as err:
            raise SetFileClash(f"cannot read {file.name} to copy it into the set's folder: {err.strerror or err}") from None
    return out


def _there(path: Path, data: bytes) -> bool:
    """Whether ``path`` holds ``data`` already (copied by an earlier run); SetFileClash when another file is there."""
    if not path.exists():
        return False
    if path.is_file() and path.read_bytes() == data:
        return True
    raise SetFileClash(f"cannot copy {path.name} into {path.parent} (osu! loads files only from the set's folder): "
                       f"another file of that name is there")


def _relinked(extra: list[tuple[str, str]], name) -> list[tuple[str, str]]:
    from chart.formats.relink import relinked_events

    return [(k, relinked_events(v, name) if k == "Events" else v) for k, v in extra]


def _osb_name(song: Song, output: Path) -> str:
    """The storyboard's name in the set: after the ``[Metadata]`` the written ``.osu`` files say, as osu! looks for
    it (and as the ``.osz`` writer names it)."""
    from chart.formats.msd import decode, normalise
    from chart.formats.osu_io import parse_sections
    from chart.formats.registry import encode, split_per_chart

    part, target = split_per_chart(song, output)[0]
    meta = parse_sections(normalise(decode(encode(part, target))))
    return osb_name(*(meta.get(s, k, "") for s, k in (("Metadata", "Artist"), ("Metadata", "Title"),
                                                       ("Metadata", "Creator"), ("General", "AudioFilename"))))
