"""GhostStore: AI drafts waiting for the designer's decision, one per chart.

A draft is shown as ghost notes over its chart and is never part of the chart until accepted. Accepting a region
(the selected range, else the measure at the cursor, else everything) is ONE :class:`chart.commands.ReplaceRegion`
carrying the draft's provenance; rejecting drops the ghosts there. Where the AI drafted silence (no ghosts in a
drafted region), that silence is its proposal too: accepting it removes the chart's notes there, as Accept All
always did. Regenerated regions keep their variants, each with its own provenance (seed, lane temperature, density
target, variant number), so the designer can flip through them before deciding and the undo step records the one
accepted. Once a regenerated region can no longer be flipped (part of it decided, another region regenerated, a
new draft beside it), the ghosts left there keep the provenance of the variant they came from
(:attr:`GhostDraft.region_provenance`): they fell back to the draft's own, variant 0's.

The first Accept that brings AI notes into a chart also marks its credit (``chart.disclosure.with_disclosure``, as
the CLI's drafts are marked) in the same undo step: communities expect AI use disclosed, and the designer may edit
the credit deliberately afterwards. A chart still at its placeholder meter gets the estimated difficulty as its
meter in that step too, as the CLI's drafts do (:mod:`editor.controllers.accept_meta`).

A draft sits on the beats of the timing it was drafted against; when what places those beats changes (a BPM, an
offset, a warp, a fake segment: :func:`places_alike`), its ghosts would land off the music they were drafted from or
where StepMania judges nothing, so they are cleared with a message. A label, scroll, speed, tick count, combo or
time signature moves no note: the ghosts stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from PySide6.QtCore import QObject, Signal

from chart.commands import ReplaceRegion
from chart.formats.display_segments import fake_ranges
from chart.history import Command, HistoryError
from chart.notes import Note, NoteKind, sort_notes
from chart.song import Chart
from chart.sorted_notes import room_made
from chart.timing import TimingData
from chart.timing_form import same_times
from editor.controllers.accept_meta import AutoMeter, disclosure
from editor.controllers.ghost_holds import CutHolds, carried, cut_holds, grown_back
from editor.session import EditorSession
from inference.lane_features import TAIL_GRID_BEAT


@dataclass
class GhostDraft:
    """Pending draft notes of one chart (beats exact; confidence per onset row in [0, 1])."""

    chart: Chart
    notes: list[Note]
    confidence: dict[Fraction, float]
    provenance: dict
    threshold: float = 0.5
    curve: np.ndarray | None = None  # onset probability per model frame
    frame_rate: float = 0.0
    variants: list[list[Note]] = field(default_factory=list)  # for the regenerated region
    variant_region: tuple[Fraction, Fraction] | None = None
    # the ghosts outside the regenerated region as they were before any variant was spliced in: each variant is
    # spliced into these (a variant that cut a ghost hold must not leave it cut for the next one, or after Reject)
    variant_base: list[Note] = field(default_factory=list)
    variant_index: int = 0
    # the lane model's probability of each row's arrow set (rows it chose); per variant for a regenerated region
    lane_confidence: dict[Fraction, float] = field(default_factory=dict)
    variant_lane_confidence: list[dict[Fraction, float]] = field(default_factory=list)
    # the beats the drafts cover ([start, end) each, sorted, disjoint): the AI's proposal there, its silences too.
    # Accepting never reaches past them (a designer's notes beside a regenerated passage stay)
    regions: list[tuple[Fraction, Fraction]] = field(default_factory=list)
    timing: TimingData | None = None  # what it was drafted against (None: not known, never cleared for it)
    variant_provenance: list[dict] = field(default_factory=list)  # per variant of the regenerated region
    # the threshold each row's tint is measured from, where not ``threshold`` (a regenerated passage's rows: the
    # other ghosts keep the tint they had)
    row_threshold: dict[Fraction, float] = field(default_factory=dict)
    # ([start, end), provenance) of passages whose ghosts came from another request than ``provenance`` (a variant
    # no longer flippable, an older draft's ghosts beside a new one); disjoint
    region_provenance: list[tuple[Fraction, Fraction, dict]] = field(default_factory=list)
    cut_holds: CutHolds = field(default_factory=dict)  # drafted holds an Accept cut short (ghost_holds)

    def covered(self) -> list[tuple[Fraction, Fraction]]:
        """:attr:`regions`, or the span of the ghosts for a draft made without them."""
        return self.regions or ([draft_span(self)] if self.notes else [])

    def note_unsure(self) -> list[bool]:
        """Per ghost note, whether the lane model's arrows for its row are a guess (below
        :data:`inference.lane_decision.UNSURE_ARROWS`)."""
        from inference.lane_decision import UNSURE_ARROWS

        return [self.lane_confidence.get(n.beat, 1.0) < UNSURE_ARROWS for n in self.notes]

    def note_confidence(self) -> list[float]:
        """Per ghost note, the row probability rescaled so the threshold maps to 0 and certainty to 1."""
        out = []
        for n in self.notes:
            threshold = self.row_threshold.get(n.beat, self.threshold)
            span = max(1.0 - threshold, 1e-6)
            out.append(float(np.clip((self.confidence.get(n.beat, threshold) - threshold) / span, 0.0, 1.0)))
        return out

    def provenance_at(self, beat: Fraction) -> dict:
        """The provenance of the ghosts at ``beat``: the shown variant's inside the regenerated region, the
        request's they came from in a passage of :attr:`region_provenance`."""
        region = self.variant_region
        if region is not None and region[0] <= beat < region[1] and self.variant_index < len(self.variant_provenance):
            return self.variant_provenance[self.variant_index]
        return next((p for s, e, p in self.region_provenance if s <= beat < e), self.provenance)

    def cut(self, pieces: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
        """``pieces`` cut where the provenance may change (the regenerated region's bounds, the passages of
        :attr:`region_provenance`): each piece has one provenance, one undo step's record."""
        bounds = sorted({b for s, e, _ in self.region_provenance for b in (s, e)} | set(self.variant_region or ()))
        out = []
        for s, e in pieces:
            inner = [b for b in bounds if s < b < e]
            out += list(zip([s, *inner], [*inner, e]))
        return out

    def settled(self, b0: Fraction, b1: Fraction, own: bool = False) -> list[tuple[Fraction, Fraction, dict]]:
        """The provenance of every drafted passage outside ``[b0, b1)`` as it is now (the shown variant's in the
        regenerated region; with ``own`` also where it is :attr:`provenance`), the :attr:`region_provenance` to keep
        before the variants or the ghosts there go."""
        return [(s, e, p) for s0, e0 in self.cut(self.covered()) for s, e in ((s0, min(e0, b0)), (max(s0, b1), e0))
                if s < e and ((p := self.provenance_at(s)) is not self.provenance or own)]

    def curve_s(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.curve is None or self.frame_rate <= 0:
            return None
        return np.arange(len(self.curve)) / self.frame_rate, self.curve


class GhostStore(QObject):
    """The drafts of the open song, keyed by chart identity."""

    changed = Signal()
    accepted = Signal(int)  # notes accepted

    def __init__(self, session: EditorSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._drafts: dict[int, GhostDraft] = {}
        self.meters = AutoMeter()
        session.document_replaced.connect(self.clear)
        session.document_replaced.connect(self.meters.clear)
        session.document_replaced.connect(self._watch_timing)  # each document has its own bridge
        self._watch_timing()

    def _watch_timing(self) -> None:
        self.session.bridge.timing_changed.connect(self._timing_changed)

    def _timing_changed(self) -> None:
        """Clear the drafts whose chart's timing is no longer the one they were drafted against."""
        song = self.session.doc.song
        stale = [d for d in self._drafts.values() if d.timing is not None and self.session.has_chart(d.chart)
                 and not places_alike(song.timing_for(d.chart), d.timing)]
        if not stale:
            return
        for d in stale:
            self._drafts.pop(id(d.chart), None)
        self.changed.emit()
        names = ", ".join(d.chart.slot.sm_name for d in stale)
        self.session.status.emit(f"AI ghosts of {names} cleared: the timing changed after they were drafted (they "
                                 "sat on the old beats, off the music); draft again")

    def clear(self) -> None:
        if self._drafts:
            self._drafts.clear()
            self.changed.emit()

    def get(self, chart: Chart | None) -> GhostDraft | None:
        draft = self._drafts.get(id(chart)) if chart is not None else None
        if draft is not None and not any(c is draft.chart for c in self.session.doc.song.charts):
            del self._drafts[id(chart)]  # its chart was deleted
            return None
        return draft

    def charts_with_drafts(self) -> list[Chart]:
        return [d.chart for d in self._drafts.values() if any(c is d.chart for c in self.session.doc.song.charts)]

    def put(self, draft: GhostDraft) -> None:
        """Show a new draft for its chart; ghosts it had in the same beats are replaced, others kept."""
        old = self.get(draft.chart)
        mine = draft.covered()
        if old is not None and mine:
            b0, b1 = mine[0][0], mine[-1][1]
            draft.region_provenance = old.settled(b0, b1, own=True)  # the old ghosts beside it are the old draft's
            draft.cut_holds = {**carried(old.cut_holds, b0, b1, draft.notes, TAIL_GRID_BEAT), **draft.cut_holds}
            draft.notes = _spliced(old.notes, b0, b1, draft.notes)
            draft.regions = union([*old.covered(), *mine])
            draft.confidence = {**old.confidence, **draft.confidence}
            draft.lane_confidence = {**{b: c for b, c in old.lane_confidence.items() if not b0 <= b < b1},
                                     **draft.lane_confidence}
            draft.row_threshold = {**{n.beat: old.row_threshold.get(n.beat, old.threshold) for n in old.notes
                                      if not b0 <= n.beat < b1}, **draft.row_threshold}
            if draft.curve is None:
                draft.curve, draft.frame_rate = old.curve, old.frame_rate
        self._drafts[id(draft.chart)] = draft
        self.changed.emit()

    def put_variants(self, chart: Chart, variants: list[list[Note]], region: tuple[Fraction, Fraction],
                     confidence: dict[Fraction, float], provenance: dict | list[dict], threshold: float,
                     curve: np.ndarray | None, frame_rate: float,
                     lane_confidence: list[dict[Fraction, float]] | None = None, timing: TimingData | None = None,
                     row_threshold: dict[Fraction, float] | None = None) -> None:
        """Ghosts of a regenerated region with its variants (variant 0 shown first). ``provenance``: one per
        variant (or one for all); ``row_threshold``: the threshold of each drafted row (default ``threshold``).
        The window's probability curve is spliced into the draft's and the draft's other ghosts keep their tint."""
        per_variant = [dict(p) for p in provenance] if isinstance(provenance, list) else [provenance] * len(variants)
        draft = self.get(chart) or GhostDraft(chart, [], {}, per_variant[0], threshold, None, frame_rate)
        b0, b1 = region
        draft.region_provenance = draft.settled(b0, b1)  # the variant shown in a region regenerated before stays
        draft.regions = union([*draft.covered(), region])
        draft.variant_base = [n for n in draft.notes if not b0 <= n.beat < b1]
        draft.notes = _spliced(draft.variant_base, b0, b1, variants[0])
        draft.variant_lane_confidence = [dict(c) for c in (lane_confidence or [{} for _ in variants])]
        self._show_lane_confidence(draft, region, 0)
        draft.confidence = {**draft.confidence, **confidence}
        draft.row_threshold = {**{b: t for b, t in draft.row_threshold.items() if not b0 <= b < b1},
                               **(row_threshold if row_threshold is not None else dict.fromkeys(confidence, threshold))}
        draft.variant_provenance, draft.timing = per_variant, timing if timing is not None else draft.timing
        if curve is not None:
            old = draft.curve
            same = old is not None and len(old) == len(curve) and draft.frame_rate == frame_rate
            draft.curve, draft.frame_rate = (_spliced_curve(old, curve) if old is not None and same else curve,
                                             frame_rate)
        draft.variants, draft.variant_region, draft.variant_index = [list(v) for v in variants], region, 0
        self._drafts[id(chart)] = draft
        self.changed.emit()

    def flip_variant(self, chart: Chart, step: int) -> int | None:
        """Show the next/previous variant of the regenerated region; returns its index."""
        draft = self.get(chart)
        if draft is None or not draft.variants or draft.variant_region is None:
            return None
        b0, b1 = draft.variant_region
        draft.variant_index = (draft.variant_index + step) % len(draft.variants)
        draft.notes = _spliced(draft.variant_base, b0, b1, draft.variants[draft.variant_index])
        self._show_lane_confidence(draft, (b0, b1), draft.variant_index)
        self.changed.emit()
        return draft.variant_index

    @staticmethod
    def _show_lane_confidence(draft: GhostDraft, region: tuple[Fraction, Fraction], index: int) -> None:
        b0, b1 = region
        shown = draft.variant_lane_confidence[index] if index < len(draft.variant_lane_confidence) else {}
        draft.lane_confidence = {**{b: c for b, c in draft.lane_confidence.items() if not b0 <= b < b1}, **shown}

    # ------------------------------------------------------------------ decisions
    def drafted(self, chart: Chart, beat0: Fraction | None = None, beat1: Fraction | None = None
                ) -> list[tuple[Fraction, Fraction]]:
        """The parts of ``[beat0, beat1)`` (default: everywhere) the chart's pending draft covers, cut where the
        provenance changes (:meth:`GhostDraft.cut`: a variant carries its own)."""
        draft = self.get(chart)
        if draft is None:
            return []
        return draft.cut(draft.covered() if beat0 is None or beat1 is None
                         else clipped(draft.covered(), beat0, beat1))

    def accept(self, chart: Chart, beat0: Fraction | None = None, beat1: Fraction | None = None) -> int:
        """Replace the chart's notes in ``[beat0, beat1)`` with the ghosts there: one undo step. Returns the
        number of notes accepted (0 also for accepted silence: :meth:`accept_region` tells them apart)."""
        result = self.accept_region(chart, beat0, beat1)
        return result[0] if result is not None else 0

    def accept_region(self, chart: Chart, beat0: Fraction | None = None, beat1: Fraction | None = None
                      ) -> tuple[int, int, int] | None:
        """:meth:`accept`, returning (ghost notes accepted, chart notes and chart mines they replaced), or None when
        the AI drafted nothing there. Where it drafted silence the chart's notes go (one undo step with the rest)."""
        draft = self.get(chart)
        pieces = self.drafted(chart, beat0, beat1)
        if draft is None or not pieces:
            return None
        chosen = [n for n in draft.notes if any(s <= n.beat < e for s, e in pieces)]
        commands: list[ReplaceRegion] = []
        for s, e in pieces:  # only where the AI drafted: notes beside a drafted passage are the designer's
            notes = [n for n in chosen if s <= n.beat < e]
            if not notes and not self.session.doc.notes_in_range(chart, s, e):
                continue  # silence over silence: nothing to write
            provenance = dict(draft.provenance_at(s))
            provenance["accepted_region"] = [str(s), str(e)]
            commands.append(ReplaceRegion(chart, s, e, notes, provenance=provenance, name="Accept AI draft"))
        disclose = disclosure(chart, [c for c in commands if c.drafted])
        steps: list[Command] = [*commands, *([disclose] if disclose is not None else [])]
        follow = bool(steps) and self.meters.follows(self.session.doc, chart)  # accept_meta: the meter follows the accepted notes
        if len(steps) == 1 and not follow and not draft.cut_holds:
            if not self.session.push(steps[0]):
                return None
        elif steps:
            try:
                with self.session.doc.transaction("Accept AI draft") as macro:  # one undo step
                    if len(commands) == 1:  # what the step did, as a lone ReplaceRegion tells it
                        macro.provenance = commands[0].provenance
                    for command in steps:
                        self.session.doc.push(command)
                    grown = grown_back(self.session.doc, chart, draft.cut_holds, pieces, commands[0].gap)
                    if grown is not None:  # a hold an earlier Accept cut at a note now replaced: as drafted
                        self.session.doc.push(grown)
                    if follow:
                        self.meters.update(self.session.doc, chart)
            except (ValueError, KeyError, HistoryError) as exc:  # rolled back as a whole
                self.session.status.emit(f"Accept AI draft: {exc}")
                return None
        draft.cut_holds.update(cut_holds(commands))
        for s, e in pieces:
            self._drop(draft, s, e)
        self.accepted.emit(len(chosen))
        old = [n for c in commands for n in c.old]
        mines = sum(n.kind is NoteKind.MINE for n in old)  # counted apart, as the chart lists count notes
        return len(chosen), len(old) - mines, mines

    def reject(self, chart: Chart, beat0: Fraction | None = None, beat1: Fraction | None = None) -> int:
        """Drop the ghosts in ``[beat0, beat1)`` (default: the whole draft); returns how many there were."""
        draft = self.get(chart)
        if draft is None:
            return 0
        if beat0 is None or beat1 is None:
            self._drafts.pop(id(chart), None)
            self.changed.emit()
            return len(draft.notes)
        n = sum(1 for x in draft.notes if beat0 <= x.beat < beat1)
        self._drop(draft, beat0, beat1)
        return n

    def _drop(self, draft: GhostDraft, b0: Fraction, b1: Fraction) -> None:
        draft.region_provenance = draft.settled(b0, b1)  # what is left of a decided variant region stays its own
        draft.regions = [piece for s, e in draft.covered() for piece in ((s, min(e, b0)), (max(s, b1), e))
                         if piece[0] < piece[1]]
        draft.notes = [n for n in draft.notes if not b0 <= n.beat < b1]
        draft.variant_base = [n for n in draft.variant_base if not b0 <= n.beat < b1]
        if draft.variant_region is not None and draft.variant_region[0] < b1 and b0 < draft.variant_region[1]:
            # decided: no more flipping there; the ghosts around it are as they were before the variants
            v0, v1 = draft.variant_region
            draft.notes = sort_notes([*draft.variant_base, *(n for n in draft.notes if v0 <= n.beat < v1)])
            draft.variants, draft.variant_region, draft.variant_base = [], None, []
        if not draft.notes and not draft.variants:  # pending silent variants stay to be decided
            self._drafts.pop(id(draft.chart), None)
        self.changed.emit()


def places_alike(a: TimingData, b: TimingData) -> bool:
    """Whether notes on the beats of ``a`` sit where they did under ``b``: every beat at the same second (offset,
    BPMs, stops, delays, warps) and judged alike (the same fake segments: StepMania judges no note in one, and the
    decoder drafts none there). Labels, scrolls, speeds, tick counts and combos move no note, and neither do time
    signatures: they draw measure lines and give a draft still running its downbeat guide, but its notes sit on
    the music all the same, so it is shown, as one drafted on notes edited meanwhile is. The times are compared,
    not the lists as written (:func:`chart.timing_form.same_times`): a BPM row that repeats the BPM in force, or
    a stop of 0 s, moves no note either."""
    if a is b:
        return True
    return same_times(a, b) and fake_ranges(a) == fake_ranges(b)


def union(regions: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    """Sorted, merged ``[start, end)`` ranges."""
    out: list[tuple[Fraction, Fraction]] = []
    for s, e in sorted(r for r in regions if r[0] < r[1]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def clipped(regions: list[tuple[Fraction, Fraction]], b0: Fraction, b1: Fraction) -> list[tuple[Fraction, Fraction]]:
    """The parts of ``regions`` inside ``[b0, b1)``."""
    return [(max(s, b0), min(e, b1)) for s, e in regions if max(s, b0) < min(e, b1)]


def draft_span(draft: GhostDraft) -> tuple[Fraction, Fraction]:
    """Beats covering every ghost of a draft (end exclusive, one row past the last head)."""
    if not draft.notes:
        return Fraction(0), Fraction(0)
    return min(n.beat for n in draft.notes), max(n.beat for n in draft.notes) + Fraction(1, 192)


def _spliced_curve(old: np.ndarray, window: np.ndarray) -> np.ndarray:
    """``old`` with the frames of a regenerated window (``window`` is zero outside them, as the drafter makes it)
    put in: the rest of the draft's curve stays."""
    inside = np.flatnonzero(window)
    out = np.array(old, copy=True)
    if inside.size:
        out[inside[0]:inside[-1] + 1] = window[inside[0]:inside[-1] + 1]
    return out


def _spliced(notes: list[Note], b0: Fraction, b1: Fraction, passage: list[Note]) -> list[Note]:
    """``notes`` with those whose head is in ``[b0, b1)`` replaced by ``passage``, room made for it as every edit
    does (:func:`chart.sorted_notes.room_made`: a draft hold reaching into the passage ends a tail step before
    its note in that lane, one landing on a hold's end replaces it): the ghosts are what accepting would write."""
    kept = sort_notes(n for n in notes if not b0 <= n.beat < b1)
    return sort_notes([*room_made(kept, passage, TAIL_GRID_BEAT), *passage])
