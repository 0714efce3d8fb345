"""Errors and input limits shared by every chart format.

Every reader raises only :class:`ParseError` on bad input (a one-line message, with the line number where one
is known); every writer raises :class:`WriteError` when the song cannot be written without moving or merging
notes. Both derive from ``ValueError`` so callers that only know "bad value" still catch them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from chart.notes import Note

# Inputs beyond these limits are refused with a ParseError instead of exhausting memory or time.
MAX_INPUT_BYTES = 20 * 1024 * 1024
MAX_NOTES = 1_000_000
MAX_TIMING_ENTRIES = 20_000  # real files have hundreds; exact timing costs ~0.1 ms per entry
MAX_LANES = 64
MAX_CHARTS = 1_000
MAX_ABS_VALUE = Fraction(10**9)  # any beat, BPM, second or millisecond value beyond this is nonsense
MAX_METER = 10**6  # a chart's meter is in -MAX_METER..MAX_METER: the JSON reader refuses others, every writer too


class ParseError(ValueError):
    """A chart file that cannot be read. ``str(err)`` is one line: ``[path:][line N: ]message``."""

    def __init__(self, message: str, line: int | None = None, path: str | None = None) -> None:
        self.message = message
        self.line = line
        self.path = path
        super().__init__(self._text())

    def _text(self) -> str:
        text = " ".join(self.message.split())  # one line, whatever the message contained
        if self.line is not None:
            text = f"line {self.line}: {text}"
        if self.path:
            text = f"{self.path}: {text}"
        return text

    def with_path(self, path: str) -> ParseError:
        """Same error (same class), naming the file."""
        return type(self)(self.message, self.line, path)


@dataclass(frozen=True)
class Unrepresentable:
    """Something a target format cannot hold as it is.

    Parameters
    ----------
    chart_id : str
        ``Chart.chart_id()`` of the chart concerned ("" for song-level timing).
    beat : Fraction
        Where it is, in beats.
    reason : str
        One line for a designer, e.g. "1/96 beat grid: .sm holds 192 rows per measure at most".
    note : Note or None
        The offending note, None for timing problems.
    fatal : bool
        True when writing would move, merge or lose timing of notes (the writer refuses); False when the
        format converts it in a documented way (e.g. a roll written as an osu!mania hold, a mine dropped).
    written : bool
        True when the file holds it as it is but the game ignores it there (``#SCROLLS`` in a ``.sm``: our reader
        and other tools read it back, StepMania 5 does not): Save's question does not call it lost.
    """

    chart_id: str
    beat: Fraction
    reason: str
    note: Note | None = None
    fatal: bool = True
    written: bool = False


def conversion_lines(entries: Iterable[Unrepresentable]) -> list[str]:
    """The non-fatal ``entries`` (documented conversions) one line each, repeats counted: the list Save and Export
    show before writing (:func:`chart.formats.registry.conversions`)."""
    counts: dict[str, int] = {}
    for u in entries:
        if not u.fatal:
            line = f"conversion: {u.chart_id or 'song'}: {u.reason}"
            counts[line] = counts.get(line, 0) + 1
    return [f"{line} (x{n})" if n > 1 else line for line, n in counts.items()]


class WriteError(ValueError):
    """A song that cannot be written to the chosen format without changing it (see ``problems``)."""

    def __init__(self, fmt: str, problems: list[Unrepresentable]) -> None:
        self.problems = problems
        first = problems[0]
        where = f" ({first.chart_id})" if first.chart_id else ""
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        # a song-level problem (no chart, no note, beat 0: no audio, no difficulty...) is at no beat: none said
        at = "" if not first.chart_id and first.note is None and first.beat == 0 else f"beat {_beat_text(first.beat)}{where}: "
        super().__init__(f"cannot write {fmt}: {at}{first.reason}{more}")


def _beat_text(beat: Fraction) -> str:
    """The beat as designers read it (``8.01``, ``25/3``: :func:`chart.checks.base.describe_beat`)."""
    from chart.checks.base import describe_beat  # here: chart.checks reads chart.formats (an import cycle)

    return describe_beat(beat)


def check_size(data: bytes | str, limit: int | None = MAX_INPUT_BYTES) -> None:
    """Refuse inputs above ``limit`` bytes (None: no limit) with a clear ParseError."""
    if limit is not None and len(data) > limit:
        raise ParseError(f"file too large ({len(data) / 2**20:.1f} MB; the limit is {limit // 2**20} MB)")


def meter_problems(charts: list) -> list[Unrepresentable]:
    """Charts whose meter is outside -:data:`MAX_METER`..:data:`MAX_METER` (fatal, in every format: one range that
    every reader reads back and every writer holds, where .osu's ``Lv.N`` and the JSON reader would not)."""
    return [Unrepresentable(c.chart_id(), Fraction(0), f"meter {c.meter} outside {-MAX_METER}..{MAX_METER}: set "
                            f"the chart's meter") for c in charts if not -MAX_METER <= c.meter <= MAX_METER]
