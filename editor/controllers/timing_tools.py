"""Timing > Detect Tempo and Tap Tempo for the open song: the tempo dialog New Song from Audio shows, applied to
the timing the Timing panel edits.

**Detect Tempo** runs ``audio.tempo`` on the loaded audio in a background job (the step New Song uses,
:func:`editor.controllers.new_song.detect_job`) behind a progress box whose Cancel drops the result; the window
stays responsive. Then :class:`~editor.dialogs.tempo.TempoDialog` lists the candidates (best first, with
confidence, each with its first beat nearest the song's beat 0), with ÷2/×2, editable values and the tap pad.
**Tap Tempo** opens the same dialog without candidates. OK sets the timing target
(:meth:`EditorSession.timing_target`: the current chart's own timing for a split-timing chart, else the song's)
to that one BPM from beat 0 with ``#OFFSET = -first beat``, as **one undo step**, through
:func:`editor.panels.timing.push_timing`, so **Keep notes in time** works as for every timing edit. A timing with
more than one BPM, or with stops, delays or warps, is replaced by the one BPM: the editor says so and asks
first. Time signatures, labels and the other display segments stay.

A detection that ends during a drag, a recording take or a test play holds its result until that ends
(:class:`~editor.controllers.under_way.HeldResult`, as a plugin's result waits): the dialog then opens (the
status line says it waits), so it neither opens over the take nor loses the tempo confirmed in it. Closing the
window (before its "Save changes?" prompt) or opening another song meanwhile drops it.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtWidgets import QDialog

from audio.tap_tempo import nearest_beat
from editor import messages
from editor.controllers.new_song import detect_job
from editor.controllers.progress_job import ProgressJobs
from editor.controllers.under_way import HeldResult, under_way
from editor.panels.timing import push_timing
from editor.workers import Job

JOB_NAME = "detect-tempo"


def grid_changes(timing) -> str:
    """What replacing ``timing`` by one BPM drops ("3 BPMs, 1 stop"); empty when it is one BPM already."""
    parts = [f"{len(timing.bpms)} BPMs"] if len(timing.bpms) > 1 else []
    for name in ("stops", "delays", "warps"):
        n = len(getattr(timing, name))
        if n:
            parts.append(f"{n} {name if n > 1 else name[:-1]}")
    return ", ".join(parts)


class TimingTools(ProgressJobs):
    """Detect Tempo and Tap Tempo of the window ``win`` (module docstring)."""

    def __init__(self, win):
        super().__init__(win)
        self.held = HeldResult(self, win)  # a detection's result waiting for a drag, a take or a test play

    # ------------------------------------------------------------------ detect
    def detect(self) -> bool:
        """Start detecting the tempo of the loaded audio; the dialog opens when it is done."""
        s = self.session
        if s.audio is None:
            messages.error(self.win, "Detect Tempo", f"No audio is loaded: {s.audio_error or 'open a song first'}")
            return False
        if self.job is not None:
            s.status.emit("Tempo detection is already running")
            return False
        if self.held.waiting:
            s.status.emit(f"Tempo detection is done; its dialog opens when {under_way(self.win) or 'the edit'} ends")
            return False
        doc, audio = s.doc, s.audio
        job = Job(JOB_NAME, detect_job, audio, parent=self)
        job.finished.connect(lambda candidates: self._detected(job, doc, audio, candidates))
        job.failed.connect(lambda text: messages.error(self.win, "Detect Tempo", f"{audio.path.name}: {text}"))
        job.cancelled.connect(lambda: s.status.emit("Tempo detection cancelled"))
        self.run_with_progress(job, "Detect Tempo", f"Detecting the tempo of {audio.path.name}...")
        return True

    def _detected(self, job: Job, doc, audio, candidates: list) -> None:
        if job.ctx.cancelled:  # Cancel pressed as the result was on its way
            self.session.status.emit("Tempo detection cancelled")
            return
        self._offer(doc, audio, candidates)

    def _offer(self, doc, audio, candidates: list) -> None:
        """The detected candidates: the dialog (the best applied, headless), once no drag, take or test play is
        open (it holds them till then), for the song detected."""
        if self.session.doc is not doc or self.session.audio is not audio:
            self.session.status.emit("Tempo detection finished for a song that is no longer open: result dropped")
            return
        if self.held.hold_if_busy(lambda: self._offer(doc, audio, candidates),
                                  lambda busy: f"Tempo detected; its dialog opens when {busy} ends"):
            return
        if messages.is_headless():  # no one to ask: the best candidate, as New Song does
            if candidates:
                best = candidates[0]
                beat0_s = nearest_beat(best.offset_s, 60.0 / best.bpm, float(self.session.timing_target()[0].beat0_s))
                self.apply(Fraction(f"{best.bpm:.3f}"), Fraction(f"{beat0_s:.4f}"))
            return
        self.choose(candidates)

    # ------------------------------------------------------------------ dialog
    def tap(self) -> bool:
        """Tap Tempo: the tempo dialog without candidates."""
        return self.choose([], detected=False)

    def choose(self, candidates: list, detected: bool = True) -> bool:
        """Show the tempo dialog for the open song and apply what it confirms; False when cancelled or refused."""
        from editor.dialogs.tap_tempo import song_clock
        from editor.dialogs.tempo import TempoDialog

        s = self.session
        name = s.audio.path.name if s.audio is not None else (s.doc.song.title or "the song")
        timing, chart = s.timing_target()
        whose = f"{chart.slot.sm_name}'s own timing" if chart is not None else "the song's timing"
        dialog = TempoDialog(self.win, candidates, name, current=timing, tap_clock=song_clock(self.win.playback),
                             play=self.win.playback.toggle, detected=detected,
                             title=f"{'Detect' if detected else 'Tap'} Tempo: {name} ({whose})")
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            bpm, beat0_s = dialog.values()
        finally:
            dialog.deleteLater()
        return self.apply(bpm, beat0_s)

    def apply(self, bpm: Fraction, beat0_s: Fraction) -> bool:
        """Set the timing target to one BPM from beat 0 with beat 0 at ``beat0_s``: one undo step (Keep notes in
        time applies); a timing with tempo changes, stops, delays or warps is replaced only when the user agrees."""
        s = self.session
        timing, chart = s.timing_target()
        dropped = grid_changes(timing)
        if dropped and not messages.confirm(
                self.win, "Replace the timing",
                f"The timing has {dropped}. Applying replaces them with one BPM ({float(bpm):g} from beat 0; time "
                f"signatures and labels stay). Replace it?"):
            s.status.emit("Tempo not applied: the timing is as it was")
            return False
        try:
            changed = timing.with_changes(offset=-beat0_s, bpms=((Fraction(0), bpm),), stops=(), delays=(), warps=())
        except ValueError as exc:
            messages.error(self.win, "Set tempo", messages.one_line(exc))
            return False
        text = f"{float(bpm):.3f} BPM, beat 0 at {float(beat0_s) * 1000:.1f} ms"
        if changed == timing:
            s.status.emit(f"Tempo unchanged: {text}")
            return False
        if not push_timing(s, changed, chart, "Set tempo", merge=False):
            return False
        if not s.keep_notes_in_time:  # push_timing said nothing: say what was set
            s.status.emit(f"Set tempo: {text}")
        return True
