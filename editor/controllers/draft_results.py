"""What becomes of an AI job's result in the editor (the results half of
:class:`~editor.controllers.drafting.DraftController`, split off to keep modules short).

A job runs on a snapshot of its request (:class:`DraftRequest`: the document, the charts it drafts, the timing
each is drafted against, the charts added for it). The designer keeps working meanwhile, so when the result comes
back it is checked against what changed:

* the song was closed or replaced: the job was cancelled then, and its result is ignored;
* a chart it drafted was removed: that chart's result is dropped, with a status message;
* a chart's timing changed where it places notes (song timing or the chart's own: offset, BPMs, stops, delays,
  warps, fake segments): its result sits on the old beats, off the music and maybe inside a new warp, so it is
  dropped with a status message (as a plugin's result is: docs/editor.md); a label, scroll, speed, tick count,
  combo or time signature keeps it;
* the chart's notes changed: the result is still shown (ghosts are a proposal; accepting makes room).

The view moves to the drafted chart, except while a drag, a recording take or a test play is open
(:func:`~editor.controllers.under_way.under_way`: a chart switch would end it): the ghosts wait on their chart
(they are kept per chart) and the status line names it.

A cancelled or failed job takes back the empty charts it added ("Add ... chart for the AI draft"): withdrawn when
they are the last steps (undone with no redo entry; the redo steps the designer had went when they were added),
else removed while still empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from chart.commands import AddChart, RemoveChart
from chart.document import Document
from chart.history import HistoryError
from chart.song import Chart, Slot
from chart.timing import TimingData
from editor.controllers.ghosts import GhostDraft, GhostStore, places_alike
from editor.controllers.under_way import under_way
from editor.key_hints import key_text
from editor.session import EditorSession


@dataclass
class DraftRequest:
    """What a drafting job was started on."""

    doc: Document
    charts: dict[Slot, Chart]
    timings: dict[int, TimingData] = field(default_factory=dict)  # id(chart) -> the timing it is drafted on
    added: list[AddChart] = field(default_factory=list)  # charts made empty for the draft, in order

    @classmethod
    def of(cls, doc: Document, charts: dict[Slot, Chart], added: list[AddChart] | None = None) -> DraftRequest:
        return cls(doc, dict(charts), {id(c): doc.song.timing_for(c) for c in charts.values()}, list(added or []))

    def retimed(self, chart: Chart) -> bool:
        """Whether ``chart``'s timing no longer places notes as the one it was drafted on did
        (:func:`~editor.controllers.ghosts.places_alike`: a label or a scroll added meanwhile keeps the result)."""
        now = self.doc.song.timing_for(chart)
        return not places_alike(now, self.timings.get(id(chart), now))


def _name(chart: Chart | None) -> str:
    return chart.slot.sm_name if chart is not None else "no chart"


def _beats(region: tuple[Fraction, Fraction]) -> str:
    return f"beats {float(region[0]):g}-{float(region[1]):g}"


def _drafted_region(region: tuple[Fraction, Fraction], drafts) -> tuple[Fraction, Fraction]:
    """``region`` ending where the drafts do (the end of the audio, for a range reaching past it: the drafter
    stops there), so neither the ghosts' region nor Accept reaches the designer's notes beyond it."""
    end = min((d.end_beat for d in drafts), default=region[1])
    return (region[0], min(region[1], end)) if end > region[0] else region


class DraftResults:
    """Result handling and decisions of :class:`~editor.controllers.drafting.DraftController` (a mixin)."""

    win: Any
    session: EditorSession
    ghosts: GhostStore
    backend_changed: Any  # the controller's signal and its backend_line()
    backend_line: Callable[[], str]

    def _backend_shown(self) -> None:
        """The AI panel's backend line for the current setting (not the drafter that just ran: the designer may
        have switched to Remote meanwhile, and the next draft uses that)."""
        self.backend_changed.emit(self.backend_line())

    def _show_chart(self, chart: Chart) -> str:
        """Show ``chart`` (the one with the new ghosts) unless a drag, a take or a test play is open: a switch would
        end it. "" when shown, else what was kept open ("the recording take")."""
        s = self.session
        if s.chart is chart:
            return ""
        busy = under_way(self.win, s.doc)
        if busy is None:
            s.set_chart(chart)
            return ""
        return busy

    def _current(self, request: DraftRequest) -> bool:
        return request.doc is self.session.doc

    # ------------------------------------------------------------------ results
    def _show_drafts(self, request: DraftRequest, drafts) -> None:
        if not self._current(request):
            return
        charts, s = request.charts, self.session
        gone = [d for d in drafts if not s.has_chart(charts.get(d.slot))]  # an undone "Add ... chart", a delete
        retimed = [d for d in drafts if d not in gone and request.retimed(charts[d.slot])]
        kept = [d for d in drafts if not any(d is x for x in (*gone, *retimed))]
        dropped = ""
        if retimed:
            names = ", ".join(d.slot.sm_name for d in retimed)
            dropped = (f"AI draft of {names} dropped: the timing changed while the AI worked (it was drafted on the "
                       "old one); draft again")
        elif gone:
            dropped = "AI draft dropped: its chart was removed while the AI worked"
        if not kept:
            if dropped:
                s.status.emit(dropped)
            return
        for d in kept:
            chart = charts[d.slot]
            self.ghosts.put(GhostDraft(chart, list(d.notes), dict(d.row_confidence), d.provenance.as_dict(),
                                       d.threshold, d.curve, d.frame_rate, lane_confidence=dict(d.lane_confidence),
                                       regions=[(d.start_beat, d.end_beat)] if d.end_beat > d.start_beat else [],
                                       timing=request.timings.get(id(chart))))
        busy = self._show_chart(charts[kept[0].slot])
        self._backend_shown()
        counts = ", ".join(f"{d.slot.sm_name} {len(d.notes)}" for d in kept)
        if busy:  # the view stays: the ghosts wait on their charts
            stays = f"; the view stays on {_name(s.chart)} during {busy}"
            s.status.emit(f"AI drafts ready (ghost notes): {counts}{stays}" + self.others_pending(s.chart) + "."
                          + (f" ({dropped})" if dropped else ""))
            return
        s.status.emit("AI drafts ready (ghost notes): " + counts
                      + _keyed(self.win, (("ai.accept",), "{} accepts the measure or range"),
                               (("ai.accept_all",), "{} all in this chart"), end="")
                      + self.others_pending(s.chart) + "." + (f" ({dropped})" if dropped else ""))

    def _show_refined(self, request: DraftRequest, drafts, source: Chart) -> None:
        """A refine's drafts, shown on the target chart with the source chart as the comparison (View > Compare):
        its steps the draft leaves out stay visible as pale outlines."""
        self._show_drafts(request, drafts)
        shown = [d for d in drafts if self.ghosts.get(request.charts.get(d.slot)) is not None]
        shown_here = any(request.charts.get(d.slot) is self.session.chart for d in shown)
        if shown_here and self._current(request) and self.session.has_chart(source):
            self.session.set_reference(source)

    def _show_variants(self, request: DraftRequest, chart: Chart, region: tuple[Fraction, Fraction], drafts) -> None:
        """Variants of a regenerated region (or of arrows for it), each with its own provenance, shown on the
        chart they were drafted for (the view moves there, as it does for drafts, unless a drag, a take or a test
        play is open)."""
        s = self.session
        if not drafts or not self._current(request):
            return
        region = _drafted_region(region, drafts)
        what = f"AI variants of {_beats(region)} ({chart.slot.sm_name}) dropped"
        if not s.has_chart(chart):
            return s.status.emit(f"{what}: the chart was removed while the AI worked")
        if request.retimed(chart):
            return s.status.emit(f"{what}: the timing changed while the AI worked (they were drafted on the old "
                                 "one); regenerate them")
        confidence: dict[Fraction, float] = {}
        row_threshold: dict[Fraction, float] = {}
        provenance = []
        for i, d in enumerate(drafts):
            confidence.update(d.row_confidence)
            row_threshold.update(dict.fromkeys(d.row_confidence, d.threshold))
            record = d.provenance.as_dict()
            if len(drafts) > 1:  # which one was accepted: 0 is the first shown (the model's best guess)
                record["parameters"] = {**record.get("parameters", {}), "variant": i, "variants": len(drafts)}
            provenance.append(record)
        first = drafts[0]
        self.ghosts.put_variants(chart, [list(d.notes) for d in drafts], region, confidence, provenance,
                                 first.threshold, first.curve, first.frame_rate,
                                 [dict(d.lane_confidence) for d in drafts], timing=request.timings.get(id(chart)),
                                 row_threshold=row_threshold)
        busy = self._show_chart(chart)
        self._backend_shown()
        head = f"{len(drafts)} variant(s) of {_beats(region)} ({chart.slot.sm_name}): "
        if busy:
            s.status.emit(f"{len(drafts)} variant(s) of {_beats(region)} ready as ghosts on {_name(chart)}; the view "
                          f"stays on {_name(s.chart)} during {busy} (switch to {_name(chart)} to flip and accept them)")
            return
        if all(not d.notes for d in drafts):
            s.status.emit(head + "the AI proposes silence there (no notes)" + _keyed(
                self.win, (("ai.accept",), "{} accepts it and clears the chart's notes there"),
                (("ai.reject",), "{} keeps them"), lead=": ", end=""))
        else:
            s.status.emit(head.rstrip(": ") + _keyed(self.win, (("ai.prev_variant", "ai.next_variant"), "{} flip"),
                                                     (("ai.accept",), "{} accepts"), lead=": ", end=""))

    def _take_back_added(self, request: DraftRequest) -> bool:
        """Remove the charts a cancelled or failed job added (still empty): take their steps back when they are the
        last ones (no redo entry: Redo would only bring back empty charts with no draft), else remove them. True
        when any went."""
        doc = request.doc
        if not request.added or doc is not self.session.doc:
            return False
        stack = doc.history.undo_commands()
        try:
            if len(stack) >= len(request.added) and all(a is b for a, b in zip(stack[-len(request.added):],
                                                                                request.added)):
                doc.withdraw(request.added)
                return True
            empty = [a.chart for a in request.added if self.session.has_chart(a.chart) and not a.chart.notes]
            if empty:
                with doc.transaction("Remove the empty charts made for the AI draft"):
                    for chart in empty:
                        doc.push(RemoveChart(chart))
            return bool(empty)
        except (ValueError, KeyError, HistoryError):  # mid-drag: they stay, the Charts panel removes them
            return False

    def pending_text(self) -> str:
        """What closing the song would drop of the AI's drafts, for the save-changes question ("128 drafted notes
        not accepted (Beginner, Hard)"); "" when none are pending."""
        charts = self.ghosts.charts_with_drafts()
        if not charts:
            return ""
        names = ", ".join(c.slot.sm_name for c in sorted(charts, key=lambda c: int(c.slot)))
        count = sum(len(d.notes) for c in charts if (d := self.ghosts.get(c)) is not None)
        return f"{count} drafted note(s) not accepted ({names})" if count else f"AI drafts not accepted ({names})"

    # ------------------------------------------------------------------ decisions on the ghosts
    def decision_region(self) -> tuple[Fraction, Fraction]:
        """Beats the AI acts on: the selected range, else the selected notes' span, else the cursor's measure."""
        s = self.session
        if s.range_beats is not None and s.range_beats[0] != s.range_beats[1]:
            b0, b1 = sorted(s.range_beats)
            return b0, b1
        if s.selection:
            b0 = min(n.beat for n in s.selection)
            return b0, max(max(n.end_beat for n in s.selection), b0) + Fraction(1, 192)
        return self.session.timing().measure_span(self.win.timeline.cursor_beat())

    def decide(self, accept: bool, everything: bool = False) -> int:
        """Accept or reject the current chart's ghosts in the decision region (or all of them). Where the AI
        drafted silence, accepting clears the chart's notes (its proposal) and rejecting keeps them."""
        chart = self.session.chart
        if chart is None:
            return 0
        region = (None, None) if everything else self.decision_region()
        drafted = bool(self.ghosts.drafted(chart, *region))
        replaced, mines, credit, meter = 0, 0, chart.credit, chart.meter
        if not drafted:
            n = 0
        elif accept:
            result = self.ghosts.accept_region(chart, *region)
            if result is None:  # refused: the status bar says why
                return 0
            n, replaced, mines = result
        else:
            n = self.ghosts.reject(chart, *region)
        if n:
            verb = "Accepted" if accept else "Rejected"
            text = f"{verb} {n} drafted note(s)"
            if accept:  # a designer's notes there went: say so (the CLI's refine says "replaces the Hard chart")
                text += f", replacing {gone(replaced, mines)}" * bool(replaced or mines) + " (one undo step)"
            if chart.credit != credit:  # the first accept into this chart (chart.disclosure)
                text += f"; its credit now discloses the AI: \"{chart.credit}\" (Charts panel)"
            if chart.meter != meter:  # it was the editor's placeholder (editor.controllers.accept_meta)
                text += f"; meter {chart.meter}, the estimated difficulty (was {meter})"
        elif not drafted:
            text = "No ghosts there"
        elif accept:
            text = (f"Accepted the AI's silence there: {gone(replaced, mines)} removed (one undo step)"
                    if replaced or mines
                    else "Accepted the AI's silence there (no chart notes to remove)")
        else:
            text = "Rejected the AI's silence there: the chart's notes stay"
        self.session.status.emit(text + self.others_pending(chart))
        return n

    def others_pending(self, chart: Chart | None) -> str:
        """"; 4 more charts have drafts: Easy, ... (F5/F6 switch)" for the charts other than ``chart`` whose drafts
        are pending: Accept All and Reject All decide this chart's only, and Save leaves the rest out; "" when
        none."""
        others = sorted((c for c in self.ghosts.charts_with_drafts() if c is not chart), key=lambda c: int(c.slot))
        if not others:
            return ""
        names = ", ".join(c.slot.sm_name for c in others)
        many = len(others) > 1
        keys = key_text(self.win, "view.prev_chart", "view.next_chart")
        return (f"; {len(others)} more chart{'s' * many} ha{'ve' if many else 's'} drafts: {names}"
                + (f" ({keys})" if keys else ""))


def _keyed(where, *hints: tuple[tuple[str, ...], str], lead: str = ". ", end: str = ".") -> str:
    """``lead`` + the hints whose actions have a key, with the keys the keymap gives them now ("Return accepts the
    measure or range, Ctrl+Return all") + ``end``; only ``end`` when none has a key."""
    parts = []
    for ids, text in hints:
        keys = key_text(where, *ids, sep=" and ")
        if keys:
            parts.append(text.format(keys))
    return f"{lead}{', '.join(parts)}{end}" if parts else end


def gone(notes: int, mines: int) -> str:
    """The chart's notes an Accept replaced, mines named apart (the chart lists leave them out of their counts)."""
    parts = [f"{notes} of the chart's notes"] * bool(notes) + [f"{mines} mine(s)"] * bool(mines)
    return " and ".join(parts)
