"""One foot parse per edit, shared by its readers: Verify's ``parity`` check (in its worker thread) and View > Foot
Labels (in theirs) parse the same notes after an edit, ~200 ms of Python each for a 13k-note chart.

:func:`parse_feet_shared` is :func:`chart.parity.parse_feet` that keeps its last result and hands it to the next
caller whose notes are the very same objects (notes are immutable values; a snapshot of the song shares them with
the document) under the same timing object; a caller that comes while another thread parses those notes waits for
that parse instead of doing it again. Only the last parse is kept: one chart's notes and rows.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Iterable

from chart.notes import Note
from chart.parity import FootParse, parse_feet
from chart.timing import TimingData

_cond = threading.Condition()
_last: tuple[tuple[Note, ...], TimingData, FootParse] | None = None
_busy: tuple[tuple[Note, ...], TimingData] | None = None  # the notes another thread is parsing now


def _same(key: tuple | None, notes: tuple[Note, ...], timing: TimingData) -> bool:
    return (key is not None and key[1] is timing and len(key[0]) == len(notes)
            and all(map(operator.is_, key[0], notes)))


def parse_feet_shared(notes: Iterable[Note], timing: TimingData) -> FootParse:
    """:func:`chart.parity.parse_feet` of ``notes``, reused when the last parse was of these very notes."""
    global _last, _busy
    listed = tuple(notes)
    with _cond:
        while True:
            if _last is not None and _same(_last, listed, timing):
                return _last[2]
            if not _same(_busy, listed, timing):
                break
            _cond.wait()
        mine = _busy is None
        if mine:
            _busy = (listed, timing)
    try:
        parse = parse_feet(listed, timing)
    except BaseException:  # (a note outside the four panels) the waiting callers parse, and raise, themselves
        with _cond:
            if mine:
                _busy = None
            _cond.notify_all()
        raise
    with _cond:
        if mine:
            _busy = None
        _last = (listed, timing, parse)
        _cond.notify_all()
    return parse


def forget() -> None:
    """Drop the kept parse (tests)."""
    global _last
    with _cond:
        _last = None
