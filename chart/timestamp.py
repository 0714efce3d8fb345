"""Review timestamps: the text osu! modders paste into discussions, and the other positions Go to Timestamp reads.

osu!'s editor copies ``mm:ss:mmm (t|c,t|c,...) - `` for an osu!mania selection: the time of the first selected
note, then each note as its time in whole milliseconds and its column from 0, in time order (osu!lazer's
``ManiaHitObjectComposer.ConvertSelectionToString``; nothing selected: ``mm:ss:mmm - ``). Minutes are two digits
or more, a time before the song's start gets a ``-``. The discussion page and the chat turn such a text into a
link wherever it sits in a comment, and a modder's comment is what a designer pastes, so :func:`parse_timestamp`
finds it inside any text. Reading one back, a listed note is the chart's note of that lane whose time lies
within 1 ms of the listed one (:data:`MATCH_MS`; what osu!'s whole milliseconds round away is at most 0.5 ms).

Besides that form, a whole text may be

* ``m:ss`` or ``m:ss.mmm`` (the status bar's read-out; any number of decimals), ``-`` before it for a time
  before the song starts;
* seconds: ``83.25``, ``83.25s``, or milliseconds ``83250ms``;
* a beat: ``b123.5``, ``b 370/3``, ``beat 123.5`` (exact: a decimal or a fraction);
* a measure: ``m45``, ``measure 45``: the measure line the grid and the status bar number 45 (from 0, time
  signatures followed).

Times are seconds of the song's audio, as the chart's timing maps beats to them (the ``.osu`` writer's times,
rounded to whole milliseconds the same way). Pure: no Qt, so the command line and tests use it as the editor does.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from chart.note_keys import in_order
from chart.notes import Note
from chart.timing import TimingData

#: How far (ms) a listed note's time may lie from a chart note's for the two to be the same note.
MATCH_MS = 1
#: Beyond these no song goes (10 hours; 100 000 beats; 10 000 measures): a typo's 9999999 is refused rather than
#: walked to, measure by measure.
MAX_SECONDS, MAX_BEATS, MAX_MEASURES = 36_000, 100_000, 10_000
#: No number in a timestamp has more digits than this: a longer one is a paste gone wrong, and Python refuses to
#: turn a string of over 4300 digits into an int (a ValueError that is no TimestampError).
MAX_DIGITS = 30

Pick = tuple[int, int]  # (time in whole ms, lane from 0), as osu! lists a selected note

# osu!'s own form, anywhere in a text (osu-web's pattern, also read with one-digit minutes and "." before the ms)
_OSU = re.compile(r"(?<![\d:.])(-?)(\d+):([0-5]\d)[:.](\d{3})(?![\d:])(?:\s*\(([^()]*)\))?")
_CLOCK = re.compile(r"(-?)(\d+):([0-5]\d)(?:\.(\d+))?")
_SECONDS = re.compile(r"(-?(?:\d+(?:\.\d*)?|\.\d+))\s*(s|sec|ms)?", re.IGNORECASE)
_BEAT = re.compile(r"(?:b|beat)\s*(-?\d+(?:\.\d+)?)(?:\s*/\s*(\d+))?", re.IGNORECASE)
_MEASURE = re.compile(r"(?:m|measure)\s*(\d+)", re.IGNORECASE)
_PICK = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*\|\s*(\d+)\s*")
FORMS = "mm:ss:mmm (t|lane,...) as osu! copies it, m:ss.mmm, seconds (83.5 or 83.5s), b123.5 (a beat) or m45 (a measure)"


class TimestampError(ValueError):
    """A text that names no position: one line saying which forms are read."""


@dataclass(frozen=True)
class Position:
    """Where a timestamp points: a time, a beat or a measure (one of them), and the notes it lists.

    ``combo`` is True for a list in another form than ``t|lane`` (osu!standard's combo numbers ``(1,2,3)``): its
    time is still read, the list is not.
    """

    seconds: Fraction | None = None
    beat: Fraction | None = None
    measure: int | None = None
    picks: tuple[Pick, ...] = ()
    combo: bool = False

    def beat_in(self, timing: TimingData) -> Fraction:
        """The position's beat under ``timing`` (a time's beat: during a stop, the stopped beat)."""
        if self.beat is not None:
            return self.beat
        if self.measure is not None:
            return timing.measure_line(Fraction(0), self.measure)
        assert self.seconds is not None
        return timing.seconds_to_beat(self.seconds)

    def seconds_in(self, timing: TimingData) -> Fraction:
        """The position's time in seconds under ``timing`` (a beat's: when a note there is judged)."""
        return self.seconds if self.seconds is not None else timing.beat_to_seconds(self.beat_in(timing))


# ---------------------------------------------------------------------------------------------------- writing
def time_ms(timing: TimingData, beat: Fraction) -> int:
    """The whole milliseconds osu! gives a note at ``beat`` (as the ``.osu`` writer rounds them)."""
    return round(timing.beat_to_seconds(beat) * 1000)


def format_time(ms: int) -> str:
    """``mm:ss:mmm`` as osu!'s editor writes a time (``-`` before a negative one; minutes past 99 keep going)."""
    sign = "-" if ms < 0 else ""
    minutes, rest = divmod(abs(int(ms)), 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{sign}{minutes:02d}:{seconds:02d}:{millis:03d}"


def picks_of(notes: Iterable[Note], timing: TimingData) -> list[Pick]:
    """(ms, lane) of each note, in time order then lane, as osu! lists a selection."""
    return sorted((time_ms(timing, n.beat), n.lane) for n in notes)


def format_timestamp(ms: int, picks: Sequence[Pick] = ()) -> str:
    """``mm:ss:mmm (t|lane,...) - ``, or ``mm:ss:mmm - `` without notes: what a modder pastes and comments after."""
    listed = f" ({','.join(f'{t}|{lane}' for t, lane in picks)})" if picks else ""
    return f"{format_time(ms)}{listed} - "


def timestamp_for(notes: Iterable[Note], timing: TimingData, cursor_s: Fraction | float) -> str:
    """The timestamp of a selection (its first note's time and every note), else of the cursor's time."""
    picks = picks_of(notes, timing)
    if picks:
        return format_timestamp(picks[0][0], picks)
    return format_timestamp(round(Fraction(cursor_s) * 1000))


# ---------------------------------------------------------------------------------------------------- reading
def parse_timestamp(text: str) -> Position:
    """Read a position from ``text`` (the module docstring lists the forms); raises TimestampError."""
    position = _read(text)
    seconds, beat = position.seconds or Fraction(0), position.beat or Fraction(0)
    if abs(seconds) > MAX_SECONDS or abs(beat) > MAX_BEATS or (position.measure or 0) > MAX_MEASURES:
        raise TimestampError(f"{_shown(text)!r} lies beyond any song (at most {MAX_SECONDS // 3600} hours, "
                             f"{MAX_BEATS} beats or {MAX_MEASURES} measures)")
    return position


def _shown(text: str) -> str:
    whole = " ".join(text.split())
    return whole if len(whole) <= 40 else whole[:37] + "..."


def _number(literal: str, text: str) -> Fraction:
    """``literal`` (digits the patterns matched: a sign, a decimal point) exactly; a TimestampError naming ``text``
    when it is longer than any position needs."""
    if sum(c.isdigit() for c in literal) > MAX_DIGITS:
        raise TimestampError(f"{_shown(text)!r} has a number of more than {MAX_DIGITS} digits; write {FORMS}")
    return Fraction(literal)


def _read(text: str) -> Position:
    whole = " ".join(text.split())
    if not whole:
        raise TimestampError(f"no timestamp given; write {FORMS}")
    try:
        return _read_forms(whole)
    except ZeroDivisionError:
        raise TimestampError(f"{_shown(whole)!r} divides by 0: a beat fraction's denominator is 1 or more, as in "
                             f"b370/3") from None


def _read_forms(whole: str) -> Position:
    if m := _CLOCK.fullmatch(whole):
        sign, minutes, seconds, frac = m.groups()
        value = _number(minutes, whole) * 60 + int(seconds) + (_number(f"0.{frac}", whole) if frac else 0)
        return Position(seconds=-value if sign else value)
    if m := _SECONDS.fullmatch(whole):
        value = _number(m.group(1), whole)
        return Position(seconds=value / 1000 if (m.group(2) or "").lower() == "ms" else value)
    if m := _BEAT.fullmatch(whole):  # a decimal over a whole number too (b1.5/2): Fraction() alone reads neither
        over = _number(m.group(2), whole) if m.group(2) else 1
        return Position(beat=_number(m.group(1), whole) / over)  # over 0: ZeroDivisionError, refused in _read
    if m := _MEASURE.fullmatch(whole):
        return Position(measure=int(_number(m.group(1), whole)))
    if m := _OSU.search(whole):
        sign, minutes, seconds, millis, listed = m.groups()
        ms = (int(_number(minutes, whole)) * 60 + int(seconds)) * 1000 + int(millis)
        picks, combo = _picks(listed, whole)
        return Position(seconds=Fraction(-ms if sign else ms, 1000), picks=picks, combo=combo)
    raise TimestampError(f"{_shown(whole)!r} is not a timestamp; write {FORMS}")


def _picks(listed: str | None, whole: str) -> tuple[tuple[Pick, ...], bool]:
    """The ``t|lane`` pairs of an osu! selection list; (), True for another list (osu!standard's combo numbers)."""
    if listed is None or not listed.strip():
        return (), False
    parts = listed.split(",")
    matches = [_PICK.fullmatch(p) for p in parts]
    if not all(matches):
        return (), True
    return tuple((round(_number(m.group(1), whole)), int(_number(m.group(2), whole))) for m in matches if m), False


def find_picks(notes: Sequence[Note], timing: TimingData, picks: Iterable[Pick],
               tolerance_ms: float = MATCH_MS) -> tuple[list[Note], list[Pick]]:
    """The chart notes a timestamp lists, and the picks no note answers. ``notes`` are a chart's (sorted by
    beat, hence by time: time never runs backwards along the beats); each pick takes the nearest unpicked note of
    its lane within ``tolerance_ms``.

    The notes' times are computed once (:meth:`TimingData.seconds_floats`, a plain-integer division per note),
    then each pick bisects them."""
    notes = in_order(notes)
    times = timing.seconds_floats([n.beat for n in notes], unit=1000)
    taken: set[int] = set()
    found: list[Note] = []
    missing: list[Pick] = []
    for ms, lane in picks:
        lo = bisect_left(times, ms - tolerance_ms - 1e-9)
        hi = bisect_right(times, ms + tolerance_ms + 1e-9)
        near = [i for i in range(lo, hi) if notes[i].lane == lane and i not in taken]
        if not near:
            missing.append((ms, lane))
            continue
        best = min(near, key=lambda i: abs(times[i] - ms))
        taken.add(best)
        found.append(notes[best])
    return found, missing
