"""Cursor jumps: to the previous / next label, note row and stream start of the current chart.

* **Note** (``,`` / ``.``, SMEditor's keys): the previous / next row holding a note of the chart, of any kind,
  judged or not (mines, fakes and the notes a warp passes over included: they are the chart's to edit).
* **Stream** (Ctrl+Shift+PgUp / PgDown): the start of the previous / next *stream*, a run of at least
  :data:`STREAM_MIN_ROWS` rows that the player steps (taps, hold and roll heads, lifts; not mines or fakes), each
  at most :data:`STREAM_MAX_GAP` (a 16th) after the one before: where 16th runs start, as ArrowVortex's and
  SMEditor's stream jumps find them. A jump (several arrows on one row) is one row.
* **Label** (Ctrl+PgUp / PgDown): the labels of the timing (``#LABELS``).

Where are we: the beat under the cursor's time. Inside a warp or on a stop many beats share one time; after a
jump the beat jumped to is remembered as long as the cursor stays at its time, so the next jump goes on from it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from fractions import Fraction

from chart.checks.base import describe_beat
from chart.notes import Note

STREAM_MIN_ROWS = 8
STREAM_MAX_GAP = Fraction(1, 4)  # beats: 16th notes or finer
_EPS = 1e-6  # beats: "the same row" for the float cursor

_LAST: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # window -> (beat, time) of the last jump


def note_rows(notes: Iterable[Note]) -> list[Fraction]:
    """The beats holding a note, ascending, once each."""
    return sorted({n.beat for n in notes})


def streams(notes: Iterable[Note]) -> list[tuple[Fraction, int]]:
    """(first beat, rows) of every stream of ``notes`` (module docstring), in order."""
    rows = note_rows(n for n in notes if n.kind.is_onset)
    found: list[tuple[Fraction, int]] = []
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i] - rows[i - 1] > STREAM_MAX_GAP:
            if i - start >= STREAM_MIN_ROWS:
                found.append((rows[start], i - start))
            start = i
    return found


def nearest(beats: Sequence[Fraction], here: float, step: int) -> Fraction | None:
    """The first of ``beats`` (ascending) after ``here`` (``step`` 1) or the last before it (-1), else None."""
    ahead = [b for b in beats if (float(b) - here) * step > _EPS]
    if not ahead:
        return None
    return ahead[0] if step > 0 else ahead[-1]


def cursor_beat_exact(win) -> float:
    """The beat under the cursor: the beat of the last jump while the cursor stays at its time (a warp or a stop
    gives many beats one time, and the time alone would give the wrong one), else that of the cursor's time."""
    cursor_s = win.timeline.cursor_s
    last = _LAST.get(win)
    if last is not None and abs(last[1] - cursor_s) < 1e-9:
        return last[0]
    return float(win.session.timing().seconds_to_beats_array([cursor_s])[0])


def go_to_beat(win, beat: Fraction) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(beat)))
    _LAST[win] = (float(beat), win.timeline.cursor_s)


def step_note(win, step: int) -> bool:
    """``.`` / ``,``: the cursor to the next (``step`` 1) or previous (-1) row with a note of the current chart."""
    chart = win.session.chart
    beat = nearest(note_rows(chart.notes), cursor_beat_exact(win), step) if chart is not None else None
    if beat is None:
        win.session.status.emit(f"No note {'after' if step > 0 else 'before'} the cursor")
        return False
    go_to_beat(win, beat)
    return True


def step_stream(win, step: int) -> bool:
    """The cursor to the start of the next (``step`` 1) or previous (-1) stream of the current chart; the status
    bar gives its length."""
    chart = win.session.chart
    found = dict(streams(chart.notes)) if chart is not None else {}
    beat = nearest(list(found), cursor_beat_exact(win), step)
    if beat is None:
        win.session.status.emit(f"No stream starts {'after' if step > 0 else 'before'} the cursor (a stream: "
                                f"{STREAM_MIN_ROWS} or more rows, 16ths or closer)")
        return False
    go_to_beat(win, beat)
    win.session.status.emit(f"Stream of {found[beat]} rows from beat {describe_beat(beat)}")
    return True


def step_label(win, step: int) -> bool:
    """Move the cursor to the next (``step`` 1) or previous (-1) label of the timing (#LABELS)."""
    from chart.formats.display_segments import readable

    labels = dict(readable(win.session.timing())[0].get("LABELS", []))
    beat = nearest(sorted(labels), cursor_beat_exact(win), step)
    if beat is None:
        win.session.status.emit(f"No label {'after' if step > 0 else 'before'} the cursor")
        return False
    go_to_beat(win, beat)
    win.session.status.emit(f"Label: {labels[beat]} (beat {float(beat):g})")
    return True
