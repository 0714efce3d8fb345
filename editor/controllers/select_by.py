"""Edit > Select By: narrow the selection (or pick from the whole chart) by snap, jumps, holds, mines, or the
side of the cursor (``chart.select``). The status bar says how many notes were selected and from what."""

from __future__ import annotations

from chart import select
from chart.notes import NoteKind
from editor.controllers.cursor_row import row_beat


def bind_select(win) -> None:
    a = win.actions
    for d in select.SNAP_CLASSES:
        a.bind(f"edit.select_snap_{d}", lambda d=d: select_by(win, select.on_snap(d), _snap_text(win, d)))
    a.bind("edit.select_jumps", lambda: select_by(win, select.jumps, "jumps"))
    a.bind("edit.select_holds", lambda: select_by(win, select.of_kinds(NoteKind.HOLD, NoteKind.ROLL), "holds and rolls"))
    a.bind("edit.select_mines", lambda: select_by(win, select.of_kinds(NoteKind.MINE), "mines"))
    a.bind("edit.select_after", lambda: select_by(win, select.from_beat(row_beat(win.timeline, anywhere=True)),
                                                  "from the cursor on", narrow=False))
    a.bind("edit.select_before", lambda: select_by(win, select.before_beat(row_beat(win.timeline, anywhere=True)),
                                                   "before the cursor", narrow=False))


def _snap_text(win, divisor: int) -> str:
    """The snap class as its menu entry names it ("32nds", "96ths, Finer and Other Snaps"): the status line said
    "32ths" beside "Select 32nds"."""
    return win.actions[f"edit.select_snap_{divisor}"].text().replace("&", "").removeprefix("Select ")


def select_by(win, keep, what: str, narrow: bool = True) -> int:
    """Select ``keep(notes)`` of the selection when there is one (``narrow``), else of the whole chart."""
    s = win.session
    chart = s.chart
    if chart is None:
        return 0
    selected = [n for n in s.selection if s.doc.contains(chart, n)]
    pool = selected if narrow and selected else list(chart.notes)
    # the filter reads the whole chart and the selection narrows what it found: a row is a jump by all its
    # arrows, not only the selected ones (one arrow of a jump in a box of the left lanes was not a jump)
    inside = set(pool)
    chosen = [n for n in keep(list(chart.notes)) if n in inside]
    s.select(chosen)
    where = "of the selection" if pool is selected else "of the chart"
    s.status.emit(f"Selected {len(chosen)} note{'s' * (len(chosen) != 1)}: {what} ({len(pool)} {where})")
    return len(chosen)
