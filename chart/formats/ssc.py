""".ssc (StepMania 5) read and write.

A file is the song header, then one block per chart opened by ``#NOTEDATA:;``. A chart block carrying any
non-empty timing tag (``#BPMS #STOPS #DELAYS #WARPS #TIMESIGNATURES #OFFSET`` or the display tags) has its own
timing (split timing, ``Chart.timing``); as StepMania does, that timing replaces the song's, except that a block
without ``#OFFSET`` or ``#BPMS`` takes those two from the song (lenient: StepMania 5 plays a block without
``#BPMS`` at 60 BPM, or, when ``#OFFSET`` is its only timing tag, on the song's timing, that offset ignored).

``#VERSION`` (read as StepMania does: a leading number, 0.83 when absent; every ``#VERSION`` tag, header or
chart block, sets it from there on) matters below 0.70, before split timing: chart blocks' timing tags (and
``#ATTACKS``) are ignored, and ``#WARPS`` values are end beats (``4=8`` is a 4-beat warp) rather than lengths.
Both are said in the read report; the song is then held, and written, as a 0.83 file that plays the same.
Canonical output starts with ``#VERSION:0.83;`` and writes tags in StepMania 5's order, one per line.
"""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction

from chart.formats import osu_times, radar
from chart.formats.errors import Unrepresentable, WriteError, meter_problems
from chart.formats.msd import Tag, decode, escape, parse_tags, require_tags, tag_line
from chart.formats.stepmania import (
    CHART_ORDER,
    SONG_ORDER,
    chart_comment,
    chart_problems,
    check_chart_count,
    known_spelling,
    make_chart,
    notes_text,
    song_from_header,
    song_tag_values,
    timing_problems,
    write_ordered,
    written_extra,
)
from chart.formats.timing_gather import TimingTags
from chart.formats.timing_tags import (
    ALIASES,
    EXTRA_TAGS,
    FIELD_TAGS,
    bpms_stated,
    order_extra,
    timing_from_tags,
    timing_tag_values,
)
from chart.formats.values import format_pairs, parse_pairs
from chart.song import Chart, Song
from chart.stated_tempo import is_invented, mark_invented
from chart.timing import TimingData

NAME = "ssc"
VERSION = "0.83"
_CHART_FIELDS = ("STEPSTYPE", "DESCRIPTION", "DIFFICULTY", "METER", "CREDIT")


def loads(text: str, report: list[Unrepresentable] | None = None) -> Song:
    """Song from .ssc text; things dropped as StepMania drops them are appended to ``report``.

    Raises only :class:`ParseError`.
    """
    tags = parse_tags(text)
    require_tags(tags)
    blocks: list[list[Tag]] = []
    header: list[Tag] = []
    version = _CURRENT
    old: list[str] = []  # notes on what an old #VERSION changed
    for tag in tags:
        name = ALIASES.get(tag.name, tag.name)
        if name == "VERSION":
            version = _version(tag.value)
            if not blocks:
                header.append(tag)
        elif name == "NOTEDATA":
            blocks.append([])
            check_chart_count(len(blocks))
        elif blocks:
            if version < SPLIT_TIMING and name in _SPLIT_TAGS:
                if tag.text:
                    old.append(f"chart-level #{name} ignored: the file's #VERSION is below 0.70 (no split timing "
                               f"yet), as StepMania does")
                continue
            blocks[-1].append(tag)
        else:
            if name == "WARPS" and version < SPLIT_TIMING and tag.text:
                tag = _warps_as_lengths(tag)
                old.append("#WARPS values read as end beats: the file's #VERSION is below 0.70, as StepMania does")
            header.append(tag)
    song = song_from_header(header, report)
    song.charts = [c for c in (_chart(block, song, report) for block in blocks) if c is not None]
    for chart in song.charts:  # its radar field is written back while the chart is this one (chart.formats.radar)
        radar.remember(NAME, chart, song.timing_for(chart))
    if report is not None:
        report += [Unrepresentable("", Fraction(0), line, fatal=False) for line in dict.fromkeys(old)]
    return song


# StepMania's SSC version constants (NotesLoaderSSC.h): the version StepMania writes, and split timing's.
_CURRENT = Fraction(83, 100)
SPLIT_TIMING = Fraction(7, 10)
_SPLIT_TAGS = frozenset({*FIELD_TAGS, *EXTRA_TAGS, "ATTACKS"})
_LEADING_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def _version(text: str) -> Fraction:
    """``#VERSION`` as StepMania reads it (``strtof``: the leading number, 0 when there is none)."""
    m = _LEADING_NUMBER.match(text.strip())
    return Fraction(m.group(0)) if m else Fraction(0)


def _warps_as_lengths(tag: Tag) -> Tag:
    """An old file's ``#WARPS`` (``beat=end beat``) as lengths; a value not past its beat is already one, as
    StepMania reads it."""
    pairs = parse_pairs(tag.text, "#WARPS", tag.line)
    text = format_pairs([(b, v - b if v > b else v) for b, v in pairs])
    return dataclasses.replace(tag, params=(text,), raw=text)


def load_bytes(data: bytes, report: list[Unrepresentable] | None = None) -> Song:
    """Song from the bytes of a .ssc file."""
    return loads(decode(data, report), report)


def _chart(block: list[Tag], song: Song, report: list[Unrepresentable] | None) -> Chart | None:
    fields: dict[str, tuple[str, int]] = {}
    gathered = TimingTags(merge=True, skip_empty=True)
    extra: list[tuple[str, str]] = []
    notes: Tag | None = None
    for tag in block:
        name = ALIASES.get(tag.name, tag.name)
        if name in ("NOTES", "NOTES2"):
            notes = tag
        elif name in _CHART_FIELDS:
            fields[name] = (tag.text, tag.line)
        elif not gathered.add(name, tag):
            extra.append((known_spelling(tag, CHART_ORDER), tag.raw.strip()))
    if notes is None:  # StepMania skips a #NOTEDATA block without #NOTES: said, as other reads it drops are
        if report is not None:
            what = " ".join(fields[k][0] for k in ("STEPSTYPE", "DIFFICULTY", "METER") if fields.get(k, ("",))[0])
            where = f", from line {block[0].line}" if block else ""
            report.append(Unrepresentable("", Fraction(0), f"#NOTEDATA block ({what or 'empty'}{where}) without "
                                          f"#NOTES skipped, as StepMania skips it", fatal=False))
        return None
    timing = None
    said = gathered.notes()
    if gathered.values or gathered.extra:
        timing = timing_from_tags(gathered.values, order_extra(gathered.extra, EXTRA_TAGS), base=song.timing,
                                  notes=said)
        if is_invented(song, song.timing) and not bpms_stated(gathered.values):  # the song's invented tempo
            mark_invented(song, timing)
    chart = make_chart(fields, ":".join(notes.params), notes.line, extra, timing, report)
    if report is not None:
        report += [Unrepresentable(chart.chart_id(), Fraction(0), f"chart timing: {line}", fatal=False)
                   for line in said]
    return chart


# ---------------------------------------------------------------------------------------------- writing
def problems(song: Song) -> list[Unrepresentable]:
    """Everything in ``song`` that .ssc cannot hold as it is (all fatal: notes or timing off the 1/48-beat grid,
    collisions, lanes outside the chart, a meter outside the range every format holds)."""
    out = timing_problems(song.timing) + meter_problems(song.charts)
    for chart in song.charts:
        out += chart_problems(chart)
        if chart.timing is not None:
            out += timing_problems(chart.timing, chart.chart_id())
    return out


def dumps(song: Song) -> str:
    """Canonical .ssc text. Raises :class:`WriteError` if a note cannot be stored without moving it."""
    bad = [p for p in problems(song) if p.fatal]
    if bad:
        raise WriteError(".ssc", bad)
    values = song_tag_values(song)
    values["VERSION"] = VERSION
    values.update(timing_tag_values(song.timing))
    unstated = is_invented(song, song.timing)
    if unstated:  # the tempo the reader filled in stays unstated: StepMania reads the same 60 BPM from this
        values["BPMS"] = ""
    parts = [write_ordered(SONG_ORDER, values, song.extra)]
    for chart in song.charts:  # a chart's own invented tempo is the song's: left to it when that is still unstated
        parts.append(_chart_text(chart, song.timing_for(chart), unstated and is_invented(song, chart.timing)))
    return "".join(parts)


def _chart_text(chart: Chart, timing: TimingData, unstated: bool = False) -> str:
    values = {
        "STEPSTYPE": chart.mode, "DESCRIPTION": escape(chart.description),
        "DIFFICULTY": chart.slot.sm_name, "METER": str(chart.meter), "CREDIT": escape(chart.credit),
    }
    if chart.timing is not None:
        values.update(timing_tag_values(chart.timing))
        if unstated:
            values["BPMS"] = ""
    extra = osu_times.pruned_extra(chart, timing, written_extra(chart))  # the osu! ms its notes still use
    body = write_ordered(CHART_ORDER, values, radar.without_stale(NAME, chart, timing, extra))
    return f"{chart_comment(chart)}{tag_line('NOTEDATA', '')}{body}#NOTES:\n{notes_text(chart)}\n;\n"

