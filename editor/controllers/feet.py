"""FootLabels: View > Foot Labels — which foot steps each note of the current chart, kept up to date while editing.

The labels come from :func:`chart.parity.parse_feet`, the parse the Verify ``parity`` check reports from, so a
badge turning amber (the row crosses the feet over) or red (a fast double step) is the same judgement as the check's
row: a designer sees where a pattern forces a turn while placing the notes, not after a Verify run. Only
dance-single charts are parsed (the parse knows the four panels' layout); other pads show no labels, and neither
do keyboard charts of a pad's mode (an osu!mania 4K map, :mod:`chart.keyboard`): they are played with fingers.

While the chart has an AI draft pending, the parse is of the chart *as accepting the whole draft would leave it*
(the draft's notes in place of the chart's over the draft's span, the chart's own notes elsewhere), so the ghosts get
badges too and a draft that turns the feet or double-steps shows it before the designer accepts it.

The parse is linear in the rows (~25 ms for 1,000 rows, ~200 ms for a 13k-note chart), so edits are coalesced: a
burst of changes (a drag, a paste, typing notes in) re-parses once, :data:`REFRESH_MS` after the last one, in a
worker thread on a copy of the notes (as Verify does); its labels are shown only if nothing changed meanwhile (a
generation counter; a change schedules the next parse). Turning the labels on, another chart and a timing change
parse at once, on the GUI thread. The parse itself is shared with Verify's parity check
(:func:`chart.parity_cache.parse_feet_shared` keeps the last one), so an edit is parsed once for both.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from chart.keyboard import is_keyboard
from chart.notes import Note
from chart.parity import Foot, FootParse
from chart.parity_cache import parse_feet_shared
from chart.timing import TimingData
from editor.controllers.ghosts import draft_span
from editor.session import EditorSession
from editor.timeline.overlay_items import (
    FOOT_HAND,
    FOOT_LEFT,
    FOOT_RIGHT,
    MARK_CROSSOVER,
    MARK_DOUBLE_STEP,
    MARK_NONE,
    FootLabelsItem,
)
from editor.workers import Job, JobContext

REFRESH_MS = 150
MODES = ("dance-single",)


def label_arrays(parse: FootParse) -> tuple[list[float], list[int], list[int], list[int]]:
    """Per step note of ``parse``: time (s), lane, foot (``FOOT_*``) and the row's mark (``MARK_*``)."""
    times, lanes, feet, marks = [], [], [], []
    for row in parse.rows:
        if row.crossover:
            mark = MARK_CROSSOVER
        elif row.fast_double_step():
            mark = MARK_DOUBLE_STEP
        else:
            mark = MARK_NONE
        for note, foot in zip(row.notes, row.feet, strict=True):
            times.append(row.time_s)
            lanes.append(note.lane)
            feet.append(FOOT_HAND if foot is None else FOOT_LEFT if foot == Foot.LEFT else FOOT_RIGHT)
            marks.append(mark)
    return times, lanes, feet, marks


class FootLabels(QObject):
    """Keeps a :class:`FootLabelsItem` showing the current chart's foot parse while enabled. Driven by
    :class:`~editor.controllers.view_sync.ViewSync`, which owns the document's signals: :meth:`refresh` when the
    notefield is rebuilt (another chart, timing or document), :meth:`schedule` when the current chart's notes change.
    """

    def __init__(self, session: EditorSession, item: FootLabelsItem, parent: QObject | None = None, draft_fn=None):
        super().__init__(parent)
        self.session, self.item = session, item
        self.draft_fn = draft_fn  # () -> the current chart's pending GhostDraft or None
        self.with_draft = False  # the last parse included a pending draft
        self.enabled = False
        self.parse: FootParse | None = None  # of the current chart, while enabled
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.parse_in_background)
        self._generation = 0  # counts the changes: a background parse is shown only if none came meanwhile
        self._job: Job | None = None
        self._job_generation = 0  # the generation the running job parses
        self._job_draft = False  # the running job's notes include a pending draft
        self._again = False  # parse once more when the running job ends

    def schedule(self) -> None:
        """The current chart's notes changed: parse again :data:`REFRESH_MS` after the last such call."""
        self._generation += 1  # a parse running now is out of date
        if self.enabled:
            self._timer.start()

    def parse_in_background(self) -> None:
        """The coalesced re-parse after edits: :func:`_parse_labels` on a copy of the notes in a worker thread."""
        self._timer.stop()
        if self._job is not None:  # one at a time; run again once it ends
            self._again = True
            return
        chart = self.session.chart
        if not self.enabled or chart is None or chart.mode not in MODES or is_keyboard(chart):
            self.refresh()  # nothing to parse: clears the labels
            return
        notes, self._job_draft = self._notes(chart.notes)
        notes = list(notes)  # a copy: the document edits the chart's list in place
        job = Job("feet", _parse_labels, notes, self.session.timing())
        job.finished.connect(self._background_done)
        job.failed.connect(self._background_failed)
        self._job, self._job_generation = job, self._generation
        job.start()

    def _background_done(self, result) -> None:
        self._job = None
        if self._job_generation == self._generation and self.enabled:
            self.parse, labels = result if result is not None else (None, ([], [], [], []))
            self.with_draft = self._job_draft
            self.item.set_labels(*labels)
        # else the chart changed while it ran: that change's timer (or _again) parses it again
        if self._again:
            self._again = False
            if self.enabled:
                self.parse_in_background()

    def _background_failed(self, message: str) -> None:
        self._job = None
        self.session.status.emit(f"Foot labels failed: {message}")

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self.item.setVisible(self.enabled)
        self.refresh()
        if self.enabled and self.parse is not None:
            c = self.parse.counts()
            what = "Foot labels (chart with the AI draft accepted)" if self.with_draft else "Foot labels"
            self.session.status.emit(f"{what}: {c['crossovers']} crossovers, {c['fast_double_steps']} fast "
                                     f"double steps, {c['jacks']} jacks, {c['hands']} rows with hands")
        elif self.enabled:
            chart = self.session.chart
            keys = chart is not None and is_keyboard(chart)
            self.session.status.emit("Foot labels: this is a keyboard chart (osu!mania), played with fingers"
                                     if keys else "Foot labels are shown for dance-single charts only")

    def refresh(self) -> None:
        """Parse the current chart now (nothing while disabled, or for a chart that is not dance-single)."""
        self._timer.stop()
        self._generation += 1  # what a background parse running now would show is older than this
        chart = self.session.chart
        self.parse, self.with_draft = None, False
        if self.enabled and chart is not None and chart.mode in MODES and not is_keyboard(chart):
            notes, self.with_draft = self._notes(chart.notes)
            try:
                self.parse = parse_feet_shared(notes, self.session.timing())
            except ValueError:  # a note outside the four panels: nothing sensible to label
                self.parse = None
        if self.parse is None:
            self.item.set_labels([], [], [], [])
        else:
            self.item.set_labels(*label_arrays(self.parse))

    def _notes(self, notes: list[Note]) -> tuple[list[Note], bool]:
        """(The chart's notes, with a pending draft accepted over its span (as GhostStore.accept would do), whether
        a draft is in them)."""
        draft = self.draft_fn() if self.draft_fn is not None else None
        if draft is None or not draft.notes:
            return notes, False
        b0, b1 = draft_span(draft)
        return sorted([n for n in notes if not b0 <= n.beat < b1] + list(draft.notes)), True


def _parse_labels(_ctx: JobContext, notes: list[Note], timing: TimingData
                  ) -> tuple[FootParse, tuple[list[float], list[int], list[int], list[int]]] | None:
    """The worker's part: the parse and its label arrays; None for a note outside the four panels."""
    try:
        parse = parse_feet_shared(notes, timing)
    except ValueError:
        return None
    return parse, label_arrays(parse)
