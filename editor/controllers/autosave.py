"""Autosave and crash recovery.

Every running editor owns a session folder ``<AppDataLocation>/recovery/<id>/`` holding a ``session.lock``
(a QLockFile: Qt knows when its process died), a ``session.json`` marker (which file is open, where its audio
is) and rotating generations ``autosave-NNNNNN.json`` (the game JSON format: exact beats, every field; written
atomically). Autosave runs every 30 s and when the app loses focus, only when there are unsaved changes that the
last generation does not hold; it serialises a snapshot of the song in a worker thread (a big song takes a second:
the window must not freeze) and writes the generation when that is done, unless the document was saved, replaced
or autosaved meanwhile (the snapshot would be stale then). A save, an undo back to the saved state or opening
another file deletes the generations (the file then holds the work, and a crash must not offer to roll it back).
A clean exit deletes the session folder; after a crash it stays, its lock is stale, and the next start offers to
restore the newest generation. Restoring opens the original file (if any) and applies the recovered song as one
undoable "Restore autosave" step, so the document shows as unsaved and the designer decides whether to keep it.
The marker also names what was opened: the chart file, the folder of an osu! beatmap set (no one file holds it)
or the audio file of a new song not saved yet; opening that same thing again offers its autosave. It keeps the
song's files with their stamps as last read or written here (rewritten when a Save or Export writes them): one
changed since (another program) makes the restore question warn and default to No, and Save still asks before
overwriting it. A tick during a mouse drag (or a key-drawn hold) waits until the stroke ends: half a drag is no
state to restore (a record take is autosaved).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from chart.fileio import atomic_write_text
from chart.song import Song
from chart.song_copy import snapshot
from editor import messages
from editor.controllers import save_checks
from editor.controllers.autosave_files import (
    MARKER,
    changed_on_disk,
    clock,
    describe,
    disk_stamps,
    kept_line,
    load_generation,
    marker_damage,
    marker_key,
    mtime,
    newest_time,
    place,
    read_marker,
)
from editor.session import EditorSession
from editor.settings import app_data_dir
from editor.workers import Job

INTERVAL_MS = 30_000
GENERATIONS = 5
UNRESTORABLE = ".unrestorable"  # suffix of a crashed session none of whose generations could be read
LOCK = "session.lock"


class AutosaveController(QObject):
    """Owns this window's recovery session."""

    saved = Signal(str)  # path of the generation written

    def __init__(self, win, session: EditorSession, root: Path | None = None):
        super().__init__(win)
        self.win, self.session = win, session
        self.root = Path(root) if root is not None else app_data_dir() / "recovery"
        self.folder: Path | None = None
        self.lock: QLockFile | None = None
        self.generation = 0
        self._dirty_since_autosave = False
        self._started = False  # start_session ran (autosave retries a folder it could not make)
        self._restored_from: Path | None = None  # crashed session folder restored, removed once saved again
        self._opened: str | None = None  # what was opened for this document when it is not its file (a folder...)
        self._after_stroke = False  # a tick came during a drag: autosave when the stroke ends
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.autosave_in_background)
        self._job: Job | None = None  # serialising a snapshot
        self._job_epoch = 0  # the epoch its snapshot was taken in
        self._epoch = 0  # bumped by whatever makes a snapshot in flight stale (save, new document, newer generation)
        session.document_replaced.connect(self._attach)
        files = getattr(win, "files", None)
        if files is not None:
            files.opened.connect(self.offer_for_opened)
            files.on_disk.watch(self._write_marker)  # an Export or Save wrote the song's files: the marker says so
        app = QGuiApplication.instance()  # typed as QCoreApplication; the editor's is a QApplication
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._app_state)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.changed.connect(self._changed)
        self.session.bridge.history_changed.connect(self._stroke_may_have_ended)  # a commit is a history change
        self.session.bridge.clean_changed.connect(self._clean_changed)
        self._dirty_since_autosave = self._after_stroke = False
        self._opened = None  # set by offer_for_opened when the new document came from File > Open
        self._drop_generations()  # they hold the previous document: restoring them onto this one would be wrong
        self._write_marker()

    def _changed(self) -> None:
        self._dirty_since_autosave = True
        self._stroke_may_have_ended()  # an aborted drag puts its notes back: a change

    def _stroke_may_have_ended(self) -> None:
        if self._after_stroke and not self.session.doc.history.in_stroke:
            self._after_stroke = False
            QTimer.singleShot(0, self.autosave_in_background)  # once the release that ended it is handled

    def _clean_changed(self, is_clean: bool) -> None:
        if not is_clean:  # e.g. a new song from audio: work no file holds, though no edit was made yet
            self._dirty_since_autosave = True
        if is_clean:  # saved (or undone to the saved state): the file holds this work, older generations are stale
            self._drop_generations()

    def _drop_generations(self) -> None:
        self._epoch += 1  # a snapshot being serialised now holds what the file (or the old document) holds
        if self.folder is not None:
            for old in self.folder.glob("autosave-*.json"):
                old.unlink(missing_ok=True)

    def _app_state(self, state) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            self.autosave_in_background()  # focus lost: the user may be about to do something risky elsewhere

    # ------------------------------------------------------------------ session
    def start_session(self) -> None:
        """Create this process's session folder and hold its lock; starts the 30 s timer. A folder that cannot be
        made (full disk, read-only app data) leaves the editor usable: the status bar says so and every autosave
        tries again. A session restored at start is written to the new folder at once, and only then is the
        crashed one removed (a second crash right after a restore must not lose the work)."""
        self._started = True
        self._make_folder()
        self.timer.start()
        self._settle_restored()

    def _make_folder(self) -> bool:
        if self.folder is not None:
            return True
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # unique even for two windows of one process started within a second
            folder = Path(tempfile.mkdtemp(prefix=f"{stamp}-{os.getpid()}-", dir=self.root))
        except OSError as exc:
            self.session.status.emit(f"Autosave disabled for now: cannot create a session folder in {self.root}: "
                                     f"{exc.strerror or exc}")
            return False
        self.folder = folder
        self.lock = QLockFile(str(folder / LOCK))
        self.lock.setStaleLockTime(0)  # only a dead owner makes it stale, never its age
        self.lock.tryLock(0)
        self._write_marker()
        return True

    def _settle_restored(self) -> None:
        """Remove the crashed session restored from, once a generation of this session holds its work."""
        crashed, self._restored_from = self._restored_from, None
        if crashed is None:
            return
        if self.autosave(force=True) is not None:
            shutil.rmtree(crashed, ignore_errors=True)
        else:  # kept: offered again at the next start rather than lost
            self._restored_from = crashed

    def _write_marker(self) -> None:
        if self.folder is None:
            return
        doc = self.session.doc
        audio = self.session.audio.path if self.session.audio is not None else doc.song.audio_path()
        document = os.path.abspath(doc.path) if doc.path else None
        on_disk = getattr(getattr(self.win, "files", None), "on_disk", None)
        stamps = on_disk.recorded() if on_disk is not None else {}
        marker = {"pid": os.getpid(), "started": time.time(), "document": document,
                  "opened": self._opened or document,  # the key it is offered under when there is no document
                  "title": doc.song.title, "audio": str(audio) if audio else None,
                  "source": str(doc.song.source_path) if doc.song.source_path else None,
                  "disk": [[str(path), *was] for path, was in stamps.items() if was is not None]}
        try:
            atomic_write_text(self.folder / MARKER, json.dumps(marker, indent=1))
        except OSError as exc:
            self.session.status.emit(f"Autosave disabled: cannot write {self.folder}: {exc.strerror or exc}")

    def shutdown(self) -> None:
        """Clean exit: nothing to recover, remove the session folder."""
        self.timer.stop()
        self._epoch += 1
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    # ------------------------------------------------------------------ autosave
    def autosave(self, force: bool = False) -> Path | None:
        """Write a new generation now, on this thread, when there are unsaved changes it would not duplicate
        (``force``: in any case)."""
        if not self._wants_generation(force):
            return None
        from chart.formats.registry import dumps

        try:
            text = dumps(self.session.doc.song, "json")
        except ValueError as exc:
            self.session.status.emit(f"Autosave failed: {exc}")
            return None
        self._dirty_since_autosave = False
        return self._write_generation(text)

    def autosave_in_background(self) -> None:
        """The timer's and focus loss's autosave: :meth:`autosave` with the serialisation on a snapshot in a worker
        thread; the generation is written when it is done (:meth:`_serialised`). One at a time: a tick while one
        runs is skipped (the next one catches up)."""
        if self._job is not None or not self._wants_generation(False):
            return
        if save_checks.open_edit(self.win, self.session.doc) not in (None, save_checks.TAKE):  # a drag, a lane key
            self._after_stroke = True
            return
        from chart.formats.registry import dumps

        song = snapshot(self.session.doc.song)
        self._dirty_since_autosave = False  # an edit from now on is not in this snapshot: it makes it dirty again
        job = Job("autosave", lambda _ctx: dumps(song, "json"))
        job.finished.connect(self._serialised)
        job.failed.connect(self._serialise_failed)
        self._job, self._job_epoch = job, self._epoch
        job.start()

    def _serialised(self, text: str) -> None:
        self._job = None
        if self._job_epoch == self._epoch:  # else saved, replaced or autosaved since the snapshot: stale
            self._write_generation(text)

    def _serialise_failed(self, message: str) -> None:
        self._job = None
        self._dirty_since_autosave = True
        self.session.status.emit(f"Autosave failed: {message}")

    def _wants_generation(self, force: bool) -> bool:
        if self.folder is None and not (self._started and self._make_folder()):
            return False
        doc = self.session.doc
        return force or (not doc.is_clean and self._dirty_since_autosave)

    def _write_generation(self, text: str, again: bool = True) -> Path | None:
        assert self.folder is not None
        self._epoch += 1  # supersedes a snapshot still being serialised
        self.generation += 1
        path = self.folder / f"autosave-{self.generation:06d}.json"
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            if again and not self.folder.is_dir() and self._replace_lost_folder():
                return self._write_generation(text, again=False)
            self._dirty_since_autosave = True
            self.session.status.emit(f"Autosave failed: cannot write {path}: {exc.strerror or exc}")
            return None
        self._write_marker()
        for old in sorted(self.folder.glob("autosave-*.json"))[:-GENERATIONS]:
            old.unlink(missing_ok=True)
        self.saved.emit(str(path))
        return path

    def _replace_lost_folder(self) -> bool:
        """The session folder was deleted while running (app data cleared): a new one (lock, marker) instead."""
        lost, self.folder, self.lock = self.folder, None, None  # its lock file went with it: nothing to unlock
        if not self._make_folder():
            return False
        self.session.status.emit(f"The autosave folder {lost} was removed; autosaving into {self.folder} now")
        return True

    # ------------------------------------------------------------------ recovery
    def crashed_sessions(self) -> list[Path]:
        """Session folders whose owner is gone and that hold at least one generation, newest first."""
        found: list[Path] = []
        if not self.root.is_dir():
            return found
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder == self.folder or folder.suffix == UNRESTORABLE:
                continue
            lock = QLockFile(str(folder / LOCK))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                continue  # another editor is running with it
            lock.unlock()
            if any(folder.glob("autosave-*.json")):
                found.append(folder)
            else:
                shutil.rmtree(folder, ignore_errors=True)
        return sorted(found, key=newest_time, reverse=True)

    def offer_recovery(self, opening: Path | None = None) -> bool:
        """At start: ask whether to restore the newest crashed session; True when a document was restored. With
        ``opening`` (a file named on the command line) only a session of that file is offered; the others wait
        until their file is opened (:meth:`offer_for_opened`) or the editor starts without a file."""
        crashed = self.crashed_sessions()
        sessions = crashed if opening is None else [f for f in crashed if marker_key(f) == place(opening)]
        others = crashed[1:] if opening is None else [f for f in crashed if f not in sessions]  # named in a line
        if others:
            self.session.status.emit(kept_line(others))
        note = f"\n\n{kept_line(others)}." if others and sessions else ""
        return bool(sessions) and self._offer(sessions[0], onto_open=False, note=note)

    def offer_for_opened(self, path: str) -> bool:
        """A chart file, song folder or audio file (a new song) was opened: remember it for the marker, and offer
        the crashed session that was editing it, if any (newest), restored onto the document just opened."""
        self._opened = os.path.abspath(path)
        self._write_marker()
        return self._offer_for(path, onto_open=True)

    def offer_for_new_song(self, audio: Path) -> bool:
        """A new song from ``audio`` is about to be made: offer the crashed session of an unsaved song made from
        the same audio file, restored as it was (no tempo to confirm again); True when restored."""
        return self._offer_for(audio, onto_open=False)

    def _offer_for(self, path: str | Path, onto_open: bool) -> bool:
        if self._restored_from is not None:
            return False
        wanted = place(path)
        sessions = [f for f in self.crashed_sessions() if marker_key(f) == wanted]
        return bool(sessions) and self._offer(sessions[0], onto_open=onto_open)

    def _offer(self, folder: Path, onto_open: bool, note: str = "") -> bool:
        marker = read_marker(folder)
        if damaged := marker_damage(folder):  # a damaged marker, or a newer version's: offered without those
            self.session.status.emit(f"The recovery note {folder / MARKER} is damaged ({', '.join(damaged)} "
                                     f"ignored); its autosave is offered without it")
        newest = newest_time(folder)
        text = (f"GenéLive Studio did not close properly. Restore the autosave of {describe(marker)} from "
                f"{clock(newest)}?"
                "\n\nNo discards the autosave.")
        changed = changed_on_disk(marker)  # by another program (or a save this autosave does not hold)
        times = [t for t in (mtime(str(p)) for p in changed) if t is not None]
        document = marker.get("document")  # its time says only where the marker has no stamp of it (older version)
        saved = max(times) if times else None if document and Path(document) in disk_stamps(marker) else mtime(document)
        after = saved is not None and saved > newest
        what = (", ".join(p.name for p in changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3
                                                           else "")) if changed else "The file"
        if after and saved is not None:  # e.g. the work was redone and saved in another session
            text += (f"\n\n{what} was saved at {clock(saved)}, after this autosave: restoring would replace "
                     f"that newer work with the older autosave (undo brings it back).")
        elif changed and saved is not None:  # changed by another program while the song was open
            text += (f"\n\n{what} was changed on disk at {clock(saved)} by another program, after the editor "
                     f"read it: restoring would replace that version with the autosave (undo brings it back).")
        if changed:
            text += " Save then asks before overwriting it."
        stale = after or bool(changed)
        if not messages.confirm(self.win, "Restore unsaved work?", text + note, default=not stale):
            shutil.rmtree(folder, ignore_errors=True)
            return False
        ok, failure = False, "no autosave left"
        for generation in sorted(folder.glob("autosave-*.json"), reverse=True):  # newest first; older if unreadable
            try:
                recovered = load_generation(generation)
            except ValueError as exc:
                failure = str(exc)
                continue
            try:
                ok = self.restore(recovered, generation, marker, onto_open)
            except Exception as exc:  # last resort: a recovery note nobody foresaw must not stop the editor starting
                logging.getLogger(__name__).warning("restoring %s failed", generation, exc_info=True)  # the bug's trace
                failure = f"{generation.name} could not be restored: {exc}"
            break
        if not ok:  # kept under another name: not offered (and failing) again at every start
            kept = folder.with_name(folder.name + UNRESTORABLE)
            with contextlib.suppress(OSError):
                folder.rename(kept)
            messages.error(self.win, "Cannot restore", f"{messages.one_line(failure)}\nThe autosaves are kept in {kept}.")
        if ok:
            self._restored_from = folder
            if self.folder is not None:  # a session is running (a file opened later): save into it now
                self._settle_restored()
        return ok

    def restore(self, recovered: Song, generation: Path, marker: dict, onto_open: bool = False) -> bool:
        """Apply ``recovered`` as one undoable step, on the open document (``onto_open``: what it was editing has
        just been opened) or on the file the marker names, opened again. When there is no such file (a new song
        never saved, a file deleted since) the step applies to a blank song that is marked unsaved: undoing the
        restore must not reach a "clean" state that no file holds (closing would not ask, and reaching it deletes
        the autosaves). When the song's folder is gone (moved, renamed, on a drive not plugged in; for a new song,
        the folder of its audio) the work opens as an unsaved song without audio, a dialog says so, and Save asks
        where (Save As): saving into the missing folder could only fail."""
        from editor.controllers.autosave_restore import restore

        return restore(self, recovered, generation, marker, onto_open)
