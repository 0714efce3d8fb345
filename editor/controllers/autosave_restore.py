"""Applying a recovered song (:meth:`editor.controllers.autosave.AutosaveController.restore`): onto the document
just opened, or onto the file the crashed session's marker names, opened again, or onto a blank song."""

from __future__ import annotations

import os
from pathlib import Path

from chart.document import Document
from chart.song import Song
from editor import messages
from editor.controllers.autosave_command import RestoreSnapshot
from editor.controllers.autosave_files import disk_stamps
from editor.session import blank_song


def restore(ctl, recovered: Song, generation: Path, marker: dict, onto_open: bool = False) -> bool:
    """Apply ``recovered`` as one undoable step for ``ctl`` (the AutosaveController); see its ``restore``. The
    files' stamps from before the crash are kept as the editor's: a file another program changed meanwhile (the
    restore question said so) still makes Save ask before overwriting it."""
    win, session = ctl.win, ctl.session
    path = Path(marker["document"]) if marker.get("document") else None
    home = path or (Path(marker["source"]) if marker.get("source") else None)  # where the song's files were
    gone = not onto_open and home is not None and not os.path.isdir(home.parent)  # False on any OSError
    blank = False
    doc: Document | None
    if onto_open:
        doc = session.doc
    else:
        doc = None
        if path is not None and os.path.isfile(path):  # a name too long, no permission: as if gone
            try:
                doc = Document.open(path)
            except (ValueError, OSError):
                doc = None
        if doc is None:
            song = blank_song()
            source = marker.get("source")
            song.source_path = Path(source) if source else None
            doc, blank = Document(song, path=None if gone else path), True
    recovered.source_path = doc.song.source_path
    before = doc.song.music, doc.song.audio_path()
    if not onto_open:
        win.files.adopt(doc)
        if blank:
            doc.mark_unsaved()  # as a new song is: no file holds the blank base either
        ctl._opened = marker.get("opened") or marker.get("document")  # a second crash is offered for it too
    win.files.on_disk.keep(disk_stamps(marker))  # rewrites the marker with them: a second crash warns again
    session.push(RestoreSnapshot(recovered))
    if (doc.song.music, doc.song.audio_path()) != before:  # other audio, or the label would name the old
        win.files.load_audio()
    if gone:
        assert home is not None
        session.status.emit(f"Restored the autosave from {generation.parent.name}; its folder is gone: "
                            f"File > Save As to keep it")
        what = (path.name if path is not None else f"The song's audio {doc.song.music}" if doc.song.music
                else "The song")  # a new song never saved: no chart file was there yet
        messages.warning(win, "Song folder not found",
                         f"{what} was in {home.parent}, which is not there any more (moved, renamed, or "
                         f"on a drive that is not plugged in). The autosave is open as an unsaved song"
                         f"{', without its audio' if doc.song.audio_path() is None else ''}: File > Save As "
                         f"keeps it.")
    else:
        session.status.emit(f"Restored the autosave from {generation.parent.name}; save to keep it")
    return True
