"""New song from a bare audio file: decode and detect the tempo in the background, let the designer confirm the
BPM and first beat in :class:`~editor.dialogs.tempo.TempoDialog`, then open the new (unsaved) song.

File > New Song from Audio asks for an audio file (:func:`ask_audio_path`, audio files only); a chart given anyway
(All files, a drop) is opened as a chart rather than decoded as audio, which failed as "Cannot read audio".

The save question is asked when the audio is picked, but the open song stays editable while the audio is analysed:
:class:`EditWatch` notes any edit (or AI draft, or another song opened) made meanwhile, and the question is asked
again before the new song replaces it; Cancel keeps the open song and drops the new one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog

from chart.song import AUDIO_EXTENSIONS
from editor import messages
from editor.audio_support import decode_job
from editor.panels.fields import commit_focused_field
from editor.workers import Job, JobContext


def detect_job(ctx: JobContext, audio) -> list:
    """Tempo candidates of decoded ``audio`` (an AudioState), best first: the job step New Song and Timing >
    Detect Tempo share. A cancel drops the result (``audio.tempo`` runs as one call)."""
    ctx.check()
    ctx.report(0.5, "Detecting tempo")
    from audio.tempo import detect_tempo

    candidates = detect_tempo(audio.mono(), audio.sample_rate_hz)
    ctx.check()
    return candidates


class EditWatch:
    """Whether the window's song changed after the save question was answered: an undo step pushed, merged, undone
    or redone, the saved state moved, AI drafts come or gone, or another document opened. It watches until the new
    song is adopted or dropped (:meth:`close`); closing is no change: the job's ``done`` comes inside the tempo
    dialog's event loop, and a watch that took its own close for an edit asked the save question again."""

    def __init__(self, win):
        self.win = win
        self.doc = win.session.doc  # the watched document, kept after close
        self.clean = self.doc.is_clean
        self.drafts = win.drafting.pending_text()
        self.edited = False
        self.watching = True
        self.doc.history_changed.connect(self._edited)
        self.doc.clean_changed.connect(self._edited)

    def _edited(self, *_args) -> None:
        self.edited = True

    def changed(self) -> bool:
        commit_focused_field(self.win)  # a field being typed in is an edit too
        doc = self.win.session.doc
        return (self.edited or doc is not self.doc or doc.is_clean != self.clean
                or self.win.drafting.pending_text() != self.drafts)

    def close(self) -> None:
        """Stop watching; a second call does nothing."""
        if self.watching:
            self.watching = False
            self.doc.history_changed.disconnect(self._edited)
            self.doc.clean_changed.disconnect(self._edited)


def _analyse(ctx: JobContext, path: Path):
    audio = decode_job(ctx, path)
    return audio, detect_job(ctx, audio)


AUDIO_FILTER = f"Audio ({' '.join(f'*{e}' for e in sorted(AUDIO_EXTENSIONS))});;All files (*)"


def ask_audio_path(win) -> Path | None:
    """The New Song from Audio file dialog: audio files only (tests replace this)."""
    path, _ = QFileDialog.getOpenFileName(win, "New Song from Audio", "", AUDIO_FILTER)
    return Path(path) if path else None


def is_audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_EXTENSIONS


def from_audio(win, path: Path | None = None, check_unsaved: bool = True) -> bool:
    """File > New Song from Audio (:meth:`MainWindow.new_song_from_audio`): ask for the audio when ``path`` is None,
    open a chart or song folder given instead as one, ask about unsaved changes, then :func:`start_new_song`."""
    if path is None:
        path = ask_audio_path(win)
        if path is None:
            return False
    if not is_audio(Path(path)):
        return win.files.open_path(path, check_unsaved=check_unsaved)
    if check_unsaved and not win.maybe_save_changes():
        return False
    return start_new_song(win, Path(path))


def start_new_song(win, path: Path) -> bool:
    """Start the analysis job; the dialog opens when it is done. False when the file is not there. An unsaved new
    song from the same audio that a crash left an autosave of is offered first (restored, nothing to analyse)."""
    if not path.is_file():
        messages.error(win, "Cannot open", f"{path}: file not found")
        return False
    autosave = getattr(win, "autosave", None)
    if autosave is not None and autosave.offer_for_new_song(path):
        return True
    job = Job("new-song", _analyse, path, parent=win)
    watch = EditWatch(win)
    # result: _analyse's (audio, tempo candidates)
    job.finished.connect(lambda result: finish_new_song(win, path, result[0], result[1], watch=watch))
    job.failed.connect(lambda _msg: watch.close())  # finished: finish_new_song closes it once it is answered
    job.cancelled.connect(watch.close)
    job.failed.connect(lambda msg: _failed(win, path, msg))
    job.progress.connect(lambda _f, text: win.session.status.emit(text))
    win.session.status.emit(f"Analysing {path.name}...")
    win.run_job(job)
    return True


def _failed(win, path: Path, message: str) -> None:
    """The job's last progress line ("Decoding ...") must not stay on the status bar as if it went on."""
    win.session.status.emit(f"New song from {path.name}: cannot read it as audio")
    messages.error(win, "Cannot read audio", f"{path.name}: {message}")


def finish_new_song(win, path: Path, audio, candidates, timing=None, watch: EditWatch | None = None) -> bool:
    """Ask for the tempo (unless ``timing`` is given) and open the new song with its decoded audio. With ``watch``
    (what the open song was when its save question was answered): edited since, the question is asked again."""
    try:
        return _finish(win, path, audio, candidates, timing, watch)
    finally:
        if watch is not None:
            watch.close()


def _finish(win, path: Path, audio, candidates, timing, watch: EditWatch | None) -> bool:
    if timing is None:
        if messages.is_headless():
            if not candidates:
                win.session.status.emit(f"New song from {path.name}: no steady tempo found")
                messages.error(win, "No tempo", f"{path.name}: no steady tempo found")
                return False
            from chart.timing import TimingData

            best = candidates[0]
            timing = TimingData.constant(f"{best.bpm:.3f}", offset=f"{-best.offset_s:.4f}")
        else:
            from editor.dialogs.tempo import TempoDialog

            dialog = TempoDialog(win, candidates, path.name)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                win.session.status.emit(f"New song from {path.name} cancelled")
                return False
            timing = dialog.timing()
    if watch is not None and watch.changed() and not win.maybe_save_changes():
        win.session.status.emit(f"New song from {path.name} cancelled: the open song is kept")
        return False
    doc = win.files.new_document_from_audio(path, timing)
    win.files.adopt(doc, audio)
    doc.mark_unsaved()  # the confirmed tempo is work: closing asks, autosave keeps it
    win.files.opened.emit(str(path))  # what was opened: the autosave marker names the audio (no file yet)
    win.session.status.emit(f"New song from {path.name} at {float(timing.bpms[0][1]):g} BPM; save to name it")
    return True
