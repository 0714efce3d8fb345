"""How dense a drafted chart can get: the model's per-slot minimum gap between rows, in beats, caps its rows per
second at the song's tempo, whatever the notes-per-second target says.

The shipped manifest (``resources/models/onset.manifest.json``, ``decode.<slot>.min_gap_beats``) keeps Beginner rows
2 beats apart, Easy 1 and Medium half a beat: at 101 BPM an Easy draft has at most 101 / 60 / 1 = 1.7 rows a
second, so its default target (2.35, the middle of the typical Easy range) cannot be reached and the draft came out
at 1.8 NPS with nothing saying why. The AI panel shows these caps beside its targets, and a draft that stays well
under a target it cannot reach says so (:func:`cap_notes`): on the editor's status line, and as a ``note:`` line of
``main.py draft``. The model and its manifest are left as they are: the
gaps are what the model was tuned with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from chart.song import MODEL_SLOTS, Chart, Slot
from chart.timing import TimingData

#: A draft counts as short of its target below this share of it (the NPS control is approximate anyway).
SHORT_OF_TARGET = 0.9


def gaps_of(manifest) -> dict[Slot, float]:
    """Slot -> minimum gap between rows in beats (slots without one left out), from an onset manifest."""
    gaps: dict[Slot, float] = {}
    for slot in MODEL_SLOTS:
        decode = manifest.decode.get(slot.name.lower())
        if decode is not None and decode.min_gap_beats > 0:
            gaps[slot] = float(decode.min_gap_beats)
    return gaps


def model_gaps(drafter=None, models_dir: Path | None = None) -> dict[Slot, float]:
    """The gaps of the loaded drafter's model, else of the manifest in ``models_dir`` (the shipped one by default);
    empty when there is none to read (no model shipped: nothing to say)."""
    if drafter is not None:
        return gaps_of(drafter.onset)
    from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError, default_models_dir

    try:
        return gaps_of(Manifest.load((models_dir or default_models_dir()) / f"onset{MANIFEST_SUFFIX}", verify=False))
    except ManifestError:
        return {}


def beats_per_second(timing: TimingData, duration_s: float) -> float:
    """Beats a second over the song (``duration_s`` of it): its tempo / 60 when constant, else the average."""
    if timing.is_constant or duration_s <= 0:
        return float(timing.bpm_at(0)) / 60.0
    first, last = timing.seconds_to_beats_array([0.0, duration_s])
    return max(float(last - first), 0.0) / duration_s or float(timing.bpm_at(0)) / 60.0


def tempo_text(timing: TimingData, rate: float) -> str:
    bpm = f"{rate * 60:.0f} BPM"
    return bpm if timing.is_constant else f"{bpm} on average"


def reachable(gap_beats: float, rate: float) -> float:
    """Most rows a second that rows ``gap_beats`` apart allow at ``rate`` beats a second."""
    return rate / gap_beats


def cap_hint(gaps: Mapping[Slot, float], timing: TimingData, duration_s: float) -> str:
    """The AI panel's line under its targets: each capped slot's reachable maximum at this song's tempo."""
    if not gaps:
        return ""
    rate = beats_per_second(timing, duration_s)
    caps = ", ".join(f"{slot.sm_name} {reachable(gap, rate):.1f}" for slot, gap in gaps.items())
    return f"Highest NPS a draft reaches at {tempo_text(timing, rate)} (each slot's minimum gap between rows): {caps}"


def cap_tip(slot: Slot, gaps: Mapping[Slot, float], timing: TimingData, duration_s: float) -> str:
    """A target box's tooltip addition; empty for a slot without a minimum gap."""
    gap = gaps.get(slot)
    if gap is None:
        return ""
    rate = beats_per_second(timing, duration_s)
    return (f"\nAt this song's {tempo_text(timing, rate)} its {gap:g}-beat minimum gap between rows allows at most "
            f"{reachable(gap, rate):.1f} NPS: a higher target drafts about that")


def cap_notes(drafts: Iterable, targets: Mapping[Slot, float], gaps: Mapping[Slot, float],
              timing_of, duration_s: float) -> list[str]:
    """For each draft (``slot``, ``notes``) well under its NPS target because its slot's minimum gap caps it:
    "Easy 1.80 NPS (target 2.35): its 1-beat minimum gap allows at most 1.7 at 101 BPM". ``timing_of(slot)`` is the
    timing the slot's chart was drafted on."""
    from chart.stats import chart_stats

    notes = []
    for draft in drafts:
        target, gap = targets.get(draft.slot), gaps.get(draft.slot)
        if target is None or gap is None:
            continue
        timing = timing_of(draft.slot)
        rate = beats_per_second(timing, duration_s)
        cap = reachable(gap, rate)
        got = chart_stats(Chart(slot=draft.slot, notes=list(draft.notes)), timing).mean_nps
        if target > cap and got < SHORT_OF_TARGET * target:
            notes.append(f"{draft.slot.sm_name} {got:.2f} NPS (target {target:.2f}): its {gap:g}-beat minimum gap "
                         f"allows at most {cap:.1f} at {tempo_text(timing, rate)}")
    return notes
