"""Timing > Detect Tempo of Selection: the tempo of one section of a song with tempo changes, set as a BPM change
at the section's first beat.

Select the section (a beat range, or its notes: the first head to the last end) and run it: ``audio.tempo``'s
search runs on the onset envelope of just that span (:func:`audio.tempo_span.detect_tempo_span`, at least
:data:`~audio.tempo_span.MIN_SPAN_S` of audio, else one line says so) in a background job, behind a progress box
whose Cancel drops the result, as Detect Tempo's does. :class:`~editor.dialogs.section_tempo.SectionTempoDialog`
lists the candidates and says how far the section's first beat sits from the nearest detected beat; OK sets the
timing target (:meth:`EditorSession.timing_target`: the current chart's own timing in split timing, else the
song's) as **one undo step** through :func:`editor.panels.timing.push_timing` (so **Keep notes in time** works as
for every timing edit): :func:`chart.section_tempo.set_section_tempo` puts the BPM on the first beat, the tempo
after the section's end back to what it was (unless the selection runs to the audio's end), and, when asked,
moves the first beat onto the detected beat through the stretch before it (Sync Beat's arithmetic).

A section's first and last beat off StepMania's 1/48-beat rows (notes on a custom 1/20 snap) are moved to the
nearest row first, as the Timing panel's adds are (:func:`on_rows`), and the status line says so: the BPM changes
go there, and Save refused one off the rows.

The timing is read when the detection starts; if it (or the song, or the chart edited) changed before the result
came, the result is dropped with a line saying so, since the section's span in seconds may have moved. A result
that comes during a drag, a recording take or a test play waits for it to end, as Detect Tempo's does.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtWidgets import QDialog

from audio.tempo_span import MIN_SPAN_S
from chart.beat_sync import clock_text
from chart.checks.base import describe_beat
from chart.section_tempo import SectionTempoError, set_section_tempo
from editor import messages
from editor.controllers.progress_job import ProgressJobs
from editor.controllers.under_way import HeldResult, under_way
from editor.key_hints import key_text
from editor.panels.timing import push_timing
from editor.panels.timing_rows import on_row
from editor.workers import Job

JOB_NAME = "detect-section-tempo"
TITLE = "Detect Tempo of Selection"
NAME = "Set section tempo"
END_SLACK_S = 1.0  # a selection ending this near the audio's end (or after it) runs to the song's end


def span_job(ctx, audio, start_s: float, end_s: float) -> list:
    """Tempo candidates of ``[start_s, end_s)`` of decoded ``audio`` (an AudioState), best first. A cancel drops the
    result (the search runs as one call)."""
    ctx.check()
    ctx.report(0.5, "Detecting tempo")
    from audio.tempo_span import detect_tempo_span

    candidates = detect_tempo_span(audio.samples, audio.sample_rate_hz, start_s, end_s)
    ctx.check()
    return candidates


def row_of(timing, beat: Fraction) -> tuple[Fraction, str]:
    """``beat`` on StepMania's 1/48-beat rows, as the Timing panel's adds put it (a selection's notes on a custom
    1/20 snap start at 8.2, and a BPM change there made Save refuse the song), and what to say about it ('' when it
    is on a row, or on a BPM change the timing has: a song read from a .osu file may hold them off the rows)."""
    (row,), said = on_row((beat,), (beat,) if any(b == beat for b, _bpm in timing.bpms) else None)
    return row, said


def on_rows(timing, start: Fraction, end: Fraction | None) -> tuple[Fraction, Fraction | None, str]:
    """:func:`row_of` of a section's first beat and of its end (None: to the song's end), and what to say."""
    start, said = row_of(timing, start)
    if end is not None:
        end, said_end = row_of(timing, end)
        said = "; ".join(m for m in (said, said_end) if m)
    return start, end, said


def selected_span(session) -> tuple[Fraction, Fraction] | None:
    """The selected beat range, else the selected notes' span (first head to last end); None without either."""
    if session.range_beats is not None and session.range_beats[0] != session.range_beats[1]:
        b0, b1 = sorted(session.range_beats)
        return b0, b1
    if session.selection:
        b0 = min(n.beat for n in session.selection)
        b1 = max(n.end_beat for n in session.selection)
        return (b0, b1) if b1 > b0 else None
    return None


class SectionTempoTool(ProgressJobs):
    """Detect Tempo of Selection of the window ``win`` (module docstring)."""

    def __init__(self, win):
        super().__init__(win)
        self.held = HeldResult(self, win)  # a detection's result waiting for a drag, a take or a test play

    def detect(self) -> bool:
        """Start detecting the tempo of the selected section; the dialog opens when it is done. False (and one
        line saying why) when there is no audio or the selection is not a section of at least 6 s."""
        s = self.session
        if s.audio is None:
            messages.error(self.win, TITLE, f"No audio is loaded: {s.audio_error or 'open a song first'}")
            return False
        if self.job is not None:
            s.status.emit("Tempo detection of the selection is already running")
            return False
        if self.held.waiting:
            s.status.emit("Tempo detection of the selection is done; its dialog opens when "
                          f"{under_way(self.win) or 'the edit'} ends")
            return False
        span = selected_span(s)
        if span is None:
            keys = key_text(self.win, "edit.range_up", "edit.range_down")  # as remapped
            messages.error(self.win, TITLE, f"Select the section first: a beat range ({keys + ', or ' if keys else ''}"
                                            f"Shift+drag in an empty stretch) or its notes, at least {MIN_SPAN_S:g} s "
                                            "of audio")
            return False
        timing, chart = s.timing_target()
        (start, said), (end, said_end) = row_of(timing, max(span[0], Fraction(0))), row_of(timing, span[1])
        audio = s.audio
        # the section's beats run from its first row's stop on (the first row itself is judged before it): the
        # span analysed starts there, as the grid the dialog measures the phase against does
        start_s, end_s = float(timing.seconds_after_stop(start)), float(timing.beat_to_seconds(end))
        heard_s = min(end_s, audio.duration_s) - max(start_s, 0.0)
        if heard_s < MIN_SPAN_S:
            messages.error(self.win, TITLE, f"Beats {describe_beat(start)} to {describe_beat(end)} hold "
                                            f"{max(heard_s, 0.0):.1f} s of audio: select at least {MIN_SPAN_S:g} s "
                                            "for a tempo")
            return False
        to_end = end_s >= audio.duration_s - END_SLACK_S
        moved = "; ".join(m for m in (said, "" if to_end else said_end) if m)  # (to the end: no BPM change there)
        doc = s.doc
        job = Job(JOB_NAME, span_job, audio, start_s, end_s, parent=self)
        job.finished.connect(lambda candidates: self._detected(
            job, (doc, audio, timing, chart), start, None if to_end else end, candidates, moved))
        job.failed.connect(lambda text: messages.error(self.win, TITLE, f"{audio.path.name}: {text}"))
        job.cancelled.connect(lambda: s.status.emit("Tempo detection of the selection cancelled"))
        what = f"beats {describe_beat(start)} to {describe_beat(end)} ({clock_text(start_s)}-{clock_text(end_s)})"
        self.run_with_progress(job, TITLE, f"Detecting the tempo of {what}...")
        return True

    def _detected(self, job: Job, state: tuple, start: Fraction, end: Fraction | None, candidates: list,
                  moved: str = "") -> None:
        s = self.session
        if job.ctx.cancelled:  # Cancel pressed as the result was on its way
            s.status.emit("Tempo detection of the selection cancelled")
            return
        self._offer(state, start, end, candidates, moved)

    def _offer(self, state: tuple, start: Fraction, end: Fraction | None, candidates: list, moved: str) -> None:
        """The candidates: the dialog (the best applied, headless) once no drag, take or test play is open (held
        till then), unless the song or the timing changed."""
        s = self.session
        doc, audio, timing, chart = state
        if s.doc is not doc or s.audio is not audio:
            s.status.emit("Tempo detection finished for a song that is no longer open: result dropped")
            return
        now, now_chart = s.timing_target()
        if now != timing or now_chart is not chart:
            s.status.emit("Tempo detection of the selection dropped: the timing changed meanwhile; run it again")
            return
        if self.held.hold_if_busy(lambda: self._offer(state, start, end, candidates, moved),
                                  lambda busy: f"Tempo of the selection detected; its dialog opens when {busy} ends"):
            return
        if messages.is_headless():  # no one to ask: the best candidate, the start moved as the dialog would
            if candidates:
                from editor.dialogs.section_tempo import PHASE_TOLERANCE_S, phase_to_grid_s

                best = candidates[0]
                phase_s = phase_to_grid_s(best.offset_s, best.bpm, start, float(timing.seconds_after_stop(start)))
                move = Fraction(float(timing.beat_to_seconds(start)) + phase_s).limit_denominator(10**7) \
                    if abs(phase_s) > PHASE_TOLERANCE_S else None
                self.apply(start, end, Fraction(f"{best.bpm:.3f}"), move, phase_s, moved)
            return
        self.choose(candidates, start, end, moved)

    def choose(self, candidates: list, start: Fraction, end: Fraction | None, moved: str = "") -> bool:
        """Show the section's tempo dialog and apply what it confirms; False when cancelled or refused. ``moved``:
        what :func:`on_rows` said about the section's beats, for the status line."""
        from editor.dialogs.section_tempo import SectionTempoDialog
        from editor.dialogs.tap_tempo import song_clock

        s = self.session
        timing, chart = s.timing_target()
        whose = f"{chart.slot.sm_name}'s own timing" if chart is not None else "the song's timing"
        start_s = timing.beat_to_seconds(start)
        if end is None:
            span = f"beat {describe_beat(start)} to the song's end ({clock_text(start_s)} on)"
        else:
            span = (f"beats {describe_beat(start)} to {describe_beat(end)} ({clock_text(start_s)}-"
                    f"{clock_text(timing.beat_to_seconds(end))})")

        def outcome(bpm: Fraction, at_s: Fraction | None) -> tuple[str, bool]:
            try:
                return set_section_tempo(timing, start, end, bpm, at_s).describe(), True
            except SectionTempoError as exc:
                return messages.one_line(exc), False

        dialog = SectionTempoDialog(self.win, candidates, start, float(start_s), span,
                                    outcome, current_bpm=float(timing.bpm_at(start)),
                                    stop_s=float(timing.seconds_after_stop(start) - start_s),
                                    tap_clock=song_clock(self.win.playback), play=self.win.playback.toggle,
                                    title=f"{TITLE}: {span} ({whose})")
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            bpm, at_s = dialog.values()
            phase_s = dialog.phase_s()
        finally:
            dialog.deleteLater()
        return self.apply(start, end, bpm, at_s, phase_s, moved)

    def apply(self, start: Fraction, end: Fraction | None, bpm: Fraction, at_s: Fraction | None = None,
              phase_s: float | None = None, moved: str = "") -> bool:
        """Give beats ``start`` to ``end`` (None: to the song's end) ``bpm`` in the timing target, the first beat
        moved to ``at_s`` when given: one undo step (Keep notes in time applies). ``phase_s``: how far the
        detected beat was from the first beat, and ``moved``, what :func:`on_rows` said about them, for the status
        line. Beats off the 1/48-beat rows are moved to the nearest row here too (the status line says so)."""
        s = self.session
        timing, chart = s.timing_target()
        start, end, now_moved = on_rows(timing, start, end)
        moved = "; ".join(m for m in (moved, now_moved) if m)
        try:
            result = set_section_tempo(timing, start, end, bpm, at_s)
        except SectionTempoError as exc:
            messages.error(self.win, TITLE, messages.one_line(exc))
            return False
        if result.timing == timing:
            s.status.emit(f"Section tempo unchanged: {result.describe()}")
            return False
        said: list[str] = []  # Keep notes in time: what push_timing says about the notes joins our line
        catch = said.append
        s.status.connect(catch)
        try:
            if not push_timing(s, result.timing, chart, NAME, merge=False):
                return False
        finally:
            s.status.disconnect(catch)
        text = f"{NAME}: {moved + '; ' if moved else ''}{result.describe()}"
        if result.sync is None and phase_s is not None:
            where = "after" if phase_s > 0 else "before"
            text += (f"; the nearest detected beat is {abs(phase_s) * 1000:.1f} ms {where} beat "
                     f"{describe_beat(Fraction(-(-start // 1)))}")
        notes = [line.split(": ", 1)[1] for line in said if line.startswith(NAME) and ": " in line]
        s.status.emit(text + (f"; {notes[-1]}" if notes else ""))
        return True
