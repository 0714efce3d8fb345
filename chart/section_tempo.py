"""Give one section of a timing its own tempo (Timing > Detect Tempo of Selection): a BPM change at the section's
first beat with the new BPM, and the tempo after its last beat put back to what was in force there.

A song with tempo changes is timed section by section, front to back, as in ArrowVortex or the osu! editor: the
beats before the section keep their times (they were timed already), the section's beats follow the new BPM from
its first beat on, and from its end on the tempo is the one the timing had there, so the sections after it are
not re-tempoed: they keep their BPMs and move by as much as the section's end did (the section has as many beats
as before, at another tempo). A section that runs to the song's end (``end=None``) has no tempo to put back: the
new BPM runs on. BPM changes strictly inside the section are replaced by the one BPM; stops, delays, warps, time
signatures and the display segments stay where they are.

The section's first beat may also be moved onto a detected beat (``start_at_s``): the tempo detector finds the
section's beat phase too, and a first beat a few milliseconds off it makes every beat of the section that far
off. That move is :func:`chart.beat_sync.sync_beat` (Sync Beat, with no second version of its arithmetic): the
BPM of the stretch before the section changes, from the previous BPM change (or beat 0, which keeps its time)
up to the section's first beat, so the beats before that stretch keep their times; a section starting at beat 0
moves ``#OFFSET`` instead. New BPMs of that stretch are rounded as Sync Beat rounds them (6 decimals).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from chart.beat_sync import MAX_BPM, SyncError, SyncResult, bpm_text, clock_text, sync_beat
from chart.checks.base import describe_beat
from chart.formats.values import format_number
from chart.notes import as_fraction
from chart.timing import TimingData


class SectionTempoError(ValueError):
    """A section tempo that cannot be set; the message is one line."""


@dataclass(frozen=True)
class SectionTempo:
    """The new timing and what changed, for the dialog and the status line (:meth:`describe`)."""

    timing: TimingData
    start: Fraction
    end: Fraction | None  # None: the section runs to the song's end
    bpm: Fraction
    old_bpm: Fraction  # in force at ``start`` before
    after_bpm: Fraction | None  # in force from ``end`` on (as before); None without an end
    end_moved_s: Fraction  # how much later ``end`` (and everything after it) sounds now; 0 without an end
    replaced: int  # BPM changes inside the section that the one BPM replaced
    sync: SyncResult | None = None  # the first beat's move onto the detected beat

    def describe(self) -> str:
        """'150.000 BPM from beat 64 (0:32.100) to 128; from beat 128 on 132.000 BPM as before (+120.4 ms)'."""
        start_s = self.timing.beat_to_seconds(self.start)
        text = f"{bpm_text(self.bpm)} BPM from beat {describe_beat(self.start)} ({clock_text(start_s)})"
        if self.end is None:
            text += " to the song's end"
        else:
            text += (f" to {describe_beat(self.end)}; from beat {describe_beat(self.end)} on "
                     f"{bpm_text(self.after_bpm or 0)} BPM as before, {float(self.end_moved_s) * 1000:+.1f} ms")
        if self.replaced:
            text += f"; {self.replaced} BPM change{'s' * (self.replaced > 1)} inside replaced"
        if self.sync is not None:
            text += f"; {describe_move(self.sync)}"
        return text


def describe_move(sync: SyncResult) -> str:
    """How the first beat was moved onto the detected beat: the BPM before it, or the offset."""
    moved = f"beat {describe_beat(sync.beat)} moved {float(sync.moved_s) * 1000:+.1f} ms onto the detected beats"
    if sync.stretch is None:
        return f"{moved} (#OFFSET {format_number(sync.old_offset, 4)} -> {format_number(sync.timing.offset, 4)} s)"
    s = sync.stretch
    return (f"{moved} (BPM {bpm_text(s.old_bpm)} -> {bpm_text(s.new_bpm)} from beat {describe_beat(s.start)} "
            f"to {describe_beat(sync.beat)})")


def set_section_tempo(timing: TimingData, start: Fraction | int | str, end: Fraction | int | str | None,
                      bpm: Fraction | int | str, start_at_s: Fraction | float | str | None = None) -> SectionTempo:
    """``timing`` with ``bpm`` from beat ``start`` to ``end`` (module docstring); raises
    :class:`SectionTempoError` with one line (also for a move Sync Beat refuses: a first beat inside a warp...).

    Parameters
    ----------
    timing : TimingData
        The timing to change.
    start, end : Fraction
        The section's first beat (at or after beat 0) and the beat from which the old tempo runs on again (after
        ``start``); ``end=None``: the section runs to the song's end.
    bpm : Fraction
        The section's tempo.
    start_at_s : Fraction, optional
        Move beat ``start`` to this time (s) first, through the stretch before it.
    """
    start, bpm = as_fraction(start), as_fraction(bpm)
    end = None if end is None else as_fraction(end)
    if start < 0:
        raise SectionTempoError(f"Section tempo: the section starts before beat 0 (beat {describe_beat(start)})")
    if end is not None and end <= start:
        raise SectionTempoError(f"Section tempo: beat {describe_beat(end)} is not after beat {describe_beat(start)}")
    if not 0 < bpm <= MAX_BPM:
        raise SectionTempoError(f"Section tempo: {float(bpm):g} BPM is not a tempo (0 to {float(MAX_BPM):g})")
    old_bpm = timing.bpm_at(start)
    after_bpm = timing.bpm_at(end) if end is not None else None
    # a BPM change on the first beat (the tempo in force: nothing moves) so that a move of it changes only the
    # stretch before it; beat 0, a sync anchor, keeps its time
    held = _with_bpm(timing, start, old_bpm)
    sync = None
    if start_at_s is not None:
        try:
            sync = sync_beat(held, start, start_at_s, synced=(Fraction(0),) if start > 0 else (), keep_later=False)
        except SyncError as exc:
            raise SectionTempoError(str(exc)) from exc
        held = sync.timing
    inside = [b for b, _v in held.bpms if start < b and (end is None or b < end)]
    bpms = [(b, v) for b, v in held.bpms if b not in inside and b != start]
    bpms.append((start, bpm))
    if end is not None and after_bpm is not None and all(b != end for b, _v in bpms):
        bpms.append((end, after_bpm))
    changed = held.with_changes(bpms=_tidy(sorted(bpms), timing, {start, end}))
    moved = Fraction(0) if end is None else changed.beat_to_seconds(end) - timing.beat_to_seconds(end)
    return SectionTempo(changed, start, end, bpm, old_bpm, after_bpm, moved, len(inside), sync)


def _with_bpm(timing: TimingData, beat: Fraction, bpm: Fraction) -> TimingData:
    if any(b == beat for b, _v in timing.bpms):
        return timing
    return timing.with_changes(bpms=(*timing.bpms, (beat, bpm)))


def _tidy(bpms: list[tuple[Fraction, Fraction]], before: TimingData,
          added: set[Fraction | None]) -> tuple[tuple[Fraction, Fraction], ...]:
    """Drop a BPM change this edit added (at the section's ends) that repeats the BPM before it: it changes no
    time, and the Timing table would list a segment the designer did not make."""
    had = {b for b, _v in before.bpms}
    out: list[tuple[Fraction, Fraction]] = []
    for beat, bpm in bpms:
        if out and beat in added and beat not in had and out[-1][1] == bpm:
            continue
        out.append((beat, bpm))
    return tuple(out)
