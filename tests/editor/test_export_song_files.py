"""Export and Save know the song's own files (those read on open or written here: editor.controllers.disk_stamps).

* Export to .osu offered, with Yes the default, to move every other .osu of the same audio to .bak, as "deleted or
  renamed since": a guest mapper's difficulty beside the one file opened went too.
* Export onto the open file skipped Save's "changed on disk" question and kept no .bak; the next Save then said
  another program had changed the file, though only the export had.
* Save as .sm said "the file will not have" #SCROLLS, which the .sm has (StepMania ignores it there).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from chart.commands import SetTiming
from chart.formats.registry import load, load_folder
from editor.controllers.export import ExportController
from tests.editor.test_chart_management import _osu, _osu_set

pytestmark = pytest.mark.qt

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
EASY = "Artist - Title (Mapper) [Easy].osu"
GUEST = "Artist - Title (Mapper) [Guest].osu"


def _titles(boxes) -> list[str]:
    return [title for _kind, title, _text in boxes]


def test_export_of_one_opened_difficulty_leaves_the_sets_other_difficulty_alone(window, tmp_path, boxes):
    folder = _osu_set(tmp_path / "set", ("Easy", "Guest"))
    assert window.open_path(folder / EASY)  # the one file, not the set's folder
    boxes.clear()
    boxes.answers = [YES] * 6
    assert ExportController(window).export(folder / EASY)
    assert "Old difficulty files" not in _titles(boxes)
    assert (folder / GUEST).is_file()
    assert not (folder / f"{GUEST}.bak").exists()
    assert len(load_folder(folder)[0].charts) == 2


def test_export_into_a_folder_of_someone_elses_difficulties_offers_none_of_them(window, tmp_path, boxes):
    folder = _osu_set(tmp_path / "set", ("Guest",))
    other = _osu_set(tmp_path / "mine", ("Easy",))
    assert window.open_path(other / EASY)
    boxes.clear()
    boxes.answers = [YES] * 6
    assert ExportController(window).export(folder / "Mine.osu")  # the same audio.wav name: once "a leftover"
    assert "Old difficulty files" not in _titles(boxes)
    assert (folder / GUEST).is_file()


def test_export_still_offers_the_files_an_earlier_export_here_wrote(opened, boxes):
    """The song's own leftovers: one export writes a file per difficulty, a difficulty is deleted, the next export
    offers the file it no longer writes."""
    win = opened
    target = win.session.doc.path.with_name("set.osu")
    boxes.answers = [YES] * 6
    assert ExportController(win).export(target)
    written = sorted(p.name for p in target.parent.glob("set *.osu"))
    assert len(written) == 2
    boxes.answers = [YES]
    win.charts_panel.delete_chart()
    boxes.clear()
    boxes.answers = [NO] * 6  # keep them: only the question is looked at
    assert ExportController(win).export(target)
    asked = [text for _kind, title, text in boxes if title == "Old difficulty files"]
    assert asked
    assert all(name in asked[0] for name in written)


def test_export_onto_the_open_file_changed_elsewhere_asks_and_keeps_a_backup(window, tmp_path, boxes):
    folder = _osu_set(tmp_path / "set", ("Easy",))
    path = folder / EASY
    assert window.open_path(path)
    elsewhere = _osu("Easy", objects=3)  # osu!'s own editor rewrites the map meanwhile
    path.write_text(elsewhere)
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    boxes.clear()
    boxes.answers = [NO]
    assert not ExportController(window).export(path)
    assert _titles(boxes) == ["File changed on disk"]
    assert path.read_text() == elsewhere
    boxes.answers = [YES]
    assert ExportController(window).export(path)
    assert (folder / f"{EASY}.bak").read_text() == elsewhere
    assert len(load(path).charts[0].notes) == 8
    boxes.clear()
    boxes.answers = [YES] * 4
    assert window.files.save()  # the export was the editor's own: no "changed on disk" now
    assert "File changed on disk" not in _titles(boxes)


def test_save_as_sm_does_not_call_scrolls_lost(opened, boxes):
    win = opened
    timing = win.session.doc.song.timing
    win.session.push(SetTiming(timing.with_changes(extra=(("SCROLLS", "0.000=1.000,8.000=0.500"),)), merge=False))
    target: Path = win.session.doc.path.with_suffix(".sm")
    win.files.ask_save_path = lambda *_a, **_k: target
    boxes.clear()
    boxes.answers = [YES]
    assert win.files.save_as()
    text = next(text for _kind, title, text in boxes if title == "Save with conversions?")
    assert "will not have" not in text
    assert "dropped or converted" not in text  # nothing is: #SCROLLS is the only line
    assert f"Written to {target.name}, but StepMania ignores them in .sm:" in text
    assert "#SCROLLS:0.000=1.000,8.000=0.500;" in target.read_text()

