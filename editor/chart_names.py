"""How the editor names a chart in words: the toolbar's list, the title bar, the undo line and the Charts panel's
status lines.

:func:`chart_label` is the full name (slot, meter, description, mode when not dance-single). :func:`chart_name` is
the short one (slot and meter) where the slot alone tells the chart apart in its song, and the full one where
another chart has the same slot: on a song with single and double Easy 4 (or two Edits) the title and the undo
line read the same before and after a switch between them.
"""

from __future__ import annotations

from chart.song import Chart, Song


def chart_label(chart: Chart) -> str:
    """Slot, meter, description and mode (when not single) of a chart."""
    desc = f" ({chart.description})" if chart.description else ""
    mode = "" if chart.mode == "dance-single" else f" · {chart.mode}"
    return f"{chart.slot.sm_name} {chart.meter}{desc}{mode}"


def slot_shared(song: Song, chart: Chart) -> bool:
    """Whether another chart of ``song`` has ``chart``'s slot (in any mode)."""
    return any(other is not chart and other.slot == chart.slot for other in song.charts)


def chart_name(song: Song, chart: Chart, meter: bool = True) -> str:
    """``chart`` named so it is told apart in ``song``: "Easy 4" (``meter=False``: "Easy") when no other chart has
    its slot, else :func:`chart_label`'s "Easy 4 · dance-double" or "Edit 9 (Easy copy)"."""
    if slot_shared(song, chart):
        return chart_label(chart)
    return f"{chart.slot.sm_name} {chart.meter}" if meter else chart.slot.sm_name
