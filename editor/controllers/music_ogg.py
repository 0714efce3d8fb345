"""File > Convert Music to Ogg, and the loaded audio following #MUSIC between the file converted from and to.

The conversion writes the loaded music (this editor's decode) as Ogg Vorbis beside the chart and points #MUSIC at
it (one undo step). The samples are the same, so the loaded audio is not decoded again (playback, waveform and
drafts carry on): only its file changes, and the status bar's audio label is shown again with it. A damaged source's
notes ("damaged, 87.8 s decoded") belong to that file: the Ogg holds every sample that decoded, so it has none.

Undo and Redo of the step (or #MUSIC typed back to either name) move the loaded audio's file with #MUSIC, with the
source's notes back on the source: after an Undo #MUSIC named the MP3 while the editor played and named the Ogg.

One conversion runs at a time (a second press says it is writing). The Ogg is written beside the chart as it was
saved when the conversion started; a Save As into another folder meanwhile leaves it there, and #MUSIC names it
from the chart's new folder ("../old/song.ogg"), as a Save As relinks the music. A conversion that ends during a
drag, a recording take or a test play sets #MUSIC when that ends (:class:`~editor.controllers.under_way.HeldResult`:
a take refuses every other edit, and the change was lost), unless the window closes or another song opens first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject

from editor import messages
from editor.controllers.under_way import HeldResult, under_way
from editor.session import AudioState
from editor.workers import Job


@dataclass
class _Converted:
    audio: AudioState  # the loaded audio both files hold
    source: Path
    warnings: tuple[str, ...]  # the source's decode notes
    missing_s: float
    ogg: Path


class MusicToOgg(QObject):
    """The conversion for one window's :class:`~editor.controllers.files.FileController` (``files``)."""

    def __init__(self, files):
        super().__init__(files)
        self.files, self.session = files, files.session
        self.converted: _Converted | None = None
        self.writing: Path | None = None  # the Ogg a conversion is writing now
        self.held = HeldResult(self, files.window)  # a written Ogg's #MUSIC change waiting for a take to end
        self.session.document_replaced.connect(self._attach)
        self._attach(replaced=False)

    def _attach(self, replaced: bool = True) -> None:
        if replaced:
            self.converted = None
        self.session.bridge.meta_changed.connect(self.follow_music)

    def convert(self) -> Job | None:
        """Write the Ogg in the background, then point #MUSIC and the loaded audio at it; None when nothing
        starts (no audio, an unsaved song, already Ogg, an existing file the designer keeps)."""
        from audio.encode import write_ogg

        files, session = self.files, self.session
        song, audio = session.doc.song, session.audio
        if audio is None:
            session.status.emit("Convert music: no audio is loaded")
            return None
        if self.writing is not None:
            session.status.emit(f"Convert music: already writing {self.writing.name}; wait for it to finish")
            return None
        if self.held.waiting:
            busy = under_way(files.window) or "the edit"
            session.status.emit(f"Convert music: the Ogg is written; #MUSIC is set to it when {busy} ends")
            return None
        if song.source_path is None:
            messages.error(files.window, "Convert music", "Save the chart first: the Ogg file goes next to it.")
            return None
        target = song.source_path.parent / f"{Path(song.music or audio.path.name).stem or 'music'}.ogg"
        named = song.audio_path()
        if named is not None and target.resolve() == Path(named).resolve():
            session.status.emit(f"Convert music: {target.name} is already Ogg")
            return None
        if target.exists() and not messages.confirm(files.window, "Convert music",
                                                    f"{target.name} exists. Replace it?"):
            return None

        def run(ctx):
            return write_ogg(target, audio.samples, audio.sample_rate_hz, cancel=ctx.check,
                             progress=lambda f: ctx.report(f, f"Writing {target.name}"))

        job = Job("music-to-ogg", run, parent=files)
        job.done.connect(lambda: setattr(self, "writing", None))
        job.finished.connect(lambda path, doc=session.doc: self._written(Path(path), doc, audio))
        job.failed.connect(lambda msg: messages.error(files.window, "Convert music", messages.one_line(msg)))
        session.status.emit(f"Writing {target.name}...")
        self.writing = target
        return files.jobs.start(job)

    def _written(self, path: Path, doc, audio: AudioState) -> None:
        from chart.commands import SetSongMeta
        from chart.song import music_relative_to

        session = self.session
        self.writing = None  # written (``done``, which says so too, may come a moment later)
        if doc is not session.doc:
            return
        # a take refuses the step: #MUSIC is set when it ends (dropped on close or another song)
        if self.held.hold_if_busy(lambda: self._written(path, doc, audio),
                                  lambda busy: f"Music written to {path.name}; #MUSIC is set to it when {busy} ends"):
            return
        damaged = f" (the {audio.duration_s:.1f} s that decoded)" if audio.warnings else ""
        self.converted = _Converted(audio, audio.path, audio.warnings, audio.missing_s, path)
        chart_path = doc.song.source_path
        # from the chart's folder now (a Save As elsewhere meanwhile: "../old/song.ogg"), as a Save As relinks it
        music = music_relative_to(path, chart_path) if chart_path is not None else path.name
        if not session.push(SetSongMeta(name="Convert music to Ogg", music=music)):
            return  # refused (a take under way): the status line said why, the audio stays the source's
        self.follow_music()  # the same samples: playback, waveform and drafts carry on with the Ogg's name
        session.status.emit(f"Music written to {music}{damaged} and #MUSIC set to it; save the chart to keep it")

    def follow_music(self) -> None:
        """#MUSIC changed (an undo or redo of the conversion, or typed): when it names the file converted from or
        to, the loaded audio's file is that one."""
        done, audio = self.converted, self.session.audio
        if done is None or audio is None or audio is not done.audio:
            return
        named = self.session.doc.song.audio_path()
        if named is None:
            return
        try:
            named = Path(named).resolve()
            for path, warnings, missing_s in ((done.ogg, (), 0.0), (done.source, done.warnings, done.missing_s)):
                if named == path.resolve():
                    if audio.path != path:
                        self._point(audio, path, warnings, missing_s)
                    return
        except OSError:  # a folder that cannot be read: the audio stays as it is
            return

    def _point(self, audio: AudioState, path: Path, warnings: tuple[str, ...], missing_s: float) -> None:
        """Make ``audio`` that of ``path`` and show the status bar's audio label again."""
        audio.path, audio.warnings, audio.missing_s = path, warnings, missing_s
        win = self.files.window
        readouts = getattr(win, "readouts", None)
        playback = getattr(win, "playback", None)
        if readouts is not None and playback is not None:
            readouts.show_device(playback.device_text)
