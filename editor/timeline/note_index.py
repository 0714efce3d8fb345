"""NoteIndex: a chart's notes as sorted numpy arrays in seconds, for drawing only what is visible and hit testing.

Built from the Document's notes after each change. Per-note derived values (float beat, quantisation) are cached
by note value, so rebuilding after an edit of a 10k-note chart costs dictionary look-ups, not Fraction maths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from chart.formats.display_segments import judged_notes
from chart.notes import Note, NoteKind
from chart.snap import quantization
from chart.timing import TimingData

KIND_CODES = {NoteKind.TAP: 0, NoteKind.HOLD: 1, NoteKind.ROLL: 2, NoteKind.MINE: 3, NoteKind.FAKE: 4,
              NoteKind.LIFT: 5}
_DERIVED_CACHE_MAX = 200_000
QUANT_CAP = 384  # divisors above this are all 'finer than 1/192' to the noteskin colours (int16 holds it)


class NoteIndex:
    """Sorted arrays of one chart's notes: start/end seconds, lanes, kind codes, quantisation divisors.

    Parameters
    ----------
    notes : sequence of Note
        Notes in canonical order (the chart's list).
    timing : TimingData
        Timing the chart plays with.
    confidence : sequence of float, optional
        Per-note model confidence in [0, 1] (draft notes only).
    unsure : sequence of bool, optional
        Per note, whether the lane model's arrows for its row are a guess (draft notes only).
    """

    # id(note) -> (note, float beat, float end beat, quantisation). Keyed by identity, not value: hashing a Note
    # hashes two Fractions (~1.5 us); the Document keeps its Note objects, so identity hits on every rebuild.
    # Holding the note keeps its id from being reused while the entry lives.
    _derived: dict[int, tuple[Note, float, float, int]] = {}

    def __init__(self, notes: Sequence[Note], timing: TimingData, confidence: Sequence[float] | None = None,
                 unsure: Sequence[bool] | None = None):
        self.notes: list[Note] = list(notes)
        n = len(self.notes)
        derived = [self._derive(note) for note in self.notes]
        beats = np.fromiter((d[1] for d in derived), dtype=np.float64, count=n)
        ends = np.fromiter((d[2] for d in derived), dtype=np.float64, count=n)
        self.beats = beats
        self.quant = np.fromiter((d[3] for d in derived), dtype=np.int16, count=n)
        self.lanes = np.fromiter((note.lane for note in self.notes), dtype=np.int16, count=n)
        self.kinds = np.fromiter((KIND_CODES[note.kind] for note in self.notes), dtype=np.int8, count=n)
        self.start_s = timing.beats_to_seconds_array(beats) if n else np.zeros(0)
        self.end_s = timing.beats_to_seconds_array(ends) if n else np.zeros(0)
        # Notes are sorted by beat, and time never runs backwards with beats, so start_s is sorted too.
        self.max_len_s = float(np.max(self.end_s - self.start_s)) if n else 0.0
        self.confidence = (np.asarray(confidence, dtype=np.float32) if confidence is not None
                           else np.ones(n, dtype=np.float32))
        self.unsure = np.asarray(unsure, dtype=bool) if unsure is not None else np.zeros(n, dtype=bool)
        self.selected = np.zeros(n, dtype=bool)
        self._timing = timing
        self._pos: dict[Note, int] | None = None  # built on first selection lookup

    @classmethod
    def _derive(cls, note: Note) -> tuple[Note, float, float, int]:
        got = cls._derived.get(id(note))
        if got is None or got[0] is not note:
            if len(cls._derived) > _DERIVED_CACHE_MAX:
                cls._derived.clear()
            # a beat off every grid a chart can store (a JSON beat from milliseconds, 2469/20000) has a huge
            # divisor: anything past 192 is drawn as the finest, and int16 must hold it
            got = (note, float(note.beat), float(note.end_beat), min(quantization(note.beat), QUANT_CAP))
            cls._derived[id(note)] = got
        return got

    def onset_times_s(self) -> np.ndarray:
        """Sorted judgement times of the onset notes (taps, hold/roll heads, lifts) StepMania judges (not inside a
        warp or a fake segment), as chart.stats counts them."""
        onset = (self.kinds == KIND_CODES[NoteKind.TAP]) | (self.kinds == KIND_CODES[NoteKind.HOLD]) | (
            self.kinds == KIND_CODES[NoteKind.ROLL]) | (self.kinds == KIND_CODES[NoteKind.LIFT])
        judged = judged_notes(self.notes, self._timing)
        if len(judged) < len(self.notes):
            ids = {id(n) for n in judged}
            onset &= np.fromiter((id(n) in ids for n in self.notes), dtype=bool, count=len(self.notes))
        return self.start_s[onset]

    def __len__(self) -> int:
        return len(self.notes)

    def set_selection(self, selection: Iterable[Note]) -> None:
        """Mark the notes of ``selection`` (by value) as selected."""
        self.selected[:] = False
        if not selection:
            return
        if self._pos is None:
            self._pos = {note: i for i, note in enumerate(self.notes)}
        for note in selection:
            i = self._pos.get(note)
            if i is not None:
                self.selected[i] = True

    def visible(self, t0_s: float, t1_s: float) -> np.ndarray:
        """Indices of notes whose head or body intersects ``[t0_s, t1_s]``."""
        lo = int(np.searchsorted(self.start_s, t0_s - self.max_len_s, side="left"))
        hi = int(np.searchsorted(self.start_s, t1_s, side="right"))
        idx = np.arange(lo, hi)
        return idx[self.end_s[lo:hi] >= t0_s]

    def hit(self, t_s: float, lane: int, tol_s: float) -> int | None:
        """Index of the note in ``lane`` under time ``t_s``: the nearest head within ``tol_s``, else a hold
        whose body covers ``t_s``. None when there is none."""
        idx = self.visible(t_s - tol_s, t_s + tol_s)
        idx = idx[self.lanes[idx] == lane]
        if len(idx) == 0:
            return None
        dist = np.abs(self.start_s[idx] - t_s)
        best = int(idx[np.argmin(dist)])
        if abs(self.start_s[best] - t_s) <= tol_s:
            return best
        body = idx[(self.start_s[idx] <= t_s) & (self.end_s[idx] >= t_s)]
        return int(body[0]) if len(body) else None

    def in_box(self, t0_s: float, t1_s: float, lane0: int, lane1: int) -> list[Note]:
        """Notes whose head lies in the time range and whose lane lies in ``[lane0, lane1]``."""
        lo = int(np.searchsorted(self.start_s, min(t0_s, t1_s), side="left"))
        hi = int(np.searchsorted(self.start_s, max(t0_s, t1_s), side="right"))
        lanes = self.lanes[lo:hi]
        keep = (lanes >= min(lane0, lane1)) & (lanes <= max(lane0, lane1))
        return [self.notes[lo + int(i)] for i in np.flatnonzero(keep)]
