"""The kept-sound remap of chart/formats/osu_hitsounds.py before it looked only at the cells an edit touched, kept
as the reference the fast :func:`follow_edit` must equal (tests/chart/formats/test_osu_follow_fast.py): every kept
sound is moved, in beat and lane order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

from chart.formats.osu_hitsounds import HITSOUNDS, Sound
from chart.notes import Note

_LOST = "x"


def _kept(extra: list[tuple[str, str]]) -> dict[tuple[Fraction, int], Sound]:
    out: dict[tuple[Fraction, int], Sound] = {}
    for line in dict(extra).get(HITSOUNDS, "").split("\n"):
        f = line.split(",", 3)
        try:
            out[(Fraction(f[0]), int(f[1]))] = (f[2], f[3])
        except (ValueError, IndexError, ZeroDivisionError):
            continue
    return out


def _text(kept: dict[tuple[Fraction, int], Sound], lost: list[str]) -> str:
    items = sorted(kept.items(), key=lambda item: (item[0][0].numerator / item[0][0].denominator, item[0][1]))
    return "\n".join([*(f"{b},{lane},{hs},{sample}" for (b, lane), (hs, sample) in items), *lost])


def remap_sounds(extra: list[tuple[str, str]],
                 cells: Callable[[tuple[Fraction, int]], tuple[Fraction, int] | None]) -> list[tuple[str, str]]:
    kept = _kept(extra)
    if not kept:
        return extra
    moved: dict[tuple[Fraction, int], Sound] = {}
    lost = [line for line in dict(extra)[HITSOUNDS].split("\n") if line.startswith(_LOST)]
    for key in sorted(kept):
        cell = cells(key)
        if cell is not None and cell not in moved:
            moved[cell] = kept[key]
        else:
            lost.append(f"{_LOST}{key[0]},{key[1]},{kept[key][0]},{kept[key][1]}")
    if moved == kept:
        return extra
    text = _text(moved, lost)
    return [(k, text if k == HITSOUNDS else v) for k, v in extra]


def follow_edit(extra: list[tuple[str, str]], old: Iterable[Note], new: Iterable[Note],
                follow: dict[tuple[Fraction, int], tuple[Fraction, int]]) -> list[tuple[str, str]]:
    if not any(key == HITSOUNDS for key, _ in extra):
        return extra
    old_cells = {(n.beat, n.lane) for n in old}
    new_cells = {(n.beat, n.lane) for n in new}

    def cell(key: tuple[Fraction, int]) -> tuple[Fraction, int] | None:
        if key in follow:
            return follow[key]
        return None if key in old_cells or key in new_cells else key

    return remap_sounds(extra, cell)
