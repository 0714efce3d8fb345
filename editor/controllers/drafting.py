"""DraftController: the AI assist — backend choice, drafting jobs, and what happens to their results.

All inference runs in a background :class:`~editor.workers.Job` through :class:`inference.drafter.Drafter`
(progress, cancel via its CancelToken); results come back to the GUI thread as ghost drafts in the
:class:`~editor.controllers.ghosts.GhostStore` (:mod:`editor.controllers.draft_results`: what a result becomes
when the song, a chart or its timing changed meanwhile; :mod:`editor.controllers.draft_jobs`: one job at a time,
Cancel). Nothing touches the chart until the designer accepts. Closing or replacing the song cancels its job, so
the next song's drafts are not refused.

The models draft :data:`chart.song.MODEL_MODE` charts (dance-single; an osu! 4K map reads as it): with a chart of
another mode current every AI action says so and does nothing, except Draft difficulties, which offers to draft
into this song's dance-single charts (4K ones for an osu! map), adding the empty ones it needs: the advice must be
one the designer can follow, and the Charts panel adds charts in the current chart's mode.

Backends: local ONNX (CUDA when it really loads, else CPU, as ``backend.describe()`` reports) or a remote
KServe V2 server (URL + token) wrapped in :class:`inference.remote.FallbackBackend`, so a dead server falls
back to local with a visible message. The drafter needs the shipped model's manifest either way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from chart.chart_commands import slot_position
from chart.commands import AddChart
from chart.keyboard import is_keyboard, keyboard_extra
from chart.retime import notes_in_timing_of, timing_groups
from chart.song import MODEL_MODE, MODEL_SLOTS, Chart, Slot
from chart.stats import placeholder_meter
from editor import messages
from editor.controllers.draft_jobs import DraftJobs, cancel_token
from editor.controllers.draft_progress import ARROWS_STAGES, DRAFT_STAGES, SIMPLIFY_STAGES, JobProgress
from editor.controllers.draft_results import DraftRequest, DraftResults
from editor.controllers.draft_tempo import tempo_refused
from editor.controllers.ghosts import GhostStore
from editor.session import EditorSession
from editor.workers import Job, JobContext


class DraftController(QObject, DraftJobs, DraftResults):
    """Drafting for one window."""

    busy_changed = Signal(bool)
    progress = Signal(float, str)
    backend_changed = Signal(str)  # backend_line()
    server_state = Signal(str, str)  # "ok" | "down" | "fallback" | "unknown", message

    def __init__(self, win, session: EditorSession, settings):
        super().__init__(win)
        self.win, self.session, self.settings = win, session, settings
        self.ghosts = GhostStore(session, self)
        # None: the shipped resources/models; GENELIVE_MODELS points the editor at another folder (own models)
        env = os.environ.get("GENELIVE_MODELS", "").strip()
        self.models_dir: Path | None = Path(env) if env else None
        self.drafter = None
        self.job: Job | None = None
        self.last_error: str | None = None
        self._drafter_key: tuple | None = None
        self._busy = False
        # "mix" or a stem name: what the draft listens to (AI panel). stem_samples(stem) -> (mono [n], sr Hz) or
        # None comes from the StemsController; drafts on stems are not evaluated with main.py eval yet.
        self.listen_to = "mix"
        self.stem_samples: Callable[[str], tuple[np.ndarray, int] | None] | None = None
        session.document_replaced.connect(self._song_replaced)

    # ------------------------------------------------------------------ backend
    def make_backend(self):
        from inference.backends import OnnxBackend

        local = OnnxBackend()
        if self.settings.get("ai/backend") != "remote":
            return local
        from inference.remote import FallbackBackend, RemoteBackend

        remote = RemoteBackend(self.settings.get("ai/remote_url"), self.settings.get("ai/remote_token") or None,
                               timeout_s=60.0, retries=1)
        return FallbackBackend(remote, local, on_status=self._fallback_status)

    def _fallback_status(self, text: str) -> None:  # called from the worker thread: signals are queued
        self.server_state.emit("fallback" if "instead" in text else "ok", text)

    def ensure_drafter(self):
        """The Drafter for the current backend settings (built on first use; raises on a bad setup)."""
        from inference.drafter import Drafter

        key = self._settings_key()
        if self.drafter is None or key != self._drafter_key:
            self.drafter = Drafter.from_models_dir(self.models_dir, backend=self.make_backend())
            self._drafter_key = key
        return self.drafter

    def _settings_key(self) -> tuple:
        return (self.settings.get("ai/backend"), self.settings.get("ai/remote_url"),
                self.settings.get("ai/remote_token"), str(self.models_dir))

    def backend_line(self) -> str:
        """The AI panel's backend line after a switch of backend: :meth:`describe` when the loaded model is the
        one the settings ask for (Remote, then Local again: the local model is still loaded), else what the next
        draft loads."""
        if self.drafter is not None and self._drafter_key == self._settings_key():
            return self.describe()
        return "remote (with local fallback)" if self.settings.get("ai/backend") == "remote" else \
            "model not loaded yet"

    def describe(self) -> str:
        """The backend line for the AI panel, with why CUDA is not used when a GPU build could not start it."""
        if self.drafter is None:
            return "model not loaded yet"
        backend = self.drafter.backend
        note = getattr(getattr(backend, "local", backend), "cuda_note", "")
        return f"{backend.describe()} — {note}" if note else backend.describe()

    def warm_up(self) -> Job | None:
        """Load the model in the background so the panel can show CUDA or CPU before the first draft."""
        def load(ctx: JobContext):
            drafter = self.ensure_drafter()
            backend = getattr(drafter.backend, "local", drafter.backend)
            if hasattr(backend, "session"):
                backend.session(drafter.onset)
        # the line for the backend set now: one switched to Remote during the load is what the next draft uses
        return self._start("ai-warmup", load, on_done=lambda _: self.backend_changed.emit(self.backend_line()),
                           quiet=True)

    def check_server(self) -> Job | None:
        """Ask the remote server whether it is ready (one quick request, off the GUI thread)."""
        from inference.remote import RemoteBackend
        from inference.remote_check import server_check

        url = self.settings.get("ai/remote_url")
        try:
            remote = RemoteBackend(url, self.settings.get("ai/remote_token") or None, connect_timeout_s=2.0)
        except ValueError as exc:
            self.server_state.emit("down", str(exc))
            return None

        folder = self.models_dir

        def ping(_ctx: JobContext) -> tuple[str, str]:
            return server_check(remote, folder)
        # Not one of the drafting jobs: a status check must never block or be blocked by a draft.
        job = Job("ai-ping", ping, parent=self)
        job.finished.connect(lambda result: self.server_state.emit(*result))
        return self.win.run_job(job)

    def _inputs(self, any_mode: bool = False, grid: bool = True) -> tuple[object, object] | None:
        """The audio (or stem) and timing to draft on; None after saying why not (a chart the models do not draft
        current, unless ``any_mode``: :meth:`_into_model_mode` asks; with ``grid``, a song without tempo: draft_tempo)."""
        if (chart := self.session.chart) is not None and chart.mode != MODEL_MODE and not any_mode:
            messages.error(self.win, "AI draft", self._not_served(chart))
            return None
        audio = self.session.audio
        # still decoding (just after opening the song): the drafter decodes the file itself, so a draft need not wait
        path = audio.path if audio is not None else self.session.audio_loading()
        if path is None:
            error = self.session.audio_error
            messages.error(self.win, "AI draft", "Drafting needs the song's audio, and none is loaded"
                                                 + (f" ({error})." if error else "."))
            return None
        if grid and (self.refused_busy() or tempo_refused(self.win, "AI draft")):  # busy first: no tempo question
            return None
        if self.listen_to != "mix":
            stem = self.stem_samples(self.listen_to) if self.stem_samples is not None else None
            if stem is None:
                messages.error(self.win, "AI draft", f"Drafting from the {self.listen_to} stem needs the stems: "
                                                     "press Separate in the Playback panel's Stems box first.")
                return None
            return stem, self.session.timing()
        return path, self.session.timing()

    def _progress(self, ctx: JobContext, stages=DRAFT_STAGES, slots: int = 1, rounds: int = 1):
        """The drafter's progress callback: each stage's fraction as the job's (one bar, 0 to 100 % once)."""
        job = JobProgress(stages, slots, rounds)
        return lambda stage, fraction: ctx.report(job(stage, fraction), f"AI: {stage}")

    def _not_served(self, chart: Chart) -> str:
        """Why the AI does nothing on ``chart`` (an osu! 7K map, dance-double, kickbox-human...), and what to do."""
        kind = "4K" if is_keyboard(chart) else MODEL_MODE
        mine = [c.slot.sm_name for c in self.session.doc.song.charts if c.mode == MODEL_MODE]
        return (f"The models draft 4-panel {MODEL_MODE} charts; this one is {chart.mode} ({chart.lanes} lanes). "
                + (f"Pick one of the song's {kind} charts (Charts panel: {', '.join(mine)})." if mine else
                   f"Draft difficulties (AI panel) offers to add {kind} charts to draft into."))

    def _into_model_mode(self, slots: list[Slot]) -> bool:
        """Whether to draft ``slots`` now: at once on a dance-single chart; on another one when the designer agrees
        to draft into this song's dance-single charts (4K for an osu! map: a 4K difficulty beside 7K ones is an
        ordinary osu! set), the missing ones added empty (taken back if the draft is cancelled or fails)."""
        chart = self.session.chart
        if chart is None or chart.mode == MODEL_MODE:
            return True
        kind = "4K" if is_keyboard(chart) else MODEL_MODE
        missing = [s.sm_name for s in slots if self.session.doc.song.chart(s) is None]
        return messages.confirm(self.win, "AI draft", (
            f"The models draft 4-panel {MODEL_MODE} charts; this one is {chart.mode} ({chart.lanes} lanes). Draft "
            f"{', '.join(s.sm_name for s in slots)} as {kind} charts of this song instead?"
            + (f" Empty {kind} {', '.join(missing)} charts are added for it; the {chart.mode} charts stay."
               if missing else "")), default=True)

    # ------------------------------------------------------------------ requests
    def chart_for(self, slot: Slot, added: list[AddChart] | None = None) -> Chart:
        """The dance-single chart of ``slot`` (created empty when missing: its own undo step, recorded in ``added``
        so a cancelled or failed draft can take it back; marked a keyboard chart as the CLI's are)."""
        mode = MODEL_MODE  # the current chart's mode, or the one the designer agreed to draft into
        chart = self.session.doc.song.chart(slot, mode)
        if chart is None:
            chart = Chart(mode=mode, slot=slot, meter=placeholder_meter(slot),
                          extra=keyboard_extra(self.session.doc.song, mode, self.session.chart))
            command = AddChart(chart, slot_position(self.session.doc.song.charts, chart),
                               name=f"Add {slot.sm_name} chart for the AI draft")
            if self.session.push(command) and added is not None:
                added.append(command)
        return chart

    def _request(self, slots: list[Slot]) -> DraftRequest:
        """The charts of ``slots`` (made when missing) and what the job's result is checked against."""
        added: list[AddChart] = []
        charts = {slot: self.chart_for(slot, added) for slot in slots}
        return DraftRequest.of(self.session.doc, charts, added)

    def draft_slots(self, slots: list[Slot], nps: dict[Slot, float], seed: int = 0) -> Job | None:
        """Draft whole charts for ``slots`` (one batch); ghosts appear in each slot's chart."""
        inputs = self._inputs(any_mode=True)
        if inputs is None or not slots or not self._into_model_mode(slots):
            return None
        path, _ = inputs
        request = self._request(slots)
        groups = timing_groups(self.session.doc.song, request.charts)  # each chart drafts on its own timing

        def run(ctx: JobContext):
            drafter = self.ensure_drafter()
            progress = self._progress(ctx, slots=max((len(g) for _t, g in groups), default=1),
                                      rounds=len(groups))
            return [d for timing, group in groups
                    for d in drafter.draft(path, timing, group, nps={s: nps[s] for s in group if s in nps} or None,
                                           seed=seed, progress=progress, cancel=cancel_token(ctx))]

        def done(drafts) -> None:
            self._show_drafts(request, drafts)
            self._note_caps(request, drafts, nps)
        return self._start("ai-draft", run, done, request=request)

    def refine_up(self, target: Slot, nps: float | None = None, seed: int = 0, keep_arrows: bool = True
                  ) -> Job | None:
        """Draft ``target`` from the current (lower) chart with the model's refine mode."""
        checked = self._rework_source("Refine", target, up=True)
        if checked is None:
            return None
        (path, _), source = checked
        request = self._request([target])
        timing, lower = notes_in_timing_of(self.session.doc.song, source, request.charts[target])
        lower_slot = source.slot

        def run(ctx: JobContext):
            drafter = self.ensure_drafter()
            return drafter.refine(path, timing, lower, lower_slot, [target], nps={target: nps} if nps else None,
                                  seed=seed, keep_arrows=keep_arrows, progress=self._progress(ctx),
                                  cancel=cancel_token(ctx))

        def done(drafts) -> None:
            self._show_refined(request, drafts, source)
            self._note_caps(request, drafts, {target: nps} if nps else {})
        return self._start("ai-refine", run, done, request=request)

    def _note_caps(self, request: DraftRequest, drafts, targets: dict[Slot, float]) -> None:
        """A warning line for each shown draft well under a target its slot's minimum gap cannot reach (inference.nps_caps)."""
        from inference.nps_caps import cap_notes, model_gaps

        shown = [d for d in drafts if self.ghosts.get(request.charts.get(d.slot)) is not None]
        notes = cap_notes(shown, targets, model_gaps(self.drafter, self.models_dir),
                          lambda slot: request.timings[id(request.charts[slot])], self.session.duration_s())
        if notes and self._current(request):
            self.win.status_warning("Under the NPS target: " + "; ".join(notes))

    def _rework_source(self, verb: str, target: Slot, up: bool) -> tuple[tuple, Chart] | None:
        """The draft inputs and the current chart for a refine (``up``) or a simplify to ``target``; None after
        saying why not. The model knows the five difficulty slots only: an Edit chart's level is anyone's guess."""
        inputs, source = self._inputs(grid=up), self.session.chart
        if inputs is None or source is None:
            return None
        name = source.slot.sm_name
        if source.slot not in MODEL_SLOTS:
            why = (f"{verb} works from a {', '.join(s.sm_name for s in MODEL_SLOTS)} chart; the current chart is "
                   f"{name}. Set its Difficulty in the Charts panel to the level it plays at to use it.")
        elif target <= source.slot if up else target >= source.slot:
            way, than = ("a higher", "higher") if up else ("an easier", "easier")
            why = f"{verb} drafts {way} difficulty than {name}; {target.sm_name} is not {than}."
        elif not any(n.kind.is_onset for n in source.notes):  # refined from nothing: thinner than a plain Easy
            why = f"The {name} chart has no notes to {'refine from' if up else 'simplify'}."
        else:
            return inputs, source
        messages.error(self.win, f"{verb} {'up' if up else 'down'}", why)
        return None

    def simplify_down(self, target: Slot) -> Job | None:
        """Draft ``target`` from the current (higher) chart's rows and arrows (``Drafter.simplify``)."""
        checked = self._rework_source("Simplify", target, up=False)
        if checked is None:
            return None
        (path, _), source = checked
        request = self._request([target])
        timing, higher = notes_in_timing_of(self.session.doc.song, source, request.charts[target])
        higher_slot, keyboard = source.slot, is_keyboard(source)  # fingers: no arrow moved for the feet

        def run(ctx: JobContext):
            drafter = self.ensure_drafter()
            return drafter.simplify(path, timing, higher, higher_slot, [target],
                                    progress=self._progress(ctx, SIMPLIFY_STAGES), cancel=cancel_token(ctx), keyboard=keyboard)
        return self._start("ai-simplify", run, lambda drafts: self._show_refined(request, drafts, source),
                           request=request)

    def regenerate(self, region: tuple[Fraction, Fraction], n: int, nps: float | None = None,
                   seed: int = 0) -> Job | None:
        """``n`` variants of the current chart's draft in ``region`` (beats); flip with [ and ]."""
        inputs = self._inputs()
        chart = self.session.chart
        if inputs is None or chart is None:
            return None
        if region[1] <= 0:
            messages.error(self.win, "Regenerate selection",
                           f"Beats {float(region[0]):g} to {float(region[1]):g} lie before beat 0, and a chart has no "
                           "beats there: put the cursor or the selection at beat 0 or later.")
            return None
        slot = chart.slot if chart.slot in MODEL_SLOTS else self._typical_slot(chart)
        path, timing = inputs
        region = max(region[0], Fraction(0)), region[1]  # a chart has no beats before 0
        b0, b1 = region
        context = list(chart.notes)  # the lane model continues the chart's patterns from before the region
        request = DraftRequest.of(self.session.doc, {chart.slot: chart})

        def run(ctx: JobContext):
            drafter = self.ensure_drafter()
            return drafter.variants(path, timing, slot, n, start_beat=b0, end_beat=b1, nps=nps, seed=seed,
                                    context=context, progress=self._progress(ctx, rounds=2 if n > 1 else 1),
                                    cancel=cancel_token(ctx))

        # variant 0 drafts to the target (the others draw their own density around it): warned about as a draft is
        def done(drafts) -> None:
            self._show_variants(request, chart, region, drafts)
            self._note_caps(request, drafts[:1], {chart.slot: nps} if nps else {})
        return self._start("ai-variants", run, done)

    def arrows(self, region: tuple[Fraction, Fraction], n: int, seed: int = 0) -> Job | None:
        """``n`` variants of new arrows for the current chart's rows in ``region`` (its rhythm kept: the lane model
        only); mines and fakes there stay. Shown as ghosts, flipped with [ and ], accepted like any draft."""
        inputs = self._inputs(grid=False)
        chart = self.session.chart
        if inputs is None or chart is None:
            return None
        b0, b1 = region
        inside = self.session.doc.notes_in_range(chart, b0, b1)
        rows = sorted({n.beat for n in inside if n.kind.is_onset})
        if not rows:
            self.session.status.emit("AI arrows: no notes there to give arrows to (select a passage, or place its "
                                     "rhythm first: Record, or any lane)")
            return None
        context = list(chart.notes)  # its rows before the region: the lane model continues the chart's patterns
        slot = chart.slot if chart.slot in MODEL_SLOTS else self._typical_slot(chart)
        path, timing = inputs
        request = DraftRequest.of(self.session.doc, {chart.slot: chart})

        def run(ctx: JobContext):
            from inference.lane_context import with_unstepped

            drafter = self.ensure_drafter()
            drafts = drafter.arrows(path, timing, rows, slot, n, end_beat=b1, seed=seed, context=context,
                                    progress=self._progress(ctx, ARROWS_STAGES), cancel=cancel_token(ctx))
            for d in drafts:  # the mines and fakes of the passage stay where no arrow or hold took their cell
                d.notes = with_unstepped(d.notes, inside)
            return drafts
        return self._start("ai-arrows", run, lambda drafts: self._show_variants(request, chart, (b0, b1), drafts))

    def _typical_slot(self, chart: Chart) -> Slot:
        from chart.stats import chart_stats

        return chart_stats(chart, self.session.timing()).typical_slot

    # ------------------------------------------------------------------ start-up
    def start(self, panel) -> None:
        """At start-up: load the model in the background if one is there (the panel then shows CUDA or CPU)."""
        from inference.manifest import MANIFEST_SUFFIX, default_models_dir

        folder = self.models_dir or default_models_dir()
        if (folder / f"onset{MANIFEST_SUFFIX}").is_file():
            self.warm_up()
        else:
            panel.device.setText(f"no model shipped in {folder.name}/ (make train builds one)")
