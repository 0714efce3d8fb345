"""Row overlap: which of a reference chart's onset rows another chart keeps, compared in time (the Stats panel's
"Compared with" row; :mod:`chart.stats` re-exports these names)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chart.formats.display_segments import judged_notes
from chart.notes import Note, onset_beats
from chart.song import Chart
from chart.timing import TimingData

#: Two rows of different charts are the same step when their times differ by at most this (seconds): well under
#: a 1/192 note at any playable tempo, well over float rounding of two timings that agree.
SHARED_ROW_TOLERANCE_S = 0.002


@dataclass(frozen=True)
class RowOverlap:
    """How a chart's rows compare with a reference chart's (see :func:`row_overlap`)."""

    rows: int  # onset rows of the chart
    reference_rows: int  # onset rows of the reference
    shared: int  # rows of the reference that the chart also steps on

    @property
    def kept_share(self) -> float | None:
        """Share of the reference's rows the chart keeps (None when the reference has none)."""
        return self.shared / self.reference_rows if self.reference_rows else None


def onset_row_times_s(notes: Sequence[Note], timing: TimingData) -> np.ndarray:
    """Times in seconds of the distinct onset rows (a jump is one row), sorted."""
    beats = onset_beats(notes)
    return timing.beats_to_seconds_array(np.array([float(b) for b in beats], dtype=np.float64))


def row_overlap(chart: Chart, timing: TimingData, reference: Chart, reference_timing: TimingData,
                tolerance_s: float = SHARED_ROW_TOLERANCE_S) -> RowOverlap:
    """Which of ``reference``'s onset rows ``chart`` keeps, compared in time (each chart with its own timing, so
    split-timing charts compare where they are heard). Rows pair one to one, in order; the measure a designer
    reads when building a harder chart from an easier one (how much of the easier chart's rhythm is kept). Only
    judged rows count, as in :func:`chart.stats.chart_stats` (a warp's rows made the counts disagree with the Stats rows)."""
    mine = onset_row_times_s(judged_notes(chart.notes, timing), timing)
    ref = onset_row_times_s(judged_notes(reference.notes, reference_timing), reference_timing)
    shared = i = j = 0
    while i < mine.size and j < ref.size:  # both sorted and distinct: a merge pairs each row at most once
        d = mine[i] - ref[j]
        if abs(d) <= tolerance_s:
            shared, i, j = shared + 1, i + 1, j + 1
        elif d < 0:
            i += 1
        else:
            j += 1
    return RowOverlap(int(mine.size), int(ref.size), shared)
