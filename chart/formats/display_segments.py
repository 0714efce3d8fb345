"""StepMania 5's display and scoring segments: ``#LABELS #SCROLLS #SPEEDS #FAKES #TICKCOUNTS #COMBOS``.

These tags do not move notes in time, so :class:`~chart.timing.TimingData` keeps them verbatim in ``extra`` and
the readers and writers pass them through untouched. This module reads one of them into exact entries and writes
entries back, for the editor's Timing panel, the timeline's markers and the judge:

============  ===========================  =============================================================
tag           entry                        meaning (StepMania 5)
============  ===========================  =============================================================
LABELS        (beat, text)                 a named place in the song ("Chorus"), for navigation
SCROLLS       (beat, ratio)                the scroll speed from here is ``ratio`` times the player's
SPEEDS        (beat, ratio, length, unit)  the speed mod eases to ``ratio`` over ``length`` beats (unit 0)
                                           or seconds (unit 1)
FAKES         (beat, length)               notes in ``[beat, beat + length)`` are drawn but never judged
TICKCOUNTS    (beat, ticks)                hold ticks per beat (0 to 48), for combo counting
COMBOS        (beat, hit, miss)            combo gained per hit and lost per miss
============  ===========================  =============================================================

Text is ``beat=value[=value...]`` entries separated by commas; beats are snapped to the 1/48 rows StepMania keeps
segments on. A label's text cannot contain ``, = ; : #``, a backslash or ``//`` (StepMania splits the tag on the
first two, ends it on the next ones, and reads ``//`` as the start of a comment: the rest of the line was lost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from chart.formats.errors import MAX_TIMING_ENTRIES, ParseError
from chart.formats.timing_tags import BeatRanges, cached_on, in_warp, warp_end
from chart.formats.values import format_beat, format_number, parse_list, parse_number, snap_row
from chart.notes import Note
from chart.timing import TimingData

LABEL_FORBIDDEN = ",=;:#\\"
MAX_TICKS = 48


@dataclass(frozen=True)
class SegmentSpec:
    tag: str
    name: str  # one entry, for people ("Scroll")
    width: int  # least number of '='-separated fields of an entry, beat included
    parse: Callable[[tuple[str, ...], str], tuple]  # fields after the beat -> values
    write: Callable[[tuple], str]  # values after the beat -> text after "beat="
    check: Callable[[tuple], str | None]  # values after the beat -> what is wrong, or None


def _num(text: str, what: str) -> Fraction:
    return parse_number(text, what)


def _count(text: str, what: str) -> int:
    value = parse_number(text, what)
    if value != int(value):
        raise ParseError(f"{what} is not a whole number: {text.strip()!r}")
    return int(value)


def _label_parse(fields: tuple[str, ...], what: str) -> tuple:
    return ("=".join(fields).strip(),)


def _label_check(values: tuple) -> str | None:
    text = values[0]
    if not text.strip():
        return "a label needs a name"
    bad = sorted({c for c in text if c in LABEL_FORBIDDEN or c in "\r\n"}) + (["//"] if "//" in text else [])
    return f"a label cannot contain {' '.join(repr(c) for c in bad)}" if bad else None


def _speed_parse(fields: tuple[str, ...], what: str) -> tuple:
    unit = _count(fields[2], f"{what} unit") if len(fields) > 2 and fields[2].strip() else 0
    return _num(fields[0], f"{what} ratio"), _num(fields[1], f"{what} length"), unit


def _speed_check(values: tuple) -> str | None:
    if values[1] < 0:
        return "a speed change cannot take a negative time"
    return None if values[2] in (0, 1) else "a speed's unit is 0 (beats) or 1 (seconds)"


def _fake_parse(fields: tuple[str, ...], what: str) -> tuple:
    if len(fields) != 1:  # StepMania's ProcessFakes skips an entry without exactly one '='
        raise ParseError(f"{what}: an entry is 'beat=length' (exactly one '=')")
    return (_num(fields[0], f"{what} length"),)


def _combo_parse(fields: tuple[str, ...], what: str) -> tuple:
    hit = _count(fields[0], f"{what} value")
    miss = _count(fields[1], f"{what} miss value") if len(fields) > 1 and fields[1].strip() else hit
    return hit, miss


SPECS: dict[str, SegmentSpec] = {s.tag: s for s in (
    SegmentSpec("LABELS", "Label", 2, _label_parse, lambda v: v[0], _label_check),
    SegmentSpec("SCROLLS", "Scroll", 2, lambda f, w: (_num(f[0], f"{w} ratio"),),
                lambda v: format_number(v[0]), lambda v: None),
    SegmentSpec("SPEEDS", "Speed", 3, _speed_parse,
                lambda v: f"{format_number(v[0])}={format_number(v[1])}={v[2]}", _speed_check),
    SegmentSpec("FAKES", "Fake", 2, _fake_parse,
                lambda v: format_number(v[0]), lambda v: None if v[0] > 0 else "a fake segment is longer than 0"),
    SegmentSpec("TICKCOUNTS", "Tick count", 2, lambda f, w: (_count(f[0], f"{w} ticks"),), lambda v: str(v[0]),
                lambda v: None if 0 <= v[0] <= MAX_TICKS else f"ticks per beat are 0 to {MAX_TICKS}"),
    SegmentSpec("COMBOS", "Combo", 2, _combo_parse,
                lambda v: str(v[0]) if v[0] == v[1] else f"{v[0]}={v[1]}",
                lambda v: None if v[0] >= 0 and v[1] >= 0 else "combo values cannot be negative"),
)}
TAGS = tuple(SPECS)


def check_entry(tag: str, entry: tuple) -> None:
    """ValueError with a message when ``entry`` (beat first) is not a valid ``tag`` entry."""
    spec = SPECS[tag]
    if entry[0] < 0 and tag != "LABELS":
        raise ValueError(f"{spec.name.lower()} at a negative beat")
    problem = spec.check(tuple(entry[1:]))
    if problem:
        raise ValueError(problem)


def parse(tag: str, text: str) -> list[tuple]:
    """Entries of one tag's text, by beat (one per beat: the last written wins, as StepMania inserts them).

    Raises :class:`ParseError` with a one-line message when the text is not a valid ``tag`` value.
    """
    spec = SPECS[tag]
    what = f"#{tag}"
    by_beat: dict[Fraction, tuple] = {}
    if tag == "LABELS":  # label text may hold blanks; split each entry at its first '=' only
        rows = [tuple(e.split("=", 1)) for e in (x.strip() for x in text.split(",")) if e]
        if any(len(r) < 2 for r in rows):
            raise ParseError(f"{what}: an entry needs 'beat=name'")
    else:
        rows = parse_list(text, spec.width, what)
    for fields in rows:
        beat = snap_row(parse_number(fields[0], f"{what} beat"))
        entry = (beat, *spec.parse(tuple(fields[1:]), what))
        try:
            check_entry(tag, entry)
        except ValueError as err:
            raise ParseError(f"{what} at beat {float(beat):g}: {err}") from None
        by_beat[beat] = entry
    return [by_beat[b] for b in sorted(by_beat)]


def write(tag: str, entries: Sequence[tuple]) -> str:
    """Canonical text of ``entries`` (checked; ValueError with a message otherwise)."""
    spec = SPECS[tag]
    for entry in entries:
        check_entry(tag, entry)
    rows = sorted(snap_row(e[0]) for e in entries)
    for a, b in zip(rows, rows[1:]):
        if a == b:  # the reader keeps one entry per 1/48 row (the last): the other would vanish on reading
            raise ValueError(f"two {spec.name.lower()} entries on the 1/48-beat row of beat {format_beat(a)}")
    return ",".join(entry_text(tag, e) for e in sorted(entries, key=lambda e: e[0]))


def entry_text(tag: str, entry: tuple) -> str:
    """One entry's canonical text, ``beat=value...`` (not checked: :func:`check_entry`)."""
    return f"{format_beat(entry[0])}={SPECS[tag].write(tuple(entry[1:]))}"


def read(timing: TimingData, tag: str) -> list[tuple]:
    """The timing's entries of ``tag`` (empty when it has none); ParseError when its text is not valid."""
    return parse(tag, dict(timing.extra).get(tag, ""))


def readable(timing: TimingData) -> tuple[dict[str, list[tuple]], dict[str, str]]:
    """(entries per tag that reads, message per tag that does not) over the six tags present."""
    good: dict[str, list[tuple]] = {}
    bad: dict[str, str] = {}
    for tag, text in timing.extra:
        if tag in SPECS:
            try:
                good[tag] = parse(tag, text)
            except ParseError as err:
                bad[tag] = str(err)
    return good, bad


def with_entries(timing: TimingData, tag: str, entries: Sequence[tuple]) -> TimingData:
    """``timing`` with ``tag`` rewritten from ``entries`` in place (removed when there are none); the other
    extra tags keep their text and order."""
    text = write(tag, entries)
    extra = list(timing.extra)
    at = next((i for i, (name, _) in enumerate(extra) if name == tag), None)
    if at is not None:
        del extra[at]
    if entries:
        extra.insert(len(extra) if at is None else at, (tag, text))
    return timing.with_changes(extra=tuple(extra))


def read_entries(tag: str, text: str) -> tuple[list[tuple], list[tuple[str, str]]]:
    """(entries, [(entry text, why it does not read)]): the text entry by entry, as StepMania 5 reads these tags
    (its ``ProcessFakes``, ``ProcessScrolls`` ... log a bad entry and go on with the next), so one bad entry costs
    only itself. Text that reads whole gives what :func:`parse` gives (the decimal-comma variant included). Text
    of more than ``MAX_TIMING_ENTRIES`` entries does not read at all, as for :func:`parse`: ``([], [])``."""
    try:
        return parse(tag, text), []
    except ParseError:
        pass
    pieces = read_each(tag, text)
    if pieces is None:
        return [], []
    by_beat: dict[Fraction, tuple] = {}
    skipped: list[tuple[str, str]] = []
    for raw, entry, why in pieces:
        if entry is not None:
            by_beat[entry[0]] = entry
        elif why:
            skipped.append((raw.strip(), why))
    return [by_beat[b] for b in sorted(by_beat)], skipped


def read_each(tag: str, text: str) -> list[tuple[str, tuple | None, str]] | None:
    """The text's comma-separated pieces in written order, each as written with the entry it reads as (None when
    it does not read, or is blank) and why it does not read ("" when it does, or is blank); None when there are
    more than ``MAX_TIMING_ENTRIES`` entries (one :func:`parse` each: 25,000 took 0.4 s, and the whole text is
    refused past the limit)."""
    raw = text.split(",")
    if sum(1 for piece in raw if piece.strip()) > MAX_TIMING_ENTRIES:
        return None
    out: list[tuple[str, tuple | None, str]] = []
    for piece in raw:
        if not piece.strip():
            out.append((piece, None, ""))
            continue
        try:
            entries = parse(tag, piece)  # one entry (a piece holds no comma)
        except ParseError as err:
            out.append((piece, None, str(err)))
        else:
            out.append((piece, entries[-1] if entries else None, ""))
    return out


def fake_ranges(timing: TimingData) -> list[tuple[Fraction, Fraction]]:
    """``[start, end)`` beat ranges of the fake segments; an entry that does not read is skipped, as StepMania skips
    it (:func:`read_entries`), and the others stay."""
    entries, _ = read_entries("FAKES", dict(timing.extra).get("FAKES", ""))
    return [(b, b + length) for b, length in entries]


def fake_index(timing: TimingData) -> BeatRanges:
    """:func:`fake_ranges` indexed for per-note questions (read once per timing, one bisection per question)."""
    return cached_on(timing, "_fake_index", lambda t: BeatRanges.of(fake_ranges(t)))


def never_judged(timing: TimingData, beat: Fraction,
                 fakes: Sequence[tuple[Fraction, Fraction]] | BeatRanges | None = None) -> bool:
    """Whether StepMania skips judging a note at ``beat``: inside a warp or a fake segment. ``fakes``: the
    timing's :func:`fake_ranges` or :func:`fake_index` (by default the latter, read once per timing)."""
    if in_warp(timing, beat):
        return True
    if fakes is None or isinstance(fakes, BeatRanges):
        return beat in (fake_index(timing) if fakes is None else fakes)
    return any(a <= beat < b for a, b in fakes)


def past_warps(timing: TimingData, beat: Fraction) -> Fraction:
    """``beat``, or when StepMania passes over it inside a warp, the warp's end (through chained warps): the warp
    takes no time, so its end sounds at the same instant and is judged. An end off StepMania's 1/192-measure
    grid (a warp of 0.167 beats for a sixth) cannot hold a note: ``beat`` is returned unchanged then."""
    moved = beat
    for _ in range(len(timing.warps) + 1):
        if not in_warp(timing, moved):
            break
        end = warp_end(timing, moved)
        assert end is not None  # in_warp: a warp holds it
        moved = end
    return moved if (moved * 48).denominator == 1 else beat


def judged_beat(timing: TimingData, beat: Fraction,
                fakes: Sequence[tuple[Fraction, Fraction]] | BeatRanges | None = None) -> Fraction | None:
    """The beat at which a note meant for ``beat``'s moment is judged (AI drafts): :func:`past_warps`, or None
    inside a fake segment (no beat of that moment is judged there)."""
    beat = past_warps(timing, beat)
    return None if never_judged(timing, beat, fakes) else beat


def judged_notes(notes: Sequence[Note], timing: TimingData) -> list[Note]:
    """The notes StepMania judges under ``timing``: all but those inside a warp or a fake segment (statistics,
    foot parity and the density graph count steps the player makes, not ones passed over). O(notes x log
    segments): songs with hundreds of warps ask this at every edit."""
    fakes = fake_index(timing)
    if not timing.warps and not fakes:
        return list(notes)
    return [n for n in notes if not never_judged(timing, n.beat, fakes)]
