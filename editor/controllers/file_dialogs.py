"""The File menu's file dialogs: Open (a chart, an archive or an audio file), Open Folder (a song folder or an
osu! beatmap set) and Save As.

Two Open entries, as a platform file dialog picks either files or a folder, never both: a set's difficulties open
together as one song only from its folder. The filters are built from the formats'
(:func:`chart.formats.registry.formats`) and :data:`chart.song.AUDIO_EXTENSIONS` lists, so every chart and audio
file the editor reads is offered (``.m4a``, later ``.aac``, was missing from a hand-written list). :class:`editor.controllers.files.FileController` calls these through methods that tests
replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from chart.formats.registry import formats
from chart.song import AUDIO_EXTENSIONS

CHART_EXTENSIONS = tuple(e for f in formats() for e in f.extensions)
OPEN_FILTER = (f"Charts and audio ({' '.join('*' + e for e in CHART_EXTENSIONS + AUDIO_EXTENSIONS)});;"
               "All files (*)")
SAVE_FILTER = "StepMania 5 (*.ssc);;StepMania (*.sm);;osu!mania (*.osu);;Game JSON (*.json)"


def ask_open_path(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open a chart or an audio file", "", OPEN_FILTER)
    return Path(path) if path else None


def ask_open_folder(parent: QWidget) -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, "Open a song folder or an osu! beatmap set")
    return Path(path) if path else None


def ask_save_path(parent: QWidget, suggested: Path | None, title: str = "Save As") -> Path | None:
    path, chosen = QFileDialog.getSaveFileName(parent, title, str(suggested or ""), SAVE_FILTER)
    if not path:
        return None
    return with_filter_extension(Path(path), chosen, ".ssc")


def with_filter_extension(target: Path, chosen: str, default: str | None) -> Path:
    """``target`` with the extension of the filter the user picked (``default`` when the filter names none) added
    when its name has no chart extension: a name typed with a dot ("Mr. Brightside", "Vol. 2") has a suffix
    (". Brightside") that is no extension, and ``with_suffix`` would have cut the name to "Mr.ssc"."""
    if target.suffix.lower() in CHART_EXTENSIONS:
        return target
    extension = "." + chosen.split("*.")[-1].rstrip(")").strip() if "*." in chosen else default
    return target.with_name(target.name + extension) if extension else target
