"""What .sm and .ssc share: song header tags, chart fields, tag order and canonical writing.

Song fields we model (``TITLE SUBTITLE ARTIST CREDIT MUSIC SAMPLESTART SAMPLELENGTH`` and the timing tags)
become :class:`~chart.song.Song` attributes; every other header tag, known or not, is kept in ``Song.extra``
as ``(NAME, raw value)``. ``extra`` is held in one canonical order (StepMania 5's writer order, with tags it
does not know after them in file order), so reading a file and reading our rewrite of it give equal songs.
Writers emit the modelled tags always, other tags only when present.
"""

from __future__ import annotations

from fractions import Fraction

from chart.formats.errors import MAX_CHARTS, MAX_LANES, MAX_METER, ParseError, Unrepresentable
from chart.formats.msd import Tag, escape, escape_raw, tag_line
from chart.formats.notedata import (
    PLAYER2,
    format_notes,
    parse_notes,
    player2_text,
    split_players,
    unrepresentable_notes,
)
from chart.formats.steps_types import SM5_STEPS_TYPES, canonical_mode, mode_problems
from chart.formats.timing_gather import TimingTags
from chart.formats.timing_tags import (
    ALIASES,
    EXTRA_TAGS,
    TIMING_TAGS,
    bpms_stated,
    order_extra,
    timing_from_tags,
)
from chart.formats.values import format_beat, format_number, parse_number, snap_row, written_as_zero
from chart.song import Chart, Slot, Song
from chart.stated_tempo import mark_invented
from chart.timing import TimingData

# StepMania 5 writer order (.ssc superset; .sm's LASTBEATHINT slotted where the .sm writer puts it).
SONG_ORDER = (
    "VERSION", "TITLE", "SUBTITLE", "ARTIST", "TITLETRANSLIT", "SUBTITLETRANSLIT", "ARTISTTRANSLIT", "GENRE",
    "ORIGIN", "CREDIT", "BANNER", "BACKGROUND", "PREVIEWVID", "JACKET", "CDIMAGE", "DISCIMAGE", "LYRICSPATH",
    "CDTITLE", "MUSIC", "INSTRUMENTTRACK", "OFFSET", "SAMPLESTART", "SAMPLELENGTH", "LASTBEATHINT",
    "SELECTABLE", "DISPLAYBPM", *TIMING_TAGS[1:], "LASTSECONDHINT", "BGCHANGES", "FGCHANGES", "KEYSOUNDS",
    "ATTACKS",
)
CHART_ORDER = (
    "CHARTNAME", "STEPSTYPE", "DESCRIPTION", "CHARTSTYLE", "DIFFICULTY", "METER", "RADARVALUES", "CREDIT",
    *TIMING_TAGS, "ATTACKS", "DISPLAYBPM",
)
_SONG_TEXT = {"TITLE": "title", "SUBTITLE": "subtitle", "ARTIST": "artist", "CREDIT": "credit", "MUSIC": "music"}
_SONG_NUMBER = {"SAMPLESTART": "sample_start", "SAMPLELENGTH": "sample_length"}


def song_from_header(tags: list[Tag], report: list[Unrepresentable] | None = None, sm: bool = False) -> Song:
    """A Song (no charts yet) from header tags; the last of a repeated modelled tag wins, a repeated timing tag
    is read as StepMania reads it (:mod:`chart.formats.timing_gather`). Timing entries read as
    StepMania's loader reads them (``sm``: its .sm loader) are said in ``report``
    (:func:`~chart.formats.timing_tags.timing_from_tags`)."""
    song = Song()
    timing = TimingTags(merge=not sm)
    extra: list[tuple[str, str]] = []
    for tag in tags:
        name = ALIASES.get(tag.name, tag.name)
        if name in _SONG_TEXT:
            setattr(song, _SONG_TEXT[name], tag.text)
        elif name in _SONG_NUMBER:
            value = parse_number(tag.value, f"#{name}", tag.line) if tag.value else Fraction(0)
            setattr(song, _SONG_NUMBER[name], value)
        elif not timing.add(name, tag) and name != "VERSION":
            extra.append((known_spelling(tag, SONG_ORDER), tag.raw.strip()))
    said = timing.notes()
    song.timing = timing_from_tags(timing.values, order_extra(timing.extra, EXTRA_TAGS), notes=said, sm=sm)
    if not bpms_stated(timing.values):  # read at 60 BPM, as StepMania reads it: an invented tempo
        mark_invented(song, song.timing)
    if report is not None:
        report += [Unrepresentable("", Fraction(0), line, fatal=False) for line in said]
    song.extra = order_extra(extra, SONG_ORDER)
    return song


def known_spelling(tag: Tag, order: tuple[str, ...]) -> str:
    """Upper case for tags StepMania knows (matched case-insensitively), the file's spelling otherwise."""
    return tag.name if tag.name in order else tag.spelling


def make_chart(fields: dict[str, tuple[str, int]], notes_text: str, notes_line: int,
               extra: list[tuple[str, str]], timing: TimingData | None,
               report: list[Unrepresentable] | None = None) -> Chart:
    """A Chart from its text fields (STEPSTYPE, DESCRIPTION, DIFFICULTY, METER, CREDIT) and note data; what the
    note data held that StepMania reads leniently or drops is appended to ``report``."""
    mode = canonical_mode(fields.get("STEPSTYPE", ("dance-single", 0))[0]) or "dance-single"  # as StepMania reads it
    lanes = SM5_STEPS_TYPES.get(mode) or _lanes_from_data(notes_text, notes_line)
    text, line = fields.get("DIFFICULTY", ("Edit", notes_line))
    try:
        slot = Slot.parse(text) if text.strip() else Slot.EDIT
    except ValueError:
        slot = Slot.EDIT  # StepMania treats an unknown difficulty as an edit
    text, line = fields.get("METER", ("1", notes_line))
    meter = _meter(text, line)
    clamped = max(-MAX_METER, min(MAX_METER, meter))  # what every format holds: saved as it reads, autosaves too
    first, second, more = split_players(notes_text)
    notes, ignored = parse_notes(first, lanes, notes_line)
    own_extra = order_extra(extra, CHART_ORDER)
    second_notes, second_ignored = parse_notes(second, lanes, notes_line) if second is not None else ([], {})
    if second_notes:  # a routine chart's player 2: kept as it is, written back after '&'
        own_extra.append((PLAYER2, format_notes(second_notes, lanes)))
    chart = Chart(mode=mode, slot=slot, meter=clamped, description=fields.get("DESCRIPTION", ("", 0))[0].strip(),
                  credit=fields.get("CREDIT", ("", 0))[0].strip(), notes=notes, timing=timing, lanes=lanes,
                  extra=own_extra)
    if report is not None:
        cid = chart.chart_id()
        lines = [_read_note(what, count, lanes) for what, count in ignored.items()]
        if clamped != meter:
            lines.append(f"#METER {meter} read as {clamped}, the largest meter the formats hold")
        lines += [f"player 2: {_read_note(what, count, lanes)}" for what, count in second_ignored.items()]
        if second_notes:
            lines.append(f"player 2's {len(second_notes)} notes (after '&') are kept unchanged and written back to "
                         f".sm/.ssc; only player 1's are shown and edited")
        if more:
            lines.append("note data after a second '&' ignored, as StepMania does (two players at most)")
        report += [Unrepresentable(cid, Fraction(0), reason, fatal=False) for reason in lines]
    return chart


def _read_note(what: str, count: int, lanes: int) -> str:
    """A read-report line for what the note-data reader counted (:func:`chart.formats.notedata.parse_notes`)."""
    if what in _READ_NOTES:
        return _READ_NOTES[what](count, lanes)
    return f"{count} {what} in the note data read as empty, as StepMania does"


_READ_NOTES = {
    "K": lambda n, lanes: f"{n} auto-keysound (K) ignored on read",
    "A": lambda n, lanes: f"{n} attack (A) ignored on read",
    "keysound index": lambda n, lanes: f"{n} keysound index(es) [n] on notes dropped (#KEYSOUNDS itself is kept)",
    "attack suffix": lambda n, lanes: f"{n} attack suffix(es) {{...}} on notes dropped",
    "orphan tail": lambda n, lanes: f"{n} orphan tail(s) (a '3' with no open head on an earlier row) ignored, "
                                    f"as StepMania does",
    "unclosed head": lambda n, lanes: f"{n} unclosed head(s) (no '3' after them) dropped, as StepMania does",
    "long line": lambda n, lanes: f"{n} note line(s) longer than {lanes} characters: the extra ones ignored, "
                                  f"as StepMania does",
    "short line": lambda n, lanes: f"{n} note line(s) shorter than {lanes} characters: the lanes they lack read "
                                   f"as empty, as StepMania does",
    "note inside hold": lambda n, lanes: f"{n} hold(s) with a note inside on their lane: StepMania drops such a "
                                         f"hold; kept here (Verify flags it)",
    "shared row": lambda n, lanes: f"{n} note(s) on a lane and 1/48-beat row that a later note line also filled (a "
                                   f"measure of more than 192 lines): the later kept, as StepMania does",
}


def _meter(text: str, line: int) -> int:
    text = text.strip()
    if not text:
        return 1
    try:
        return int(parse_number(text, "#METER", line))
    except ParseError:
        return 1  # "?" and similar placeholders: StepMania shows them as meter 1 too


def _lanes_from_data(text: str, line: int) -> int:
    """Lanes of an unknown steps type: the width of its first note line."""
    for word in text.split():
        word = word.strip(",;")
        if word and "[" not in word and "{" not in word:
            if len(word) > MAX_LANES:
                raise ParseError(f"note line of {len(word)} lanes (at most {MAX_LANES})", line)
            return len(word)
    return 4


def check_chart_count(count: int) -> None:
    if count > MAX_CHARTS:
        raise ParseError(f"more than {MAX_CHARTS} charts in one file")


# ---------------------------------------------------------------------------------------------- writing
def song_tag_values(song: Song) -> dict[str, str]:
    """Modelled song tags as written text."""
    return {
        "TITLE": escape(song.title), "SUBTITLE": escape(song.subtitle), "ARTIST": escape(song.artist),
        "CREDIT": escape(song.credit), "MUSIC": escape(song.music),
        "SAMPLESTART": format_number(song.sample_start), "SAMPLELENGTH": format_number(song.sample_length),
    }


def write_ordered(order: tuple[str, ...], values: dict[str, str], extra: list[tuple[str, str]]) -> str:
    """Tags of ``order`` (modelled from ``values``, others from ``extra``), then unknown extras in order."""
    out = []
    by_name: dict[str, list[str]] = {}
    for name, raw in extra:
        by_name.setdefault(name, []).append(raw)
    for name in order:
        if name in values:
            out.append(tag_line(name, values[name]))
        for raw in by_name.get(name, ()) if name not in values else ():
            out.append(tag_line(name, escape_raw(raw)))
    known = set(order) | set(values)
    out += [tag_line(name, escape_raw(raw)) for name, raw in extra if name not in known]
    return "".join(out)


def chart_comment(chart: Chart) -> str:
    """The separator comment StepMania writes before each chart."""
    desc = " ".join(chart.description.split())
    return f"//---------------{chart.mode} - {desc}----------------\n"


def timing_problems(timing: TimingData, chart_id: str = "") -> list[Unrepresentable]:
    """Timing events off StepMania's 1/48-beat rows (the reader would move them to the nearest row)."""
    out = []
    events = [("BPM change", b) for b, _ in timing.bpms] + [("stop", b) for b, _ in timing.stops]
    events += [("delay", b) for b, _ in timing.delays] + [("warp", b) for b, _ in timing.warps]
    events += [("time signature", b) for b, _, _ in timing.time_signatures]
    for name, beat in events:
        if (beat * 48).denominator != 1:
            out.append(Unrepresentable(chart_id, beat, f"{name} off StepMania's 1/48-beat rows (nearest row: beat "
                                                       f"{format_beat(snap_row(beat))})"))
    for name, values in (("BPM", timing.bpms), ("warp", timing.warps)):
        for beat, value in values:  # 9 decimals: a BPM of 1e-10 was written as 0 and the file no longer opened
            if written_as_zero(value):
                out.append(Unrepresentable(chart_id, beat, f"{name} of {float(value):g} is written as 0 "
                                                           f"(files hold 9 decimals)"))
    return out


def chart_problems(chart: Chart) -> list[Unrepresentable]:
    """Notes of a chart that StepMania note data cannot hold, and a steps type that does not fit its lanes or that
    StepMania does not know (:func:`chart.formats.steps_types.mode_problems`)."""
    return mode_problems(chart.mode, chart.lanes, chart.chart_id()) + \
        unrepresentable_notes(chart.notes, chart.lanes, chart.chart_id())


def notes_text(chart: Chart) -> str:
    """Note data of a chart (call :func:`chart_problems` first), a routine chart's player 2 after ``&``."""
    text = format_notes(chart.notes, chart.lanes, chart.chart_id())
    second = dict(chart.extra).get(PLAYER2)
    second = player2_text(second, chart.lanes) if second else ""  # canonical, whatever edited the text
    return f"{text}\n&\n{second}" if second else text


def written_extra(chart: Chart) -> list[tuple[str, str]]:
    """``chart.extra`` without what :func:`notes_text` writes (player 2's note data)."""
    return [(name, value) for name, value in chart.extra if name != PLAYER2]
