"""An osu! beatmap set as one song: the ``.osu`` files of a set folder (or an ``.osz``), each read by
:mod:`chart.formats.osu_mania` as a one-chart song, merged into the song the editor and the command line edit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from chart.disclosure import disclosed_model, with_disclosure
from chart.formats.errors import ParseError, Unrepresentable
from chart.formats.osu_mania import PREVIEW, TRANSLIT, NotManiaError, preview_value, written_names
from chart.song import Song


def merge_set(songs: Sequence[Song]) -> Song:
    """One song from the difficulties of an osu! beatmap set (one one-chart song per ``.osu`` file).

    Charts are ordered by slot, meter and name. Keys equal in every file stay in ``Song.extra``; the others
    (``OverallDifficulty``, ``BeatmapID``, a difficulty's own scroll speeds, ...) go to that chart's ``extra``, and
    :func:`dumps` writes them back into its file. So does a ``PreviewTime`` other than the first file's (the song's
    ``sample_start``): each difficulty keeps its own, and so does one whose ``Title``/``Artist`` (or their Unicode
    forms) are not the first file's (``Metadata.Title`` ... in its ``extra``: only the name that differs, with its
    Unicode form; the other follows the song's, renamed or not). The most common ``Creator`` is the
    song's credit, another one is that chart's. A difficulty whose timing points differ from the first's keeps its own timing. Raises ParseError
    when the files name different audio (they are not one song).
    """
    if not songs:
        raise ParseError("no .osu difficulties to merge")
    audio = sorted({s.music.lower(): s.music for s in songs}.values())  # names as written, compared in any case
    if len(audio) > 1:
        raise ParseError(f"the .osu files name different audio ({', '.join(a or '(none)' for a in audio)}): "
                         f"open one difficulty")
    ordered = sorted(songs, key=lambda s: (s.charts[0].slot, s.charts[0].meter, s.charts[0].description))
    first = ordered[0]
    song_level = {*TRANSLIT.values(), PREVIEW}  # the song's names and preview are the first file's, as its title is
    common = [item for item in first.extra
              if item[0] in song_level or all(item in s.extra for s in ordered[1:])]
    credit = Counter(s.credit for s in ordered).most_common(1)[0][0]  # the host's, guest difficulties aside
    charts = []
    for song in ordered:
        chart = song.charts[0]
        chart.extra = chart.extra + [item for item in song.extra if item not in common and item[0] not in song_level]
        chart.timing = song.timing if song.timing != first.timing else None
        names, firsts = written_names(song.extra, song.title, song.artist), written_names(first.extra, first.title,
                                                                                           first.artist)
        for name in ("Title", "Artist"):  # "Song (TV Size)": that name kept (as Source is), the other the song's
            mine = {k: v for k, v in names.items() if k[1].removesuffix("Unicode") == name}
            if mine != {k: v for k, v in firsts.items() if k[1].removesuffix("Unicode") == name}:
                chart.extra += [(f"{section}.{key}", value) for (section, key), value in mine.items()]
        if preview_value(song) != preview_value(first):
            chart.extra.append((PREVIEW, preview_value(song)))
        own = song.credit if song.credit != credit else ""
        model = disclosed_model(chart.credit)  # read from this file's Tags
        chart.credit = own if model is None else with_disclosure(own, model)
        charts.append(chart)
    return Song(title=first.title, artist=first.artist, credit=credit, music=first.music,
                sample_start=first.sample_start, timing=first.timing, charts=charts, extra=common)


def read_difficulty(read: Callable[[list[Unrepresentable]], Song], name: str,
                    report: list[Unrepresentable] | None,
                    skipped: list[tuple[str, ParseError]]) -> tuple[Song | None, ParseError | None]:
    """One ``.osu`` file of a set (a folder's, an archive's), read by ``read(its own report)``: (the song, None); or
    (None, None) for another game mode and (None, the read error) for a file that cannot be read, each added to
    ``skipped`` to be named as a set skips it. A file that fails half-way adds nothing to ``report``."""
    own: list[Unrepresentable] = []
    try:
        song = read(own)
    except NotManiaError as err:
        skipped.append((name, err))
        return None, None
    except ParseError as err:
        skipped.append((name, ParseError(f"cannot be read: {ParseError(err.message, err.line)}")))
        return None, err
    if report is not None:
        report += own
    return song, None
