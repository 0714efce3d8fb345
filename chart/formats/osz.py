"""osu! beatmap archives (``.osz``): an osu! beatmap set folder zipped, the way designers exchange sets (osu!
imports one by double-click; ArrowVortex reads them too).

Reading (:func:`load_archive`) gives what opening the set's folder gives (:func:`registry.load_folder`): the
osu!mania difficulties of the ``.osu`` files at the top of the archive (or of its one top folder, as a zip made
from a folder holds them) as one song, the other game modes of a hybrid set skipped and named in ``report``. An
archive without an osu!mania difficulty is refused with one line naming what it holds instead.

Where the audio comes from: the archive is **extracted into the folder beside it named after it** (``Song.osz`` ->
``Song/``, as osu! does on import) and ``Song.source_path`` is a ``.osu`` file there. Not a hidden cache: the song's
audio, background and video must stay where a chart saved from it can name them (a ``.ssc`` saved beside them keeps
working after a cache is cleaned), a designer sees the files they are editing, and every later open, the CLI's
included, reads the same folder. Opening the archive again reuses that folder while it holds every file of the
archive unchanged; a folder of that name that differs (the set edited since, another song) is refused, never
written into, and a new extraction appears whole or not at all (:mod:`chart.formats.osz_zip`, which also refuses
unsafe archives: names leaving the folder, links, zip bombs, damage).

Saving never rewrites the archive: a set opened from one is the extracted folder's (Save asks where, as for a set
opened from its folder; the editor refuses Save to ``.osz``), because an ``.osz`` holds more than the song model
does (other game modes' difficulties, hitsound samples, skin elements, storyboard scripts) and rewriting it would
drop them.

Writing (:func:`dump_bytes`, for Export and ``convert``) packs the set: one ``.osu`` per difficulty, each exactly
the text the ``.osu`` set export writes (:func:`registry.split_per_chart`, :func:`osu_mania.dumps`: named ``NAME
[Difficulty].osu`` after the archive), then the audio file and every file the ``[Events]`` blocks name (background,
video, storyboard sprites and animation frames) that exists, each under its own name in the song folder (a file
named from outside it, ``../x.png``, by its file name; the ``.osu`` text names it so), and for a song read from an
osu! set its storyboard script with the files it names (:mod:`chart.formats.osz_carry`), and the hitsound
sample files the hit objects play from the song folder (:mod:`chart.formats.osu_samples`); a named file that is
missing is listed by :func:`problems`. No audio, no archive: a set without its music is refused (:func:`problems`). Members go in a fixed order (difficulties by slot, key count and
name, whatever the song's chart order) with fixed times, so exporting the same song twice, or an archive read
back, gives the same bytes (:func:`osz_zip.write_zip`).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from functools import partial
from pathlib import Path

from chart.formats.errors import MAX_INPUT_BYTES, ParseError, Unrepresentable, WriteError
from chart.formats.msd import decode, normalise
from chart.formats.osu_io import parse_sections
from chart.formats.osu_samples import song_samples
from chart.formats.osz_carry import Carried, audio_of, no_audio, osb_name
from chart.formats.osz_zip import (
    MAX_ARCHIVE_BYTES,
    Member,
    checked_members,
    extract,
    extract_folder,
    opened,
    write_zip,
)
from chart.song import Song
from chart.song_copy import with_extras

NAME = "osz"
#: The .osu texts of one archive together: what one .ssc holding every difficulty may be (a set of dense
#: difficulties, each under the per-file limit, took minutes and a gigabyte to read before anything was shown).
MAX_SET_OSU_BYTES = MAX_INPUT_BYTES
_GAMES = {"0": "osu!standard", "1": "osu!taiko", "2": "osu!catch", "3": "osu!mania"}
__all__ = ["MAX_ARCHIVE_BYTES", "NAME", "dump_bytes", "extract_folder", "load_archive", "load_bytes", "problems"]


# ---------------------------------------------------------------------------------------------- reading
def load_archive(path: str | Path, report: list[Unrepresentable] | None = None) -> tuple[Song, Path | None]:
    """The set in the archive at ``path`` as one song, and the file saving it rewrites: the extracted ``.osu`` of
    a one-difficulty set, None for several (as :func:`registry.load_folder`). Extracts it first when needed
    (module docstring). Raises ParseError (one line naming the archive) for a damaged, unsafe or non-mania
    archive, a folder in the way, or a difficulty that cannot be read; nothing is written then."""
    from chart.formats.registry import merge_osu_set

    path = Path(path)
    with opened(path) as zf:
        members = checked_members(zf)
        root, names = _set_files(members)
        songs, skipped = _difficulties(zf, dict(members), root, names, str(path), report)
        _one_audio(songs)
        song = merge_osu_set([s for s, _ in songs], skipped, str(path), report)
        folder = extract(zf, members, path)  # only once the set reads as one song: a refused archive leaves nothing
    for single, name in songs:
        single.source_path = folder / root / name
    song.source_path = songs[0][0].source_path  # as merge_osu_set sets it: the first difficulty's
    return song, song.source_path if len(songs) == 1 else None


def _one_audio(songs: list[tuple[Song, str]]) -> None:
    """ParseError for a set whose difficulties name different audio (osu! allows a cut version for one): not one
    song. Said here, before merging, in words for an archive, which offers no difficulty to open by itself."""
    audio = sorted({s.music.lower(): s.music for s, _ in songs}.values())
    if len(audio) > 1:
        raise ParseError(f"its .osu files name different audio ({', '.join(a or '(none)' for a in audio)}), so it "
                         f"is not one song: extract it (unzip) and open one of its .osu files; nothing was extracted")


def load_bytes(data: bytes, report: list[Unrepresentable] | None = None) -> Song:
    """The set of an archive held in memory (no extraction: ``source_path`` is None, its files are not reached)."""
    from chart.formats.registry import merge_osu_set

    with opened(data) as zf:
        members = checked_members(zf)
        root, names = _set_files(members)
        songs, skipped = _difficulties(zf, dict(members), root, names, "", report)
    return merge_osu_set([s for s, _ in songs], skipped, "", report)


def _set_files(members: list[Member]) -> tuple[str, list[str]]:
    """(the set's folder inside the archive, ``""`` or ``"Folder/"``; its ``.osu`` file names, sorted as
    :func:`registry.chart_files` sorts a folder's): the top level, else the one folder everything is in. ParseError
    when the archive's ``.osu`` files lie elsewhere (a second top folder beside the set's, ``Pack/Set/``): it says
    where they are and where a set is read from ("holds no osu!mania difficulty" named a file it never read)."""
    names = [name for name, _ in members]
    top = sorted(n for n in names if "/" not in n and n.lower().endswith(".osu"))
    if top:
        return "", top
    firsts = {n.split("/")[0] for n in names if "/" in n and not n.startswith("__MACOSX/")}
    if len(firsts) == 1 and all("/" in n for n in names):
        root = f"{next(iter(firsts))}/"
        inner = sorted(n[len(root):] for n in names
                       if n.startswith(root) and n.count("/") == 1 and n.lower().endswith(".osu"))
        if inner:
            return root, inner
    deeper = sorted(n for n in names if n.lower().endswith(".osu") and not n.startswith("__MACOSX/"))
    if deeper:
        where = sorted({n.rsplit("/", 1)[0] + "/" for n in deeper})
        tops = sorted({f"{n}/" for n in firsts} | {n for n in names if "/" not in n})
        shown = ", ".join(tops[:3]) + (", ..." if len(tops) > 3 else "")
        raise ParseError(f"its .osu files are in {', '.join(where[:2])}{', ...' if len(where) > 2 else ''} "
                         f"({', '.join(deeper[:2])}{', ...' if len(deeper) > 2 else ''}), but a set's difficulties "
                         f"are read only from the top of the archive or its one top folder (its top holds {shown}): "
                         f"extract it (unzip) and open the set's folder; nothing was extracted")
    return "", []


def _difficulties(zf, members: dict, root: str, names: list[str], where: str, report):
    """(mania songs with their file names, skipped files: other modes, and difficulties that cannot be read, as a
    set's folder skips them) of the set; ParseError naming the first unreadable member when nothing else reads, or
    naming what the archive holds when no difficulty is osu!mania."""
    from chart.formats.osu_mania import load_bytes
    from chart.formats.osu_set import read_difficulty

    songs: list[tuple[Song, str]] = []
    skipped: list[tuple[str, ParseError]] = []
    unreadable: list[ParseError] = []
    games: Counter[str] = Counter()
    total = sum(members[root + name].file_size for name in names)
    if total > MAX_SET_OSU_BYTES:  # said before any is read
        raise ParseError(f"its {len(names)} .osu files hold {total / 2**20:.1f} MB together; the limit for a set is "
                         f"{MAX_SET_OSU_BYTES / 2**20:g} MB")
    for name in names:
        info = members[root + name]
        if info.file_size > MAX_INPUT_BYTES:
            raise ParseError(f"{name}: file too large ({info.file_size / 2**20:.1f} MB; the limit is "
                             f"{MAX_INPUT_BYTES // 2**20} MB)")
        data = zf.read(info)
        song, error = read_difficulty(partial(load_bytes, data), name, report, skipped)
        if song is not None:
            songs.append((song, name))
        elif error is not None:  # skipped and named, as in a set's folder (registry._load_osu_set)
            unreadable.append(error.with_path(f"{where}: {name}" if where else name))
        else:  # another game mode
            mode = parse_sections(normalise(decode(data))).get("General", "Mode", "0")
            games[_GAMES.get(mode, f"Mode {mode}")] += 1
    if not songs:
        if unreadable:
            raise unreadable[0] from None
        raise ParseError(f"holds no osu!mania difficulty ({_holdings(list(members), games)})")
    return songs, skipped


def _holdings(names: list[str], games: Counter[str]) -> str:
    """What an archive without an osu!mania difficulty holds, for its error: game modes, then file names."""
    if not names:
        return "the archive is empty"
    parts = [f"{n} {game} difficult{'y' if n == 1 else 'ies'}" for game, n in sorted(games.items())]
    osu = [n for n in names if n.lower().endswith(".osu")]
    if not parts and osu:
        parts.append(f"{len(osu)} .osu file{'s' * (len(osu) != 1)} outside its top and its one top folder, "
                     f"where a set's difficulties are read: {', '.join(osu[:2])}")
    others = sorted(n for n in names if not n.lower().endswith(".osu"))
    if others:
        parts.append(", ".join(others[:4]) + (f" and {len(others) - 4} more files" if len(others) > 4 else ""))
    return "it holds " + "; ".join(parts) if osu else "it holds no .osu file, only " + "; ".join(parts)


# ---------------------------------------------------------------------------------------------- writing
def problems(song: Song) -> list[Unrepresentable]:
    """What an ``.osz`` cannot hold as it is: what the ``.osu`` set export cannot (the .osu problems of the song, but
    for "a .osu file holds one difficulty", which the set answers with one file per difficulty), and no audio file
    to carry (fatal: osu! plays no set without its music)."""
    from chart.formats.osu_mania import problems as osu_problems

    if not song.charts:
        return [Unrepresentable("", Fraction(0), "the song has no difficulty to write")]
    several = len(song.charts) > 1  # its one song-level fatal entry is then the one-difficulty-per-file rule
    out = [p for p in osu_problems(song) if not (several and p.fatal and not p.chart_id)]
    if audio_of(song) is None:
        out.append(no_audio(song))
        return out
    carried = Carried(song, None)  # what its own folder holds: names are the song's, not relinked for a target
    out += [Unrepresentable("", Fraction(0), f"{name}, named in {where}, was not found: the archive goes without it",
                            fatal=False) for name, where in carried.missing]
    out += [Unrepresentable("", Fraction(0), f"{name}, named in {where}, {why}: the archive goes without it",
                            fatal=False) for name, where, why in carried.refused]
    if carried.storyboard_note:
        out.append(Unrepresentable("", Fraction(0), carried.storyboard_note, fatal=False))
    return out


def _member_order(part: tuple[Song, Path]) -> tuple[int, int, str]:
    """A difficulty's place in the archive: slot, then key count, then file name (its version name). Not the song's
    chart order, which a read back does not keep (a set is read sorted by slot, meter, description): ``convert
    A.osz A.osz`` reordered the members of an unchanged set and so rewrote it, keeping a ``.bak``."""
    chart = part[0].charts[0]
    return int(chart.slot), chart.lanes, part[1].name.casefold()


def dumps(song: Song) -> str:
    """Not text: an .osz is a zip (:func:`dump_bytes`; ``registry.save``/``encode`` call it)."""
    raise TypeError(".osz is a zip archive, not text: write it with chart.formats.registry.save")


def dump_bytes(song: Song, target: str | Path) -> bytes:
    """The ``.osz`` of ``song`` written to ``target`` (module docstring). The files it carries are found beside
    ``song.source_path``, else beside ``target`` (a song whose names were relinked for the target, as ``convert``
    and Export do). Raises WriteError when a difficulty cannot be written, the audio is missing or unreadable, or
    the set is larger than :data:`MAX_ARCHIVE_BYTES`."""
    from chart.formats.osu_mania import dumps as osu_dumps
    from chart.formats.registry import split_per_chart

    target = Path(target)
    if not song.charts:
        raise WriteError(".osz", [problems(song)[0]])
    carried = Carried(song, target, samples=song_samples(song))
    assert carried.audio is not None  # an archive needs its audio: Carried raised WriteError without it
    packed = with_extras(song, carried.relinked)
    packed.music = carried.named[carried.audio]
    parts = sorted(split_per_chart(packed, target.with_suffix(".osu")), key=_member_order)
    texts = [(t.name, osu_dumps(part).encode("utf-8")) for part, t in parts]
    for name, data in texts:  # the reader refuses a member over the limit (_difficulties): never write one
        if len(data) > MAX_INPUT_BYTES:
            reason = (f"{name} would be {len(data) / 2**20:.1f} MB, over the {MAX_INPUT_BYTES // 2**20} MB a reader "
                      f"accepts; save the chart as .ssc")
            refused = WriteError(".osz", [Unrepresentable("", Fraction(0), reason)])
            refused.args = (f"cannot write .osz: {reason}",)  # not a beat's problem: no "beat 0" in the line
            raise refused
    script = carried.script()
    if script:  # named as osu! looks for it: after the metadata the exported files say (osz_carry)
        meta = parse_sections(normalise(decode(texts[0][1])))
        name = osb_name(*(meta.get(s, k, "") for s, k in (("Metadata", "Artist"), ("Metadata", "Title"),
                                                           ("Metadata", "Creator"), ("General", "AudioFilename"))))
        texts.append((name, script))
    return write_zip(texts + carried.members())
