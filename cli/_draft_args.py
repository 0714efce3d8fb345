"""The slot and density arguments of ``draft``, ``refine`` and the other AI commands (split off
:mod:`cli._draft_cmds` to keep modules short)."""

from __future__ import annotations

from typing import Any

from cli.common import UserError


def parse_slots(text: str) -> list[Any]:
    """``"easy,hard"`` -> [Slot.EASY, Slot.HARD]; UserError naming an unknown or non-model slot."""
    from inference.draft_types import DraftError, to_slot

    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            slot = to_slot(part)
        except DraftError as exc:
            raise UserError(str(exc)) from exc
        if slot not in out:
            out.append(slot)
    if not out:
        raise UserError("no slot given")
    return out


def draft_targets(slots: list[Any], asked: dict[Any, float]) -> dict[Any, float]:
    """The density target of each drafted slot: the one ``--nps`` asked for, else the editor's default
    (:func:`chart.stats.default_nps`); a slot asked at 0 (or an Edit slot) gets none: the model's own density."""
    from chart.stats import default_nps

    targets = {s: asked[s] if s in asked else default_nps(s) for s in slots}
    return {s: x for s, x in targets.items() if x}


def parse_nps(items: list[str]) -> dict[Any, float]:
    """``["hard=4.5"]`` -> {Slot.HARD: 4.5}; 0 stands for no target (the model's own density)."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            nps = float(value)
        except ValueError:
            nps = -1.0
        if not sep or not nps >= 0 or nps > 50:
            raise UserError(f"--nps wants SLOT=X with 0 <= X <= 50 notes per second (0: no target), got {item!r}")
        out[parse_slots(name)[0]] = nps
    return out


def check_kept_timing(song: Any, path: Any, slots: list[Any], timing: Any, flag: str) -> None:
    """UserError when ``draft CHART`` with ``flag`` (--bpm or --timing) would put ``timing`` under charts of
    ``song`` that the draft keeps: their notes keep their beats, so every one of them would move in time. Charts
    of the drafted slots (replaced), with no notes, or with their own timing (split timing) are not moved."""
    from chart.song import MODEL_MODE
    from chart.timing_form import same_times

    kept = [c for c in song.charts if c.notes and c.timing is None and not (c.slot in slots and c.mode == MODEL_MODE)]
    if kept and not same_times(song.timing, timing):
        names = ", ".join(dict.fromkeys(c.slot.sm_name for c in kept))
        raise UserError(f"{path}: its {names} chart{'s' * (len(kept) > 1)} play{'s' * (len(kept) == 1)} on its "
                        f"timing, which {flag} would change under {'them' if len(kept) > 1 else 'it'}; drop {flag} "
                        f"(the chart file's timing is used), or draft from the audio file")
