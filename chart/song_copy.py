"""A copy of a song that later edits do not reach, for work on a worker thread (autosave, Verify's re-run).

The editor's :class:`~chart.document.Document` changes a song in place: its ``charts`` list, each chart's ``notes``
and ``extra`` lists, and the fields of its song and chart objects. Everything else it holds is immutable (notes,
timings, Fractions, strings), so a snapshot shares all of that and copies only those containers: O(charts + notes)
pointer copies (a few ms for 100k notes), against seconds for a deep copy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from chart.song import Song

Extra = list[tuple[str, str]]


def snapshot(song: Song) -> Song:
    """``song`` as it is now, unaffected by later edits of ``song`` (and the other way round)."""
    charts = []
    for chart in song.charts:
        twin = copy.copy(chart)  # no __init__: the notes are not sorted again (they are kept sorted)
        twin.notes = list(chart.notes)
        twin.extra = list(chart.extra)
        charts.append(twin)
    out = copy.copy(song)
    out.charts = charts
    out.extra = list(song.extra)
    return out


def with_extras(song: Song, mapped: Callable[[Extra], Extra]) -> Song:
    """A shallow copy of ``song`` whose kept extras, and each chart's (a copy too), are ``mapped(extra)``: file
    names relinked for an archive or a set folder, osu! text unescaped for the .osu writer. ``song`` is left as
    it is; notes and timings are shared."""
    out = copy.copy(song)
    out.extra = mapped(song.extra)
    out.charts = [copy.copy(c) for c in song.charts]
    for chart in out.charts:
        chart.extra = mapped(chart.extra)
    return out
