"""Record mode: notes placed by tapping along with the song, snapped to the grid.

The editor's Record (Playback > Record from Cursor) plays the song and turns every lane key that goes down into a
note at the **snapped** beat of the moment it was heard (the audio clock), as StepMania's record mode does. This
module is the pure part, with no Qt: :class:`Recorder` takes key presses and releases in song seconds and keeps
the take, which the editor shows live (a Document stroke) and commits as one undo step.

Rules (each one tested in ``tests/chart/test_record.py``):

* A press lands on the line of the snap (``divisor``) judged nearest in time to it (across a stop or a delay the
  nearest line in beats can be judged a second away); presses that land before the take's first beat
  (the cursor's snapped beat) are ignored, and so are presses that land before beat 0 (a take started in the
  intro): no chart file keeps a note there, and Save refused the chart. They are counted apart (``before_zero``)
  so that the status line can say why they made no note.
* A key held for at least ``hold_min_s`` seconds of song time becomes a hold (a roll when the note type is roll)
  from its press to its snapped release; it grows while the key is down, so a designer sees it being drawn.
  Shorter presses are taps; mines, lifts and fakes are never drawn out.
* A press on a lane already down (its other key: D and Left both play lane 0) is a new note on a later line: the
  held note ends a snap step before it (a tap when that leaves it no length); on the held note's own line it is
  the same note.
* **Merge** (the default) keeps the chart's notes: a press on a cell that already has a note, or inside a hold
  of that lane, is dropped (counted), and a recorded hold stops one snap step before the lane's next note.
* **Replace** clears the passage being recorded: the chart's notes from the first beat of the take up to where
  the song is (or the latest recorded note) are removed as the song reaches them, holds that start earlier kept;
  a take ended in the lead-in, before the song reached its first beat, removes nothing.
* Every press also records how far it was from the line it snapped to (``offsets_ms``, song milliseconds, + =
  late): a take tapped along with on-grid music whose median offset is far from 0 says the latency setting is off.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from chart.formats.display_segments import past_warps
from chart.notes import Note, NoteKind, sort_notes
from chart.snap import snap_beat, step
from chart.timing import TimingData

HOLD_MIN_S = 0.25  # a key down this long (song seconds) draws a hold instead of a tap
NO_LENGTH = (NoteKind.MINE, NoteKind.LIFT, NoteKind.FAKE)


@dataclass(frozen=True)
class Take:
    """What a take did to the chart: notes added, notes it replaced, and how the presses sat on the grid."""

    added: tuple[Note, ...]
    removed: tuple[Note, ...]
    offsets_ms: tuple[float, ...]
    dropped: int  # presses that fell on a note the chart keeps (merge) or before the take's first beat
    start_beat: Fraction
    end_beat: Fraction
    before_zero: int = 0  # presses that landed before beat 0, where no chart file keeps notes

    @property
    def holds(self) -> int:
        return sum(1 for n in self.added if n.kind.has_length)

    @property
    def median_offset_ms(self) -> float | None:
        if not self.offsets_ms:
            return None
        xs = sorted(self.offsets_ms)
        mid = len(xs) // 2
        return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


class Recorder:
    """One take: key presses and releases in song seconds in, the notes they make out."""

    def __init__(self, notes: Iterable[Note], timing: TimingData, divisor: int, start_s: float, lanes: int,
                 kind: NoteKind = NoteKind.TAP, replace: bool = False, hold_min_s: float = HOLD_MIN_S):
        if kind == NoteKind.HOLD:
            kind = NoteKind.TAP  # "hold" is what a long press makes; a press itself places a tap
        self.timing, self.divisor, self.lanes, self.kind = timing, divisor, lanes, kind
        self.replace, self.hold_min_s = replace, hold_min_s
        self.step = step(divisor)
        self.start_beat = snap_beat(self._beat(start_s), divisor)
        self.existing = sort_notes(notes)
        self._beats = [n.beat for n in self.existing]
        self._by_lane: dict[int, list[Note]] = {}
        for n in self.existing:
            self._by_lane.setdefault(n.lane, []).append(n)
        self.removed: list[Note] = []
        self._gone: set[Note] = set()
        self._removed_through: Fraction | None = None  # replace: existing heads in [start, this] are removed
        self.added: dict[tuple[Fraction, int], Note] = {}  # (beat, lane) -> recorded note
        self._touched: set[tuple[Fraction, int]] = set()  # cells of ``added`` set since the last :meth:`changes`
        self._removed_told = 0  # len(removed) at the last :meth:`changes`
        self.down: dict[int, tuple[Fraction, float]] = {}  # lane -> (snapped beat of its press, press time)
        self.offsets_ms: list[float] = []
        self.dropped = 0
        self.before_zero = 0
        self.end_beat = self.start_beat

    # ------------------------------------------------------------------ time
    def _beat(self, t_s: float) -> Fraction:
        return self.timing.seconds_to_beat(Fraction(t_s).limit_denominator(1 << 20))

    def _snapped(self, t_s: float) -> Fraction:
        """The grid line judged nearest in time to a moment; at a warp's moment its end (its start is never judged).

        Nearest in *time*, not in beats: the beat stands still during a stop or a delay, so a press 0.1 s after a
        1 s stop is 0.2 beat past the stop's row at 120 BPM, yet that row was judged 1.1 s earlier and the next
        line 0.15 s later. Judged times only grow with the beat, so the nearest line is among the two lines on
        either side of the moment's beat (a line whose stop or delay holds the moment is one of them); on a tie in
        time (plain timing: a press half way) the beat-space snap wins, as it did before stops were considered."""
        t = Fraction(t_s).limit_denominator(1 << 20)
        beat = self.timing.seconds_to_beat(t)
        snapped = snap_beat(beat, self.divisor)
        below = math.floor(beat / self.step) * self.step
        lines = (snapped, below - self.step, below, below + self.step, below + 2 * self.step)
        best = min(lines, key=lambda b: (abs(self.timing.beat_to_seconds(b) - t), abs(b - beat)))
        return past_warps(self.timing, best)

    # ------------------------------------------------------------------ the chart's notes
    def _kept(self, lane: int) -> list[Note]:
        """The chart's notes in ``lane`` that the take keeps (all of them in merge mode)."""
        return [n for n in self._by_lane.get(lane, ()) if n not in self._gone]

    def _remove_through(self, beat: Fraction) -> bool:
        """Replace mode: remove the chart's notes with heads in ``[start_beat, beat]``; True when any went."""
        if not self.replace or (self._removed_through is not None and beat <= self._removed_through):
            return False
        first = (bisect_left(self._beats, self.start_beat) if self._removed_through is None
                 else bisect_right(self._beats, self._removed_through))
        self._removed_through = beat
        new = self.existing[first:bisect_right(self._beats, beat)]
        self.removed.extend(new)
        self._gone.update(new)
        return bool(new)

    def _blocked(self, beat: Fraction, lane: int) -> bool:
        """Whether a kept note of the chart, or a recorded one, is at ``beat`` in ``lane`` or holds over it."""
        if (beat, lane) in self.added:
            return True
        for n in self.added.values():
            if n.lane == lane and n.beat < beat <= n.end_beat:
                return True
        return any(n.beat <= beat <= n.end_beat for n in self._kept(lane))

    def _next_head(self, lane: int, after: Fraction) -> Fraction | None:
        heads = [n.beat for n in self._kept(lane) if n.beat > after]
        heads += [b for (b, ln) in self.added if ln == lane and b > after]
        return min(heads) if heads else None

    # ------------------------------------------------------------------ keys
    def press(self, lane: int, t_s: float) -> Note | None:
        """A lane key went down at song time ``t_s``: the note it placed (None: ignored or dropped)."""
        if not 0 <= lane < self.lanes:
            return None
        beat = self._snapped(t_s)
        if lane in self.down:
            if beat <= self.down[lane][0]:
                return None  # the held note's line: the same note
            self._cut(lane, beat, t_s)
        if beat < self.start_beat:
            self.dropped += 1
            return None
        if beat < 0:
            self.before_zero += 1
            return None
        self._remove_through(beat)
        if self._blocked(beat, lane):
            self.dropped += 1
            return None
        note = Note(beat, lane, self.kind)
        self.added[(beat, lane)] = note
        self._touched.add((beat, lane))
        self.down[lane] = (beat, t_s)
        self.offsets_ms.append((t_s - float(self.timing.beat_to_seconds(beat))) * 1000.0)
        self.end_beat = max(self.end_beat, beat)
        return note

    def release(self, lane: int, t_s: float) -> Note | None:
        """A lane key came up: its note as it ends (a tap, or a hold to the snapped release)."""
        if lane not in self.down:
            return None
        note = self._shape(lane, t_s)
        del self.down[lane]
        return note

    def _cut(self, lane: int, beat: Fraction, t_s: float) -> None:
        """Another key of ``lane`` went down at ``beat`` while the lane was held: the held note ends there, a snap
        step before ``beat`` (a tap when that leaves it no length)."""
        note = self.release(lane, t_s)
        if note is not None and note.end_beat >= beat:
            end = beat - self.step
            cut = (Note(note.beat, lane, note.kind, end - note.beat) if end > note.beat
                   else Note(note.beat, lane, self.kind))
            self.added[(note.beat, lane)] = cut
            self._touched.add((note.beat, lane))

    def advance(self, t_s: float) -> bool:
        """The song is at ``t_s``: grow the held notes and (replace) clear what the song reached; True if the
        take changed."""
        now = self._beat(t_s)  # in the lead-in the song has not reached the take: nothing of it is cleared yet
        changed = self._remove_through(now) if now >= self.start_beat else False
        for lane in list(self.down):
            before = self.added[self.down[lane][0], lane]
            changed |= self._shape(lane, t_s) != before
        return changed

    def finish(self, t_s: float) -> Take:
        """End the take at song time ``t_s`` (keys still down come up now)."""
        for lane in list(self.down):
            self.release(lane, t_s)
        self.advance(t_s)
        self.end_beat = max(self.end_beat, self._beat(t_s)) if self.replace else self.end_beat
        return Take(tuple(sort_notes(self.added.values())), tuple(sort_notes(self.removed)),
                    tuple(self.offsets_ms), self.dropped, self.start_beat, self.end_beat, self.before_zero)

    def _shape(self, lane: int, t_s: float) -> Note:
        """The note of a lane whose key is down (or comes up) at ``t_s``, stored in the take."""
        beat, pressed_s = self.down[lane]
        note = Note(beat, lane, self.kind)
        if self.kind not in NO_LENGTH and t_s - pressed_s >= self.hold_min_s:
            end = max(self._snapped(t_s), beat + self.step)
            if self.replace:
                self._remove_through(end)
            nxt = self._next_head(lane, beat)
            if nxt is not None:
                end = min(end, nxt - self.step)
            if end > beat:
                kind = NoteKind.ROLL if self.kind == NoteKind.ROLL else NoteKind.HOLD
                note = Note(beat, lane, kind, end - beat)
                self.end_beat = max(self.end_beat, end)
        self.added[(beat, lane)] = note
        self._touched.add((beat, lane))
        return note

    def changes(self) -> tuple[list[Note], list[tuple[Fraction, int]]]:
        """What the take did since the last call: the chart's notes it removed, and the cells of ``added`` it set
        (placed, drawn out or set again unchanged). The editor shows a long take a frame at a time with these, at
        the cost of what changed, not of the whole take."""
        removed = self.removed[self._removed_told:]
        self._removed_told = len(self.removed)
        touched, self._touched = self._touched, set()
        return removed, sorted(touched)

    @property
    def notes(self) -> list[Note]:
        """The recorded notes so far, in order."""
        return sort_notes(self.added.values())
