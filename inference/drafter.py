"""Drafting: audio + timing -> notes for one or all difficulty slots, a beat range, variants, or a refine.

Pipeline: ``audio.decode`` -> ``inference.features`` (once per song, cached) -> beat guide from the chart's
timing (``inference.beatguide``) -> the onset model on a backend (all requested slots as one batch) ->
``inference.decode`` (peaks, NPS target, snapping) -> ``inference.lanes`` (arrows, holds, post-rules) -> Notes.

Scope rules the editor relies on: a draft for ``[start_beat, end_beat)`` returns notes only in that range,
holds included (a hold that would run past ``end_beat`` is shortened onto the sixteenth grid before it, or
becomes a tap), so applying it as one ``ReplaceRegion`` never touches a designer's note outside the range.
Every result carries :class:`Provenance` (model ids and sha256, backend, seed, parameters).

The model runs only on the frames of the range plus ``context_frames`` on each side (see
:func:`inference.time_chunks.context_frames`), so a short range drafts in a fraction of a full-song draft.
The lane model is a per-row recurrent step; it runs on ``lane_backend`` (local by default): one network round
trip per row would cost far more than the step itself.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from chart.notes import Note, onset_beats
from chart.song import MODEL_SLOTS, Slot
from chart.timing import TimingData
from inference.analysis_cache import AnalysisCache
from inference.backends import Backend, OnnxBackend, cancel_scope, lane_step_backend
from inference.draft_audio import clip_to_range, onset_train
from inference.draft_types import (
    AudioLike,
    CancelToken,
    DraftError,
    ProgressFn,
    Provenance,
    SlotDraft,
    SongAnalysis,
    to_slot,
)
from inference.lane_context import arrows_drafts, finish_refine, kept_arrows, lane_confidence, with_context
from inference.lane_features import LaneRows, rows_from_notes
from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError, default_models_dir
from inference.simplify import simplify_drafts
from inference.slot_rise import Excess, rise_plan, rising_jumps, split_jumps, thin_to_limit

VARIANT_TEMPERATURE = 0.8  # lane sampling temperature of variants 1..N-1 (variant 0 is the greedy draft)
VARIANT_DENSITY_SPREAD = 0.15  # variants' NPS targets are drawn within +-15 % of the base density
RISE_ATTEMPTS = 3  # passes of inference.slot_rise step 2 (a slot placed anew can miss its limit again)


@dataclass
class _Job:
    slot: Slot
    nps: float | None
    seed: int
    temperature: float
    cond: np.ndarray | None = None  # onset train of the lower chart [T]
    cond_slot: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    lower_beats: list[Fraction] = field(default_factory=list)  # onset rows of the lower chart (refine)
    context: Sequence[Note] = ()  # the chart's notes: its rows before the window are the lane model's past
    lower_rows: LaneRows | None = None  # refine: the lower chart's arrows, kept on the rows the draft keeps
    asked_seed: int | None = None  # the seed asked for, the provenance's, where ``seed`` is a variant's own


class Drafter:
    """Draft, vary and refine charts with the onset model (and the lane model when one is shipped).

    Parameters
    ----------
    onset : Manifest
        The onset model's manifest (contract in ARCHITECTURE.md §7).
    lanes : Manifest, optional
        The lane model's manifest; without it lanes follow the alternation rule of :mod:`inference.lanes`.
    backend, lane_backend : Backend, optional
        Run the onset model (local ONNX by default; a RemoteBackend or FallbackBackend for a server) and the lane
        model (local ONNX on the CPU by default).
    """

    def __init__(self, onset: Manifest, lanes: Manifest | None = None, backend: Backend | None = None,
                 lane_backend: Backend | None = None, cache_size: int = 2) -> None:
        if onset.features is None:
            raise ManifestError(f"{onset.model_id}: manifest has no feature parameters")
        self.onset, self.lanes = onset, lanes
        self.backend = backend or OnnxBackend()
        self.lane_backend = lane_backend or lane_step_backend()
        self.analyses: AnalysisCache[SongAnalysis] = AnalysisCache(cache_size)

    @classmethod
    def from_models_dir(cls, models_dir: str | Path | None = None, backend: Backend | None = None) -> Drafter:
        """Load ``onset.manifest.json`` (required) and ``lane.manifest.json`` (optional), sha256 verified."""
        folder = Path(models_dir) if models_dir is not None else default_models_dir()
        onset_path = folder / f"onset{MANIFEST_SUFFIX}"
        if not onset_path.is_file():
            raise ManifestError(f"no onset model in {folder} (expected onset{MANIFEST_SUFFIX})")
        lane_path = folder / f"lane{MANIFEST_SUFFIX}"
        lanes = Manifest.load(lane_path) if lane_path.is_file() else None
        return cls(Manifest.load(onset_path), lanes, backend)

    # ------------------------------------------------------------------ audio
    def analyse(self, audio: AudioLike, progress: ProgressFn | None = None,
                cancel: CancelToken | None = None) -> SongAnalysis:
        """Features of a song (cached by file path+mtime+size, or by the samples' bytes)."""
        from inference.draft_audio import analyse_audio, audio_key

        params = self.onset.features
        assert params is not None
        return self.analyses.get(audio_key(audio, params), lambda: analyse_audio(audio, params, progress, cancel))

    # ------------------------------------------------------------------ public drafting
    def draft(self, audio: AudioLike | SongAnalysis, timing: TimingData, slots: Sequence[Slot | int | str] = MODEL_SLOTS,
              start_beat: Fraction | None = None, end_beat: Fraction | None = None,
              nps: Mapping[Slot, float] | None = None, seed: int = 0, progress: ProgressFn | None = None,
              cancel: CancelToken | None = None) -> list[SlotDraft]:
        """Draft each slot in ``slots`` for the song or ``[start_beat, end_beat)``; one batch on the backend.

        Parameters
        ----------
        audio : path, (samples [n] float32, sample rate Hz) or SongAnalysis
            The song; features are computed once per song and cached.
        timing : TimingData
            The chart's timing: beat grid for the beat guide and for snapping.
        slots : sequence of Slot, index or name
            Beginner..Challenge.
        start_beat, end_beat : Fraction, optional
            Draft only ``[start_beat, end_beat)`` (default: beat 0 to the end of the audio).
        nps : mapping Slot -> float, optional
            Density targets in notes per second (default: the manifest's per-slot decode settings).
        seed : int
            Recorded in the provenance; greedy drafts do not depend on it.
        progress, cancel : optional
            ``progress(stage, fraction)`` callback; :class:`CancelToken` checked between stages.

        Returns
        -------
        list of SlotDraft
            In the order of ``slots``; notes only inside the range.
        """
        nps = dict(nps or {})
        jobs = [_Job(s, nps.get(s), seed, 0.0) for s in (to_slot(x) for x in slots)]
        return self._run(audio, timing, jobs, start_beat, end_beat, progress, cancel)

    def variants(self, audio: AudioLike | SongAnalysis, timing: TimingData, slot: Slot | int | str, n: int,
                 start_beat: Fraction | None = None, end_beat: Fraction | None = None, nps: float | None = None,
                 seed: int = 0, context: Sequence[Note] = (), progress: ProgressFn | None = None,
                 cancel: CancelToken | None = None) -> list[SlotDraft]:
        """``n`` different drafts of one slot (seeded: same seed, same variants).

        Variant 0 is the plain draft; the others sample lanes at temperature :data:`VARIANT_TEMPERATURE` and
        draw their density within :data:`VARIANT_DENSITY_SPREAD` of the base one, each from its own seed
        (``seed + i``: the provenance records ``seed`` as asked and that one as ``variant_seed``).
        ``context``: the chart's notes, whose rows before ``start_beat`` the lane model continues from (see
        :meth:`arrows`).
        """
        if n < 1:
            raise DraftError("ask for at least one variant")
        slot_ = to_slot(slot)
        base = self._run(audio, timing, [_Job(slot_, nps, seed, 0.0, context=context)], start_beat, end_beat,
                         progress, cancel)[0]
        if n == 1:
            return [base]
        base_nps = nps if nps is not None else base.nps(timing)
        rng = np.random.default_rng(seed)
        jobs = []
        for i in range(1, n):
            factor = 1.0 + VARIANT_DENSITY_SPREAD * float(rng.uniform(-1.0, 1.0))
            jobs.append(_Job(slot_, base_nps * factor if base_nps else None, seed + i, VARIANT_TEMPERATURE,
                             params={"variant": i, "variant_seed": seed + i}, context=context, asked_seed=seed))
        return [base, *self._run(audio, timing, jobs, start_beat, end_beat, progress, cancel)]

    def refine(self, audio: AudioLike | SongAnalysis, timing: TimingData, lower_notes: Sequence[Note],
               lower_slot: Slot | int | str, targets: Sequence[Slot | int | str],
               start_beat: Fraction | None = None, end_beat: Fraction | None = None,
               nps: Mapping[Slot, float] | None = None, seed: int = 0, keep_arrows: bool = True,
               progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> list[SlotDraft]:
        """Draft higher slots conditioned on a lower chart's onset train (its rhythmic skeleton).

        ``lower_notes`` is the lower chart (slot ``lower_slot``); ``targets`` must all be above it. Each draft's
        provenance records ``lower_rows_kept``: the share of the lower chart's rows (in the range) that the
        refined chart keeps. With ``keep_arrows`` (the default) the rows kept from the lower chart keep its arrows,
        holds, rolls and lifts and the lane model draws the added rows around them (on the validation songs the charter's
        higher chart repeats the lower one's arrows on 36 % of such rows, a lane model drafting them afresh matches
        on 20 %). Other parameters as in :meth:`draft`.
        """
        if not self.onset.conditioning:
            raise DraftError(f"{self.onset.model_id} was not trained for refine (no conditioning input)")
        low = to_slot(lower_slot)
        highs = [to_slot(t) for t in targets]
        if bad := [t.sm_name for t in highs if t <= low]:
            raise DraftError(f"refine goes from a lower slot to higher ones: {', '.join(bad)} is not above "
                             f"{low.sm_name}")
        if not (lower_beats := onset_beats(lower_notes)):  # conditioned on "steps nowhere", a thin "Hard"
            raise DraftError(f"the {low.sm_name} chart has no notes to refine from")
        analysis = audio if isinstance(audio, SongAnalysis) else self.analyse(audio, progress, cancel)
        train = onset_train(lower_notes, timing, len(analysis.normalised), analysis.frame_rate)
        nps = dict(nps or {})
        lower_rows = rows_from_notes(lower_notes) if keep_arrows else None
        jobs = [_Job(t, nps.get(t), seed, 0.0, cond=train, cond_slot=int(low),
                     params={"refined_from": low.sm_name, "lower_rows": int(train.sum())}, lower_beats=lower_beats,
                     lower_rows=lower_rows)
                for t in highs]
        drafts = self._run(analysis, timing, jobs, start_beat, end_beat, progress, cancel)
        return finish_refine(drafts, lower_notes, lower_beats, keep_arrows)

    def arrows(self, audio: AudioLike | SongAnalysis, timing: TimingData, rows: Sequence[Fraction],
               slot: Slot | int | str, n: int = 1, end_beat: Fraction | None = None, seed: int = 0,
               context: Sequence[Note] = (), progress: ProgressFn | None = None,
               cancel: CancelToken | None = None) -> list[SlotDraft]:
        """Arrows for a rhythm that is already there: the lane model alone on the onset rows ``rows`` (exact
        beats: a designer's recorded or typed rhythm, or another chart's), for slot ``slot``.

        Returns ``n`` variants in ``[rows[0], end_beat)`` (default: one row past the last): variant 0 greedy, the
        others sampled at :data:`VARIANT_TEMPERATURE` with seeds ``seed + i`` (provenance: ``seed`` as asked,
        ``variant_seed`` that one). Every row gets an arrow set (taps,
        jumps, holds as the lane model decides, holds cut at the end of the range); the rows themselves are kept.
        ``context`` is the chart's notes: its last rows before the first one (:mod:`inference.lane_context`) are
        given to the lane model as what came before, so the passage continues the chart's patterns.
        """
        return arrows_drafts(self, audio, timing, rows, slot, n, end_beat, seed, context, progress, cancel)

    def simplify(self, audio: AudioLike | SongAnalysis, timing: TimingData, higher_notes: Sequence[Note],
                 higher_slot: Slot | int | str, targets: Sequence[Slot | int | str], progress: ProgressFn | None = None,
                 cancel: CancelToken | None = None, keyboard: bool = False) -> list[SlotDraft]:
        """Easier charts drawn from a harder one's rows and arrows (:mod:`inference.simplify`): for each target
        slot below ``higher_slot``, the harder chart's rows ranked by the target's plain onset curve, as many as
        the training songs' slot ratio implies, with their arrows (jumps thinned to the slot's usual share;
        not moved for the feet from a ``keyboard`` chart, an osu!mania map)."""
        return simplify_drafts(self, audio, timing, higher_notes, higher_slot, targets, progress, cancel, keyboard)

    # ------------------------------------------------------------------ pipeline
    def _run(self, audio: AudioLike | SongAnalysis, timing: TimingData, jobs: list[_Job],
             start_beat: Fraction | None, end_beat: Fraction | None, progress: ProgressFn | None,
             cancel: CancelToken | None) -> list[SlotDraft]:
        from inference.draft_audio import beat_window, run_onset_model
        from inference.draft_silence import silences
        report = progress or (lambda stage, fraction: None)
        cancel = cancel or CancelToken()
        analysis = audio if isinstance(audio, SongAnalysis) else self.analyse(audio, progress, cancel)
        quiet = silences(analysis.samples, analysis.sample_rate, timing)  # no row in the tail, no hold into one
        window = beat_window(timing, analysis, start_beat, end_beat, quiet)
        cancel.check()
        report("model", 0.0)
        with cancel_scope(self.backend, cancel.check):  # Cancel ends a wait on a server that never answers
            prob = run_onset_model(self.onset, self.backend, analysis, timing, window, jobs)
        report("model", 1.0)
        cancel.check()
        drafts = []
        for i, job in enumerate(jobs):
            report("decode", i / len(jobs))
            drafts.append(self._decode_job(analysis, timing, window, job, prob[i]))
        self._rising_counts(timing, jobs, drafts)
        cancel.check()
        report("lanes", 0.0)
        self._assign_lanes(analysis, timing, window, jobs, drafts)
        self._rising_notes(analysis, timing, window, jobs, drafts)
        rising_jumps([int(j.slot) for j in jobs], drafts)
        report("lanes", 1.0)
        return drafts

    def _rising_counts(self, timing: TimingData, jobs: list[_Job], drafts: list[SlotDraft]) -> None:
        """Step 1 of :mod:`inference.slot_rise`: thin slots over their limit before lanes (rows x expected notes
        per row)."""
        from inference.lane_decision import expected_notes_per_row

        def notes(i: int) -> float:
            return len(drafts[i]._rows[0]) * expected_notes_per_row(self.lanes, int(jobs[i].slot))  # type: ignore[attr-defined]

        for ex in _rise_plan(jobs, notes):
            thin_to_limit(drafts[ex.index], timing, ex, jobs[ex.upper].slot.sm_name)

    def _rising_notes(self, analysis: SongAnalysis, timing: TimingData, window: Any, jobs: list[_Job],
                      drafts: list[SlotDraft]) -> None:
        """Step 2 of :mod:`inference.slot_rise`, on the placed notes: split jumps, else thin and place again."""
        placed = lambda i: float(len(drafts[i].notes))  # noqa: E731
        for _ in range(RISE_ATTEMPTS):
            redo = []
            for ex in _rise_plan(jobs, placed):
                draft = drafts[ex.index]
                excess = math.ceil(ex.notes - ex.limit - 1e-9)
                notes, split = split_jumps(draft.notes, draft.row_confidence, excess)
                if split >= excess:
                    draft.notes = notes
                    params = draft.provenance.parameters
                    params["jumps_split"] = params.get("jumps_split", 0) + split
                else:
                    thin_to_limit(drafts[ex.index], timing, ex, jobs[ex.upper].slot.sm_name)
                    redo.append(ex.index)
            if not redo:
                return
            self._assign_lanes(analysis, timing, window, [jobs[i] for i in redo], [drafts[i] for i in redo])

    def _decode_job(self, analysis: SongAnalysis, timing: TimingData, window: Any, job: _Job,
                    prob: np.ndarray) -> SlotDraft:
        from inference.decode import decode_onsets, refine_rows_prior, settings_for
        from inference.draft_rests import MAX_RUN_S
        from inference.lane_decision import expected_notes_per_row

        settings = settings_for(self.onset, int(job.slot))
        prior = None
        if job.cond is not None:  # a refine: the lower chart's rows in the window imply a density
            lo = bisect.bisect_left(job.lower_beats, window.start_beat)
            hi = bisect.bisect_left(job.lower_beats, window.end_beat)
            prior = refine_rows_prior(settings, job.cond_slot, hi - lo)
            job.params["prior_rows"] = round(prior, 2) if prior is not None else None
        per_row = expected_notes_per_row(self.lanes, int(job.slot))  # an NPS target counts a jump as 2 notes
        if job.nps is not None or settings.nps_target is not None:
            job.params["notes_per_row"] = round(per_row, 4)
        decoded = decode_onsets(prob, analysis.frame_rate, timing, settings, nps_target=job.nps,
                                conditioned=job.cond is not None, duration_s=window.duration_s, prior_rows=prior,
                                notes_per_row=per_row, max_run_s=MAX_RUN_S[int(job.slot)])
        keep = [i for i, b in enumerate(decoded.beats) if window.start_beat <= b < window.rows_end]
        params = {"slot": job.slot.sm_name, "start_beat": str(window.start_beat), "end_beat": str(window.end_beat),
                  "nps_target": job.nps, "threshold": round(decoded.threshold, 6),
                  "span_s": round(window.duration_s, 6), "lane_temperature": job.temperature, **job.params}
        prov = Provenance(self.onset.model_id, self.onset.version, self.onset.sha256, self._lane_name(),
                          self.backend.describe(), job.seed if job.asked_seed is None else job.asked_seed, params)
        draft = SlotDraft(job.slot, [], window.start_beat, window.end_beat, decoded.threshold, prov,
                          row_confidence={decoded.beats[i]: float(decoded.probs[i]) for i in keep},
                          curve=prob, frame_rate=analysis.frame_rate)
        draft._rows = ([decoded.beats[i] for i in keep], decoded.seconds[keep])  # type: ignore[attr-defined]
        return draft

    def _assign_lanes(self, analysis: SongAnalysis, timing: TimingData, window: Any, jobs: list[_Job],
                      drafts: list[SlotDraft]) -> None:
        from inference.draft_silence import quiet_holds
        from inference.lanes import decode_rows

        groups: dict[tuple[float, int], list[int]] = {}
        for i, job in enumerate(jobs):  # one batched decode per (temperature, seed): greedy slots share one
            groups.setdefault((job.temperature, job.seed if job.temperature else 0), []).append(i)
        for (temperature, seed), members in groups.items():
            rows_in, givens, fixed = [], [], []
            for i in members:
                drafted, at = drafts[i]._rows  # type: ignore[attr-defined]
                beats, seconds, given = with_context(timing, drafted, at, jobs[i].context, window.start_beat)
                rows_in.append((beats, seconds, int(jobs[i].slot)))
                givens.append(given)
                fixed.append(kept_arrows(jobs[i].lower_rows, beats))
                params = drafts[i].provenance.parameters
                if given is not None:
                    params["context_rows"] = len(given)
                if jobs[i].lower_rows is not None:
                    params["lower_arrows_kept"] = len(fixed[-1])
            stepper, requests = self.lane_requests(analysis, rows_in)
            for request, given, keep in zip(requests, givens, fixed):
                request.given, request.fixed = given, keep
            for i, rows in zip(members, decode_rows(stepper, requests, temperature, seed)):
                notes = clip_to_range(rows.to_notes(), window.start_beat, window.end_beat, jobs[i].context)
                drafts[i].notes = quiet_holds(notes, window.quiet, timing)  # holds end before a silence
                drafts[i].lane_confidence = lane_confidence(rows, window.start_beat, window.end_beat)
                del drafts[i]._rows  # type: ignore[attr-defined]

    def lane_requests(self, analysis: SongAnalysis, rows: Sequence[tuple[Sequence[Fraction], np.ndarray, int]]
                      ) -> tuple[Any, list[Any]]:
        """The lane stepper (the lane model, else the alternation rule) and one decoder request per chart.

        ``rows`` holds, per chart, its onset rows as exact beats, their seconds (float [N]) and the slot index.
        """
        from inference.lane_features import row_features
        from inference.lanes import LaneRequest, stepper_for

        model: Any = None
        if self.lanes is not None:
            from inference.lanes import OnnxLaneStepper

            model = OnnxLaneStepper(self.lanes, self.lane_backend)
        stepper, rate_hz, n_mels = stepper_for(model)
        lane_params = self.lanes.features if self.lanes is not None else None
        assert self.onset.features is not None
        audio = analysis.raw_features(lane_params, self.onset.features) if lane_params is not None else None
        return stepper, [LaneRequest(list(beats), row_features(beats, seconds, slot, audio, rate_hz, n_mels), slot,
                                     np.asarray(seconds, dtype=np.float64)) for beats, seconds, slot in rows]

    def _lane_name(self) -> str:
        return self.lanes.display_id() if self.lanes is not None else "rule: alternation (no lane model)"


def _rise_plan(jobs: list[_Job], notes: Callable[[int], float]) -> list[Excess]:
    """:func:`inference.slot_rise.rise_plan` of the jobs (a designer's density target fixes a slot), with
    ``notes(i)`` the notes of job ``i``."""
    return rise_plan([int(j.slot) for j in jobs], [j.nps is not None for j in jobs], notes)

