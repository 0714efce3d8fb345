"""A transaction's undo step: several commands done in order and undone in reverse (moved out of
:mod:`chart.history`, which re-exports it, to keep that module short)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chart.history import Command


class MacroCommand:
    """Several commands done in order and undone in reverse, shown as one step named ``name``."""

    def __init__(self, name: str, children: Sequence[Command] = (), provenance: dict | None = None) -> None:
        self.name = name
        self.children: list[Command] = list(children)
        self.provenance = provenance

    def do(self, doc: Any) -> None:
        done: list[Command] = []
        try:
            for child in self.children:
                child.do(doc)
                done.append(child)
        except BaseException:
            for child in reversed(done):  # leave the document as it was
                child.undo(doc)
            raise

    def undo(self, doc: Any) -> None:
        undone: list[Command] = []
        try:
            for child in reversed(self.children):
                child.undo(doc)
                undone.append(child)
        except BaseException:
            for child in reversed(undone):
                child.do(doc)
            raise

    def merge_with(self, other: Command) -> bool:
        return False

    def __repr__(self) -> str:
        return f"MacroCommand({self.name!r}, {len(self.children)} commands)"
