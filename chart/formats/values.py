"""Numbers in chart files: exact, locale-independent parsing and canonical formatting.

Reading is lenient: surrounding blanks are ignored, a decimal comma (``120,5``, written by old StepMania builds
under comma-decimal locales) is accepted, and ``#BPMS`` lists written entirely with decimal commas
(``0,000=120,000,4,000=130,000``) are recognised. Values parse to exact :class:`~fractions.Fraction` so
"0.1" is exactly 1/10. Writing never consults the locale: numbers are formatted with integer arithmetic.
"""

from __future__ import annotations

import re
from fractions import Fraction

from chart.formats.errors import MAX_ABS_VALUE, MAX_TIMING_ENTRIES, ParseError

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?")  # 1.0e-005 as C runtimes write it
_TINY = Fraction(1, 10**15)  # below any precision a chart means (1e-300): read as 0, never a huge denominator
_MAX_NUMBER_CHARS = 64
ROWS_PER_BEAT = 48  # StepMania stores timing rows at 1/48 beat
# A written beat length within this of a row is taken as that row (we write 9 decimals: error <= 5e-10).
_ROW_TOLERANCE = Fraction(1, 10**6)


def parse_number(text: str, what: str = "number", line: int | None = None) -> Fraction:
    """Exact value of a decimal number (``.`` or ``,`` as decimal mark); ParseError if it is not one."""
    s = text.strip()
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    if len(s) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(s):
        raise ParseError(f"{what} is not a number: {_show(text)}", line)
    mantissa, _e, exponent = s.lower().partition("e")
    if exponent and abs(int(exponent)) > 400:  # no 10**9999 for Fraction to build: past the range either way
        value = Fraction(0) if int(exponent) < 0 or Fraction(mantissa) == 0 else MAX_ABS_VALUE + 1
    else:
        value = Fraction(s)
    if value and abs(value) < _TINY:
        value = Fraction(0)
    if abs(value) > MAX_ABS_VALUE:
        raise ParseError(f"{what} out of range: {_show(text)}", line)
    return value


def parse_int(text: str, what: str, line: int | None = None) -> int:
    """Integer value; decimals are truncated toward zero (``"10.0"`` -> 10)."""
    return int(parse_number(text, what, line))


def snap_row(beat: Fraction) -> Fraction:
    """Nearest 1/48-beat row (StepMania keeps timing segments on rows; ties to even)."""
    return Fraction(round(beat * ROWS_PER_BEAT), ROWS_PER_BEAT)


def near_row(beat: Fraction, tolerance: Fraction = _ROW_TOLERANCE) -> Fraction:
    """``beat`` snapped to its row when it is within writing precision (``tolerance`` beats) of one."""
    row = snap_row(beat)
    return row if abs(row - beat) <= tolerance else beat


def format_number(value: Fraction, min_places: int = 3, max_places: int = 9) -> str:
    """Canonical decimal text: rounded half-even to ``max_places``, trailing zeros trimmed to ``min_places``.

    Integer arithmetic only, so the output never depends on the locale.
    """
    value = Fraction(value)
    scale = 10**max_places
    units = round(value * scale)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), scale)
    digits = str(frac).rjust(max_places, "0")
    digits = digits.rstrip("0").ljust(min_places, "0")
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


#: The smallest BPM the editor takes (a beat of 16.7 hours); smaller ones only come from files.
MIN_BPM = Fraction(1, 1000)


def written_as_zero(value: Fraction, max_places: int = 9) -> bool:
    """Whether a value other than 0 is written as 0 by :func:`format_number` (a BPM of 1e-10 was saved as 0, and
    the file no longer opened)."""
    return value != 0 and round(Fraction(value) * 10**max_places) == 0


def format_beat(beat: Fraction) -> str:
    """A beat position for timing tags: 3 to 6 decimals (a 1/48 row reads back exactly via :func:`snap_row`)."""
    return format_number(beat, 3, 6)


def parse_list(text: str, width: int, what: str, line: int | None = None) -> list[tuple[str, ...]]:
    """Split ``a=b,c=d`` into tuples of ``width`` (or more) raw strings; handles the all-comma variant.

    Entries are ``=``-separated fields; empty entries (a trailing ``,``) are skipped. ``width`` is the least
    number of fields an entry must have.
    """
    body = text.strip()
    if not body:
        return []
    entries = [e.strip() for e in body.split(",") if e.strip()]
    if any(e.count("=") < width - 1 for e in entries) and width > 1:
        entries = _comma_decimal_entries(body, width) or entries
    if len(entries) > MAX_TIMING_ENTRIES:
        raise ParseError(f"{what}: more than {MAX_TIMING_ENTRIES} entries", line)
    out = []
    for entry in entries:
        fields = tuple(f.strip() for f in entry.split("="))
        if len(fields) < width:
            raise ParseError(f"{what}: entry {_show(entry)} needs {width} '='-separated values", line)
        out.append(fields)
    return out


def _comma_decimal_entries(body: str, width: int) -> list[str] | None:
    """Re-split a list whose numbers use decimal commas: ``0,000=120,000,4,000=130,000``."""
    num = r"[+-]?\d+(?:,\d+)?"
    entry = num + (r"=" + num) * (width - 1)
    pattern = re.compile(rf"\s*({entry})\s*(?:,|$)")
    found, pos = [], 0
    while pos < len(body):
        m = pattern.match(body, pos)
        if m is None:
            return None
        found.append(m.group(1).replace(",", "."))
        pos = m.end()
    return found


def parse_pairs(text: str, what: str, line: int | None = None) -> list[tuple[Fraction, Fraction]]:
    """``beat=value`` pairs as exact fractions, beats snapped to rows as StepMania does."""
    return [
        (snap_row(parse_number(f[0], f"{what} beat", line)), parse_number(f[1], f"{what} value", line))
        for f in parse_list(text, 2, what, line)
    ]


def format_pairs(pairs, value_places: tuple[int, int] = (3, 9)) -> str:
    """``beat=value,beat=value`` with canonical numbers."""
    return ",".join(f"{format_beat(b)}={format_number(v, *value_places)}" for b, v in pairs)


def _show(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:37] + "...")
