"""Cursor jumps: to the previous / next label, note row and stream start of the current chart.

* **Note** (``,`` / ``.``, SMEditor's keys): the previous / next row holding a note of the chart, of any kind,
  judged or not (mines, fakes and the notes a warp passes over included: they are the chart's to edit).
* **Stream** (Ctrl+Shift+PgUp / PgDown): the start of the previous / next *stream*, a run of at least
  :data:`STREAM_MIN_ROWS` rows that the player steps (taps, hold and roll heads, lifts; not mines or fakes, nor
  the notes a warp passes over or a fake segment holds: ``judged_notes``, as Stats count them), each at most
  :data:`STREAM_MAX_GAP` (a 16th) after the one before: where 16th runs start, as ArrowVortex's and SMEditor's
  stream jumps find them. A jump (several arrows on one row) is one row.
* **Label** (Ctrl+PgUp / PgDown): the labels of the timing (``#LABELS``).

Where are we: the beat under the cursor's time. Inside a warp many beats share one time; a jump puts the cursor on
the beat jumped to (:meth:`editor.timeline.view.TimelineWidget.exact_beat`), kept as long as the cursor stays at
its time, so the next jump goes on from it and the lane keys, the status bar and the X-mod cursor line use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from chart.checks.base import describe_beat
from chart.formats.display_segments import judged_notes
from chart.notes import Note
from chart.timing import TimingData

STREAM_MIN_ROWS = 8
STREAM_MAX_GAP = Fraction(1, 4)  # beats: 16th notes or finer
_EPS = 1e-6  # beats: "the same row" for the float cursor


def note_rows(notes: Iterable[Note]) -> list[Fraction]:
    """The beats holding a note, ascending, once each."""
    return sorted({n.beat for n in notes})


def streams(notes: Sequence[Note], timing: TimingData | None = None) -> list[tuple[Fraction, int]]:
    """(first beat, rows) of every stream of ``notes`` (module docstring), in order; with ``timing``, of the notes
    it judges only (those a warp passes over or a fake segment holds are not stepped)."""
    stepped = judged_notes(notes, timing) if timing is not None else notes
    rows = note_rows(n for n in stepped if n.kind.is_onset)
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
    """The beat under the cursor: the beat it was put on while it stays at that time (a warp gives many beats one
    time, and the time alone would give the wrong one), else that of the cursor's time."""
    return win.timeline.beat_at(win.timeline.cursor_s)


def go_to_beat(win, beat: Fraction) -> None:
    """The cursor onto ``beat`` (the beat itself, not only its time)."""
    win.timeline.seek(float(win.session.timing().beat_to_seconds(beat)), beat=beat)


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
    found = dict(streams(chart.notes, win.session.timing())) if chart is not None else {}
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
