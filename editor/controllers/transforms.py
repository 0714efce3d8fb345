"""TransformController: clipboard and selection transforms (cut/copy/paste at cursor, delete, mirror, flip,
turn, shuffle, shift by snap; quantize to the snap, expand/compress and convert tap/hold/roll/mine/lift/fake come
from :mod:`editor.controllers.reshape`). Each is one command, hence one undo step.

The clipboard holds notes relative to the start of what was copied (the range start when a range is selected,
else the first note), and is also put on the system clipboard as JSON so another window can paste it. Paste
replaces what the pasted span holds in the pasted lanes (ArrowVortex's paste); Paste Keeping Notes (Ctrl+Shift+V,
the 2024 ArrowVortex's non-destructive paste) keeps them and drops or shortens the pasted notes that would meet
them (:mod:`chart.paste_keep`); either way the pasted notes end up selected.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication

from chart import sorted_notes
from chart.checks.base import describe_beat
from chart.commands import RemoveNotes, ReplaceNotes, in_place, move_onto
from chart.formats.osu_hitsounds import carries_sounds
from chart.history import Command
from chart.make_room import make_room_leaving, settle
from chart.note_keys import in_order, least
from chart.notes import Note, NoteKind
from chart.paste_keep import fit_pasted
from chart.snap import step
from chart.song import Chart
from editor.controllers.clip_sounds import ClipSounds
from editor.controllers.cursor_row import row_beat
from editor.controllers.reshape import Reshape
from editor.session import EditorSession
from editor.timeline.view import TimelineWidget

CLIPBOARD_MIME_TAG = "genelive-notes/1"
SHUFFLE_ENUMERATED = 6  # lanes up to which a shuffle tries every permutation (720); beyond, random draws
SHUFFLE_DRAWS = 2000


class TransformController(QObject, Reshape):
    """Selection operations for one window."""

    def __init__(self, window, session: EditorSession, timeline: TimelineWidget):
        super().__init__(window)
        self.window, self.session, self.timeline = window, session, timeline
        self.clipboard: list[Note] = []
        self.clipboard_span = Fraction(0)
        self.clip_sounds = ClipSounds()  # the copied notes' osu! hitsounds
        self._copied: tuple[str, list[Note], Fraction, ClipSounds] | None = None  # what Copy put on the clipboard
        self._rng = random.Random()  # shuffles (tests seed it)
        self._made_room = (0, 0)  # the last _apply's (chart notes replaced, chart holds cut short)

    def _selected(self) -> list[Note]:
        """The selection in Note order. A big one (Select All) is read off the chart's sorted notes by identity (the
        selection holds the chart's own Note objects): a pass at C speed, where sorting 20k notes took 15 ms."""
        selection, chart = self.session.selection, self.session.chart
        if chart is not None and len(selection) > sorted_notes.BULK and 8 * len(selection) >= len(chart.notes):
            ids = {id(n) for n in selection}
            notes = [n for n in chart.notes if id(n) in ids]
            if len(notes) == len(selection) == len({id(n) for n in notes}):
                return notes
        return in_order(selection)  # sorted() without comparing Fractions

    def _chart(self) -> Chart:
        """The current chart, where there must be one: the selection is of it (set_chart clears the selection),
        and a paste has checked that it is there."""
        chart = self.session.chart
        assert chart is not None
        return chart

    def _push(self, command: Command) -> bool:
        """``session.push(command)`` for an edit that replaces the selected notes and selects its result after:
        the selection is set aside while it runs (and put back when the edit is refused). The session prunes the
        selected notes an edit removed, note by note against the chart: 50-70 ms after Select All + Mirror of 20k
        notes, for a selection replaced right after."""
        session = self.session
        selection, session.selection = session.selection, set()
        done = False
        try:
            done = session.push(command)
        finally:
            if not done:
                session.selection = selection
        return done

    def _apply(self, old: list[Note], new: list[Note], name: str,
               follow: Callable[[], dict[tuple[Fraction, int], tuple[Fraction, int]]] | None = None,
               make: Callable[..., ReplaceNotes] = ReplaceNotes) -> bool:
        """Replace ``old`` by ``new`` as one undo step, making room for ``new`` (``chart.sorted_notes.make_room``):
        a note on a new note's cell or inside a new hold is replaced, and a hold a new note lands in ends one snap
        step before it (Mirror, Turn or Shuffle of part of a row moved notes onto the row's other arrows, and a
        paste or a flip could put notes inside a hold: unplayable, and refused by the .sm/.ssc writers).

        ``follow()`` maps an old note's (beat, lane) to its new one, so that an osu! chart's hitsounds go with their
        notes (:class:`chart.commands.ReplaceNotes`); a replaced note it does not map loses its sound (a paste).
        It is called only for a chart that carries sounds: Select All + Mirror of 20k notes pays nothing for it;
        ``make``: the command's class (a paste's gives its notes their copied sounds, :meth:`ClipSounds.at`)."""
        chart = self.session.chart
        if chart is None or not old and not new:
            return False
        removed, cut = make_room_leaving(chart.notes, new, old, step(self.session.divisor),
                                         self.session.doc.longest_hold(chart))  # reads only near ``new``
        cells = ({**in_place(cut), **(follow() if follow is not None else {})}
                 if carries_sounds(chart.extra) else None)
        self._made_room = (len(removed) - len(cut), len(cut))  # ``removed`` holds the cut holds as they were
        if self._push(make(chart, old + removed, new + cut, name=name, follow=cells)):
            self.session.select(new)
            return True
        return False

    # ------------------------------------------------------------------ clipboard
    def copy(self) -> int:
        notes = self._selected()
        if not notes:
            self.session.status.emit("Copy: nothing selected")
            return 0
        self._to_clipboard(notes)
        self.session.status.emit(f"Copied {len(notes)} note(s)")
        return len(notes)

    def _to_clipboard(self, notes: list[Note]) -> None:
        """Put ``notes`` (the selection, in Note order) on the clipboard, this window's and the system's."""
        rng = self.session.range_beats
        last = sorted_notes.beat_span(notes)[1]  # max(end_beat), adding up only the holds: Select All is 20k notes
        base = min(rng) if rng is not None else notes[0].beat
        end = max(rng) if rng is not None else last
        self.clipboard = [Note(n.beat - base, n.lane, n.kind, n.length) for n in notes]
        self.clipboard_span = max(end - base, last - base)
        self.clip_sounds = ClipSounds.copied(self._chart(), notes, base)
        payload = {"format": CLIPBOARD_MIME_TAG, "span": str(self.clipboard_span), **self.clip_sounds.payload(),
                   "notes": [[str(n.beat), n.lane, n.kind.value, str(n.length)] for n in self.clipboard]}
        text = json.dumps(payload)
        QGuiApplication.clipboard().setText(text)
        self._copied = (text, self.clipboard, self.clipboard_span, self.clip_sounds)

    def cut(self) -> None:
        notes = self._selected()
        if not notes:
            self.session.status.emit("Cut: nothing selected")
            return
        self._to_clipboard(notes)
        if self.session.push(RemoveNotes(self._chart(), notes, name="Cut")):
            self.session.status.emit(f"Cut {len(notes)} note(s)")

    def _clipboard_notes(self) -> tuple[list[Note], Fraction, ClipSounds]:
        """Notes and sounds from the system clipboard when it holds ours (another window), else the local copy."""
        try:
            text = QGuiApplication.clipboard().text()
            if self._copied is not None and text == self._copied[0]:  # what this window copied: its notes, unparsed
                return self._copied[1:]
            data = json.loads(text or "null")
            if isinstance(data, dict) and data.get("format") == CLIPBOARD_MIME_TAG:
                notes = [Note(Fraction(b), int(lane), NoteKind(k), Fraction(length))
                         for b, lane, k, length in data["notes"]]
                if all(n.lane >= 0 and (n.length > 0 if n.kind.has_length else n.length == 0) for n in notes):
                    return notes, Fraction(data["span"]), ClipSounds.parse(data)
        except (ValueError, TypeError, KeyError, ZeroDivisionError, RecursionError):  # ours hand-edited, damaged, or
            # another program's text nested deeper than Python parses
            pass
        return self.clipboard, self.clipboard_span, self.clip_sounds

    def _pasted(self, what: str) -> tuple[list[Note], Fraction, Fraction, ClipSounds, str] | None:
        """(the clipboard's notes at the cursor, settled among themselves; the cursor's beat; the span's end; their
        sounds; "; N beyond lane L dropped" for the caller's status line, or ""), or None with a status line
        (no chart to paste into, nothing to paste, or the cursor before beat 0)."""
        chart = self.session.chart
        if chart is None:  # every chart deleted: the clipboard may well hold notes
            self.session.status.emit(f"{what}: no chart (add a difficulty first)")
            return None
        notes, span, sounds = self._clipboard_notes()
        if not notes:
            self.session.status.emit(f"{what}: the clipboard holds no notes")
            return None
        at = row_beat(self.timeline)  # the cursor's row, as shown: a 16th's under a 1/4 snap
        if at + least([n.beat for n in notes]) < 0:
            self.session.status.emit(f"{what}: the cursor is before beat 0, where chart files keep no notes")
            return None
        new = [Note(n.beat + at, n.lane, n.kind, n.length) for n in notes if n.lane < chart.lanes]
        dropped = f"; {len(notes) - len(new)} beyond lane {chart.lanes} dropped" if len(new) < len(notes) else ""
        if not new:  # the caller's success line would have said it
            self.session.status.emit(f"{what}: {len(notes)} note(s) beyond lane {chart.lanes} dropped")
        # settled as every edit settles notes: a passage copied from a chart opened as it was may hold two notes on
        # one cell or a note inside a hold, and pasting kept them
        return settle(new, step(self.session.divisor)), at, at + max(span, Fraction(1, 192)), sounds, dropped

    def paste(self) -> None:
        """Paste at the cursor, replacing what the span holds in the pasted lanes."""
        pasted = self._pasted("Paste")
        if pasted is None:
            return
        new, at, end, sounds, dropped = pasted
        lanes = {n.lane for n in new}
        chart = self._chart()
        old = [n for n in self.session.doc.notes_in_range(chart, at, end) if n.lane in lanes]
        count = len(chart.notes)
        if new and self._apply(old, new, "Paste", make=sounds.at(at, new)):
            replaced = count + len(new) - len(chart.notes)  # what the span held, and what the notes landed on
            self.session.status.emit(f"Pasted {len(new)} note(s) at beat {describe_beat(at)}"
                                     + (f", replacing {replaced} of the chart's" if replaced else "") + dropped)

    def paste_keep(self) -> int:
        """Paste at the cursor keeping the chart's notes (Ctrl+Shift+V, ArrowVortex's non-destructive paste): a
        pasted note on a chart note's cell or inside a chart hold is skipped, a pasted hold that would cover a
        chart note ends one snap step before it (:func:`chart.paste_keep.fit_pasted`). One undo step; returns
        how many notes were pasted."""
        what = "Paste keeping notes"
        pasted = self._pasted(what)
        if pasted is None:
            return 0
        new, at, _end, sounds, dropped = pasted
        if not new:  # every note beyond the chart's lanes (said above)
            return 0
        chart, doc = self._chart(), self.session.doc
        b0, b1 = sorted_notes.beat_span(new)
        near = doc.notes_in_range(chart, b0 - doc.longest_hold(chart), b1 + Fraction(1, 1 << 20))
        fit = fit_pasted(near, new, step(self.session.divisor))
        skipped = f"{len(fit.skipped)} skipped where the chart has notes" if fit.skipped else "none skipped"
        shortened = f", {fit.shortened} hold(s) shortened before a chart note" if fit.shortened else ""
        if not fit.placed:
            self.session.status.emit(f"{what}: nothing pasted, all {len(fit.skipped)} note(s) land on the "
                                     f"chart's notes")
            return 0
        if not self.session.push(sounds.at(at, fit.placed)(chart, [], fit.placed, what)):
            return 0
        self.session.select(fit.placed)
        self.session.status.emit(f"{what}: {len(fit.placed)} note(s) pasted, {skipped}{shortened}{dropped}")
        return len(fit.placed)

    def delete(self) -> None:
        notes = self._selected()
        if not notes:
            self.session.status.emit("Delete: nothing selected")
        elif self.session.push(RemoveNotes(self._chart(), notes, name="Delete")):
            self.session.status.emit(f"Deleted {len(notes)} note{'s' * (len(notes) != 1)}")

    # ------------------------------------------------------------------ transforms
    def mirror(self, lanes_too: bool = True, time_too: bool = False) -> None:
        """Mirror lanes (left<->right), flip in time within the selection's span, or both."""
        chart = self.session.chart
        if chart is None:
            return
        mapping = [chart.lanes - 1 - k for k in range(chart.lanes)] if lanes_too else list(range(chart.lanes))
        name = "Mirror and flip" if lanes_too and time_too else "Mirror" if lanes_too else "Flip"
        self._remap(mapping, name, time_too=time_too)

    def turn(self, how: str) -> bool:
        """Rearrange the selection's lanes: ``left`` / ``right`` turn the arrows a quarter counter-clockwise /
        clockwise (4-panel charts: Left->Down->Right->Up->Left and back), ``shuffle`` applies a random permutation
        of the lanes other than the identity and the mirror (a new one each time), as StepMania's turn modifiers
        do for a whole song; the permutation moves the selection's notes, and other than as the mirror would where
        another one can (a jack run in one lane goes to another lane, not back onto itself)."""
        chart = self.session.chart
        if chart is None:
            return False
        if not self.session.selection:
            self.session.status.emit(f"{how.capitalize() if how == 'shuffle' else 'Turn ' + how}: nothing selected")
            return False
        n = chart.lanes
        if how in ("left", "right"):
            if n != 4:
                self.session.status.emit("Turn left/right is for 4-panel charts; use Shuffle")
                return False
            # lanes 0 Left, 1 Down, 2 Up, 3 Right
            mapping = [1, 3, 0, 2] if how == "left" else [2, 0, 3, 1]
        else:
            if n < 3:
                self.session.status.emit("Shuffle needs at least 3 lanes (use Mirror)")
                return False
            shuffled = _shuffled(self._selected(), n, self._rng)
            if shuffled is None:
                self.session.status.emit("Shuffle: nothing to move (every order of the lanes gives these notes back)")
                return False
            mapping = shuffled
        return self._remap(mapping, {"left": "Turn left", "right": "Turn right"}.get(how, "Shuffle"))

    def _remap(self, mapping: list[int], name: str, time_too: bool = False) -> bool:
        """Replace the selection's lanes through ``mapping`` (old lane -> new lane), optionally flipping it in time
        within its span; one undo step."""
        notes = self._selected()
        if not notes:
            self.session.status.emit(f"{name}: nothing selected")
            return False
        if time_too:  # a flipped hold starts where it ended
            b0, b1 = sorted_notes.beat_span(notes)
            notes_beats = [(n, b0 + b1 - n.end_beat) for n in notes]
        else:
            notes_beats = [(n, n.beat) for n in notes]
        new = [Note(beat, mapping[n.lane] if n.lane < len(mapping) else n.lane, n.kind, n.length)
               for n, beat in notes_beats]
        if not self._apply(notes, new, name, lambda: _follow(notes, new)):
            return False
        replaced, cut = self._made_room  # the row's other arrows a note moved onto, the holds it landed in
        self.session.status.emit(f"{name}: {len(notes)} note(s)"
                                 + (f"; replacing {replaced} of the chart's" if replaced else "")
                                 + (f"; cutting {cut} of the chart's hold(s) short" if cut else ""))
        return True

    def shift(self, steps: int) -> None:
        """Move the selection earlier/later by whole snap steps (successive nudges are one undo step). A shift
        that would put a note before beat 0 changes nothing and says so: no chart file keeps a note there, and Save
        refused the chart after it."""
        notes = self._selected()
        if not notes:
            self.session.status.emit("Shift notes: nothing selected")
            return
        delta = step(self.session.divisor) * steps
        if delta < 0 and notes[0].beat + delta < 0:
            self.session.status.emit("Shift notes: the first selected note would go before beat 0, where chart "
                                     "files keep no notes (to chart an intro, move the offset in the Song panel)")
            return
        chart = self._chart()
        command = move_onto(chart, chart.notes, notes, delta, 0, name="Shift notes", gap=step(self.session.divisor),
                            longest=self.session.doc.longest_hold(chart))
        if self._push(command):
            self.session.select(command.moved)
            way = "earlier" if steps < 0 else "later"
            self.session.status.emit(f"Shift notes: {len(notes)} note(s) {abs(steps)} snap step(s) {way}")


def _follow(old: list[Note], new: list[Note]) -> dict[tuple[Fraction, int], tuple[Fraction, int]]:
    """The ``follow`` of a transform that turns ``old[i]`` into ``new[i]``."""
    return {(a.beat, a.lane): (b.beat, b.lane) for a, b in zip(old, new, strict=True)}


def _shuffled(notes: list[Note], lanes: int, rng: random.Random) -> list[int] | None:
    """A random permutation of ``lanes`` lanes (old lane -> new lane) that gives ``notes`` other notes than they are
    and than the mirror gives, or the mirror when only it moves them, or None when none moves them (every row of
    the selection the same in all its lanes). A permutation that maps only unused lanes, or maps a row's notes onto
    themselves, would move nothing: whether it does is read off the selection's distinct rows."""
    rows = [frozenset((n.lane, n.kind, n.length) for n in row)
            for _, row in itertools.groupby(notes, key=lambda n: n.beat)]  # ``notes`` in Note order: by beat
    patterns = list(set(rows))

    def result(mapping: Sequence[int]) -> tuple[frozenset, ...]:  # what each distinct row becomes
        return tuple(frozenset((mapping[lane] if lane < lanes else lane, kind, length) for lane, kind, length in row)
                     for row in patterns)
    same, mirrored = result(range(lanes)), result([lanes - 1 - k for k in range(lanes)])
    candidates: Iterable[Sequence[int]]
    if lanes <= SHUFFLE_ENUMERATED:  # every permutation, in a random order: none is missed
        candidates = list(itertools.permutations(range(lanes)))
        rng.shuffle(candidates)
    else:
        candidates = (rng.sample(range(lanes), lanes) for _ in range(SHUFFLE_DRAWS))
    for mapping in candidates:
        if result(mapping) not in (same, mirrored):
            return list(mapping)
    return [lanes - 1 - k for k in range(lanes)] if mirrored != same else None
