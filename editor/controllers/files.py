"""FileController: open (chart file, song folder, bare audio), save, save as, export, recent files.

Failures never lose work: a chart that cannot be read leaves the open song as it was; a save that fails (read-only
folder, full disk, a format that cannot hold the notes) says why and keeps the changes open and unsaved; a
missing or unreadable audio file still opens the chart, with the problem in the status bar. What is being typed in
a panel field is committed first (:func:`editor.panels.fields.commit_focused_field`), so a save writes it and
closing or opening another song asks about it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from chart.document import Document
from chart.song import AUDIO_EXTENSIONS, Chart, Slot, Song, audio_files, music_relative_to
from chart.stats import placeholder_meter
from editor import messages
from editor.audio_support import decode_job
from editor.controllers import file_dialogs, save_checks
from editor.controllers.disk_stamps import DiskStamps
from editor.controllers.music_ogg import MusicToOgg
from editor.demo import away_from_bundled, is_bundled
from editor.panels.fields import commit_focused_field
from editor.session import AudioState, EditorSession
from editor.settings import EditorSettings
from editor.status_messages import post_background
from editor.workers import Job, JobRegistry

#: Audio lost to damage (s) above which opening the song also shows a dialog.
MATERIAL_LOSS_S = 1.0


class FileController(QObject):
    """File menu behaviour for one window."""

    opened = Signal(str)  # path of the chart (or audio) just opened
    saved = Signal(str)
    recent_changed = Signal(list)

    def __init__(self, window, session: EditorSession, settings: EditorSettings, jobs: JobRegistry):
        super().__init__(window)
        self.window, self.session, self.settings, self.jobs = window, session, settings, jobs
        self.audio_job: Job | None = None
        self.on_disk = DiskStamps()  # the song's files read or written here, with their stamps then
        self._conversions_accepted: tuple[Path, list[str]] | None = None  # lossy save the designer agreed to
        self._drafts_accepted: dict[str, tuple[Document, str]] = {}  # verb -> saying Yes to these drafts (save_checks)
        self.music_to_ogg = MusicToOgg(self)

    # ------------------------------------------------------------------ dialogs (tests replace these)
    def ask_open_path(self) -> Path | None:
        return file_dialogs.ask_open_path(self.window)

    def ask_open_folder(self) -> Path | None:
        return file_dialogs.ask_open_folder(self.window)

    def ask_save_path(self, suggested: Path | None, title: str = "Save As") -> Path | None:
        return file_dialogs.ask_save_path(self.window, suggested, title)

    # ------------------------------------------------------------------ open
    def open_dialog(self) -> bool:
        """File > Open: a chart file, an ``.osz`` or an audio file."""
        path = self.ask_open_path()
        return self.open_path(path) if path is not None else False

    def open_folder_dialog(self) -> bool:
        """File > Open Folder: a song folder, or an osu! beatmap set (all its difficulties as one song)."""
        path = self.ask_open_folder()
        return self.open_path(path) if path is not None else False

    def open_path(self, path: str | Path, check_unsaved: bool = True) -> bool:
        """Open a chart file, a song folder or an audio file. False (with a message) when it cannot."""
        path = Path(path).absolute()  # recent files and crash recovery must find it from any working folder
        if check_unsaved and not self.window.maybe_save_changes():
            return False
        if path.is_dir() or (path.suffix.lower() == ".osz" and path.is_file()):  # an .osz: a zipped set folder
            return self._open_folder(path)
        if path.suffix.lower() in AUDIO_EXTENSIONS:
            return self.window.new_song_from_audio(path, check_unsaved=False)
        if not path.is_file():
            messages.error(self.window, "Cannot open", f"{path}: file not found")
            if str(path) in self.settings.recent_files() or str(path.resolve()) in self.settings.recent_files():
                self.recent_changed.emit(self.settings.remove_recent(path))
            return False
        report: list = []
        try:
            doc = Document.open(path, report=report)
        except (ValueError, OSError, UnicodeError) as exc:  # ParseError is a ValueError naming the file
            text = str(exc) if str(path) in str(exc) else f"{path.name}: {exc}"
            messages.error(self.window, "Cannot open", messages.one_line(text))
            return False
        self.adopt(doc)
        self._report_read(path.name, report)
        self.recent_changed.emit(self.settings.add_recent(path))
        if path.suffix.lower() == ".sm" and (ssc := _sibling(path, ".ssc")) is not None:
            self.window.status_warning(f"StepMania reads {ssc.name} in this folder, not this .sm: edits saved here "
                                       f"are not seen in-game (open {ssc.name}, or Save As .ssc)")
        self.opened.emit(str(path))
        return True

    def _open_folder(self, folder: Path) -> bool:
        """A song folder: its chart (an osu! beatmap set's difficulties as one song), else its one audio file; or
        an ``.osz``, extracted into the folder beside it first (:mod:`chart.formats.osz`) and read as that folder."""
        from chart.formats.osz import extract_folder
        from chart.formats.registry import chart_files, load_folder

        report: list = []
        fresh = folder.is_file() and not extract_folder(folder).exists()
        try:
            if folder.is_dir() and not chart_files(folder):
                audio = audio_files(folder)
                if len(audio) == 1:
                    return self.window.new_song_from_audio(audio[0], check_unsaved=False)
                what = f"{len(audio)} audio files and no chart; open one of them" if audio else "no chart or audio file"
                messages.error(self.window, "Cannot open", f"{folder.name}: the folder holds {what}")
                return False
            song, file = load_folder(folder, report)
        except (ValueError, OSError, UnicodeError) as exc:  # ParseError is a ValueError naming the folder or file
            text = str(exc) if str(folder) in str(exc) else f"{folder.name}: {exc}"
            messages.error(self.window, "Cannot open", messages.one_line(text))
            return False
        self.adopt(Document(song, path=file), read=_set_files_read(song, file))
        self._report_read(folder.name, report)
        where = f" (extracted to {extract_folder(folder).name}/)" if fresh else ""
        if file is None:  # several files (an osu! beatmap set): saving asks where, in one file
            self.session.status.emit(f"Opened {len(song.charts)} difficulties of {folder.name}{where} as one song; "
                                     f"Save As writes them to one file, Export to .osu one file per difficulty")
        elif where:
            self.session.status.emit(f"Opened {folder.name}{where}; Save writes {file.name} there, not the archive")
        self.recent_changed.emit(self.settings.add_recent(file or folder))
        self.opened.emit(str(file or folder))
        return True

    def adopt(self, doc: Document, audio: AudioState | None = None, read: list[Path] | None = None) -> None:
        """Make ``doc`` the open document and load (or attach) its audio. ``read``: the files it was read from
        besides ``doc.path`` (the difficulties of an osu! set opened from its folder)."""
        if doc.song.source_path is None and doc.path is not None:
            doc.song.source_path = doc.path
        self.on_disk.reset([*([doc.path] if doc.path is not None else []), *(read or [])])
        self._conversions_accepted = None
        self.session.set_document(doc)
        if audio is not None:
            self.session.set_audio(audio)
            self._report_damage(audio)
        else:
            self.load_audio()

    def _report_read(self, name: str, report: list) -> None:
        """What the reader moved, dropped or read leniently (off-grid osu! notes put on a row, a routine chart's
        player 2 kept but not shown...): a dialog listing it, and the status bar."""
        if not report:
            return
        from chart.formats.registry import read_notes

        lines = [line.removeprefix("read: ") for line in read_notes(report)]
        self.session.status.emit(f"{name}: {len(report)} thing(s) read with changes; see the list")
        shown = "\n".join(lines[:12]) + (f"\n... and {len(lines) - 12} more" if len(lines) > 12 else "")
        messages.information(self.window, "Read with changes",
                             f"{name} was read with these changes (saving writes the song as it is now):\n{shown}")

    def _report_damage(self, audio: AudioState) -> None:
        """A damaged or short audio file decodes up to the damage. The status bar says so (and the audio label
        keeps saying it); a dialog too when more than :data:`MATERIAL_LOSS_S` of what the header promises is lost
        (trailing junk that costs a fraction of a second is common in mp3s and not worth interrupting for).
        Verify flags any notes past the decoded end."""
        if not audio.warnings:
            return
        post_background(self.window, f"Audio problem: {audio.warnings[0]}")  # the decode's: behind a warning
        if audio.missing_s > MATERIAL_LOSS_S:
            text = "\n".join(audio.warnings)
            messages.warning(self.window, "Audio file damaged",
                             f"{text}\n\nThe waveform, playback and the AI use what decodes ({audio.missing_s:.1f} s "
                             f"less than the file's header says). Re-encode or replace the file to use the whole song.")

    def load_audio(self) -> Job | None:
        """Decode the song's audio in the background; problems go to the status bar, not a dialog."""
        song = self.session.doc.song
        path = song.audio_path()
        if path is None or not Path(path).is_file():
            name = song.music or "(none)"
            self.session.set_audio(None, f"audio file not found: {name}")
            self.session.status.emit(f"No audio: {name} was not found next to the chart. Notes are editable.")
            return None
        if self.audio_job is not None:
            self.audio_job.cancel()
        job = Job("decode", decode_job, Path(path), parent=self)
        doc = self.session.doc
        job.finished.connect(lambda audio, d=doc: self._audio_loaded(d, audio))
        job.failed.connect(lambda msg, d=doc: self._audio_failed(d, msg))
        self.audio_job = job
        post_background(self.window, f"Loading audio {Path(path).name}...")
        return self.jobs.start(job)

    def _audio_loaded(self, doc: Document, audio: AudioState) -> None:
        if doc is self.session.doc:  # the user may have opened another song meanwhile
            self.session.set_audio(audio)
            post_background(self.window, f"Audio: {audio.path.name}, {audio.duration_s:.1f} s, "
                                         f"{audio.sample_rate_hz} Hz")
            self._report_damage(audio)

    def _audio_failed(self, doc: Document, message: str) -> None:
        if doc is self.session.doc:
            self.session.set_audio(None, message)
            post_background(self.window, f"Cannot play audio: {message}. Notes are editable.")  # the label says it too

    # ------------------------------------------------------------------ save
    def maybe_save_changes(self) -> bool:
        """Ask about unsaved changes (a field being typed in included) and AI drafts not accepted yet (Discard /
        Cancel when they are all there is to lose); True when it is fine to drop the document."""
        commit_focused_field(self.window)
        doc = self.session.doc
        drafts = self.window.drafting.pending_text()  # the AI's ghosts are not in the file: they go too
        if doc.is_clean:
            return not drafts or messages.confirm_discard(self.window, "AI drafts pending",
                                                          f"{drafts} will be discarded.")
        name = doc.path.name if doc.path is not None else (doc.song.title or "Untitled")
        choice = messages.ask_save_changes(self.window, name, f"{drafts} will be discarded either way." if drafts
                                           else "")
        if choice is messages.SaveChoice.SAVE:  # "discarded either way" was said: this Save does not ask again,
            told = dict(self._drafts_accepted)  # and later ones do: the document may stay (an open that then
            self._drafts_accepted["Save"] = (doc, drafts)  # fails, a New Song cancelled) with its drafts
            try:
                return self.save()
            finally:
                self._drafts_accepted = told
        return choice is messages.SaveChoice.DISCARD

    def save(self) -> bool:
        commit_focused_field(self.window)
        if save_checks.refused_mid_edit(self.window, self.session, "saved"):
            return False
        doc = self.session.doc
        if doc.path is None or _osu_set_without_file(doc):  # no one file to save to (may_write refuses an .osu)
            return self.save_as()
        if is_bundled(doc.path):  # a song shipped with the editor opened by its path: saved as a copy (editor.demo)
            return self.save_as()
        return self._save_to(doc.path)

    def save_as(self) -> bool:
        commit_focused_field(self.window)
        if save_checks.refused_mid_edit(self.window, self.session, "saved"):
            return False
        doc = self.session.doc
        suggested = doc.path or doc.song.source_path
        if suggested is not None and _osu_set_without_file(doc):  # never one difficulty's file (gone, maybe)
            suggested = suggested.with_name(suggested.stem.split(" [")[0] + ".ssc")  # "NAME [Hard].osu" -> NAME.ssc
            self.session.status.emit("An osu!mania file holds one difficulty: save the set in one .ssc (File > "
                                     "Export writes its .osu files, one per difficulty)")
        if suggested is not None:  # the demo: the user's folder, not the editor's own
            suggested = away_from_bundled(suggested)
        if suggested is not None and not suggested.parent.is_dir():  # its folder is gone (a restored autosave...)
            suggested = Path(suggested.name)  # the name alone: the dialog opens in a folder that is there
        target = self.ask_save_path(suggested)
        if target is None:
            return False
        return self._save_to(target)

    def _save_to(self, target: Path) -> bool:
        doc, song = self.session.doc, self.session.doc.song
        if not save_checks.may_write(self, target):
            return False
        history = doc.history  # a removed chart an undo puts back is relinked too (and put back on a failure)
        held = held_charts([*history.undo_commands(), *history.redo_commands()])
        old = song.music, song.source_path, song.extra, [(c, c.extra) for c in (*song.charts, *held)]
        audio_found = self._relink_files(target, held)
        try:
            made = save_checks.set_copies(self, target)  # an .osu away from its audio: copied in (None: declined)
            if made is not None:
                save_checks.write(doc, target, made)
        except (ValueError, OSError, MemoryError) as exc:  # WriteError and SetFileClash are ValueErrors
            made, reason = None, exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if isinstance(exc, MemoryError):  # a song too big to build (the writer refuses what it can see first)
                reason = "not enough memory to build the file"
            if not target.parent.is_dir():  # the song's folder was moved or deleted while it was open
                reason = f"the folder {target.parent} is not there any more"
            messages.error(self.window, "Cannot save",
                           messages.one_line(f"{target}: {reason}") + "\nYour changes are still open; try Save As.")
        if made is None:
            song.music, song.source_path, song.extra = old[:3]
            for chart, extra in old[3]:
                chart.extra = extra
            return False
        doc.song.source_path = target
        self.on_disk.note([target])
        self.recent_changed.emit(self.settings.add_recent(target))
        copied = f"; {made.note(target.parent)}" if made.copies else ""
        self.session.status.emit(f"Saved {target.name}{copied}" + ("" if audio_found or not doc.song.music else
                                                                  f"; its audio {doc.song.music} was not found, so "
                                                                  f"#MUSIC is as it was"))
        self.saved.emit(str(target))
        return True

    def _relink_files(self, target: Path, held: list[Chart]) -> bool:
        """Keep #MUSIC (:func:`music_for`), #BANNER, #BACKGROUND and the song's other file tags
        (:func:`chart.formats.registry.relinked_extra`) pointing at their files when saving into another folder.
        False when the audio was not found (#MUSIC is left as it was)."""
        from chart.formats.registry import relink_charts, relinked_extra

        song = self.session.doc.song
        music = music_for(self.session, target)
        song.extra = relinked_extra(song, target)
        relink_charts(song, target, held)  # a chart's own #MUSIC, also of the charts history steps keep
        if music is not None:
            song.music = music
        return music is not None

    # ------------------------------------------------------------------ music to Ogg
    def convert_music_to_ogg(self) -> Job | None:
        """File > Convert Music to Ogg (:mod:`editor.controllers.music_ogg`): the write's job, or None."""
        return self.music_to_ogg.convert()

    # ------------------------------------------------------------------ new song from audio
    def new_document_from_audio(self, audio_path: Path, timing) -> Document:
        """A new song around an audio file with the confirmed timing and an empty Beginner chart."""
        from audio.tags import song_names

        title, artist = song_names(audio_path)  # the audio's own tags, else its file name (as `draft` names it)
        song = Song(title=title, artist=artist, music=audio_path.name, timing=timing,
                    charts=[Chart(slot=Slot.BEGINNER, meter=placeholder_meter(Slot.BEGINNER))])
        song.source_path = audio_path.with_suffix(".ssc")
        return Document(song)


def held_charts(commands: list) -> list[Chart]:
    """The charts history steps keep (``held_charts()``: a removed or added chart), transactions' steps included."""
    out: list[Chart] = []
    for command in commands:
        children = getattr(command, "children", None)
        out += held_charts(children) if isinstance(children, list) else []
        held = getattr(command, "held_charts", None)
        out += held() if callable(held) else []
    return out


def music_for(session: EditorSession, target: Path) -> str | None:
    """#MUSIC for the open song written to ``target`` (Save, Save As, Export): :func:`chart.song.music_relative_to`
    of the file the song names when it exists (an undone music change included), else of the audio that is
    loaded when its file is still there (lexically, as ``music_relative_to`` names it: "GONE/../media/a.ogg" is
    media/a.ogg). None when neither is (no audio, or the song's folder was moved or deleted): #MUSIC stays as it
    was rather than name a file that is not there."""
    named = session.doc.song.audio_path()
    loaded = session.audio.path if session.audio is not None else None
    audio = next((p for p in (named, loaded) if p is not None and os.path.isfile(os.path.abspath(p))), None)
    if audio is None:
        return None
    return music_relative_to(audio, target, session.doc.song.music)


def _osu_set_without_file(doc: Document) -> bool:
    """Whether the song is an osu! beatmap set with no one file to save to: opened from its folder, or read from
    one ``.osu`` (one difficulty per file) and given another difficulty since."""
    where = doc.path or doc.song.source_path
    return where is not None and where.suffix.lower() == ".osu" and (doc.path is None or len(doc.song.charts) > 1)


def _set_files_read(song: Song, file: Path | None) -> list[Path]:
    """The ``.osu`` files of an osu! set opened from its folder (or ``.osz``): those beside the first difficulty
    read. Another game mode's among them is never a leftover of the song (Export reads each one again)."""
    first = file or song.source_path
    if first is None or first.suffix.lower() != ".osu":
        return []
    try:
        return [p for p in first.parent.iterdir() if p.suffix.lower() == ".osu" and p.is_file()]
    except OSError:
        return []


def _sibling(path: Path, suffix: str) -> Path | None:
    """The file beside ``path`` with its stem and ``suffix`` (any case), if there is one."""
    want = (path.stem + suffix).lower()
    return next((p for p in path.parent.iterdir() if p.name.lower() == want and p.is_file()), None)
