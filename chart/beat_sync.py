"""Sync a beat to the audio ("visual sync", as in ArrowVortex's 2024 fork after DDreamStudio): the timing changes
so that one beat sounds at a given time, and the notes stay on their beats (the grid and the notes move together).

Which part of the timing changes depends on what holds the beats before it in place, the **anchor**: the latest
BPM change before the beat (the first BPM, which runs from the song's start, is none) or the latest beat synced
before it (the caller remembers those: :func:`still_synced`).

* **No anchor** (the song's first tempo stretch, nothing synced before): ``#OFFSET`` moves, and the whole grid
  with it, as the F11/F12 nudges do.
* **An anchor**: the BPM of the stretch from the anchor to the beat changes; the anchor and everything before it
  keep their times. A synced beat without a BPM change gets one (with the BPM it had) so that it stays put.

``keep_later`` (the editor's default, since designers sync a song front to back) also puts a BPM change on the
synced beat, so that it is an anchor for the next sync and what comes after keeps its timing: the stretch from
the beat to the next BPM change gets the tempo that keeps that BPM change, and everything after it, at its time;
where no BPM change follows, the stretch keeps the BPM it had, so the later grid keeps its tempo and moves by as
much as the beat did. Without it the new BPM runs on to the next BPM change (ArrowVortex's destructive shift), and
everything after the beat moves with the new tempo: what a designer wants for a song of one steady tempo, synced
once near its start and once near its end.

Stops, delays and warps are honoured wherever they lie: the time from the anchor to the beat is its pauses plus
its unwarped beats at the stretch's tempo, found from the timing itself (:meth:`TimingData.beat_to_seconds` at
two tempos: the time is affine in seconds per beat). New BPMs are rounded to 6 decimals (StepMania's own
precision: the beat then lands within microseconds of the target), a new offset to 0.1 ms. An absurd result is
refused with one line (:class:`SyncError`): a BPM not above 0 or above :data:`MAX_BPM`, the beat at or before its
anchor, a beat inside a warp (it takes no time), a stretch that is all warp.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from chart.checks.base import describe_beat
from chart.formats.timing_tags import in_warp
from chart.formats.values import format_number
from chart.notes import as_fraction
from chart.timing import TimingData

MAX_BPM = Fraction(10000)
BPM_PLACES = 6
OFFSET_STEP_S = Fraction(1, 10000)
SYNCED_TOLERANCE_S = Fraction(1, 10000)  # a remembered synced beat counts while it sounds this near its time


class SyncError(ValueError):
    """A sync that would make the timing absurd; the message is one line for the status bar."""


@dataclass(frozen=True)
class Stretch:
    """One tempo stretch a sync changed: ``start`` to ``end`` (None: to the next BPM change or the song's end)."""

    start: Fraction
    end: Fraction | None
    old_bpm: Fraction
    new_bpm: Fraction


@dataclass(frozen=True)
class SyncResult:
    """The new timing and what changed, for the status line (:meth:`describe`)."""

    timing: TimingData
    beat: Fraction
    before_s: Fraction  # when the beat sounded before
    at_s: Fraction  # when it sounds now
    anchor: Fraction | None  # None: the offset moved
    old_offset: Fraction
    stretch: Stretch | None = None  # the stretch ending at the beat (None: the offset moved)
    after: Stretch | None = None  # keep_later: the stretch after the beat, when its tempo changed
    later_end: Fraction | None = None  # keep_later: the BPM change from which on everything keeps its time

    @property
    def moved_s(self) -> Fraction:
        return self.at_s - self.before_s

    def describe(self) -> str:
        """'BPM 128.000 -> 127.412 from beat 64 to 96; beat 96 at 0:45.210' and what became of the rest."""
        at = f"beat {describe_beat(self.beat)} at {clock_text(self.at_s)}"
        moved = f"{float(self.moved_s) * 1000:+.1f} ms"
        if self.stretch is None:
            return (f"#OFFSET {float(self.old_offset):.4f} -> {float(self.timing.offset):.4f} s (the whole grid "
                    f"{moved}); {at}")
        s = self.stretch
        text = f"{_bpm_change(s)} {_span(s)}; {at} ({moved})"
        if self.after is not None:
            text += f"; {_bpm_change(self.after)} {_span(self.after)}"
        if self.later_end is not None:
            text += f", so beat {describe_beat(self.later_end)} on keeps its time"
        elif s.end == self.beat:
            text += f"; later beats keep {bpm_text(self.timing.bpm_at(self.beat))} BPM and move {moved}"
        else:
            text += "; later beats follow the new tempo"
        return text


def _bpm_change(s: Stretch) -> str:
    return f"BPM {bpm_text(s.old_bpm)} -> {bpm_text(s.new_bpm)}"


def bpm_text(bpm: Fraction | int) -> str:
    """A BPM as the file will hold it (9 decimals, at least 3: 90.000, 90.099955), as the Timing table and the F7/F8
    line show it: %.6g showed a stretch's new 90.099955 as 90.1."""
    return format_number(Fraction(bpm), 3, 9)



def _span(s: Stretch) -> str:
    end = f"to {describe_beat(s.end)}" if s.end is not None else "on"
    return f"from beat {describe_beat(s.start)} {end}"


def clock_text(seconds: Fraction | float) -> str:
    """``m:ss.mmm`` (``-0:00.105`` before the audio starts)."""
    ms = round(float(seconds) * 1000)
    sign, ms = ("-" if ms < 0 else ""), abs(ms)
    return f"{sign}{ms // 60000}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def still_synced(timing: TimingData, marks: Iterable[tuple[Fraction, Fraction]]) -> list[Fraction]:
    """The beats of ``marks`` ((beat, time it was synced to) pairs) that still sound at their time: an undo, an
    offset nudge or a tempo edit since then let go of the others."""
    return [beat for beat, at_s in marks
            if abs(timing.beat_to_seconds(beat) - at_s) <= SYNCED_TOLERANCE_S]


def anchor_of(timing: TimingData, beat: Fraction, synced: Iterable[Fraction] = ()) -> Fraction | None:
    """What holds the beats before ``beat`` in place: the latest BPM change before it (not the first BPM) or
    the latest synced beat before it; None in the first tempo stretch with nothing synced before. Beats before 0
    hold nothing: the timing pins beat 0 at the offset, so a tempo set before it moves that beat and not the ones
    after (a sync there is an offset move, and the next sync moves the offset again)."""
    candidates = [b for b, _bpm in timing.bpms[1:] if 0 <= b < beat] + [b for b in synced if 0 <= b < beat]
    return max(candidates) if candidates else None


def sync_beat(timing: TimingData, beat: Fraction | int | str, at_s: Fraction | float | str,
              synced: Iterable[Fraction] = (), keep_later: bool = True) -> SyncResult:
    """The timing with ``beat`` sounding at ``at_s`` (module docstring). Raises :class:`SyncError`."""
    beat = as_fraction(beat)
    target = _round(as_fraction(at_s), OFFSET_STEP_S)
    before_s = timing.beat_to_seconds(beat)
    if in_warp(timing, beat):
        raise SyncError(f"Sync: beat {describe_beat(beat)} lies inside a warp, which takes no time; sync a beat "
                        "outside it")
    anchor = anchor_of(timing, beat, synced)
    if anchor is None:
        offset = timing.offset - (target - before_s)
        moved = timing.with_changes(offset=_round(offset, OFFSET_STEP_S))
        return SyncResult(moved, beat, before_s, moved.beat_to_seconds(beat), None, timing.offset)
    held = _with_bpm_change(timing, anchor)
    if keep_later:
        held = _with_bpm_change(held, beat)
    old_bpm = held.bpm_at(anchor)
    new_bpm = _solve(held, anchor, beat, target, "anchor")
    changed = _set_bpm(held, anchor, new_bpm)
    end = beat if keep_later else _next_bpm_beat(held, anchor)
    stretch = Stretch(anchor, end, old_bpm, new_bpm)
    after, later_end = None, None
    if keep_later:
        later_end = _next_bpm_beat(changed, beat)
        if later_end is not None:
            was = changed.bpm_at(beat)
            compensated = _solve(changed, beat, later_end, timing.beat_to_seconds(later_end), "next")
            changed = _set_bpm(changed, beat, compensated)
            after = Stretch(beat, later_end, was, compensated) if compensated != was else None
    return SyncResult(changed, beat, before_s, changed.beat_to_seconds(beat), anchor, timing.offset, stretch,
                      after, later_end)


def _solve(timing: TimingData, start: Fraction, end: Fraction, target_s: Fraction, role: str) -> Fraction:
    """The BPM of the BPM change at ``start`` that makes ``end`` sound at ``target_s`` (6 decimals): the time
    from ``start`` to ``end`` is P + M * (60 / bpm), P its pauses and M its unwarped beats; ``start``'s own time
    does not depend on it."""
    start_s = timing.beat_to_seconds(start)
    old = timing.bpm_at(start)
    d1 = timing.beat_to_seconds(end) - start_s
    d2 = _set_bpm(timing, start, old * 2).beat_to_seconds(end) - start_s
    u1 = 60 / old
    beats = (d1 - d2) / (u1 - u1 / 2)  # M
    pauses = d1 - beats * u1  # P
    if beats <= 0:
        raise SyncError(f"Sync: beats {describe_beat(start)} to {describe_beat(end)} are all warped: no tempo "
                        "moves them")
    spare = target_s - start_s - pauses
    what = "the previous BPM change or synced beat" if role == "anchor" else "the next BPM change"
    if spare <= 0:
        if role == "anchor":
            raise SyncError(f"Sync: beat {describe_beat(end)} cannot sound at {clock_text(target_s)}, at or before "
                            f"beat {describe_beat(start)} ({what}, at {clock_text(start_s)}"
                            f"{' with its pauses' if pauses else ''})")
        raise SyncError(f"Sync: beat {describe_beat(start)} cannot pass beat {describe_beat(end)} ({what}, at "
                        f"{clock_text(target_s)}); turn off Sync Keeps Later Beats in Time to move it too")
    bpm = _round(60 * beats / spare, Fraction(1, 10 ** BPM_PLACES))
    if bpm <= 0 or bpm > MAX_BPM:
        span = f"beats {describe_beat(start)} to {describe_beat(end)}"
        raise SyncError(f"Sync: {span} would need {float(60 * beats / spare):.3f} BPM (a BPM lies between 0 and "
                        f"{float(MAX_BPM):g})")
    return bpm


def _round(value: Fraction, step: Fraction) -> Fraction:
    return round(value / step) * step


def _with_bpm_change(timing: TimingData, beat: Fraction) -> TimingData:
    """``timing`` with a BPM change at ``beat`` (the BPM in force there: no beat moves), unless it has one."""
    if any(b == beat for b, _bpm in timing.bpms):
        return timing
    return timing.with_changes(bpms=(*timing.bpms, (beat, timing.bpm_at(beat))))


def _set_bpm(timing: TimingData, beat: Fraction, bpm: Fraction) -> TimingData:
    return timing.with_changes(bpms=tuple((b, bpm if b == beat else v) for b, v in timing.bpms))


def _next_bpm_beat(timing: TimingData, beat: Fraction) -> Fraction | None:
    return next((b for b, _bpm in timing.bpms if b > beat), None)
