"""The commands' shared defaults, and the commands that add, remove or move a whole chart (the first two
re-exported by :mod:`chart.commands`, where they lived before that module grew).

A chart step holds the whole chart for undo or redo (Duplicate keeps a deep copy, Delete the removed chart), so it
names it in :meth:`held_charts` and the history's note budget (:func:`chart.history.held_notes`) counts its notes.
"""

from __future__ import annotations

from typing import Any

from chart.document import ChartRef, Document
from chart.song import Chart


class CommandBase:
    """Defaults shared by the commands: no provenance, no merging, a chart resolved once and then pinned."""

    name = "Edit"
    provenance: dict | None = None

    def merge_with(self, other: Any) -> bool:
        return False

    def _chart(self, doc: Document, ref: ChartRef) -> Chart:
        # Pin the object on first use: a later rename must not redirect redo to another chart.
        pinned = getattr(self, "_pinned", None)
        if pinned is None:
            pinned = doc.resolve_chart(ref)
            self._pinned = pinned
        return pinned

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def slot_position(charts: list[Chart], chart: Chart) -> int:
    """Where a new ``chart`` goes among ``charts`` so that its mode's charts stay in difficulty order: after the last
    chart of its mode whose slot is not harder, else before its mode's first chart, else at the end (F5/F6 and the
    chart list walk the song's order: a drafted Easy added at the end came after Challenge)."""
    mine = [i for i, c in enumerate(charts) if c.mode == chart.mode]
    if not mine:
        return len(charts)
    easier = [i for i in mine if charts[i].slot <= chart.slot]
    return easier[-1] + 1 if easier else mine[0]


class AddChart(CommandBase):
    """Add a chart (at ``index``, default the end)."""

    def __init__(self, chart: Chart, index: int | None = None, name: str = "Add chart"):
        self.chart = chart
        self.index = index
        self.name = name

    def do(self, doc: Document) -> None:
        index = len(doc.song.charts) if self.index is None else self.index
        doc.insert_chart(index, self.chart)

    def undo(self, doc: Document) -> None:
        doc.delete_chart(self.chart)

    def held_charts(self) -> list[Chart]:
        """The chart this step keeps (a Duplicate's deep copy): its notes count in the history's budget."""
        return [self.chart]


class RemoveChart(CommandBase):
    """Remove a chart (undo puts it back where it was)."""

    def __init__(self, chart: ChartRef, name: str = "Remove chart"):
        self.chart = chart
        self.name = name
        self._index = 0

    def do(self, doc: Document) -> None:
        self._index = doc.delete_chart(self._chart(doc, self.chart))

    def undo(self, doc: Document) -> None:
        doc.insert_chart(self._index, self._chart(doc, self.chart))

    def held_charts(self) -> list[Chart]:
        """The removed chart, which only this step keeps once it is done."""
        pinned = getattr(self, "_pinned", None)
        if pinned is not None:
            return [pinned]
        return [self.chart] if isinstance(self.chart, Chart) else []


class MoveChart(CommandBase):
    """Move a chart to ``index`` (of the song's charts without it); undo puts it back where it was."""

    def __init__(self, chart: ChartRef, index: int, name: str = "Move chart"):
        self.chart = chart
        self.index = index
        self.name = name
        self._from = 0

    def do(self, doc: Document) -> None:
        self._from = doc.move_chart(self._chart(doc, self.chart), self.index)

    def undo(self, doc: Document) -> None:
        doc.move_chart(self._chart(doc, self.chart), self._from)
