"""ViewSync: keeps the notefield and the minimap in step with the session and the Document's signals.

Only the current chart's notes (and the compared difficulty's, when one is chosen) are indexed. An edit of notes
splices that index: the beat ranges the Document's ``notes_changed`` signals name since the last build are derived
again and the rest of the arrays reused (:meth:`~editor.timeline.note_index.NoteIndex.spliced`); timing changes,
chart switches, a new document and big edits build it from scratch. Repaints are coalesced to one per event-loop
turn. Every minimap refresh also takes the session's duration again: without audio it grows with the notes, and a
span fixed when the song opened squashed later notes into its last pixel.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from PySide6.QtCore import QObject, QTimer

from chart.keyboard import draws_arrows
from editor.session import EditorSession
from editor.timeline.note_index import NoteIndex
from editor.timeline.view import TimelineWidget


class ViewSync(QObject):
    """Wires session/Document signals to the timeline (and the minimap, when given)."""

    def __init__(self, session: EditorSession, timeline: TimelineWidget, minimap=None, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.timeline, self.minimap = session, timeline, minimap
        self.ghosts = None  # GhostStore, once the AI assist is wired (set_ghost_store)
        self._pending_notes = False
        # what the notefield's index was built from, and the beats changed since: (chart, timing), [beat0, beat1]
        self._indexed: tuple[object, object] | None = None
        self._changed: tuple[Fraction, Fraction] | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush)
        session.document_replaced.connect(self._document_replaced)
        session.chart_switched.connect(self.rebuild)
        session.reference_changed.connect(self._reference_changed)
        session.selection_changed.connect(self._selection_changed)
        session.divisor_changed.connect(timeline.set_divisor)
        session.audio_changed.connect(self._audio_changed)
        timeline.before_input = self._flush
        from editor.controllers.feet import FootLabels

        self.feet = FootLabels(session, timeline.feet_item, self, draft_fn=self._current_draft)  # View > Foot Labels
        if minimap is not None:
            minimap.reference_density_fn = self._reference_density
            minimap.follow(timeline)  # its visible-window box tracks every change of the notefield's view
        self._document_replaced()

    def _document_replaced(self) -> None:
        bridge = self.session.bridge
        bridge.notes_changed.connect(self._notes_changed)
        bridge.timing_changed.connect(self.rebuild)
        bridge.charts_changed.connect(self.rebuild)
        self.rebuild()

    def _notes_changed(self, chart_id: str, beat0: Fraction, beat1: Fraction) -> None:
        reference = self.session.shown_reference()
        if chart_id == self.session.chart_id():
            if self._changed is not None:
                beat0, beat1 = min(beat0, self._changed[0]), max(beat1, self._changed[1])
            self._changed = (beat0, beat1)
            self._pending_notes = True
            self._flush_timer.start()
            self.feet.schedule()
        elif reference is not None and chart_id == self.session.doc.chart_id(reference):
            self._reference_changed()  # e.g. an undo that reaches into the compared chart
        else:
            self._refresh_minimap()

    def _flush(self) -> None:
        if self._pending_notes:
            self._pending_notes = False
            self._set_index(splice=True)

    def rebuild(self) -> None:
        """Timing, lanes and notes of the current chart, from scratch."""
        s = self.session
        lanes = s.chart.lanes if s.chart is not None else 4
        arrows = s.chart is None or draws_arrows(s.chart)  # L/D/U/R panels; other pads and keys: bars
        for item in (self.timeline.notes_item, self.timeline.ghost_item, self.timeline.reference_item):
            item.set_arrow_style(arrows)
        self._set_index(update_song=False)
        self.feet.refresh()
        self.timeline.set_reference(self._reference_index())
        self.timeline.set_song(s.timing(), lanes, s.duration_s())
        self.timeline.set_divisor(s.divisor)
        if self.ghosts is not None:
            self.refresh_ghosts()
        else:
            self._refresh_minimap()

    def _set_index(self, update_song: bool = True, splice: bool = False) -> None:
        """Index the current chart's notes: spliced into the shown index when ``splice`` and only notes of that
        chart changed under the same timing since it was built, else from scratch."""
        s = self.session
        changed, self._changed = self._changed, None
        self._pending_notes = False  # whichever way it is built, the index is up to date with the chart
        if s.chart is None:
            self._indexed = None
            self.timeline.set_notes(None)
        else:
            timing = s.timing()
            old = self.timeline.index
            index = None
            built = self._indexed
            if splice and changed is not None and old is not None and built is not None and built[0] is s.chart \
                    and built[1] is timing:
                index = old.spliced(s.chart.notes, timing, *changed)
            if index is None:
                index = NoteIndex(s.chart.notes, timing)
            self._indexed = (s.chart, timing)
            index.set_selection(s.selection)
            self.timeline.set_notes(index)
        self._refresh_minimap()

    def _refresh_minimap(self) -> None:
        """Redraw the minimap over the session's current duration (a charts-only song's grows with its notes)."""
        if self.minimap is not None:
            self.minimap.set_duration(self.session.duration_s())
            self.minimap.refresh()

    # ------------------------------------------------------------------ compared difficulty
    def _reference_index(self) -> NoteIndex | None:
        s = self.session
        ref = s.shown_reference()
        if ref is None or s.chart is None or ref.lanes != s.chart.lanes:  # other pads do not line up lane by lane
            return None
        return NoteIndex(ref.notes, s.doc.song.timing_for(ref))

    def _reference_changed(self) -> None:
        self.timeline.set_reference(self._reference_index())
        self._refresh_minimap()

    def _reference_density(self):
        ref = self.session.shown_reference()
        return self._density(ref.notes, self.session.doc.song.timing_for(ref)) if ref is not None else None

    # ------------------------------------------------------------------ AI drafts
    def set_ghost_store(self, store) -> None:
        self.ghosts = store
        store.changed.connect(self.refresh_ghosts)
        store.changed.connect(self.feet.schedule)  # foot labels parse the chart with its draft accepted
        if self.minimap is not None:
            self.minimap.ghost_density_fn = self._ghost_density
        self.refresh_ghosts()

    def _current_draft(self):
        return self.ghosts.get(self.session.chart) if self.ghosts is not None else None

    def refresh_ghosts(self) -> None:
        """Ghost notes, their confidence colours and the probability curve of the current chart's draft."""
        draft = self._current_draft()
        timing = self.session.timing()
        if draft is None or not draft.notes:
            self.timeline.set_ghosts(None)
        else:
            self.timeline.set_ghosts(NoteIndex(draft.notes, timing, draft.note_confidence(), draft.note_unsure()))
        curve = draft.curve_s() if draft is not None else None
        if curve is None:
            self.timeline.curve_item.set_curve(np.empty(0), np.empty(0))
        else:
            self.timeline.curve_item.set_curve(curve[0], curve[1], draft.threshold)
        self._refresh_minimap()

    def _ghost_density(self):
        draft = self._current_draft()
        return self._density(draft.notes, self.session.timing()) if draft is not None else None

    def _density(self, notes, timing):
        """NPS curve of ``notes`` over the whole song (the minimap's ghost and compared curves); None when empty.
        Only judged notes count, as in the Stats panel and the edited chart's curve (a warp's notes share one
        instant and drew a spike there)."""
        from chart.formats.display_segments import judged_notes
        from chart.stats import nps_curve, onset_times_s

        if not notes:
            return None
        return nps_curve(onset_times_s(judged_notes(notes, timing), timing), start_s=0.0,
                         end_s=self.session.duration_s())

    def _selection_changed(self) -> None:
        index = self.timeline.index
        s = self.session
        if index is not None:
            if not self._pending_notes:  # else the index is of the notes before the edit: the flush marks the new one
                index.set_selection(s.selection)
            self.timeline.notes_item.update()
        timing = s.timing()
        if s.range_beats is not None:
            b0, b1 = sorted(s.range_beats)
            rng = (float(timing.beat_to_seconds(b0)), float(timing.beat_to_seconds(b1)))
        else:
            rng = None
        self.timeline.range_item.set_ranges(rng, self.timeline.range_item.loop_s)

    def _audio_changed(self) -> None:
        self.rebuild()
