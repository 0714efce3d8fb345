"""Autosave and crash recovery.

Every running editor owns a session folder ``<AppDataLocation>/recovery/<id>/`` holding a ``session.lock``
(a QLockFile: Qt knows when its process died), a ``session.json`` marker (which file is open, where its audio
is) and rotating generations ``autosave-NNNNNN.json`` (the game JSON format: exact beats, every field; written
atomically). Autosave runs every 30 s and when the app loses focus, only when there are unsaved changes that the
last generation does not hold; a save, an undo back to the saved state or opening another file deletes the
generations (the file then holds the work, and a crash must not offer to roll it back). A clean exit deletes the
session folder; after a crash it stays, its lock is stale, and the next start offers to restore the newest
generation. Restoring opens the original file (if any) and applies the recovered song as one undoable "Restore
autosave" step, so the document shows as unsaved and the designer decides whether to keep it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from chart.document import SONG_FIELDS, Document
from chart.fileio import atomic_write_text
from chart.song import Song
from editor import messages
from editor.session import EditorSession, blank_song
from editor.settings import app_data_dir

INTERVAL_MS = 30_000
GENERATIONS = 5
MARKER = "session.json"
LOCK = "session.lock"


class RestoreSnapshot:
    """Command: replace the song's metadata, timing and charts with a recovered song (undo puts them back)."""

    name = "Restore autosave"
    provenance = None

    def __init__(self, recovered: Song):
        self.recovered = recovered
        self._old: Song | None = None

    def merge_with(self, _other) -> bool:
        return False

    def do(self, doc: Document) -> None:
        self._old = _copy_song(doc.song)
        _apply(doc, self.recovered)

    def undo(self, doc: Document) -> None:
        if self._old is not None:
            _apply(doc, self._old)


def _copy_song(song: Song) -> Song:
    import copy

    return copy.deepcopy(song)


def _apply(doc: Document, source: Song) -> None:
    import copy

    src = copy.deepcopy(source)
    doc.set_song_fields(**{name: getattr(src, name) for name in SONG_FIELDS})
    doc.set_timing(None, src.timing)
    for chart in list(doc.song.charts):
        doc.delete_chart(chart)
    for i, chart in enumerate(src.charts):
        doc.insert_chart(i, chart)


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
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.autosave)
        session.document_replaced.connect(self._attach)
        app = QGuiApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._app_state)
        self._attach()

    def _attach(self) -> None:
        self.session.bridge.changed.connect(self._changed)
        self.session.bridge.clean_changed.connect(self._clean_changed)
        self._dirty_since_autosave = False
        self._drop_generations()  # they hold the previous document: restoring them onto this one would be wrong
        self._write_marker()

    def _changed(self) -> None:
        self._dirty_since_autosave = True

    def _clean_changed(self, is_clean: bool) -> None:
        if is_clean:  # saved (or undone to the saved state): the file holds this work, older generations are stale
            self._drop_generations()

    def _drop_generations(self) -> None:
        if self.folder is not None:
            for old in self.folder.glob("autosave-*.json"):
                old.unlink(missing_ok=True)

    def _app_state(self, state) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            self.autosave()  # focus lost: the user may be about to do something risky elsewhere

    # ------------------------------------------------------------------ session
    def start_session(self) -> None:
        """Create this process's session folder and hold its lock; starts the 30 s timer."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.folder = self.root / f"{stamp}-{os.getpid()}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = QLockFile(str(self.folder / LOCK))
        self.lock.setStaleLockTime(0)  # only a dead owner makes it stale, never its age
        self.lock.tryLock(0)
        self._write_marker()
        self.timer.start()

    def _write_marker(self) -> None:
        if self.folder is None:
            return
        doc = self.session.doc
        audio = self.session.audio.path if self.session.audio is not None else doc.song.audio_path()
        marker = {"pid": os.getpid(), "started": time.time(), "document": str(doc.path) if doc.path else None,
                  "title": doc.song.title, "audio": str(audio) if audio else None,
                  "source": str(doc.song.source_path) if doc.song.source_path else None}
        try:
            atomic_write_text(self.folder / MARKER, json.dumps(marker, indent=1))
        except OSError as exc:
            self.session.status.emit(f"Autosave disabled: cannot write {self.folder}: {exc.strerror or exc}")

    def shutdown(self) -> None:
        """Clean exit: nothing to recover, remove the session folder."""
        self.timer.stop()
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    # ------------------------------------------------------------------ autosave
    def autosave(self, force: bool = False) -> Path | None:
        """Write a new generation when there are unsaved changes it would not duplicate."""
        if self.folder is None:
            return None
        doc = self.session.doc
        if not force and (doc.is_clean or not self._dirty_since_autosave):
            return None
        from chart.formats.registry import dumps

        try:
            text = dumps(doc.song, "json")
        except ValueError as exc:
            self.session.status.emit(f"Autosave failed: {exc}")
            return None
        self.generation += 1
        path = self.folder / f"autosave-{self.generation:06d}.json"
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            self.session.status.emit(f"Autosave failed: {exc.strerror or exc}")
            return None
        self._dirty_since_autosave = False
        self._write_marker()
        for old in sorted(self.folder.glob("autosave-*.json"))[:-GENERATIONS]:
            old.unlink(missing_ok=True)
        self.saved.emit(str(path))
        return path

    # ------------------------------------------------------------------ recovery
    def crashed_sessions(self) -> list[Path]:
        """Session folders whose owner is gone and that hold at least one generation, newest first."""
        found = []
        if not self.root.is_dir():
            return found
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder == self.folder:
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
        return sorted(found, key=lambda f: max(p.stat().st_mtime for p in f.glob("autosave-*.json")), reverse=True)

    def offer_recovery(self) -> bool:
        """Ask whether to restore the newest crashed session; True when a document was restored."""
        sessions = self.crashed_sessions()
        if not sessions:
            return False
        folder = sessions[0]
        newest = sorted(folder.glob("autosave-*.json"))[-1]
        marker = _read_marker(folder)
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(newest.stat().st_mtime))
        name = marker.get("document") or marker.get("title") or "an unsaved song"
        if not messages.confirm(self.win, "Restore unsaved work?",
                                f"GenéLive Studio did not close properly. Restore the autosave of {name} "
                                f"from {when}?", default=True):
            shutil.rmtree(folder, ignore_errors=True)
            return False
        ok = self.restore(newest, marker)
        if ok:
            shutil.rmtree(folder, ignore_errors=True)
        return ok

    def restore(self, generation: Path, marker: dict) -> bool:
        from chart.formats.registry import load

        try:
            recovered = load(generation)
        except (ValueError, OSError) as exc:
            messages.error(self.win, "Cannot restore", f"{generation.name}: {exc}")
            return False
        path = Path(marker["document"]) if marker.get("document") else None
        doc = None
        if path is not None and path.is_file():
            try:
                doc = Document.open(path)
            except (ValueError, OSError):
                doc = None
        if doc is None:
            song = blank_song()
            source = marker.get("source")
            song.source_path = Path(source) if source else None
            doc = Document(song, path=path)
        recovered.source_path = doc.song.source_path
        audio_before = doc.song.audio_path()
        self.win.files.adopt(doc)
        self.session.push(RestoreSnapshot(recovered))
        if doc.song.audio_path() != audio_before:  # the recovered song names other audio
            self.win.files.load_audio()
        self.session.status.emit(f"Restored the autosave from {generation.parent.name}; save to keep it")
        return True


def _read_marker(folder: Path) -> dict:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
