"""The bundled demo song (``resources/demo/first-light.ssc``), what ``python main.py`` and ``make run`` open when
no path is given.

It opens as an untitled copy: Ctrl+S after one edit wrote over the repository's own tracked file (and left a
``.bak`` beside it), and on a read-only install it failed with "Permission denied". Save asks where (Save As),
suggesting the user's documents folder, never ``resources/``; Save As relinks ``#MUSIC`` to the bundled audio as it
does for any song saved into another folder (:meth:`editor.controllers.files.FileController._relink_files`), so the
saved copy plays. The song keeps the bundled file as its ``source_path``, which is how its audio is found, how the
window title calls it the demo, and what autosave's marker names: crash recovery restores it as an untitled copy too.
The bundled file opened by its path (``main.py open resources/demo/first-light.ssc``) is saved as a copy as well.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLED = (REPO / "resources").resolve()
DEMO_SONG = BUNDLED / "demo" / "first-light.ssc"


def is_bundled(path: str | Path | None) -> bool:
    """Whether ``path`` is one of the files shipped with the editor (under ``resources/``): never saved over."""
    if path is None:
        return False
    try:
        return Path(path).resolve().is_relative_to(BUNDLED)
    except OSError:
        return False


def is_demo(doc) -> bool:
    """Whether ``doc`` (a :class:`chart.document.Document`) is a bundled song: the untitled demo copy, its restored
    autosave, or a bundled file opened by its path."""
    return is_bundled(doc.path if doc.path is not None else doc.song.source_path)


def open_demo(win) -> bool:
    """Open the demo song in ``win`` as an untitled, unmodified copy (not added to Open Recent: it is no file of
    the designer's). False, with a dialog, when the install lacks it."""
    from chart.document import Document
    from editor import messages

    try:
        doc = Document.open(DEMO_SONG)
    except (ValueError, OSError, UnicodeError) as exc:  # a damaged install
        messages.error(win, "Cannot open", messages.one_line(f"the demo song: {exc}"))
        return False
    doc.song.source_path = DEMO_SONG  # its audio is found beside it
    doc.path = None  # untitled: Save asks where
    win.files.adopt(doc)
    win.session.status.emit("The bundled demo song, opened as an untitled copy: Save asks where to keep your version")
    return True


def away_from_bundled(path: Path) -> Path:
    """``path``, or for a file shipped with the editor the same name in :func:`save_folder`: what Save As and Export
    suggest, never the editor's own ``resources/``."""
    return save_folder() / path.name if is_bundled(path) else path


def save_folder() -> Path:
    """Where Save As suggests keeping a bundled song: the user's documents folder, else their home."""
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()
