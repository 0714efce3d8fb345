"""EditorSession: what is open and what is selected — the Document, the current chart, the selection, the snap.

Controllers and panels share one session. Every edit goes through :meth:`EditorSession.push`, which runs a
command from :mod:`chart.commands` on the Document (one undo step) and turns a refused edit into a status-bar
message instead of an exception, so a bad edit never reaches the chart and never crashes the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from chart import sorted_notes
from chart.document import Document
from chart.history import Command, HistoryError
from chart.note_keys import NoteSet
from chart.notes import Note, NoteKind
from chart.snap import DIVISORS
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.bridge import DocumentBridge

# what a click places (Q cycles); a drag makes a hold (a roll when the kind is roll)
PLACE_KINDS = (NoteKind.TAP, NoteKind.MINE, NoteKind.ROLL, NoteKind.LIFT, NoteKind.FAKE)
#: The finest custom snap: 192 rows per beat (the Snap list's 1/768), four times StepMania's finest row.
MAX_ROWS_PER_BEAT = 192


def check_divisor(divisor: int) -> int:
    """``divisor`` when it is a snap the editor offers: a whole number of rows per beat (the list names a snap by
    rows per 4-beat measure, so a multiple of 4) from 1 to :data:`MAX_ROWS_PER_BEAT`; ValueError otherwise."""
    if int(divisor) != divisor or divisor % 4 or not 4 <= divisor <= 4 * MAX_ROWS_PER_BEAT:
        raise ValueError(f"a snap is 1 to {MAX_ROWS_PER_BEAT} rows per beat (1/4 to 1/{4 * MAX_ROWS_PER_BEAT}), "
                         f"not 1/{divisor}")
    return int(divisor)


@dataclass
class AudioState:
    """Decoded song audio shared by the waveform, the player and the AI (float32, shape [channels, n])."""

    path: Path
    samples: np.ndarray
    sample_rate_hz: int
    peaks: object = None  # audio.peaks.PeakPyramid of the mono mix, built with the decode
    warnings: tuple[str, ...] = ()  # one line each: damaged or shorter than its header (the decoded part is used)
    missing_s: float = 0.0  # how much shorter than its header says the decoded audio is (0 when undamaged)

    @property
    def duration_s(self) -> float:
        return self.samples.shape[-1] / float(self.sample_rate_hz)

    def mono(self) -> np.ndarray:
        return self.samples.mean(axis=0) if self.samples.ndim == 2 else self.samples


def blank_song() -> Song:
    """A new song with one empty Beginner chart (so there is always something to edit)."""
    return Song(title="Untitled", timing=TimingData.constant(120), charts=[Chart(slot=Slot.BEGINNER, meter=1)])


def easier_chart(charts: list[Chart], chart: Chart) -> Chart | None:
    """The chart to compare ``chart`` with by default: of the same mode, the hardest slot below it (a designer
    building a harder chart from an easier one), else the easiest above it; None when the mode has no other."""
    same = [c for c in charts if c is not chart and c.mode == chart.mode]
    below = [c for c in same if c.slot < chart.slot]
    if below:
        return max(below, key=lambda c: c.slot)
    return min(same, key=lambda c: c.slot, default=None)


def chart_in_place_of(before: list[Chart], after: list[Chart], gone: Chart) -> Chart | None:
    """The chart to show when ``gone`` (a chart of ``before``) is no longer among ``after``: the chart of its mode
    that took its place (the next one), else the one before it, else the chart now at its position (a deleted
    double chart left the designer on the song's first single chart)."""
    if not after:
        return None
    old = next((k for k, c in enumerate(before) if c is gone), 0)
    # its place among the charts still there: charts before it may go in the same change (a cancelled draft's
    # empty Beginner..Medium), and its old index then pointed past its neighbour
    at = sum(1 for c in before[:old] if any(c is a for a in after))
    same = [i for i, c in enumerate(after) if c.mode == gone.mode]
    later = [i for i in same if i >= at]
    if same:
        return after[later[0] if later else same[-1]]
    return after[min(at, len(after) - 1)]


class EditorSession(QObject):
    """Shared editing state with Qt change signals."""

    document_replaced = Signal()
    chart_switched = Signal()
    reference_changed = Signal()
    selection_changed = Signal()
    divisor_changed = Signal(int)
    snaps_changed = Signal()  # the custom snap came, changed or went (the Snap list and Left/Right follow it)
    place_kind_changed = Signal(str)
    audio_changed = Signal()
    status = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = Document(blank_song())
        self.bridge = self._attach(self.doc)
        self.chart: Chart | None = self.doc.song.charts[0]
        self.reference: Chart | None = None  # another difficulty shown faintly behind the chart (compare)
        self.selection: set[Note] = set()
        self._unchecked: list[Note] = []  # selected since the last prune, not yet known to be in the chart
        self.range_beats: tuple[Fraction, Fraction] | None = None
        self.divisor = 16
        self.custom_divisor: int | None = None  # a snap beyond StepMania's (Snap > Custom...: 1/20 = 5 per beat)
        self.place_kind = NoteKind.TAP
        self.keep_notes_in_time = False  # timing edits re-beat notes to keep their times (Timing panel check box)
        self.audio: AudioState | None = None
        self.audio_error: str | None = None
        self.live_run: str | None = None  # a test play or take under way: why an edit is refused (LiveKeys)

    # ------------------------------------------------------------------ document
    def set_document(self, doc: Document) -> None:
        """Replace the open document (the caller has dealt with unsaved changes)."""
        self.bridge.detach()
        self.bridge.deleteLater()
        self.doc = doc
        self.bridge = self._attach(doc)
        self.chart = doc.song.charts[0] if doc.song.charts else None
        self.reference = None
        self._clear_selection()
        self.range_beats = None
        self.audio = None
        self.audio_error = None
        self.document_replaced.emit()
        self.chart_switched.emit()
        self.reference_changed.emit()
        self.selection_changed.emit()

    def _attach(self, doc: Document) -> DocumentBridge:
        self._charts_seen = list(doc.song.charts)  # the order before a change: where a removed chart stood
        bridge = DocumentBridge(doc, self)
        bridge.notes_changed.connect(self._prune_selection)
        bridge.charts_changed.connect(self._charts_changed)
        return bridge

    def has_chart(self, chart: Chart | None) -> bool:
        """Whether ``chart`` is one of the open song's charts (the object, not an equal copy)."""
        return chart is not None and any(c is chart for c in self.doc.song.charts)

    def set_chart(self, chart: Chart | None) -> None:
        if chart is self.chart:
            return
        if chart is not None and not self.has_chart(chart):
            raise ValueError("the current chart must be a chart of the open song")
        self.chart = chart
        self._clear_selection()
        self.range_beats = None
        self.chart_switched.emit()
        self.selection_changed.emit()

    def set_reference(self, chart: Chart | None) -> None:
        """Show ``chart`` (another difficulty of the song, or None) faintly behind the one being edited."""
        if chart is not None and not any(c is chart for c in self.doc.song.charts):
            raise ValueError("the reference must be a chart of the open song")
        if chart is self.reference:
            return
        self.reference = chart
        self.reference_changed.emit()

    def shown_reference(self) -> Chart | None:
        """The reference when it is not the chart being edited (a chart compared with itself shows nothing)."""
        return self.reference if self.reference is not None and self.reference is not self.chart else None

    def chart_id(self) -> str | None:
        return self.doc.chart_id(self.chart) if self.chart is not None else None

    def timing(self) -> TimingData:
        """Timing of the current chart (its own, else the song's)."""
        return self.doc.song.timing_for(self.chart) if self.chart is not None else self.doc.song.timing

    def timing_target(self) -> tuple[TimingData, Chart | None]:
        """(timing, chart) that timing edits of the current chart change: its own timing and the chart (split
        timing), else the song's and None (the Timing panel's table, the Song panel's offset)."""
        chart = self.chart
        if chart is not None and chart.timing is not None:
            return chart.timing, chart
        return self.doc.song.timing, None

    def _charts_changed(self) -> None:
        if self.reference is not None and not any(c is self.reference for c in self.doc.song.charts):
            self.reference = None  # its chart was deleted
            self.reference_changed.emit()
        before, self._charts_seen = self._charts_seen, list(self.doc.song.charts)
        if self.chart is not None and not any(c is self.chart for c in self.doc.song.charts):
            self.chart = chart_in_place_of(before, self.doc.song.charts, self.chart)
            self._clear_selection()
            self.chart_switched.emit()
            self.selection_changed.emit()

    # ------------------------------------------------------------------ editing
    def push(self, command: Command) -> bool:
        """Run an undoable command; a refused edit becomes a status message. True when it was applied."""
        try:
            self.doc.push(command)
        except (ValueError, KeyError, HistoryError) as exc:
            self.status.emit(f"{command.name}: {self.refused_why(exc)}")
            return False
        return True

    def refused_why(self, exc: Exception) -> object:
        """Why an edit was refused: during a test play or take the history's refusal is the run's (``live_run``),
        not "the drag" it names."""
        return self.live_run if isinstance(exc, HistoryError) and self.live_run else exc

    # ------------------------------------------------------------------ selection
    def select(self, notes, add: bool = False) -> None:
        """Select notes (one by one: a click, a box, a paste...): a beat range selected before is over, or Copy
        would measure from it and Paste replace its whole span."""
        notes = list(notes)
        if not add:
            self._clear_selection()
        self.range_beats = None
        self.selection.update(notes)
        self._unchecked.extend(notes)
        self.selection_changed.emit()

    def select_in_chart(self, notes) -> int:
        """Select those of ``notes`` that the current chart holds, by value: a jump from a list made before the
        chart was edited (a Verify issue, a test play's trouble spot) must not select a note an edit refuses as
        "not in chart". Returns how many of ``notes`` it does not hold (none selected: the selection is cleared)."""
        notes = list(notes)
        gone = notes if self.chart is None else sorted_notes.missing(self.chart.notes, notes)
        if gone:
            dropped = NoteSet(gone)
            notes = [n for n in notes if n not in dropped]
        self.select(notes)
        return len(gone)

    def toggle(self, note: Note) -> None:
        self.range_beats = None
        self.selection.symmetric_difference_update({note})
        self._unchecked.append(note)
        self.selection_changed.emit()

    def clear_selection(self) -> None:
        if self.selection or self.range_beats is not None:
            self._clear_selection()
            self.range_beats = None
            self.selection_changed.emit()

    def _clear_selection(self) -> None:
        self.selection.clear()
        self._unchecked = []

    def set_range(self, beats: tuple[Fraction, Fraction] | None) -> None:
        """Select a beat range (and the notes whose heads lie in it)."""
        self.range_beats = beats
        self._clear_selection()
        if beats is not None and self.chart is not None:
            self.selection.update(self.doc.notes_in_range(self.chart, min(beats), max(beats)))
        self.selection_changed.emit()

    def _prune_selection(self, chart_id: str, beat0: Fraction, beat1: Fraction) -> None:
        """Drop the selected notes the change of ``[beat0, beat1]`` removed (and any selected since the last
        prune that the chart does not hold, e.g. a stale Verify issue's).

        Every prune leaves the selection within the chart, and a change touches only notes with their head in
        its range, so the notes checked before need a look only there, and in one pass over the chart's notes of
        that stretch when they are many (:func:`chart.sorted_notes.missing`): a drag of thousands of notes
        looked each one up in the whole chart at every mouse move."""
        if self.chart is None or chart_id != self.chart_id():
            return
        if not self.selection:
            self._unchecked = []
            return
        unchecked, self._unchecked = self._unchecked, []
        notes = self.chart.notes
        selected = list(self.selection)
        touched = [n for n, inside in zip(selected, sorted_notes.heads_within(selected, beat0, beat1)) if inside]
        elsewhere = [n for n, inside in zip(unchecked, sorted_notes.heads_within(unchecked, beat0, beat1))
                     if not inside]
        gone = sorted_notes.missing(notes, touched) + sorted_notes.missing(notes, elsewhere)
        if not gone:
            return
        # a new set, as before (one being iterated elsewhere stays as it was), hashing the fewer notes: Note hashes
        # hash Fractions
        if 2 * len(gone) > len(self.selection):
            dropped = NoteSet(gone)
            kept = {n for n in self.selection if n not in dropped}
        else:
            kept = set(self.selection)
            kept.difference_update(gone)
        if len(kept) != len(self.selection):
            self.selection = kept
            self.selection_changed.emit()

    # ------------------------------------------------------------------ snap and tools
    def snaps(self) -> tuple[int, ...]:
        """The snaps Left/Right and the toolbar's Snap list walk, coarse to fine: StepMania's, and the custom one."""
        return tuple(sorted({*DIVISORS, *([self.custom_divisor] if self.custom_divisor else [])}))

    def set_custom_divisor(self, divisor: int | None) -> None:
        """Offer ``divisor`` (rows per measure, :func:`check_divisor`) as the custom snap, or none. One of
        StepMania's snaps is in the list already, so it is no custom snap. The current snap stays."""
        custom = None if divisor is None or check_divisor(divisor) in DIVISORS else divisor
        if custom != self.custom_divisor:
            self.custom_divisor = custom
            self.snaps_changed.emit()

    def set_divisor(self, divisor: int) -> None:
        """Snap to ``divisor``; one the list lacks becomes its custom snap (it always shows the snap in use)."""
        if check_divisor(divisor) not in self.snaps():
            self.set_custom_divisor(divisor)
        if divisor != self.divisor:
            self.divisor = divisor
            self.divisor_changed.emit(divisor)

    def set_place_kind(self, kind: NoteKind) -> None:
        self.place_kind = NoteKind(kind)
        self.place_kind_changed.emit(self.place_kind.value)

    def set_audio(self, audio: AudioState | None, error: str | None = None) -> None:
        self.audio, self.audio_error = audio, error
        self.audio_changed.emit()

    def audio_loading(self) -> Path | None:
        """The song's audio file while the editor still decodes it (just after the song was opened), else None
        (decoded, failed, or no file): a command that needs the audio waits for it or says so, not "no audio"."""
        if self.audio is not None or self.audio_error is not None:
            return None
        path = self.doc.song.audio_path()
        return path if path is not None and Path(path).is_file() else None

    def duration_s(self) -> float:
        """Audio length, else a little past the last note (at least 60 s), for the view and the minimap."""
        if self.audio is not None:
            return self.audio.duration_s
        last = 0.0
        timing = self.timing()
        for chart in self.doc.song.charts:
            if chart.notes:
                last = max(last, float(timing.beat_to_seconds(chart.notes[-1].end_beat)))
        return max(60.0, last + 10.0)
