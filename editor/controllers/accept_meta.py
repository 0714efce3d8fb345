"""The chart fields an Accept of AI notes changes, in the Accept's own undo step (split off
:mod:`editor.controllers.ghosts` to keep modules short).

* The credit discloses the AI (:func:`disclosure`; :func:`chart.disclosure.with_disclosure`, as the CLI's drafts).
* The meter follows the notes while it is the editor's, not the designer's (:class:`AutoMeter`): a chart that was
  empty at its placeholder meter (:func:`chart.stats.placeholder_meter`: the Charts panel's Add, the chart made for
  a draft, New Song's Beginner) gets the estimated difficulty (:func:`chart.stats.estimated_meter`, the meter
  ``main.py draft`` writes), and keeps following later accepts (measure by measure) until the designer sets another
  meter. Before, an accepted Medium draft kept the placeholder 6 whatever its notes and went out as "Medium Lv.6".
"""

from __future__ import annotations

from chart.commands import ReplaceRegion, SetChartMeta
from chart.disclosure import with_disclosure
from chart.document import Document
from chart.song import Chart
from chart.stats import estimated_meter, placeholder_meter


def disclosure(chart: Chart, drafted: list[ReplaceRegion]) -> SetChartMeta | None:
    """The credit change that discloses the AI notes being accepted (:func:`chart.disclosure.with_disclosure`, the
    one the CLI's drafts get too), part of the Accept's undo step; None when nothing drafted is accepted (silence
    accepted adds no AI notes) or the credit discloses already (once per chart, not once per accept)."""
    if not drafted:
        return None
    credit = with_disclosure(chart.credit, str((drafted[0].provenance or {}).get("model_id", "")))
    return None if credit == chart.credit else SetChartMeta(chart, name="Accept AI draft", credit=credit)


class AutoMeter:
    """Which charts' meters the editor set from their accepted notes. The song's history says whose the meter is:
    the latest step still done that set the chart's meter is an accept's (marked :data:`AUTO`) or the designer's,
    so an Undo or Redo of either is followed (remembering only the last meter an accept set stopped the meter
    following after an accept was undone). Past the history's reach, every meter an accept set counts (by chart
    identity, for this session)."""

    def __init__(self) -> None:
        self._set: dict[int, set[int]] = {}  # id(chart) -> every meter an accept gave it

    def clear(self) -> None:
        self._set.clear()

    def follows(self, doc: Document, chart: Chart) -> bool:
        """Whether an accept into ``chart`` (asked before it) sets its meter: empty at its placeholder meter, or
        at a meter an earlier accept set, not the designer."""
        if not chart.notes and chart.meter == placeholder_meter(chart.slot):
            return True
        step = last_meter_step(doc, chart)
        if step is not None:
            return bool(getattr(step, AUTO, False))
        return chart.meter in self._set.get(id(chart), ())

    def update(self, doc: Document, chart: Chart) -> None:
        """Push the meter of ``chart``'s notes now (inside the accept's transaction) when it differs."""
        if not any(n.kind.is_onset for n in chart.notes):
            return
        meter = estimated_meter(chart, doc.song.timing_for(chart))
        if meter != chart.meter:
            step = SetChartMeta(chart, name="Accept AI draft", meter=meter)
            setattr(step, AUTO, True)
            doc.push(step)
        self._set.setdefault(id(chart), set()).add(meter)


#: The attribute that marks a meter step an accept pushed (:class:`AutoMeter`).
AUTO = "auto_meter"


def last_meter_step(doc: Document, chart: Chart) -> SetChartMeta | None:
    """The latest step still done (a transaction's part included) that set ``chart``'s meter, if the history holds
    one."""
    def walk(command):
        children = getattr(command, "children", None)
        if children is not None:
            for child in reversed(children):
                yield from walk(child)
        elif isinstance(command, SetChartMeta) and "meter" in command.fields:
            yield command

    for command in reversed(doc.history.undo_commands()):
        for step in walk(command):
            try:
                if doc.resolve_chart(step.chart) is chart:
                    return step
            except (KeyError, ValueError):  # a chart no longer in the song
                continue
    return None
