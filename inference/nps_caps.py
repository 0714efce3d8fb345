"""How dense a drafted chart can get: the model's per-slot minimum gap between rows, in beats, caps its rows per
second at the song's tempo, whatever the notes-per-second target says.

The shipped manifest (``resources/models/onset.manifest.json``, ``decode.<slot>.min_gap_beats``) keeps Beginner rows
2 beats apart, Easy 1 and Medium half a beat: at 101 BPM an Easy draft has at most 101 / 60 / 1 = 1.7 rows a
second, so its default target (2.35, the middle of the typical Easy range) cannot be reached and the draft came out
at 1.8 NPS with nothing saying why. The AI panel shows these caps beside its targets, and a draft that stays well
under a target it cannot reach says so (:func:`cap_notes`): on the editor's status line, and as a ``note:`` line of
``main.py draft``. The model and its manifest are left as they are: the
gaps are what the model was tuned with.

The maximum shown folds in what a targeted draft of such a slot keeps (:mod:`inference.draft_rests`: at most
:data:`~inference.draft_rests.GRID_FULL_SHARE` of the rows the gap allows, runs broken by rests) and the lane
model's jumps (notes per row): it used to be the bare grid, 1.1 NPS for Beginner at 132 BPM where drafts reach
about 0.9. A draft short of its target by more than :data:`SHORT_OF_TARGET` is noted whatever the reason (a
target under the cap the model offers too few rows for), the cap named when it is the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from chart.song import MODEL_SLOTS, Chart, Slot
from chart.timing import TimingData

#: A draft counts as short of its target below this share of it (the NPS control is approximate anyway).
SHORT_OF_TARGET = 0.9


class SlotGaps(dict[Slot, float]):
    """Slot -> minimum gap between rows in beats, with ``per_row``: slot -> the lane model's expected notes per
    row (1 + its jump rate; a slot left out counts 1)."""

    def __init__(self, gaps: Mapping[Slot, float] | None = None, per_row: Mapping[Slot, float] | None = None):
        super().__init__(gaps or {})
        self.per_row = dict(per_row or {})


def gaps_of(manifest, lanes=None) -> SlotGaps:
    """Slot -> minimum gap between rows in beats (slots without one left out), from an onset manifest, with the
    notes per row of the ``lanes`` manifest (when given)."""
    from inference.lane_decision import expected_notes_per_row

    gaps = SlotGaps()
    for slot in MODEL_SLOTS:
        decode = manifest.decode.get(slot.name.lower())
        if decode is not None and decode.min_gap_beats > 0:
            gaps[slot] = float(decode.min_gap_beats)
            if lanes is not None:
                gaps.per_row[slot] = expected_notes_per_row(lanes, int(slot))
    return gaps


def model_gaps(drafter=None, models_dir: Path | None = None) -> SlotGaps:
    """The gaps of the loaded drafter's model, else of the manifest in ``models_dir`` (the shipped one by default);
    empty when there is none to read (no model shipped: nothing to say)."""
    if drafter is not None:
        return gaps_of(drafter.onset, getattr(drafter, "lanes", None))
    from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError, default_models_dir

    folder = models_dir or default_models_dir()
    try:
        onset = Manifest.load(folder / f"onset{MANIFEST_SUFFIX}", verify=False)
    except ManifestError:
        return SlotGaps()
    try:
        lanes = Manifest.load(folder / f"lane{MANIFEST_SUFFIX}", verify=False)
    except ManifestError:
        lanes = None
    return gaps_of(onset, lanes)


def beats_per_second(timing: TimingData, duration_s: float) -> float:
    """Beats a second over the song (``duration_s`` of it): its tempo / 60 when constant, else the average."""
    if timing.is_constant or duration_s <= 0:
        return float(timing.bpm_at(0)) / 60.0
    first, last = timing.seconds_to_beats_array([0.0, duration_s])
    return max(float(last - first), 0.0) / duration_s or float(timing.bpm_at(0)) / 60.0


def tempo_text(timing: TimingData, rate: float) -> str:
    bpm = f"{rate * 60:.0f} BPM"
    return bpm if timing.is_constant else f"{bpm} on average"


def reachable(gap_beats: float, rate: float, notes_per_row: float = 1.0) -> float:
    """About the most notes a second a targeted draft whose rows are at least ``gap_beats`` apart has at ``rate``
    beats a second: the grid's rows a second, times the share of them such a draft keeps
    (:func:`inference.draft_rests.grid_share`: Beginner and Easy) and the notes per row (jumps count 2)."""
    from inference.draft_rests import grid_share

    return rate / gap_beats * grid_share(gap_beats) * max(float(notes_per_row), 1.0)


def _cap(gaps: Mapping[Slot, float], slot: Slot, rate: float) -> float:
    return reachable(gaps[slot], rate, getattr(gaps, "per_row", {}).get(slot, 1.0))


def cap_hint(gaps: Mapping[Slot, float], timing: TimingData, duration_s: float) -> str:
    """The AI panel's line under its targets: each capped slot's reachable maximum at this song's tempo."""
    if not gaps:
        return ""
    rate = beats_per_second(timing, duration_s)
    caps = ", ".join(f"{slot.sm_name} {_cap(gaps, slot, rate):.1f}" for slot in gaps)
    return (f"Highest NPS a draft reaches at {tempo_text(timing, rate)}, about (each slot's minimum gap between "
            f"rows, and the rests its draft keeps): {caps}")


def cap_tip(slot: Slot, gaps: Mapping[Slot, float], timing: TimingData, duration_s: float) -> str:
    """A target box's tooltip addition; empty for a slot without a minimum gap."""
    gap = gaps.get(slot)
    if gap is None:
        return ""
    rate = beats_per_second(timing, duration_s)
    return (f"\nAt this song's {tempo_text(timing, rate)} its {gap:g}-beat minimum gap between rows and the rests "
            f"a draft keeps allow about {_cap(gaps, slot, rate):.1f} NPS: a higher target drafts about that")


def cap_notes(drafts: Iterable, targets: Mapping[Slot, float], gaps: Mapping[Slot, float],
              timing_of, duration_s: float) -> list[str]:
    """For each draft (``slot``, ``notes``) under :data:`SHORT_OF_TARGET` of its NPS target: "Easy 1.30 NPS
    (target 2.35): its 1-beat minimum gap and rests allow about 1.4 at 101 BPM" when its slot's minimum gap
    caps it below the target, else "Hard 3.90 NPS (target 4.58)". ``timing_of(slot)`` is the timing the slot's
    chart was drafted on."""
    from chart.stats import chart_stats

    notes = []
    for draft in drafts:
        target = targets.get(draft.slot)
        if not target:
            continue
        timing = timing_of(draft.slot)
        got = chart_stats(Chart(slot=draft.slot, notes=list(draft.notes)), timing).mean_nps
        if got >= SHORT_OF_TARGET * target:
            continue
        note = f"{draft.slot.sm_name} {got:.2f} NPS (target {target:.2f})"
        rate = beats_per_second(timing, duration_s)
        if (gap := gaps.get(draft.slot)) is not None and target > (cap := _cap(gaps, draft.slot, rate)):
            note += f": its {gap:g}-beat minimum gap and rests allow about {cap:.1f} at {tempo_text(timing, rate)}"
        notes.append(note)
    return notes
