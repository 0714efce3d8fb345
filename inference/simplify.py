"""Simplify down: an easier chart drawn from the rows of a harder one (pure numpy; ``Drafter.simplify`` runs it).

Refine goes up (a designer's Easy steers the Hard draft). Designers also go down: the Hard is done and the Easy
should be its skeleton. In the 80 charted songs a lower chart's onset rows are 92-98 % rows of the chart above it
(pairs of slots of one song), so the easier chart is a *choice among the harder chart's rows*, not a new rhythm:

* **which rows**: the harder chart's rows ranked by the target slot's plain onset curve (its peak within two
  frames of the row), taken most probable first while keeping the slot's minimum gap in seconds (``min_gap_s``).
  Not a plain draft's gap in beats (``min_gap_beats``, Beginner's two beats): that gap is tuned for rows the model
  invents, and the charters' own Beginner charts step sooner (43 % of their row gaps in the 80 charted songs are
  under two beats). Keeping it cost the simplified charts their match with the charters' (validation songs, from
  the chart one slot above: micro F1 @50 ms 0.812 -> 0.790, Beginner 0.711 -> 0.614, Easy 0.776 -> 0.722);
* **how many**: the harder chart's rows divided by the median ratio of the two slots' row counts in the training
  songs (the manifest's ``refine_ratio``, the refine density prior read the other way); without a ratio for the
  pair, the count the target slot's threshold gives on the harder chart's rows;
* **arrows**: the harder chart's own arrows and holds on the kept rows (the designer's patterns; in the training
  and text-only charts a lower chart repeats the higher chart's arrow set on 24-44 % of shared rows, against
  21-27 % for the lane model drafting free), jumps made single steps at Beginner (hold kept first) and, above
  it, only as many jumps kept as the slot's usual share (the lane manifest's ``decision.jump_range`` median),
  the most probable rows keeping theirs; never more than two panels at once, no rolls at Beginner, at Beginner
  a row whose arrow would cross the feet takes another panel (:func:`uncrossed`), and at every slot an arrow
  making a crossover, footswitch, fast double step or fast jack its source has not there moves
  (:func:`inference.simplify_feet.eased`); not on a keyboard chart (an osu!mania map), played with fingers.

Measured on the validation songs (``python scripts/diagnose_drafts.py simplify``; the chart above as the source):
micro F1 @50 ms 0.812 against 0.727 for plain drafts (MODEL_CARD, "Simplify down").
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import numpy as np

from chart.notes import Note, NoteKind, onset_beats
from chart.timing import TimingData
from inference.draft_types import (
    CancelToken,
    DraftError,
    ProgressFn,
    Provenance,
    SlotDraft,
    SongAnalysis,
    to_slot,
)
from inference.manifest import SlotDecode
from inference.simplify_feet import eased

PEAK_FRAMES = 2  # a row's score is the curve's peak within this many frames of it


def row_scores(curve: np.ndarray, frame_rate: float, seconds: np.ndarray) -> np.ndarray:
    """Each row's score: the (smoothed) curve's peak within :data:`PEAK_FRAMES` frames of its time."""
    if len(curve) == 0:
        return np.zeros(len(seconds))
    frames = np.clip(np.round(np.asarray(seconds) * frame_rate).astype(int), 0, len(curve) - 1)
    lo, hi = np.maximum(frames - PEAK_FRAMES, 0), np.minimum(frames + PEAK_FRAMES + 1, len(curve))
    return np.array([float(curve[a:b].max()) for a, b in zip(lo, hi)])


def rows_to_keep(seconds: np.ndarray, scores: np.ndarray, count: int, min_gap_s: float) -> np.ndarray:
    """Indices (sorted) of the ``count`` best-scored rows, best first, skipping rows closer than ``min_gap_s``
    to a row already kept."""
    kept: list[int] = []
    taken: list[float] = []
    for k in np.argsort(-np.asarray(scores), kind="stable"):
        if len(kept) >= count:
            break
        t = float(seconds[k])
        if all(abs(t - x) >= min_gap_s for x in taken):
            kept.append(int(k))
            taken.append(t)
    return np.array(sorted(kept), dtype=np.int64)


def target_count(higher_rows: int, target: SlotDecode, higher: SlotDecode, target_slot_name: str,
                 scores: np.ndarray) -> int:
    """Rows for the simpler chart: the harder chart's rows over the training songs' slot ratio, else the rows the
    target slot's threshold keeps."""
    ratio = (higher.refine_ratio or {}).get(target_slot_name)
    if ratio:
        want = higher_rows / float(ratio)
    else:
        want = float(np.sum(np.asarray(scores) >= target.threshold))
    return max(1, min(higher_rows, int(round(want))))


def simplified_notes(notes: Sequence[Note], keep_beats: set[Fraction], scores: dict[Fraction, float],
                     slot: int, jump_share: float | None) -> list[Note]:
    """The harder chart's notes on the kept rows, with its arrows; jumps made single steps at Beginner (slot 0)
    and, above, kept on at most ``jump_share`` of the rows (the most probable rows keep theirs)."""
    rows: dict[Fraction, list[Note]] = {}
    for n in notes:
        if n.beat in keep_beats and n.kind.is_onset:
            rows.setdefault(n.beat, []).append(n)
    jumps = [b for b, r in rows.items() if len(r) > 1]
    allowed = 0 if slot == 0 else int(round((jump_share or 0.0) * len(rows))) if jump_share is not None else len(jumps)
    keep_jumps = set(sorted(jumps, key=lambda b: (-scores.get(b, 0.0), b))[:allowed])
    out: list[Note] = []
    previous: int | None = None
    for beat in sorted(rows):
        row = sorted(rows[beat], key=lambda n: n.lane)
        if len(row) > 1 and beat not in keep_jumps:
            # one arrow: a hold first (the step the player keeps), then one off the previous row's lane
            row = [min(row, key=lambda n: (not n.kind.has_length, n.lane == previous, n.lane))]
        elif len(row) > 2:  # a harder chart's hand (3+ arrows) stays a jump: two feet, holds first
            row = sorted(sorted(row, key=lambda n: (not n.kind.has_length, n.lane))[:2], key=lambda n: n.lane)
        out.extend(row)
        previous = row[0].lane if len(row) == 1 else None
    out = _two_panels(_drop_covered(out))
    if slot == 0:  # rolls are a harder skill (Verify flags them at Beginner): a Beginner row keeps a hold
        out = [n.replace(kind=NoteKind.HOLD) if n.kind == NoteKind.ROLL else n for n in out]
    return out


#: A Beginner row's replacement panels for the foot that steps it, best first (its own side, then the centre).
_FOOT_PANELS = {0: (0, 2, 1), 1: (3, 1, 2)}  # left foot: Left, Up, Down; right foot: Right, Down, Up


def uncrossed(notes: list[Note], timing: TimingData, passes: int = 200) -> tuple[list[Note], int]:
    """A Beginner chart without crossovers where a changed arrow can avoid them.

    A simplified Beginner keeps one of the harder chart's arrows a row, and without the rows in between,
    alternating feet can end up crossed (left foot on Right): 97 % of human Beginner charts have no crossover
    (``chart.checks.parity``), and Verify flags each one there. The first crossing single-arrow row (by
    :func:`chart.parity.parse_feet`) takes the first panel of its foot's side (:data:`_FOOT_PANELS`) that lowers
    the chart's crossovers, is free of holds and does not repeat the row before; a row no panel helps stays as it
    is. Repeated until none is left (at most ``passes`` changes). Returns the notes and how many arrows changed."""
    from chart.parity import parse_feet

    out = sorted(notes)
    stuck: set[Fraction] = set()
    changed = 0
    for _ in range(passes):
        parse = parse_feet(out, timing)
        k = next((k for k, r in enumerate(parse.rows) if r.crossover and len(r.notes) == 1
                  and r.beat not in stuck and r.feet[0] is not None), None)
        if k is None:
            break
        row = parse.rows[k]
        foot = row.feet[0]
        assert foot is not None  # the search above took only rows with a foot
        i = out.index(row.notes[0])
        before = {n.lane for n in parse.rows[k - 1].notes} if k else set()  # the step row before it
        for lane in _FOOT_PANELS[int(foot)]:
            moved = out[i].replace(lane=lane)
            if lane == out[i].lane or lane in before or any(
                    n.lane == lane and n is not out[i] and n.beat <= moved.end_beat and moved.beat <= n.end_beat
                    for n in out):
                continue
            trial = sorted([*out[:i], moved, *out[i + 1:]])
            if parse_feet(trial, timing).crossovers < parse.crossovers:
                out, changed = trial, changed + 1
                break
        else:
            stuck.add(row.beat)
    return out, changed


def _held_within(notes: list[Note], timing: TimingData, end_s: float) -> list[Note]:
    """Holds that would end after the audio end on the sixteenth grid before it (or become taps)."""
    from inference.lane_features import cut_hold_length

    end_beat = timing.seconds_to_beat(Fraction(end_s).limit_denominator(1 << 20))
    out = []
    for n in notes:
        if n.kind.has_length and n.end_beat > end_beat:
            length = cut_hold_length(n.beat, end_beat)
            n = n.replace(length=length) if length else n.replace(kind=NoteKind.TAP, length=Fraction(0))
        out.append(n)
    return out


def _two_panels(notes: list[Note]) -> list[Note]:
    """At most two panels at once, the rule of every drafted chart: where a kept row's arrows plus the holds still
    down exceed two (a harder chart's bracket under two long holds), the latest holds end on the sixteenth grid
    before that row (or become taps), as the lane decoder ends them (:func:`inference.lane_features.cut_hold_length`)."""
    from inference.lane_features import cut_hold_length

    out = sorted(notes)
    down: dict[int, int] = {}  # lane -> index in out of the hold still down
    by_beat: dict[Fraction, list[int]] = {}
    for i, n in enumerate(out):
        by_beat.setdefault(n.beat, []).append(i)
    for beat in sorted(by_beat):
        down = {lane: i for lane, i in down.items() if out[i].end_beat >= beat}
        row = by_beat[beat]
        for lane, i in sorted(down.items(), key=lambda kv: (-out[kv[1]].beat, kv[0])):
            if len(down) + len(row) <= 2:
                break
            length = cut_hold_length(out[i].beat, beat)
            out[i] = out[i].replace(length=length) if length else out[i].replace(kind=NoteKind.TAP, length=Fraction(0))
            del down[lane]
        down.update({out[i].lane: i for i in row if out[i].kind.has_length})
    return out


def _drop_covered(notes: list[Note]) -> list[Note]:
    """Drop a note that a kept hold of its lane covers (cannot happen with one chart's rows, kept for safety)."""
    out: list[Note] = []
    ends: dict[int, Fraction] = {}
    for n in sorted(notes):
        if n.lane in ends and n.beat <= ends[n.lane]:
            continue
        out.append(n)
        if n.kind.has_length:
            ends[n.lane] = n.end_beat
    return out


def row_seconds(timing: TimingData, beats: Sequence[Fraction]) -> np.ndarray:
    return timing.beats_to_seconds_array(np.array([float(b) for b in beats], dtype=np.float64))


def simplify_drafts(drafter: Any, audio: Any, timing: TimingData, higher_notes: Sequence[Note], higher_slot: Any,
                    targets: Sequence[Any], progress: ProgressFn | None,
                    cancel: CancelToken | None, keyboard: bool = False) -> list[SlotDraft]:
    """:meth:`inference.drafter.Drafter.simplify` (documented there and in this module's docstring). ``keyboard``:
    the harder chart is a keyboard chart (an osu!mania map, :mod:`chart.keyboard`), played with fingers, so no
    arrow moves for the feet (:func:`uncrossed`, :func:`~inference.simplify_feet.eased`): they would only stray
    from the designer's arrows."""
    from inference.backends import cancel_scope
    from inference.decode import settings_for, slot_name, smooth
    from inference.draft_audio import beat_window, run_onset_model
    from inference.lane_decision import share_range

    high = to_slot(higher_slot)
    lows = [to_slot(t) for t in targets]
    if bad := [t.sm_name for t in lows if t >= high]:
        raise DraftError(f"simplify goes from a higher slot to lower ones: {', '.join(bad)} is not below "
                         f"{high.sm_name}")
    from chart.formats.display_segments import fake_ranges, never_judged

    fakes = fake_ranges(timing)  # rows StepMania never judges (warps, fake segments) are gimmicks, not rhythm
    beats = [b for b in onset_beats(higher_notes) if not never_judged(timing, b, fakes)]
    if not beats:
        raise DraftError(f"the {high.sm_name} chart has no notes to simplify")
    analysis = audio if isinstance(audio, SongAnalysis) else drafter.analyse(audio, progress, cancel)
    end_s = float(analysis.duration_s)  # rows past the audio (a chart longer than its file) are not playable
    beats = [b for b in beats if float(timing.beat_to_seconds(b)) <= end_s]
    if not beats:
        raise DraftError(f"the {high.sm_name} chart has no notes within the audio ({end_s:.1f} s)")
    cancel = cancel or CancelToken()
    report = progress or (lambda stage, fraction: None)
    window = beat_window(timing, analysis, None, None)
    report("model", 0.0)
    plain = [SimpleNamespace(slot=t, cond=None, cond_slot=0) for t in lows]  # unconditioned rows of one batch
    with cancel_scope(drafter.backend, cancel.check):  # Cancel ends a wait on a server that never answers
        prob = run_onset_model(drafter.onset, drafter.backend, analysis, timing, window, plain)
    report("model", 1.0)
    cancel.check()
    seconds = row_seconds(timing, beats)
    decision = (drafter.lanes.extra.get("decision") or {}) if drafter.lanes is not None else {}
    jump_high = (share_range(decision, "jump_range") or ((), ()))[1]
    # the whole song, as a plain draft's and a refine's window: Accept all replaces the target chart (its old notes
    # before the source's first row or after its last are not left mixed into the draft)
    start, end = min(window.start_beat, beats[0]), max(window.end_beat, beats[-1] + Fraction(1, 192))
    onset, drafts = drafter.onset, []
    for i, low in enumerate(lows):
        target, source = settings_for(onset, int(low)), settings_for(onset, int(high))
        scores = row_scores(smooth(prob[i], target.smooth_frames), analysis.frame_rate, seconds)
        count = target_count(len(beats), target, source, slot_name(int(low)), scores)
        kept = rows_to_keep(seconds, scores, count, target.min_gap_s)
        keep_beats = {beats[k] for k in kept}
        share = jump_high[int(low)] if int(low) < len(jump_high) else None
        notes = simplified_notes(higher_notes, keep_beats, {beats[k]: float(scores[k]) for k in kept},
                                 int(low), share)
        notes = _held_within(notes, timing, end_s)
        changed = moved = 0
        if int(low) == 0 and not keyboard:
            notes, changed = uncrossed(notes, timing)
        if not keyboard:
            notes, moved = eased(notes, higher_notes, timing)  # no harder on the feet than the source
        prov = Provenance(onset.model_id, onset.version, onset.sha256, f"kept from the {high.sm_name} chart",
                          drafter.backend.describe(), 0,
                          {"mode": "simplify", "slot": low.sm_name, "simplified_from": high.sm_name,
                           "higher_rows": len(beats), "rows_kept": len(keep_beats), "arrows_uncrossed": changed,
                           "arrows_eased": moved})
        drafts.append(SlotDraft(low, notes, start, end, target.threshold, prov,
                                row_confidence={beats[k]: float(scores[k]) for k in kept},
                                curve=prob[i], frame_rate=analysis.frame_rate))
    return drafts
