"""osu!mania ``.osu`` read and write (one difficulty per file, ``Mode: 3``).

Mapping (osu! wiki "osu! (file format)"; column rule as osu! computes it):

* ``[Difficulty] CircleSize`` is the key count = ``Chart.lanes`` (rounded, as osu! reads it, like an old format
  version's times and a slider or spinner, a hold: :mod:`chart.formats.osu_objects`); a hit object's column is
  ``clamp(floor(x * keys / 512), 0, keys - 1)``; we write ``x = floor((column + 0.5) * 512 / keys)``. The mode
  is the key count's usual one, the chart marked a keyboard chart (:mod:`chart.formats.osu_modes`).
* Hit objects: type bit 0 (1) is a note, bit 7 (128) a hold whose end time is the first ``:`` field of the
  sixth value. Times are ms from the start of the audio; they become beats through the timing
  (:mod:`chart.formats.osu_timing`) and are put on the nearest 1/48-beat row (1/192 measure). Notes whose
  row is more than 1 ms away from their time are **reported** (``loads(..., report=list)``: one line per
  chart, counted, with the largest shift), not hidden; a time its row's does not round to is kept (osu_times).
* Metadata: ``AudioFilename PreviewTime`` -> ``Song.music sample_start`` (osu! has no preview length; ``0`` is
  kept apart from ``-1``: :func:`preview_value`; a set's difficulty with a preview of its own keeps it: :data:`PREVIEW`).
  ``TitleUnicode``/``ArtistUnicode`` (the names in their own script) are ``Song.title``/``artist``, and
  ``Title``/``Artist`` (romanised, as osu! asks) StepMania's ``TITLETRANSLIT``/``ARTISTTRANSLIT`` in
  ``Song.extra`` when they differ; written back the same way (a song without a transliteration writes its name
  as ``Title`` only). ``Creator`` is ``Song.credit``, or the chart's own ``credit`` when it has one (osu! keeps
  one per file); a beatmap set's most common ``Creator`` is the song's. A credit's AI disclosure
  (:mod:`chart.disclosure`) is not a ``Creator``: it is written as ``ai-assisted genelive <model>`` in ``Tags``
  and read back from there into the chart's credit. ``BeatmapID`` names one difficulty: it
  goes to that chart's ``extra``, never to the song (a difficulty added or copied gets none; osu! assigns one on
  submission). ``Version`` (the difficulty name) holds the slot, meter and description as
  ``"Hard Lv.9: name"``; a foreign name (``"Insane"``) is the description, with the slot guessed from its words
  and the meter from ``Lv.N`` or ``OverallDifficulty``, and is kept in ``Chart.extra`` as ``Metadata.Version``:
  written back as it was while the slot, meter and description still read from it (osu! tells the
  difficulties of a set apart by their names).
* A beatmap of another game mode (``Mode`` other than 3) raises :class:`NotManiaError`.
* Everything else (other keys, ``[Events]``, ``[Colours]``, inherited timing points = scroll speeds) is kept in
  ``Song.extra`` as ``("Section.Key", value)`` or ``("Section", raw lines)`` and written back; the times of
  inherited points, bookmarks and breaks in beats (:mod:`chart.formats.osu_beats`), hitsounds and red lines'
  sample settings by beat (:mod:`chart.formats.osu_hitsounds`), so that they follow timing edits. Keys equal to
  the defaults we write are not stored, so reading our own output gives the same song. Extras of other sections
  (StepMania tags such as ``GENRE``) are listed as dropped and not written.

Not representable (``problems``): several charts in one file, notes that would move once times are whole
milliseconds, a meter outside -1000000..1000000 (``Lv.N`` reads back no other) (fatal); mines, fakes, lifts (dropped), rolls (written as holds), notes inside warps and fake segments
(dropped), a judged hold over in the millisecond it starts (on a delay inside a warp: written as a note), a
routine chart's player 2 (dropped), stops, delays and warps (red lines), time signatures not over 4, subtitles, the preview length, a song credit no
file's ``Creator`` holds, and .sm/.ssc-only tags, StepMania's display and fake segments in the timing's
``extra`` included (:mod:`chart.formats.osu_dropped`) (non-fatal, listed). Holds overlapping in one lane are written as
they are (each hit object stands alone and reads back so; Verify flags them).
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from chart.disclosure import disclosed_model, from_osu_tags, human_credit, marker, osu_tags
from chart.formats import osu_hitsounds as hs
from chart.formats import osu_red, osu_times, osu_timing
from chart.formats.display_segments import fake_index, never_judged
from chart.formats.errors import MAX_NOTES, ParseError, Unrepresentable, WriteError, meter_problems
from chart.formats.msd import decode, escape, normalise, unescape
from chart.formats.notedata import PLAYER2
from chart.formats.osu_beats import INHERITED, extra_in_beats, extra_in_ms
from chart.formats.osu_dropped import song_drops
from chart.formats.osu_io import (
    OSU_DEFAULTS,
    SECTIONS,
    OsuFile,
    canonical_extra,
    parse_sections,
    plain_song,
    write_file,
)
from chart.formats.osu_modes import keyboard_mark, mode_change, mode_for_keys, written_defaults
from chart.formats.osu_objects import early_version_offset, key_count, read_objects
from chart.formats.osu_timing import check_point_count, parse_point, points_from_timing, timing_from_points
from chart.formats.timing_tags import in_warp
from chart.formats.values import format_number, parse_number
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song

NAME = "osu"
_ROW = Fraction(1, 48)
_MS_TOLERANCE = Fraction(1)
_LEVEL = r"(?:\d{1,6}|1000000)(?!\d)"  # a meter in the range every format holds (errors.MAX_METER), unsigned
_VERSION = re.compile(r"(?:\d{1,2}K )?(Beginner|Easy|Medium|Hard|Challenge|Edit) Lv\.(-?" + _LEVEL + r")(?:: (.*))?",
                      re.S)  # "4K Hard Lv.9": a set of several key counts (registry.split_per_chart)
_OSU_SLOTS = {"beginner": Slot.BEGINNER, "easy": Slot.EASY, "normal": Slot.MEDIUM, "medium": Slot.MEDIUM,
              "hard": Slot.HARD, "hyper": Slot.HARD, "insane": Slot.CHALLENGE, "another": Slot.CHALLENGE,
              "expert": Slot.CHALLENGE, "extra": Slot.CHALLENGE, "challenge": Slot.CHALLENGE}
VERSION_KEY = "Metadata.Version"  # a difficulty name we did not write, kept in Chart.extra
BEATMAP_ID = "Metadata.BeatmapID"  # one difficulty's identity on osu!'s servers: that chart's, never copied
TAGS = "Metadata.Tags"
PREVIEW = "General.PreviewTime"  # a set's difficulty whose preview is not the song's keeps its own (merge_set)
TRANSLIT = {"Title": "TITLETRANSLIT", "Artist": "ARTISTTRANSLIT"}  # osu!'s romanised names as StepMania's tags
_OD = ("Difficulty", "OverallDifficulty")
_NAME_KEYS = ("Metadata.Title", "Metadata.TitleUnicode", "Metadata.Artist", "Metadata.ArtistUnicode")
_UNWRITTEN = (NoteKind.MINE, NoteKind.FAKE, NoteKind.LIFT)  # no such hit objects: dropped
_GAMES = {"0": "osu!standard", "1": "osu!taiko", "2": "osu!catch"}


class NotManiaError(ParseError):
    """A beatmap of another osu! game mode (a beatmap set folder may mix them: :func:`registry.load_folder` skips
    these)."""


def loads(text: str, report: list[Unrepresentable] | None = None) -> Song:
    """Song (one chart) from .osu text; notes more than 1 ms off a row are appended to ``report``."""
    osu = parse_sections(normalise(text))
    mode = osu.get("General", "Mode", "0")
    if mode != "3":
        game = _GAMES.get(mode, "another game mode")
        raise NotManiaError(f"not an osu!mania beatmap (Mode: {mode}, {game}; expected 3)")
    check_point_count(osu.lines("TimingPoints"))  # before any per-line work
    lenient: list[str] = []  # what was read as osu! reads it, for the report
    keys = key_count(osu, lenient)
    early_version_offset(osu, lenient)
    points = []
    inherited: list[str] = []
    for number, line in osu.lines("TimingPoints"):
        point, raw = parse_point(line, number, lenient)
        if point is not None:
            points.append(point)
        elif raw is not None:
            inherited.append(raw)
    parsed = read_objects(osu, keys, points, inherited, lenient)
    objects = [p[:3] for p in parsed]
    if len(objects) > MAX_NOTES:
        raise ParseError(f"more than {MAX_NOTES} hit objects")
    first = min((o[0] for o in objects), default=None)
    timing = timing_from_points(points, first, [t for o in objects for t in (o[0], o[2]) if t is not None])
    chart, made = _chart(osu, keys, objects, timing, report)
    if report is not None:
        report += [Unrepresentable(chart.chart_id(), Fraction(0), line, fatal=False) for line in dict.fromkeys(lenient)]
    chart.extra += hs.sounds_extra(made, [p[3] for p in parsed])  # made[i]: the note of hit object i
    chart.extra += osu_times.times_extra(timing, made, objects)  # the ms a row's time does not round to
    extra, model = _disclosure_read(osu.extra())
    if model is not None:  # the AI disclosure Tags carry is the chart's (its credit), not the set's Creator
        chart.credit = marker(model)
    if inherited:
        extra.append((INHERITED, "\n".join(inherited)))
    extra = extra_in_beats(extra, timing) + osu_red.red_extra(points, [_on_row(timing, p.time_ms) for p in points], timing)
    chart.extra += [item for item in extra if item[0] == BEATMAP_ID]
    names = {key: _names(osu, key) for key in TRANSLIT}
    extra = [item for item in extra if item[0] != BEATMAP_ID]
    extra += [(TRANSLIT[key], escape(latin)) for key, (_, latin) in names.items() if latin]
    preview = parse_number(osu.get("General", "PreviewTime", "-1"), "PreviewTime")
    extra += [(PREVIEW, "0")] if preview == 0 else []  # from the start, not none (-1): both are 0 s (preview_value)
    return Song(title=names["Title"][0], artist=names["Artist"][0], credit=osu.get("Metadata", "Creator", ""),
                music=osu.get("General", "AudioFilename", ""), sample_start=max(preview, Fraction(0)) / 1000,
                timing=timing, charts=[chart], extra=canonical_extra(extra))


def preview_text(sample_start: Fraction) -> str:
    """``PreviewTime`` of a preview start in seconds (``-1``: none)."""
    return str(round(sample_start * 1000)) if sample_start > 0 else "-1"


def preview_value(song: Song) -> str:
    """The song's ``PreviewTime``: a start of 0 s is none (``-1``, osu! picks one), as StepMania reads
    ``#SAMPLESTART:0``, unless read from a ``PreviewTime: 0`` (from the very start), kept as the song's
    ``General.PreviewTime`` extra while the start stays 0."""
    return "0" if not song.sample_start and dict(song.extra).get(PREVIEW) == "0" else preview_text(song.sample_start)


def _disclosure_read(extra: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], str | None]:
    """``extra`` with the AI disclosure words taken out of ``Tags``, and the model they name (None: none)."""
    rest, model = from_osu_tags(dict(extra).get(TAGS, ""))
    if model is None:
        return extra, None
    return [(k, rest if k == TAGS else v) for k, v in extra if k != TAGS or rest], model


def _names(osu: OsuFile, key: str) -> tuple[str, str]:
    """(``Title``/``Artist`` in its own script, its romanisation when that differs, else ""): osu!'s ``TitleUnicode``
    and ``Title`` are StepMania's ``#TITLE`` and ``#TITLETRANSLIT``."""
    latin, native = osu.get("Metadata", key, ""), osu.get("Metadata", f"{key}Unicode", "")
    return (native, latin if latin != native else "") if native else (latin, "")


def load_bytes(data: bytes, report: list[Unrepresentable] | None = None) -> Song:
    """Song from the bytes of a .osu file (UTF-8, BOM allowed; a line that is not UTF-8 read with a code page,
    said in ``report``: :func:`chart.formats.msd.decode_noted`)."""
    return loads(decode(data, report), report)


def _on_row(timing, time_ms: Fraction) -> Fraction:
    """The row of a red line (the reader puts each on one, a pause making up the difference)."""
    return Fraction(round(timing.seconds_to_beat(time_ms / 1000) * 48), 48)


def _chart(osu: OsuFile, keys: int, objects, timing, report) -> tuple[Chart, list[Note]]:
    """The chart of the hit objects, and the note made of each object in the file's order (the chart sorts its
    notes by beat and lane: per-object data such as the sounds goes by these)."""
    head_ms = [o[0] for o in objects]
    held = [o for o in objects if o[2] is not None]
    heads, head_off = _rows(timing, head_ms)
    ends, end_off = _rows(timing, [o[2] for o in held])
    made = []
    reversed_ = []  # (head beat) of holds ending at or before their start
    short: list[tuple[Fraction, int, Fraction]] = []  # (head beat, held index, ms) of holds within one row
    held_at = 0
    for (ms, lane, end_ms), beat in zip(objects, heads):
        if end_ms is not None:
            end, held_at = ends[held_at], held_at + 1
            if end > beat:
                made.append(Note(beat, lane, NoteKind.HOLD, end - beat))
                continue
            if end_ms > ms:
                short.append((beat, held_at - 1, end_ms - ms))
            else:
                reversed_.append(beat)
        made.append(Note(beat, lane))
    version = osu.get("Metadata", "Version", "")
    slot, meter, description = _parse_version(version, osu.get(*_OD, OSU_DEFAULTS[_OD]))  # osu!'s 5 if none
    extra = [] if _VERSION.fullmatch(version) else [(VERSION_KEY, version)]  # osu! names it so: kept (dumps)
    chart = Chart(mode=mode_for_keys(keys), slot=slot, meter=meter, description=description,
                  notes=list(made), lanes=keys, extra=extra + keyboard_mark())  # Creator: the song's credit (merge_set: a guest's)
    if report is not None:
        cid = chart.chart_id()
        no_end = {i for _, i, _ in short} | {i for i, o in enumerate(held) if o[2] <= o[0]}
        end_off = [(i, off) for i, off in end_off if i not in no_end]  # read as notes: no end moved
        moved = [(head_ms[i], objects[i][1], heads[i], off) for i, off in head_off]
        moved += [(held[i][2], held[i][1], ends[i], off) for i, off in end_off]
        if moved:
            ms, lane, beat, _ = min(moved)
            worst = max(m[3] for m in moved)
            what = " and ".join(f"{n} {name}{'s' * (n != 1)}" for n, name in
                                ((len(head_off), "note"), (len(end_off), "hold end")) if n)
            report.append(Unrepresentable(cid, beat, f"{what} more than 1 ms off the 1/192 grid put on the nearest "
                                                     f"row (up to {worst:.1f} ms; the first at "
                                                     f"{format_number(ms, 0)} ms, lane {lane})", fatal=False))
        if short:
            beat, _, length = short[0]
            row_ms = (timing.beat_to_seconds(beat + _ROW) - timing.beat_to_seconds(beat)) * 1000
            report.append(Unrepresentable(cid, beat, f"{len(short)} hold(s) shorter than one 1/192 row read as "
                                                     f"notes (the first {format_number(length, 0)} ms long, a row "
                                                     f"{float(row_ms):.1f} ms there)", fatal=False))
        if reversed_:
            report.append(Unrepresentable(cid, reversed_[0], f"{len(reversed_)} hold(s) ending at or before their "
                                                             f"start read as notes", fatal=False))
    return chart, made


def _rows(timing, times_ms: list[Fraction]) -> tuple[list[Fraction], list[tuple[int, float]]]:
    """Nearest 1/48-beat row of each time (vectorised float64: far finer than the 1 ms tolerance), and (index,
    ms off) of the times more than 1 ms from their row."""
    if not times_ms:
        return [], []
    t_ms = np.array([float(t) for t in times_ms], dtype=np.float64)
    rows = np.rint(timing.seconds_to_beats_array(t_ms / 1000) * 48)
    off_ms = np.abs(timing.beats_to_seconds_array(rows / 48) * 1000 - t_ms)
    far = [(int(i), float(off_ms[i])) for i in np.flatnonzero(off_ms > float(_MS_TOLERANCE))]
    return [Fraction(int(r), 48) for r in rows], far


def _parse_version(version: str, od: str) -> tuple[Slot, int, str]:
    m = _VERSION.fullmatch(version)
    if m:
        return Slot.parse(m.group(1)), int(m.group(2)), m.group(3) or ""
    slot = next((_OSU_SLOTS[w] for w in re.findall(r"[a-z]+", version.lower()) if w in _OSU_SLOTS), Slot.EDIT)
    level = re.search(r"lv\.?\s*(" + _LEVEL + ")", version.lower())  # a foreign "Lv-5" is no level
    try:
        meter = int(level.group(1)) if level else max(1, round(parse_number(od, "OverallDifficulty")))
    except ParseError:
        meter = 1
    return slot, meter, version


def written_names(extra: list[tuple[str, str]], title: str, artist: str) -> dict[tuple[str, str], str]:
    """``Title`` (romanised: the transliteration, else the name) and, with a transliteration, ``TitleUnicode`` (the
    name) to write, and the same of ``Artist``. Without one osu! shows ``Title``, and a ``Metadata.TitleUnicode``
    extra (a .ssc converted before the two were mapped) is written as it is."""
    out = {}
    for key, name in (("Title", title), ("Artist", artist)):
        latin = unescape(dict(extra).get(TRANSLIT[key], "")).strip()
        out.update({("Metadata", key): latin, ("Metadata", f"{key}Unicode"): name} if latin else {("Metadata", key): name})
    return out


def version_name(chart: Chart, song_extra: list[tuple[str, str]]) -> str:
    """The ``Version`` to write: the one the chart was read from while its slot, meter and name still read from it
    (osu! tells a set's difficulties apart by it), else ``"Hard Lv.9: name"``."""
    original = dict(chart.extra).get(VERSION_KEY)
    if original is not None:
        od = dict([*song_extra, *chart.extra]).get("Difficulty.OverallDifficulty", written_defaults(chart)[_OD])
        if _parse_version(original, od) == (chart.slot, chart.meter, chart.description):
            return original
    return f"{chart.slot.sm_name} Lv.{chart.meter}" + (f": {chart.description}" if chart.description else "")


# ---------------------------------------------------------------------------------------------- writing
def problems(song: Song) -> list[Unrepresentable]:
    """What .osu cannot hold as it is (see module docstring)."""
    out: list[Unrepresentable] = []
    if len(song.charts) != 1:
        out.append(Unrepresentable("", Fraction(0), f"a .osu file holds one difficulty; the song has "
                                                    f"{len(song.charts)} (write one file per chart)"))
    out += meter_problems(song.charts)
    for chart in song.charts:
        out += _chart_problems(chart, song.timing_for(chart)) + mode_change(chart)
        if PLAYER2 in dict(chart.extra):
            out.append(Unrepresentable(chart.chart_id(), Fraction(0), "player 2's notes of a routine chart: "
                                       "dropped (osu!mania has one player)", fatal=False))
    out += song_drops(song) + osu_timing.pauses_written(song)  # subtitle, preview length, song credit, timing tags; pauses
    mapped = set(TRANSLIT.values())
    foreign = sorted({name for name, _ in song.extra if name.split(".")[0] not in SECTIONS and name not in mapped})
    if foreign:
        out.append(Unrepresentable("", Fraction(0), f"tags dropped: {', '.join(foreign)}", fatal=False))
    return out


def _chart_problems(chart: Chart, timing, timed: list | None = None) -> list[Unrepresentable]:
    cid = chart.chart_id()
    out = [Unrepresentable(cid, b, f"time signature {n}/{d}: osu! keeps only {n} beats per bar", fatal=False)
           for b, n, d in timing.time_signatures if d != 4]
    timed = list(osu_times.timed(chart, timing)) if timed is None else timed
    fakes = fake_index(timing)  # one bisection per note
    unjudged = [never_judged(timing, t[0].beat, fakes) for t in timed]
    written = [t for t, skipped in zip(timed, unjudged) if t[0].kind not in _UNWRITTEN and not skipped]
    first = min((ms for _, ms, _, _ in written), default=None)
    first_ms = None if first is None else Fraction(first)
    objects_ms = [ms for _, head, end, _ in written for ms in (head, end) if ms is not None]
    readback = timing_from_points(points_from_timing(timing), first_ms, objects_ms)  # what a reader rebuilds
    moved = osu_times.moved_ms(readback, timed)
    out += hs.lost_sounds(cid, chart.extra, [t[0] for t in written])
    seen: set[tuple[int, int]] = set()
    for (note, ms, end_ms, _), moved_ms, skipped in zip(timed, moved, unjudged):
        if note.kind in _UNWRITTEN:
            out.append(Unrepresentable(cid, note.beat, f"osu!mania has no {note.kind.value}s: dropped",
                                       note, fatal=False))
            continue
        if skipped and in_warp(timing, note.beat):
            out.append(Unrepresentable(cid, note.beat, "note inside a warp (never hit): dropped", note, False))
            continue
        if skipped:
            out.append(Unrepresentable(cid, note.beat, "note inside a fake segment (never judged): dropped", note,
                                       False))
            continue
        if note.kind.has_length and end_ms == ms:  # a hold on a delay inside a warp: judged, over at once
            out.append(Unrepresentable(cid, note.beat, f"{note.kind.value} over in the millisecond it starts (its "
                                                       f"length lies in a warp): written as a note", note, False))
        elif note.kind == NoteKind.ROLL:
            out.append(Unrepresentable(cid, note.beat, "roll written as a hold", note, fatal=False))
        if note.lane >= chart.lanes:
            out.append(Unrepresentable(cid, note.beat, f"lane {note.lane} outside {chart.lanes} keys", note))
        elif (ms, note.lane) in seen:
            out.append(Unrepresentable(cid, note.beat, "two notes in one lane at the same millisecond", note))
        elif moved_ms > float(_MS_TOLERANCE):
            out.append(Unrepresentable(cid, note.beat, f"would read back {moved_ms:.2f} ms away from its "
                                                       f"time (rows finer than whole milliseconds)", note))
        seen.add((ms, note.lane))
    return out


def _written(note: Note, timing, fakes) -> bool:
    """Whether a note becomes a hit object (mines, fakes, lifts and never-judged notes are dropped)."""
    return note.kind not in _UNWRITTEN and not never_judged(timing, note.beat, fakes)


def dumps(song: Song) -> str:
    """Canonical .osu text of a one-chart song. Raises :class:`WriteError` on fatal problems."""
    if len(song.charts) != 1:
        raise WriteError(".osu", [p for p in problems(song) if p.fatal])
    song = plain_song(song)  # osu! text kept through a .ssc or .sm file loses the escapes their writers added
    chart = song.charts[0]
    timing = song.timing_for(chart)
    timed = list(osu_times.timed(chart, timing))  # the times, computed once for the checks and the writing
    bad = meter_problems([chart]) + [p for p in _chart_problems(chart, timing, timed) if p.fatal]
    if bad:
        raise WriteError(".osu", bad)
    version = version_name(chart, song.extra)
    values = {
        ("General", "AudioFilename"): song.music, ("General", "Mode"): "3",
        ("General", "PreviewTime"): dict(chart.extra).get(PREVIEW) or preview_value(song),
        ("Metadata", "Creator"): human_credit(chart.credit) or song.credit, ("Metadata", "Version"): version,
        ("Difficulty", "CircleSize"): str(chart.lanes),
    }
    own = [(k, v) for k, v in chart.extra if k.partition(".")[0] in SECTIONS]  # a merged set's per-file keys
    held = {k.removeprefix("Metadata.").removesuffix("Unicode") for k, _ in own if k in _NAME_KEYS}
    values.update({k: v for k, v in written_names(song.extra, song.title, song.artist).items()
                   if k[1].removesuffix("Unicode") not in held})  # a set's difficulty's own Title/Artist (merge_set)
    red = osu_red.red_points(timing, [*song.extra, *own])  # the timing's, and the kept red lines keeping the tempo
    points = [osu_red.red_line(p, sound, format_number(p.time_ms, 0), osu_red.beat_length_text(p.beat_length_ms))
              for (_, p), sound in zip(red, osu_red.red_sounds([*song.extra, *own], [b for b, _ in red]))]
    kept = hs.kept_sounds(chart.extra)
    objects = []
    fakes = fake_index(timing)  # one bisection per note
    for note, ms, end_ms, _ in timed:
        if not _written(note, timing, fakes):
            continue
        x = (2 * note.lane + 1) * 512 // (2 * chart.lanes)
        end = end_ms if end_ms != ms else None  # osu! has no hold of no length (listed by _chart_problems)
        objects.append(hs.object_line(x, ms, end, kept.get((note.beat, note.lane))))
    if disclosed_model(chart.credit) is not None:
        values[("Metadata", "Tags")] = osu_tags(dict([*song.extra, *own]).get(TAGS, ""), chart.credit)
    return write_file(values, extra_in_ms([*song.extra, *own], timing), points, objects, written_defaults(chart))
