"""Undo history: command objects, transactions, drag strokes, merging and the clean marker.

A :class:`Command` changes a target (the :class:`~chart.document.Document`) in ``do`` and restores it in ``undo``.
:class:`History` executes commands and keeps them on two stacks:

* ``push`` executes a command, clears the redo stack and, when the previous push put a command of the same name on
  top less than ``merge_window_s`` ago, offers it to that command's ``merge_with`` (typing in a field, nudging notes
  with the keyboard: one undo step instead of twenty).
* ``with history.transaction("Mirror"):`` groups every push inside into one :class:`MacroCommand`; transactions
  nest, and an exception inside rolls back what the block did.
* Drag strokes preview an edit live: ``begin_stroke`` then ``update_stroke(cmd)`` any number of times (each
  command describes the whole drag from where it started; the previous one is undone first), then
  ``commit_stroke`` (one undo step) or ``abort_stroke`` (back to where the drag began).
* ``set_clean`` marks the saved state; ``is_clean`` says whether the document equals it (drives the unsaved dot
  and autosave). A command is never merged into the saved state, so "clean" stays exact.
* The oldest steps are dropped beyond ``limit`` steps, and sooner once the steps hold more than ``note_budget``
  notes in all (:func:`held_notes`): a step keeps the notes it took out and put in, so a count of steps alone let
  1,000 whole-chart edits of a 22k-note chart (Select All + Mirror: 1.8 MB a step) hold 1.8 GB. ``dropped``
  counts them (until :meth:`History.clear`): with any dropped, the oldest state kept is not the opened one.

Time is injectable (``clock``) so tests drive the merge window without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from chart.macro_command import MacroCommand  # re-exported: its home before the module grew
from chart.signals import Signal

DEFAULT_MERGE_WINDOW_S = 1.0  # osu!/Qt-style: edits of the same kind within a second become one step
DEFAULT_LIMIT = 1000  # undo steps kept; the oldest are dropped beyond this
#: Notes the undo steps may hold in all (:func:`held_notes`), 40-80 bytes each: 44 Select All + Mirror (or Shift)
#: steps of a 22k-note chart (80-160 MB); 1,000 one-note edits hold 1,000-2,000.
DEFAULT_NOTE_BUDGET = 2_000_000


@runtime_checkable
class Command(Protocol):
    """One undoable edit. Commands address notes by value, never by widget, so they survive view changes."""

    name: str
    provenance: dict | None

    def do(self, doc: Any) -> None:
        """Apply the edit. Must validate before changing anything: a raising ``do`` leaves ``doc`` unchanged."""

    def undo(self, doc: Any) -> None:
        """Restore the state from before :meth:`do`."""

    def merge_with(self, other: Command) -> bool:
        """Absorb ``other`` (already done, applied right after this one); True when merged."""


def held_notes(command: Command) -> int:
    """About how many notes ``command`` keeps for undo and redo, as the history's ``note_budget`` counts them: the
    notes a note edit takes out and puts in (the ``old`` and ``new`` tuples of :class:`chart.commands.ReplaceNotes`
    and the commands built on it: placing, moving, pasting, whole-chart transforms, re-beating for Keep notes in
    time, AI drafts), and the notes of the whole charts a step keeps (``held_charts()``: a chart added, duplicated,
    removed or restored from an autosave), summed over a transaction's steps; at least 1 a step (a timing or field
    change, an empty chart)."""
    children = getattr(command, "children", None)
    if isinstance(children, list):
        return max(sum(held_notes(child) for child in children), 1)
    held = sum(len(notes) for notes in (getattr(command, name, None) for name in ("old", "new"))
               if isinstance(notes, tuple))
    charts = getattr(command, "held_charts", None)
    if callable(charts):
        held += sum(len(chart.notes) for chart in charts())
    return max(held, 1)


@dataclass
class _Stroke:
    name: str
    command: Command | None = None
    ends: str = "finish the drag"  # what ends it, for the line of an edit refused meanwhile (begin_stroke)


class HistoryError(RuntimeError):
    """An operation that the history's current state does not allow (e.g. undo during a drag)."""


class History:
    """Undo/redo stacks over a target object.

    Parameters
    ----------
    target : object
        Passed to every command's ``do``/``undo`` (the Document).
    clock : callable
        Returns seconds (monotonic); used only for the merge window.
    merge_window_s : float
        Same-name commands pushed within this many seconds of the previous push merge.
    limit : int
        Most undo steps kept.
    note_budget : int
        Most notes the steps may hold in all (:func:`held_notes`); the oldest are dropped beyond it.
    """

    def __init__(
        self,
        target: Any,
        clock: Callable[[], float] = time.monotonic,
        merge_window_s: float = DEFAULT_MERGE_WINDOW_S,
        limit: int = DEFAULT_LIMIT,
        note_budget: int = DEFAULT_NOTE_BUDGET,
    ) -> None:
        self._target = target
        self._clock = clock
        self.merge_window_s = merge_window_s
        self.limit = max(1, limit)
        self.note_budget = max(1, note_budget)
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._held: dict[int, int] = {}  # id(step) -> held_notes(step), for the steps of both stacks
        self._held_total = 0
        self._clean: int | None = 0  # len(_undo) at the saved state; None once that state is unreachable
        self.dropped = 0  # oldest steps dropped by the limits (_trim): undo no longer reaches the opened state
        self._last_push_s: float | None = None  # set only while the top command may absorb the next push
        self._macros: list[MacroCommand] = []
        self._stroke: _Stroke | None = None
        self._reported_clean = True  # last value sent on clean_changed
        self.changed = Signal("history.changed")  # stacks changed: refresh the panel and Undo/Redo actions
        self.clean_changed = Signal("history.clean_changed")  # (is_clean: bool)

    # ------------------------------------------------------------------ queries
    @property
    def is_clean(self) -> bool:
        """Whether the target equals the state marked by :meth:`set_clean`."""
        return not self._pending and self._clean == len(self._undo)

    @property
    def _pending(self) -> bool:  # an open drag or transaction changed the target: no undo step holds its state
        return (self._stroke is not None and self._stroke.command is not None) or any(m.children for m in self._macros)

    @property
    def clean_index(self) -> int | None:
        """How many undo steps the saved state has (the History panel's row of it); None when no undo or redo
        reaches it."""
        return self._clean

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) and self._idle

    @property
    def can_redo(self) -> bool:
        return bool(self._redo) and self._idle

    @property
    def in_transaction(self) -> bool:
        return bool(self._macros)

    @property
    def in_stroke(self) -> bool:
        return self._stroke is not None

    @property
    def stroke_ends(self) -> str | None:  # what ends the open stroke ("finish the drag"); None when none is open
        return self._stroke.ends if self._stroke is not None else None

    @property
    def _idle(self) -> bool:
        return not self._macros and self._stroke is None

    def undo_stack_names(self) -> list[str]:
        """Names of the undo steps, oldest first (the last one is undone next)."""
        return [c.name for c in self._undo]

    def redo_stack_names(self) -> list[str]:
        """Names of the redo steps, next redo first."""
        return [c.name for c in reversed(self._redo)]

    def undo_commands(self) -> list[Command]:
        """The undo steps themselves, oldest first (e.g. to read their provenance)."""
        return list(self._undo)

    def redo_commands(self) -> list[Command]:
        """The redo steps themselves, next redo first."""
        return list(reversed(self._redo))

    # ------------------------------------------------------------------ push / undo / redo
    def push(self, command: Command) -> None:
        """Execute ``command`` and record it (inside a transaction: add it to the open transaction)."""
        if self._stroke is not None:
            raise HistoryError(f"{self._stroke.ends} first")  # "finish the drag", "release the lane key"
        command.do(self._target)  # raises before recording anything when the edit is invalid
        if self._macros:
            self._macros[-1].children.append(command)
            self._notify(stacks=False)
            return
        self._record(command, allow_merge=True)

    def undo(self) -> bool:
        """Undo the last step; False when there is none."""
        self._require_idle("undo")
        if not self._undo:
            return False
        command = self._undo[-1]
        command.undo(self._target)
        self._redo.append(self._undo.pop())
        self._last_push_s = None
        self._notify()
        return True

    def redo(self) -> bool:
        """Redo the last undone step; False when there is none."""
        self._require_idle("redo")
        if not self._redo:
            return False
        command = self._redo[-1]
        command.do(self._target)
        self._undo.append(self._redo.pop())
        self._last_push_s = None
        self._notify()
        return True

    def withdraw(self, steps: Sequence[Command]) -> None:
        """Undo ``steps`` (the last ones on the undo stack, oldest first) and forget them, with no redo entry: steps
        the program made and takes back itself (the empty charts a cancelled AI draft added), which Redo must not
        bring back. The redo steps go too: they were made after the withdrawn steps, on a state no step reaches now
        (a note undone in a withdrawn chart). Raises :class:`HistoryError` when they are not the last steps."""
        self._require_idle("take steps back")
        n = len(steps)
        if not n or len(self._undo) < n or any(a is not b for a, b in zip(self._undo[-n:], steps)):
            raise HistoryError("the steps to take back are not the last ones")
        try:
            for step in reversed(steps):
                step.undo(self._target)  # a step that raises stays, with the ones before it
                self._undo.pop()
                self._held_total -= self._held.pop(id(step), 0)
                self._drop_redo()
        finally:
            if self._clean is not None and self._clean > len(self._undo):
                self._clean = None  # the saved state had them (or was a redo step): no step reaches it now
            self._last_push_s = None
            self._notify()

    def set_clean(self) -> None:
        """Mark the current state as saved; mid-drag no undo step holds it (saved mid-take, undone: not clean)."""
        self._clean = None if self._pending else len(self._undo)
        self._last_push_s = None  # never merge into the saved state
        self._notify(stacks=False)

    def set_unsaved(self) -> None:
        """Mark the current state as not saved anywhere (a new song): no undo reaches a clean state."""
        self._clean = None
        self._last_push_s = None
        self._notify(stacks=False)

    def clear(self) -> None:
        """Forget every step (e.g. after loading another file); the current state becomes the clean one."""
        self._require_idle("clear the history")
        self._undo.clear()
        self._redo.clear()
        self._held.clear()
        self._held_total = 0
        self._clean = 0
        self.dropped = 0
        self._last_push_s = None
        self._notify()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self, name: str) -> Iterator[MacroCommand]:
        """Group the pushes inside the ``with`` block into one step; nests; rolls back on an exception."""
        if self._stroke is not None:
            raise HistoryError("cannot start a transaction during a drag")
        macro = MacroCommand(name)
        self._macros.append(macro)
        try:
            yield macro
        except BaseException:
            self._macros.pop()
            macro.undo(self._target)
            self._notify(stacks=False)
            raise
        self._macros.pop()
        if not macro.children:
            return
        if self._macros:
            self._macros[-1].children.append(macro)
        else:
            self._record(macro, allow_merge=False)

    # ------------------------------------------------------------------ drag strokes
    def begin_stroke(self, name: str, ends: str = _Stroke.ends) -> None:
        """Start a drag (``ends``: what ends it, for a refused edit's line); nothing changes until update_stroke."""
        if self._stroke is not None or self._macros:
            raise HistoryError("a drag or a transaction is already in progress")
        self._stroke = _Stroke(name, ends=ends)

    def update_stroke(self, command: Command) -> None:
        """Show ``command`` (the whole drag so far) instead of the previous update."""
        stroke = self._require_stroke()
        previous = stroke.command
        if previous is not None:
            previous.undo(self._target)
        try:
            command.do(self._target)
        except BaseException:
            if previous is not None:  # keep showing the last valid position
                previous.do(self._target)
            raise
        stroke.command = command
        self._notify(stacks=False)

    def rename_stroke(self, name: str) -> None:
        """Name the step the drag will make (e.g. once a key-placed tap has been drawn out into a hold)."""
        self._require_stroke().name = name

    def commit_stroke(self) -> bool:
        """End the drag as one undo step; False when the drag changed nothing."""
        stroke = self._require_stroke()
        self._stroke = None
        if stroke.command is None:
            return False
        command = stroke.command
        if command.name != stroke.name:
            command = MacroCommand(stroke.name, [command], provenance=command.provenance)
        self._record(command, allow_merge=False)
        return True

    def abort_stroke(self) -> None:
        """End the drag and restore the state from before it."""
        stroke = self._require_stroke()
        self._stroke = None
        if stroke.command is not None:
            stroke.command.undo(self._target)
        self._notify(stacks=False)

    # ------------------------------------------------------------------ internals
    def _record(self, command: Command, allow_merge: bool) -> None:
        """Put an already executed command on the undo stack (or merge it into the top one)."""
        now = self._clock()
        merged = False
        if (
            allow_merge
            and not self._redo
            and self._undo
            and self._last_push_s is not None
            and now - self._last_push_s <= self.merge_window_s
            and self._undo[-1].name == command.name
        ):
            merged = self._undo[-1].merge_with(command)
        self._drop_redo()
        if not merged:
            self._undo.append(command)
        self._count(self._undo[-1])
        self._trim()
        self._last_push_s = now if allow_merge else None
        self._notify()

    def _drop_redo(self) -> None:
        """Forget the redo steps (a new step, or a withdrawn one they followed), with their held notes."""
        if not self._redo:
            return
        if self._clean is not None and self._clean > len(self._undo):
            self._clean = None  # the saved state was on the redo stack; it is gone now
        for step in self._redo:
            self._held_total -= self._held.pop(id(step), 0)
        self._redo.clear()

    def _count(self, step: Command) -> None:  # (again, for a merged step)
        held = held_notes(step)
        self._held_total += held - self._held.get(id(step), 0)
        self._held[id(step)] = held

    def _trim(self) -> None:
        """Drop the oldest steps beyond ``limit`` steps or ``note_budget`` notes (the newest stays)."""
        while len(self._undo) > self.limit or (self._held_total > self.note_budget and len(self._undo) > 1):
            dropped = self._undo.pop(0)
            self._held_total -= self._held.pop(id(dropped), 0)
            self.dropped += 1
            if self._clean is not None:
                self._clean = self._clean - 1 if self._clean > 0 else None

    def _notify(self, stacks: bool = True) -> None:
        """Emit ``changed`` (when the stacks changed) and ``clean_changed`` when cleanliness flipped."""
        if stacks:
            self.changed.emit()
        now_clean = self.is_clean
        if now_clean != self._reported_clean:
            self._reported_clean = now_clean
            self.clean_changed.emit(now_clean)

    def _require_idle(self, what: str) -> None:
        if not self._idle:
            raise HistoryError(f"cannot {what} during a drag or a transaction")

    def _require_stroke(self) -> _Stroke:
        if self._stroke is None:
            raise HistoryError("no drag in progress")
        return self._stroke
