"""A step's change of a tag list (``Song.extra``, ``Chart.extra``), tag by tag.

A command that changes some tags of ``extra`` keeps the list before and after its change, and its undo and redo
apply only the tags that differ between the two (:func:`patch_extra`) to the list as it is then. The other tags
keep what happened to them outside the history: Save As into another folder relinks ``#BANNER``, ``#BACKGROUND``
and the other file tags in place, and an undo of a romanised title set before it must not give them their old
(now wrong) paths back.
"""

from __future__ import annotations

from collections.abc import Sequence

Extra = list[tuple[str, str]]


def _values(items: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in items:
        out.setdefault(name, []).append(value)
    return out


def patch_extra(current: Sequence[tuple[str, str]], before: Sequence[tuple[str, str]],
                after: Sequence[tuple[str, str]]) -> Extra:
    """``current`` changed as ``before`` -> ``after`` changed it: each tag whose values differ between ``before``
    and ``after`` takes ``after``'s (or goes, when ``after`` has none); every other tag keeps ``current``'s values.
    In ``after``'s order, a tag only ``current`` has at the end. ``current == before`` gives ``after`` itself."""
    old, new, now = _values(before), _values(after), _values(current)
    changed = {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}
    if not changed:
        return list(current)
    seen: dict[str, int] = {}
    out: Extra = []
    for name, value in after:
        if name in changed:
            out.append((name, value))
            continue
        index = seen[name] = seen.get(name, -1) + 1
        kept = now.get(name, [])
        if index < len(kept):  # the tag as it is now (a value changed outside this step)
            out.append((name, kept[index]))
    for name, kept in now.items():  # added outside this step (or more of a tag than ``after`` has)
        if name not in changed:
            out += [(name, value) for value in kept[len(new.get(name, [])):]]
    return out
