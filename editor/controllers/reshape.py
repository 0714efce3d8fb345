"""The transforms that change the selected notes' beats or kinds where they are: quantize to the snap, expand or
compress in time, convert tap/hold/roll/mine/lift/fake (the reshaping half of
:class:`~editor.controllers.transforms.TransformController`, split off to keep modules short). Each is one command,
hence one undo step.

Expand/Compress never takes a note off StepMania's 48 rows per beat behind the designer's back: ArrowVortex, whose
rows are integers, truncates the scaled rows onto them, which turns 2:3 of 12ths into uneven 18ths; here the edit
changes nothing and says which snap the notes would need, as Shift refuses to cross beat 0 and Save refuses such
notes rather than move them. With that snap chosen (the Snap list's Custom..., for a chart made for the JSON
export, which keeps any beat) the notes go there exactly. A note already between the rows (a custom snap's) is
scaled exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from chart import sorted_notes
from chart.commands import in_place
from chart.make_room import landed_on_leaving
from chart.note_keys import NoteSet, least
from chart.notes import Note, NoteKind
from chart.snap import is_on_grid, merge_rank, quantization, quantize_counting, snap_beat, step
from editor.session import EditorSession

HEAD_ONLY = (NoteKind.LIFT, NoteKind.FAKE)  # single notes in StepMania: a hold converted keeps its head
OSU_DROPS = (NoteKind.MINE, *HEAD_ONLY)  # kinds an .osu file has no hit object for
DEFAULT_HOLD_BEATS = Fraction(1)
SM_ROWS = 192  # StepMania's rows per 4-beat measure (48 per beat): the finest snap its files hold
SM_ROWS_PER_BEAT = SM_ROWS // 4


class Reshape:
    """Quantize, Expand/Compress and Convert of :class:`~editor.controllers.transforms.TransformController` (a
    mixin: it gives the selection, ``_apply`` and the session)."""

    session: EditorSession
    _selected: Callable[[], list[Note]]
    _apply: Callable[..., bool]

    def quantize(self) -> None:
        """Move the selection onto the current snap (heads and hold tails; e.g. an AI draft's 16ths onto 8ths for
        an easier chart). Notes that meet in one lane and beat become one, also with a note outside the selection,
        by one rule (:func:`chart.snap.merge_rank`: a step before a mine, then the longest; the note already there
        on a tie); the status line counts the holds that became taps for want of room before their lane's next note."""
        divisor = self.session.divisor
        chart = self.session.chart
        tapped: set[tuple[Fraction, int]] = set()

        def quantized(notes: list[Note]) -> list[Note]:
            out, cells = quantize_counting(
                notes, divisor, _hold_neighbours(chart.notes, notes, step(divisor)) if chart else ())
            tapped.update(cells)
            return out

        def taps(new: list[Note]) -> str:
            count = sum(n.kind == NoteKind.TAP and (n.beat, n.lane) in tapped for n in new)
            return f"; {count} hold(s) became taps (no room before the next note)" if count else ""

        self._move_merging("Quantize", f"to 1/{divisor}", quantized, lambda n: snap_beat(n.beat, divisor),
                           merge=True, report=taps)

    def scale(self, ratio: Fraction) -> None:
        """Expand (ratio > 1) or compress the selection in time from its first beat, hold lengths too: 2:1 makes
        8ths of 16ths, 3:2 8ths of 12ths (triplets), 4:3 12ths of 16ths; 1:2, 2:3 and 3:4 the reverse. Notes after
        the selection stay where they are; a moved note that lands on another in its lane replaces it. An edit that
        would take notes off StepMania's rows changes nothing unless they land on the current (custom) snap
        (:func:`off_rows`)."""
        def scaled(notes: list[Note]) -> list[Note]:  # in Note order, as ``notes``: a ratio > 0 keeps the order
            at = _scaling(notes[0].beat, ratio)
            return [Note(at(n.beat), n.lane, n.kind, n.length * ratio if n.length else n.length) for n in notes]

        verb = "Expand" if ratio > 1 else "Compress"
        b0 = least([n.beat for n in self.session.selection]) if self.session.selection else Fraction(0)
        self._move_merging(verb, f"{ratio.numerator}:{ratio.denominator}", scaled,
                           lambda n: b0 + (n.beat - b0) * ratio, self._rows_kept)

    def _rows_kept(self, old: list[Note], new: list[Note]) -> tuple[str, str]:
        """(why ``new`` is refused, or ""; what the status line adds): refused when notes of ``old`` on StepMania's
        rows would leave them, unless the current snap holds them all (a custom snap the designer chose)."""
        leaving, snap = off_rows(old, new)
        if not leaving:
            return "", ""
        if all(is_on_grid(b, self.session.divisor) for n in leaving for b in _ends(n)):
            divisor = self.session.divisor
            return "", (f"; {len(leaving)} now between StepMania's rows, on the 1/{divisor} snap ({divisor // 4} per "
                        f"beat: only the JSON export keeps them)")
        return (f"nothing changed: {len(leaving)} note(s) would fall between StepMania's 48 rows per beat, which "
                f".sm/.ssc/.osu files cannot hold (they need a 1/{snap} snap, {snap // 4} per beat: choose it with "
                f"the Snap list's Custom... to keep them exactly for the JSON export)"), ""

    def _move_merging(self, verb: str, how: str, move, beat_of,
                      check: Callable[[list[Note], list[Note]], tuple[str, str]] | None = None,
                      merge: bool = False, report: Callable[[list[Note]], str] | None = None) -> None:
        """Replace the selection with ``move(selection)`` as one undo step; unselected notes on a new head's beat
        and lane are replaced too (one note per lane and beat), or with ``merge`` kept when they outrank the moved
        note (:func:`_outranked`). ``beat_of(note)``: where ``move`` puts a note's head, so that its hitsound follows
        it (notes merged into one keep the first one's). ``check(old, new)``: (why the edit is refused, or ""; what
        the status line adds); ``report(new)``: more for the status line, from the notes written."""
        notes = self._selected()
        chart = self.session.chart
        if not notes or chart is None:
            self.session.status.emit(f"{verb}: nothing selected")
            return
        new = move(notes)
        if new == notes:  # both in Note order
            self.session.status.emit(f"{verb}: nothing changes ({how})")
            return
        refused, note = check(notes, new) if check is not None else ("", "")
        if refused:
            self.session.status.emit(f"{verb} {how}: {refused}")
            return
        displaced = landed_on_leaving(chart.notes, new, notes)
        staying = _outranked(new, displaced) if merge else []
        cells = {(n.beat, n.lane) for n in staying}
        if staying:
            new = [n for n in new if (n.beat, n.lane) not in cells]
            displaced = [n for n in displaced if (n.beat, n.lane) not in cells]

        def follow() -> dict[tuple[Fraction, int], tuple[Fraction, int]]:  # a note merged into one that stays
            moved = {(n.beat, n.lane): (beat_of(n), n.lane) for n in notes}  # loses its sound (kept as lost)
            return {a: b for a, b in moved.items() if b not in cells} if staying else moved
        before = len(notes) + len(displaced) + len(staying)
        if self._apply(notes + displaced, new, f"{verb} {how}", follow):
            if staying:
                self.session.select(new + staying)
            merged = before - len(new) - len(staying)
            self.session.status.emit(f"{verb} {how}: {len(notes)} note(s)"
                                     + (f"; {merged} merged with a note on the same beat and lane" if merged else "")
                                     + note + (report(new) if report is not None else ""))

    def convert(self, kind: NoteKind) -> None:
        """Turn the selection into taps, holds, rolls, mines, lifts or fakes. New holds reach to one snap step before
        the next note in their lane (at most a beat, at least one snap step: a tap with no such room stays a tap,
        and the status line says so); holds and rolls keep their length between each other. An osu! map's
        hitsounds stay on their notes (a mine, lift or fake keeps its note's, which the .osu file then drops with
        the note: Save lists both, and converting back gives it back).

        Lifts and fakes are StepMania's ``L`` and ``F``, single notes: a hold or roll keeps only its head, as
        ArrowVortex converts them (StepMania has no held lift or fake). As there, a selection that is all lifts
        (all fakes) turns back into taps."""
        notes = self._selected()
        chart = self.session.chart
        if chart is None:
            return
        if not notes:
            self.session.status.emit(f"Convert to {kind.value}s: nothing selected")
            return
        if kind in HEAD_ONLY and all(n.kind == kind for n in notes):
            kind = NoteKind.TAP  # ArrowVortex's toggle: Convert to Lifts on lifts gives the taps back
        minimum = step(self.session.divisor)
        old, new = [], []
        for n in notes:
            if not kind.has_length:
                length: Fraction | None = Fraction(0)
            else:
                length = n.length if n.kind.has_length else self._hold_length(n, minimum)
            if length is not None:
                old.append(n)
                new.append(n.replace(kind=kind, length=length))
        # ``follow`` is called by _apply, only for a map that carries sounds: the dict itself made it raise there
        if old and self._apply(old, new, f"Convert to {kind.value}s", lambda: in_place(old)):
            self.session.status.emit(self._converted(old, kind))
        if len(old) < len(notes):
            self.session.status.emit(f"Convert to {kind.value}s: {len(notes) - len(old)} note(s) left as they were "
                                     f"(no room for a {kind.value} of one snap step before the next note of the lane)")

    def _osu(self) -> bool:
        path = self.session.doc.path
        return path is not None and path.suffix.lower() in (".osu", ".osz")

    def _converted(self, old: list[Note], kind: NoteKind) -> str:
        """The status line of a conversion: how many notes, and for lifts, fakes and mines what an osu! chart
        does with them."""
        heads = sum(n.kind.has_length for n in old)
        text = f"Convert to {kind.value}s: {len(old)} note(s)"
        if heads and not kind.has_length:
            text += f", {heads} hold(s)/roll(s) keeping only their heads"
        if kind in OSU_DROPS and self._osu():
            text += f"; osu!mania has no {kind.value}s: the .osu file drops them (Verify lists them)"
        return text

    def _hold_length(self, note: Note, minimum: Fraction) -> Fraction | None:
        """A new hold's length: up to one snap step before the lane's next note (at most a beat, at least one
        snap step); None when the next note is closer than two snap steps (the hold would reach it)."""
        chart = self.session.chart
        assert chart is not None  # called by convert, on the current chart it checked
        later = [n.beat for n in self.session.doc.notes_in_range(chart, note.beat + Fraction(1, 192),
                                                                  note.beat + DEFAULT_HOLD_BEATS + 1)
                 if n.lane == note.lane]
        gap = (min(later) - note.beat) if later else DEFAULT_HOLD_BEATS + minimum
        return min(DEFAULT_HOLD_BEATS, gap - minimum) if gap - minimum >= minimum else None


def off_rows(old: list[Note], new: list[Note]) -> tuple[list[Note], int]:
    """(the notes of ``new`` whose head or hold end lies between StepMania's rows while that of ``old[i]``, the
    note it was made of, lay on one; the coarsest snap that holds them all, in rows per measure)."""
    leaving = [b for a, b in zip(old, new, strict=True)
               if _on_rows(a.beat) and not _on_rows(b.beat)
               or b.kind.has_length and _on_rows(a.end_beat) and not _on_rows(b.end_beat)]
    return leaving, math.lcm(*(quantization(x) for n in leaving for x in _ends(n))) if leaving else SM_ROWS


def _on_rows(beat: Fraction) -> bool:
    """``is_on_grid(beat, SM_ROWS)`` without its integer products (a Select All of 20k notes reads them all)."""
    return SM_ROWS_PER_BEAT % beat.denominator == 0


def _ends(note: Note) -> tuple[Fraction, ...]:
    return (note.beat, note.end_beat) if note.kind.has_length else (note.beat,)


def _hold_neighbours(chart: list[Note], notes: list[Note], gap: Fraction) -> list[Note]:
    """The chart's notes other than ``notes`` that quantizing ``notes`` to the grid of step ``gap`` can meet
    (:func:`chart.snap.quantize_notes`'s ``others``): only a quantized hold's tail looks at them, for the next head
    of its lane, and a hold's head and tail move at most half a step (its tail up to a step and a half, when it
    keeps one step). The whole rest of the chart was passed, found by hashing every note twice (60 ms at 20k)."""
    holds = [n for n in notes if n.kind.has_length]
    if not holds:
        return []
    lanes = {h.lane for h in holds}
    first, last = sorted_notes.beat_span(holds)
    moving = NoteSet(notes)
    return [n for n in sorted_notes.in_range(chart, first - gap, last + 2 * gap)
            if n.lane in lanes and n not in moving]


def _outranked(new: list[Note], landed_on: list[Note]) -> list[Note]:
    """The notes of ``landed_on`` (unselected notes on the cell of a note of ``new``) that a merge keeps: those
    that outrank the moved note on their cell, or tie with it (:func:`chart.snap.merge_rank`)."""
    ranks = {(n.beat, n.lane): merge_rank(n) for n in new}
    return [n for n in landed_on if merge_rank(n) >= ranks[(n.beat, n.lane)]]


def _scaling(b0: Fraction, ratio: Fraction) -> Callable[[Fraction], Fraction]:
    """``beat -> b0 + (beat - b0) * ratio``, exactly, as one Fraction built from integers: the three Fraction
    operations reduce three times (45 ms for the 20k beats of a Select All; 11 ms so)."""
    p0, q0, rn, rd = b0.numerator, b0.denominator, ratio.numerator, ratio.denominator

    def at(beat: Fraction) -> Fraction:
        p, q = beat.numerator, beat.denominator
        return Fraction(p0 * q * rd + (p * q0 - p0 * q) * rn, q0 * q * rd)
    return at

