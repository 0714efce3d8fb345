"""Times of the .osu lines our model does not hold, kept in beats so that they follow every timing edit.

Split from :mod:`chart.formats.osu_mania`. Inherited (green: scroll speed, kiai) timing points, ``[Editor]
Bookmarks`` and ``[Events]`` break periods are kept as text in ``Song.extra``; their times are tied to the notes and
red lines, so an offset nudge or a BPM change that moves those must move them too. On reading, each such time
becomes the token ``@beat`` (an exact fraction, through the file's timing), with ``+ms`` or ``-ms`` appended for a
time inside a stop or delay (where one beat spans many times); writing turns each token back into ms through the
timing the chart is written with. An unedited time reads back exactly as it was written (up to 3 decimals);
one that a timing edit moved is rounded to whole ms, as notes are. Video and storyboard times follow the audio,
not the beat grid, and stay in ms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from chart.formats.values import format_number
from chart.timing import TimingData

INHERITED = "TimingPoints.inherited"
BOOKMARKS = "Editor.Bookmarks"
EVENTS = "Events"
TIME_TOKEN = re.compile(r"@(-?\d+(?:/\d+)?)([+-]\d+(?:/\d+)?)?")  # ``@beat[+-ms]``: a beat-tied time
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_BREAK = re.compile(r"(\s*(?:2|Break)\s*,\s*)([^,]+)(\s*,\s*)([^,]+?)(\s*(?:,.*)?)")


def _to_token(text: str, timing: TimingData) -> str:
    """``@beat[+-ms]`` for a time in ms (``text`` as it is when it is no plain number)."""
    if not _NUMBER.fullmatch(text.strip()):
        return text
    return _token_at(Fraction(text.strip()), timing)


def _token_at(ms: Fraction, timing: TimingData) -> str:
    """The token of the time ``ms`` through ``timing``."""
    beat = timing.seconds_to_beat(ms / 1000)
    rest = ms - timing.beat_to_seconds(beat) * 1000  # nonzero only inside a pause
    return f"@{beat}" + (f"{'+' if rest > 0 else '-'}{abs(rest)}" if rest else "")


def _to_ms(text: str, timing: TimingData) -> str:
    """The ms text of a token (``text`` as it is when it is no token)."""
    m = TIME_TOKEN.fullmatch(text.strip())
    if not m:
        return text
    ms = timing.beat_to_seconds(Fraction(m.group(1))) * 1000 + Fraction(m.group(2) or 0)
    return format_number(ms, 0) if (ms * 1000).denominator == 1 else str(round(ms))


def _each_time(name: str, value: str, convert) -> str:
    """``value`` of the extra ``name`` with ``convert`` applied to each of its beat-tied times."""
    if name == BOOKMARKS:
        return ",".join(convert(t) for t in value.split(","))
    if name == INHERITED:
        return "\n".join(convert(line.split(",", 1)[0]) + line[len(line.split(",", 1)[0]):]
                         for line in value.split("\n"))
    if name == EVENTS:
        lines = []
        for line in value.split("\n"):
            m = _BREAK.fullmatch(line)
            lines.append(f"{m[1]}{convert(m[2])}{m[3]}{convert(m[4])}{m[5]}" if m else line)
        return "\n".join(lines)
    return value


def retime_tokens(extra: list[tuple[str, str]], old: TimingData, new: TimingData,
                  beat_map: Callable[[Fraction], Fraction]) -> list[tuple[str, str]]:
    """``extra`` with each token given its beat under ``new`` at its time under ``old`` (Keep notes in time): a token
    on a beat through ``beat_map`` (the notes' mapping, so that a green line or bookmark on a note stays on it), one
    inside a pause (``+ms``/``-ms``) at its exact time. ``extra`` itself when no token changed."""

    def convert(text: str) -> str:
        m = TIME_TOKEN.fullmatch(text.strip())
        if not m:
            return text
        if m.group(2) is None:
            return f"@{beat_map(Fraction(m.group(1)))}"
        return _token_at(old.beat_to_seconds(Fraction(m.group(1))) * 1000 + Fraction(m.group(2)), new)

    out = [(k, _each_time(k, v, convert)) for k, v in extra]
    return extra if out == extra else out


def extra_in_beats(extra: list[tuple[str, str]], timing: TimingData) -> list[tuple[str, str]]:
    """``extra`` as read, with the beat-tied times as tokens (module docstring)."""
    return [(k, _each_time(k, v, lambda t: _to_token(t, timing))) for k, v in extra]


def extra_in_ms(extra: list[tuple[str, str]], timing: TimingData) -> list[tuple[str, str]]:
    """``extra`` to write, each token back in ms through ``timing``."""
    return [(k, _each_time(k, v, lambda t: _to_ms(t, timing))) for k, v in extra]
