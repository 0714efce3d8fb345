"""NoteIndex: a chart's notes as sorted numpy arrays in seconds, for drawing only what is visible and hit testing.

Built from the Document's notes after each change, and after an edit of notes only (same chart, same timing) not
rebuilt but spliced (:meth:`NoteIndex.spliced`): the arrays before and after the changed beat range are reused
and only the notes inside it are derived again, so an edit costs what it touches plus a few array copies, not a
pass over the whole chart in Python (~26 ms at 22k notes, most of it hashing every note for the selection).
The per-note values (float beats, quantisation) are derived a column at a time (:func:`derive`): a beat's
numerator and denominator read once, the rest integer and numpy work, about 0.4 us a note. They used to be cached
per note object in a class-level dict that held every Note it had seen (its notes kept alive until 200,000 entries:
~70 MB after opening a 22k-note song six times), and a cold build after Select All + Mirror of 20k notes still
cost 60-110 ms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import compress

import numpy as np

from chart.formats.display_segments import judged_notes
from chart.note_keys import approx_all
from chart.notes import Note, NoteKind
from chart.snap import quantization
from chart.timing import TimingData

KIND_CODES = {NoteKind.TAP: 0, NoteKind.HOLD: 1, NoteKind.ROLL: 2, NoteKind.MINE: 3, NoteKind.FAKE: 4,
              NoteKind.LIFT: 5}
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

    def __init__(self, notes: Sequence[Note], timing: TimingData, confidence: Sequence[float] | None = None,
                 unsure: Sequence[bool] | None = None):
        self.notes: list[Note] = list(notes)
        n = len(self.notes)
        self.beats, self.quant, self.lanes, self.kinds, self.start_s, self.end_s, self.end_beats = _columns(
            self.notes, timing)
        # Notes are sorted by beat, and time never runs backwards with beats, so start_s is sorted too.
        self.max_len_s = float(np.max(self.end_s - self.start_s)) if n else 0.0
        self.confidence = (np.asarray(confidence, dtype=np.float32) if confidence is not None
                           else np.ones(n, dtype=np.float32))
        self.unsure = np.asarray(unsure, dtype=bool) if unsure is not None else np.zeros(n, dtype=bool)
        self.selected = np.zeros(n, dtype=bool)
        self._timing = timing
        self._draft = confidence is not None or unsure is not None  # per-note extras a splice cannot know
        self._shared: np.ndarray | None = None  # per note, whether a neighbour shares its cell (_shared_cells)
        self._max_len_beats: float | None = None

    @property
    def timing(self) -> TimingData:
        """The timing the notes' seconds come from."""
        return self._timing

    def spliced(self, notes: Sequence[Note], timing: TimingData, beat0: Fraction, beat1: Fraction,
                max_share: float = 0.5) -> NoteIndex | None:
        """The index of ``notes`` (the chart after an edit), reusing this one's arrays outside ``[beat0, beat1]``.

        ``[beat0, beat1]`` must hold the head of every note the edit added or removed (the Document's
        ``notes_changed`` range does). Only the notes with their head in it are derived again; the rest is
        copied with numpy. The notes kept before and after the range are checked against this index's (by
        identity, at C speed; by value where the objects differ), so a range that missed a change cannot leave
        stale notes: it gives None, as do another timing, a draft's index and an edit of more than ``max_share``
        of the notes, where a full build (``NoteIndex(notes, timing)``) costs the same. The result equals that
        full build array for array, with nothing selected.
        """
        if self._draft or (timing is not self._timing and timing != self._timing):
            return None
        new = list(notes)
        old = self.notes
        lo = int(np.searchsorted(self.beats, float(beat0), side="left"))  # float() keeps the order of Fractions
        hi = int(np.searchsorted(self.beats, float(beat1), side="right"))
        new_hi = len(new) - (len(old) - hi)  # the notes after the range are the old ones after it
        if new_hi < lo or new_hi - lo > max_share * max(len(new), 1):
            return None
        if new[:lo] != old[:lo] or new[new_hi:] != old[hi:]:  # list == compares identity first: ~0.1 ms at 22k
            return None
        mid = _columns(new[lo:new_hi], timing)
        out = NoteIndex.__new__(NoteIndex)
        out.notes = new
        out.beats, out.quant, out.lanes, out.kinds, out.start_s, out.end_s, out.end_beats = (
            np.concatenate((kept[:lo], part, kept[hi:]))
            for kept, part in zip((self.beats, self.quant, self.lanes, self.kinds, self.start_s, self.end_s,
                                   self.end_beats), mid))
        out.max_len_s = self._spliced_max_len(lo, hi, mid[5] - mid[4], out)
        out.confidence = np.ones(len(new), dtype=np.float32)
        out.unsure = np.zeros(len(new), dtype=bool)
        out.selected = np.zeros(len(new), dtype=bool)
        out._timing = self._timing
        out._draft = False
        out._shared = None
        out._max_len_beats = None
        return out

    def _spliced_max_len(self, lo: int, hi: int, added: np.ndarray, out: NoteIndex) -> float:
        """The longest note of a splice: the old longest unless a note that long left (then a pass over all)."""
        gone = self.end_s[lo:hi] - self.start_s[lo:hi]
        if len(gone) and float(np.max(gone)) >= self.max_len_s:
            return float(np.max(out.end_s - out.start_s)) if len(out.notes) else 0.0
        return max(self.max_len_s, float(np.max(added)) if len(added) else 0.0)

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
        """Mark the notes of ``selection`` (by value; of equal notes, the last) as selected.

        Each note is looked up by bisecting its float beat, then compared with the few notes sharing that float
        (a row): O(selected x log n), where a note -> position dict hashed every note of the chart (two Fractions
        each) at the first selection after every edit."""
        self.selected[:] = False
        if not selection:
            return
        wanted = list(selection)
        if 8 * len(wanted) >= len(self.notes):
            wanted = self._mark_own(wanted)
            if not wanted:
                return
        approx = np.asarray(approx_all([note.beat for note in wanted]), dtype=np.float64)
        order = np.argsort(approx, kind="stable")  # sorted queries bisect ~4x faster (Ctrl+A of 22k notes)
        starts, ends = np.empty(len(wanted), dtype=np.intp), np.empty(len(wanted), dtype=np.intp)
        starts[order] = np.searchsorted(self.beats, approx[order], side="left")
        ends[order] = np.searchsorted(self.beats, approx[order], side="right")
        notes, selected = self.notes, self.selected
        for note, a, b in zip(wanted, starts.tolist(), ends.tolist()):
            lane = note.lane
            for i in range(b - 1, a - 1, -1):  # from the end: a dict by value kept the last of equal notes
                other = notes[i]
                if other is note or (other.lane == lane and other == note):
                    selected[i] = True
                    break

    def _mark_own(self, wanted: list[Note]) -> list[Note]:
        """Mark the notes of ``wanted`` that are this index's own objects (a selection mostly is: the Document keeps
        its Note objects), in one pass at C speed; returns the others, for the look-up by value. A note sharing
        its cell with a neighbour (:meth:`_shared_cells`) is left to that look-up too: of equal notes, the last is
        the one marked."""
        ids = {id(n) for n in wanted}
        own = np.fromiter((id(n) in ids for n in self.notes), dtype=bool, count=len(self.notes))
        shared = self._shared_cells()
        if shared is not None:
            own &= ~shared
        self.selected |= own
        if int(np.count_nonzero(own)) == len(ids):  # each found once (an object listed twice shares its cell)
            return []
        found = {id(n) for n in compress(self.notes, own)}
        return [n for n in wanted if id(n) not in found]

    def _shared_cells(self) -> np.ndarray | None:
        """Per note, whether a neighbour has its lane and float beat (two notes on one cell, as a chart opened as
        it was may hold, or beats whose floats meet); None when no note has (a settled chart). Once per index."""
        if self._shared is None:
            beats, lanes = self.beats, self.lanes
            pairs = (beats[1:] == beats[:-1]) & (lanes[1:] == lanes[:-1])
            shared = np.zeros(len(beats), dtype=bool)
            shared[:-1] |= pairs
            shared[1:] |= pairs
            self._shared = shared
        return self._shared if self._shared.any() else None

    def spans(self, by_beat: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
        """(starts, ends, longest length) of the notes in seconds, or with ``by_beat`` in beats (X-mod places
        notes by beat: a warp's notes share one time but not one beat). Both are sorted by start."""
        if not by_beat:
            return self.start_s, self.end_s, self.max_len_s
        if self._max_len_beats is None:
            self._max_len_beats = float(np.max(self.end_beats - self.beats)) if len(self.notes) else 0.0
        return self.beats, self.end_beats, self._max_len_beats

    def visible(self, t0: float, t1: float, by_beat: bool = False) -> np.ndarray:
        """Indices of notes whose head or body intersects ``[t0, t1]`` (seconds, or beats with ``by_beat``)."""
        starts, ends, longest = self.spans(by_beat)
        lo = int(np.searchsorted(starts, t0 - longest, side="left"))
        hi = int(np.searchsorted(starts, t1, side="right"))
        idx = np.arange(lo, hi)
        return idx[ends[lo:hi] >= t0]

    def hit(self, t: float, lane: int, tol: float, by_beat: bool = False) -> int | None:
        """Index of the note in ``lane`` under ``t`` (seconds, or beats with ``by_beat``): the nearest head within
        ``tol``, else a hold whose body covers ``t``. None when there is none."""
        starts, ends, _ = self.spans(by_beat)
        idx = self.visible(t - tol, t + tol, by_beat)
        idx = idx[self.lanes[idx] == lane]
        if len(idx) == 0:
            return None
        dist = np.abs(starts[idx] - t)
        best = int(idx[np.argmin(dist)])
        if abs(starts[best] - t) <= tol:
            return best
        body = idx[(starts[idx] <= t) & (ends[idx] >= t)]
        return int(body[0]) if len(body) else None

    def in_box(self, t0: float, t1: float, lane0: int, lane1: int, by_beat: bool = False) -> list[Note]:
        """Notes whose head lies in the time range (beat range with ``by_beat``) and whose lane lies in
        ``[lane0, lane1]``."""
        starts = self.beats if by_beat else self.start_s
        lo = int(np.searchsorted(starts, min(t0, t1), side="left"))
        hi = int(np.searchsorted(starts, max(t0, t1), side="right"))
        lanes = self.lanes[lo:hi]
        keep = (lanes >= min(lane0, lane1)) & (lanes <= max(lane0, lane1))
        return [self.notes[lo + int(i)] for i in np.flatnonzero(keep)]


def derive(notes: Sequence[Note]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``float(beat)``, ``float(end_beat)`` and ``quantization(beat)`` (capped at :data:`QUANT_CAP`) of each note,
    a column at a time: each beat's numerator and denominator are read once, an end is added up only for a note
    with a length, and the quantisations come from the denominators with numpy (:func:`chart.snap.quantization`:
    ``lcm(4 * d / gcd(n, 4), 4)``; Python's integers where a denominator is too big for that)."""
    beats = [note.beat for note in notes]
    nums = [b.numerator for b in beats]
    dens = [b.denominator for b in beats]
    try:
        approx = np.array([a / b for a, b in zip(nums, dens)], dtype=np.float64)
    except OverflowError:
        approx = np.array(approx_all(beats), dtype=np.float64)
    ends = approx.copy()
    for i, note in enumerate(notes):
        if note.length:
            ends[i] = float(note.end_beat)
    try:
        den = np.array(dens, dtype=np.int64)
    except OverflowError:
        den = np.zeros(0, dtype=np.int64)
    if len(den) == len(beats) and (not len(den) or int(den.max()) < 1 << 40):
        low = np.array([a & 3 for a in nums], dtype=np.int64)  # gcd(n, 4) == gcd(n mod 4, 4)
        quant = np.minimum(np.lcm(4 * den // np.gcd(low, 4), 4), QUANT_CAP)
    else:
        # a beat off every grid a chart can store (a JSON beat from milliseconds, 2469/20000) has a huge
        # divisor: anything past 192 is drawn as the finest, and int16 must hold it
        quant = np.array([min(quantization(b), QUANT_CAP) for b in beats], dtype=np.int64)
    return approx, ends, quant.astype(np.int16)


def _columns(notes: list[Note], timing: TimingData) -> tuple[np.ndarray, ...]:
    """Per-note arrays of ``notes``: float beats, quantisation, lanes, kind codes, start and end seconds, end
    beats."""
    n = len(notes)
    beats, ends, quant = derive(notes)
    lanes = np.fromiter((note.lane for note in notes), dtype=np.int16, count=n)
    kinds = np.fromiter((KIND_CODES[note.kind] for note in notes), dtype=np.int8, count=n)
    start_s = timing.beats_to_seconds_array(beats) if n else np.zeros(0)
    end_s = timing.beats_to_seconds_array(ends) if n else np.zeros(0)
    return beats, quant, lanes, kinds, start_s, end_s, ends
