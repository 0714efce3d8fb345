"""The beat of the row the cursor is on, for the edits that act on what the cursor is on (Select from Cursor to
End / Start to Cursor, the lane keys, Paste, Shift+Up/Down's range)."""

from __future__ import annotations

import math
from fractions import Fraction

from chart.snap import is_on_grid
from editor.timeline.view import TimelineWidget

SM_ROWS = 192  # StepMania's rows per 4-beat measure


def row_beat(timeline: TimelineWidget, anywhere: bool = False) -> Fraction:
    """The cursor's beat as the cursor line and the status bar show it: its exact beat where it was put on one (a
    jump to a note, '.' Next Note, Go to a beat), which may lie off the snap (a 16th under a 1/4 snap), else its
    time's beat on the snap (:meth:`~editor.timeline.view.TimelineWidget.cursor_beat`). The snapped beat alone
    took a 16th's row for the next quarter's: Select from Cursor to End left out the note the cursor was on.

    An exact beat off StepMania's rows and off the snap (a review timestamp's, a label's) is taken only
    ``anywhere`` (to select or find notes): where notes are written (Paste, a range that Copy measures from) the
    snapped beat is, as before, so that no edit puts notes between the rows."""
    exact = timeline.exact_beat()
    if exact is not None and (anywhere or is_on_grid(exact, math.lcm(SM_ROWS, timeline.divisor))):
        return exact
    return timeline.cursor_beat()
