"""What the lane model is given besides the rows it places arrows on, and arrows for a rhythm that is already there.

* **Context**: the chart's last :data:`CONTEXT_ROWS` rows before a drafted passage come first in the decoder's
  request as given rows (``LaneRequest.given``), so a regenerated or re-arrowed passage continues the chart's
  patterns (validation passages: the charter's arrow set on 26.5 % of the rows with it, 21.3 % without).
* **Kept arrows**: a refine keeps the lower chart's arrows on the rows it keeps (``LaneRequest.fixed``), and
  their rolls and lifts (:func:`kept_kinds`).
* **Confidence**: the decoder's probability for each arrow set it chose, per beat, for the editor's badges.
* :func:`arrows_drafts`: ``Drafter.arrows``, the lane model alone on a designer's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from chart.notes import Note, NoteKind
from chart.timing import TimingData
from inference.draft_audio import clip_to_range, ends_within
from inference.draft_types import (
    CancelToken,
    DraftError,
    ProgressFn,
    Provenance,
    SlotDraft,
    SongAnalysis,
    to_slot,
)
from inference.lane_features import LaneRows, rows_from_notes

CONTEXT_ROWS = 64  # rows of a chart before a passage given to the lane model as its past


def context_rows(context: Sequence[Note], start: Fraction) -> LaneRows | None:
    """The last :data:`CONTEXT_ROWS` onset rows of ``context`` before beat ``start`` (None when there are none)."""
    rows = rows_from_notes([x for x in context if x.beat < start])
    if not len(rows):
        return None
    k = CONTEXT_ROWS
    return LaneRows(rows.beats[-k:], rows.arrows[-k:], rows.holds[-k:], rows.lengths[-k:])


def kept_arrows(lower: LaneRows | None, beats: Sequence[Fraction]) -> dict[int, tuple[int, int, list[Fraction]]]:
    """Row index -> the lower chart's (arrows, holds, lengths) for the rows of ``beats`` the lower chart has."""
    if lower is None:
        return {}
    index = {b: i for i, b in enumerate(beats)}
    return {index[b]: (int(lower.arrows[k]), int(lower.holds[k]), list(lower.lengths[k]))
            for k, b in enumerate(lower.beats) if b in index}


def kept_kinds(notes: Sequence[Note], lower: Sequence[Note]) -> list[Note]:
    """``notes`` (a refine's, arrows kept) with the lower chart's rolls and lifts where it kept them.

    The lane decoder knows arrows and holds only (:func:`inference.lane_features.rows_from_notes` reads a roll as
    a hold, a lift as a tap), so a kept roll came back a hold (18 rolls in 10 of 20 songs, session 20). A hold
    of the refine on a lower roll's head becomes a roll again (at the refine's length: a kept hold may have been
    shortened for an added row), a tap on a lower lift a lift. The lower chart's mines and fakes are not steps
    and are not carried over: a draft has none."""
    kinds = {(n.beat, n.lane): n.kind for n in lower if n.kind in (NoteKind.ROLL, NoteKind.LIFT)}
    out = []
    for n in notes:
        kind = kinds.get((n.beat, n.lane))
        if (kind, n.kind) in ((NoteKind.ROLL, NoteKind.HOLD), (NoteKind.LIFT, NoteKind.TAP)):
            n = n.replace(kind=kind)
        out.append(n)
    return out


def finish_refine(drafts: list[SlotDraft], lower_notes: Sequence[Note], lower_beats: Sequence[Fraction],
                  keep_arrows: bool) -> list[SlotDraft]:
    """A refine's drafts: the lower chart's rolls and lifts back on its kept arrows (:func:`kept_kinds`, with
    ``keep_arrows``), and ``lower_rows_kept`` in the provenance (the share of the lower chart's rows in the range
    the draft keeps: how much of its rhythm survived, reported by eval; the CLI says the counts,
    ``lower_rows_kept_count`` of ``lower_rows_in_range``). The model keeps most of them, not all: a row it hears
    weakly (a triplet beside a louder eighth) can fall under the slot's threshold."""
    for draft in drafts:
        if keep_arrows:
            draft.notes = kept_kinds(draft.notes, lower_notes)
        lower = {b for b in lower_beats if draft.start_beat <= b < draft.end_beat}
        kept = lower & {n.beat for n in draft.notes}
        params = draft.provenance.parameters
        params["lower_rows_kept"] = round(len(kept) / len(lower), 4) if lower else None
        params["lower_rows_kept_count"], params["lower_rows_in_range"] = len(kept), len(lower)
    return drafts


def lane_confidence(rows: LaneRows, start: Fraction, end: Fraction) -> dict[Fraction, float]:
    """Beat -> the lane model's probability of the arrow set it chose there, for the rows in ``[start, end)``."""
    if rows.confidence is None:
        return {}
    return {b: float(c) for b, c in zip(rows.beats, rows.confidence) if start <= b < end}


def with_unstepped(notes: Sequence[Note], old: Sequence[Note]) -> list[Note]:
    """``notes`` (new arrows) plus the mines and fakes of ``old`` that no arrow or hold of ``notes`` covers."""
    kept = [m for m in old if not m.kind.is_onset
            and not any(x.lane == m.lane and x.beat <= m.beat <= x.end_beat for x in notes)]
    return sorted([*notes, *kept])


def with_context(timing: TimingData, beats: Sequence[Fraction], seconds: np.ndarray, context: Sequence[Note],
                 start: Fraction) -> tuple[list[Fraction], np.ndarray, LaneRows | None]:
    """The rows to decode and their seconds: the context's rows before ``start`` first (also returned, to give to
    the decoder), then ``beats`` (at ``seconds``)."""
    given = context_rows(context, start) if context else None
    if given is None:
        return list(beats), np.asarray(seconds, dtype=np.float64), None
    head = timing.beats_to_seconds_array(np.array([float(b) for b in given.beats], dtype=np.float64))
    return [*given.beats, *beats], np.concatenate([head, np.asarray(seconds, dtype=np.float64)]), given


def arrows_drafts(drafter: Any, audio: Any, timing: TimingData, rows: Sequence[Fraction], slot: Any, n: int,
                  end_beat: Fraction | None, seed: int, context: Sequence[Note], progress: ProgressFn | None,
                  cancel: CancelToken | None) -> list[SlotDraft]:
    """:meth:`inference.drafter.Drafter.arrows` (documented there)."""
    from inference.draft_silence import quiet_holds, silences
    from inference.drafter import VARIANT_TEMPERATURE
    from inference.lanes import decode_rows

    if n < 1:
        raise DraftError("ask for at least one variant")
    beats = sorted(set(rows))
    if not beats:
        raise DraftError("no notes to give arrows to: select the rows first")
    slot_ = to_slot(slot)
    analysis = audio if isinstance(audio, SongAnalysis) else drafter.analyse(audio, progress, cancel)
    cancel = cancel or CancelToken()
    start, end = beats[0], end_beat if end_beat is not None else beats[-1] + Fraction(1, 192)
    seconds = timing.beats_to_seconds_array(np.array([float(b) for b in beats], dtype=np.float64))
    all_beats, seconds, given = with_context(timing, beats, seconds, context, start)
    stepper, requests = drafter.lane_requests(analysis, [(all_beats, seconds, int(slot_))])
    requests[0].given = given
    onset = drafter.onset
    quiet = silences(analysis.samples, analysis.sample_rate, timing)  # holds end before the song falls silent
    drafts = []
    for i in range(n):
        cancel.check()
        (progress or (lambda stage, fraction: None))("lanes", i / n)
        temperature, variant_seed = (0.0, seed) if i == 0 else (VARIANT_TEMPERATURE, seed + i)
        decoded = decode_rows(stepper, requests, temperature, variant_seed)[0]
        notes = quiet_holds(clip_to_range(decoded.to_notes(), start, end, context), quiet, timing)
        notes = ends_within(notes, timing, analysis.duration_s)  # no hold runs on past the music
        prov = Provenance(onset.model_id, onset.version, onset.sha256, drafter._lane_name(),
                          drafter.backend.describe(), seed,  # as asked; a sampled variant's own seed apart
                          {"mode": "arrows", "slot": slot_.sm_name, "rows": len(beats), "variant": i,
                           **({"variant_seed": variant_seed} if i else {}),
                           "context_rows": len(given) if given is not None else 0,
                           "lane_temperature": temperature, "start_beat": str(start), "end_beat": str(end)})
        drafts.append(SlotDraft(slot_, notes, start, end, 0.5, prov, row_confidence=dict.fromkeys(beats, 1.0),
                                frame_rate=analysis.frame_rate, lane_confidence=lane_confidence(decoded, start, end)))
    return drafts
