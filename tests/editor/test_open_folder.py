"""File > Open Folder (Ctrl+Shift+O): the docs promised Open takes a song folder, but Ctrl+O's file dialog cannot
pick one, so an osu! beatmap set could only open one difficulty at a time from the menus."""

from __future__ import annotations


def test_open_folder_opens_an_osu_set_as_one_song(window, song_files, tmp_path):
    from chart.formats.registry import save_split

    (tmp_path / "set").mkdir()
    written = save_split(song_files.song, tmp_path / "set" / "clicks.osu")
    assert len(written) == 2
    window.files.ask_open_folder = lambda: tmp_path / "set"
    window.actions["file.open_folder"].trigger()
    assert len(window.session.doc.song.charts) == 2
    assert window.actions["file.open_folder"].shortcut().toString() == "Ctrl+Shift+O"
    assert window.actions["file.open_folder"] in window.menuBar().actions()[0].menu().actions()  # File menu


def test_open_offers_every_audio_format_the_editor_reads():
    from chart.song import AUDIO_EXTENSIONS
    from editor.controllers.file_dialogs import OPEN_FILTER

    assert all(f"*{ext}" in OPEN_FILTER for ext in AUDIO_EXTENSIONS)  # *.m4a was missing
