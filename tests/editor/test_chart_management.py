"""Chart and metadata management in the editor: a typed field is part of what Save writes and of what closing asks
about, the Meter box never rewrites a meter it cannot show, Add keeps the key count, an osu! difficulty's BeatmapID
is never copied, and saving or exporting an osu! beatmap set leaves the folder as just the song's charts."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from chart.commands import AddNotes
from chart.formats.registry import load, load_folder, save, save_split
from chart.keyboard import is_keyboard
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import SR_HZ, click_track

pytestmark = pytest.mark.qt

YES = QMessageBox.StandardButton.Yes


def _focus(win, panel, widget, qtbot) -> None:
    """Show ``panel``'s tab and put the keyboard focus in ``widget``, as a click into it does."""
    win.panels.setCurrentWidget(panel)
    win.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: win.focusWidget() in (widget, getattr(widget, "lineEdit", lambda: None)()))


def _osu(version: str, keys: int = 4, objects: int = 8, ids: str = "") -> str:
    lines = "\n".join(f"{(2 * (k % keys) + 1) * 512 // (2 * keys)},192,{100 + 500 * k},1,0,0:0:0:0:"
                      for k in range(objects))
    return (f"osu file format v14\n\n[General]\nAudioFilename: audio.wav\nMode: 3\n\n[Metadata]\nTitle:Title\n"
            f"Artist:Artist\nCreator:Mapper\nVersion:{version}\n{ids}\n[Difficulty]\nCircleSize:{keys}\n"
            f"OverallDifficulty:8\n\n[TimingPoints]\n100,500,4,1,0,100,1,0\n\n[HitObjects]\n{lines}\n")


def _osu_set(folder: Path, versions: tuple[str, ...], keys: int = 4) -> Path:
    """An osu! beatmap set: one ``Artist - Title (Mapper) [Version].osu`` per difficulty, with BeatmapIDs."""
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    sf.write(str(folder / "audio.wav"), click_track(6.0), SR_HZ)
    for i, version in enumerate(versions):
        ids = f"BeatmapID:{1000 + i}\nBeatmapSetID:77\n"
        (folder / f"Artist - Title (Mapper) [{version}].osu").write_text(_osu(version, keys, 8 + i, ids))
    return folder


def test_a_typed_field_is_saved_by_ctrl_s(opened, qtbot, song_files):
    """Panel fields commit on editingFinished (leaving the field): Ctrl+S saved the old title and said "Saved"."""
    win = opened
    title = win.properties_panel.edits["title"]
    _focus(win, win.properties_panel, title, qtbot)
    title.selectAll()
    QTest.keyClicks(title, "My New Title")
    assert win.files.save()  # what Ctrl+S runs, the cursor still in the field
    assert load(song_files.chart).title == "My New Title"
    meter = win.charts_panel.meter
    _focus(win, win.charts_panel, meter, qtbot)
    QTest.keyClick(meter, Qt.Key.Key_Up)
    assert win.files.save()
    assert load(song_files.chart).charts[0].meter == 3
    assert win.session.doc.is_clean


def test_export_writes_a_typed_field(opened, qtbot, boxes, tmp_path):
    from editor.controllers.export import ExportController

    win = opened
    artist = win.properties_panel.edits["artist"]
    _focus(win, win.properties_panel, artist, qtbot)
    QTest.keyClicks(artist, " and Friends")
    boxes.answers = [YES]  # the Verify list (a mine on a hold's lane...)
    assert ExportController(win).export(tmp_path / "copy.ssc")
    assert load(tmp_path / "copy.ssc").artist == "Test and Friends"


def test_closing_asks_about_a_typed_field(opened, qtbot, boxes):
    """Ctrl+Q quit without asking about a description typed a moment before."""
    win = opened
    description = win.charts_panel.description
    _focus(win, win.charts_panel, description, qtbot)
    QTest.keyClicks(description, "my edit")
    boxes.clear()
    win.skip_close_prompt = False
    win.close()  # Ctrl+Q; the question is answered Cancel
    assert [b[1] for b in boxes] == ["Unsaved changes"]
    assert win.isVisible()
    assert win.session.chart.description == "my edit"


def test_the_meter_box_shows_any_meter_and_looking_at_it_changes_nothing(window, tmp_path, qtbot):
    """A meter outside 1..99 (0 or 150, as files hold them) was shown clamped, and focusing the box and leaving it
    pushed the clamped value as an undo step that Ctrl+S then saved."""
    import soundfile as sf

    folder = tmp_path / "song"
    folder.mkdir()
    sf.write(str(folder / "a.wav"), click_track(4.0), SR_HZ)
    path = folder / "a.ssc"
    save(Song(music="a.wav", timing=TimingData.constant(120),
              charts=[Chart(slot=Slot.HARD, meter=0, notes=[Note(Fraction(0), 0)]),
                      Chart(slot=Slot.CHALLENGE, meter=150, notes=[Note(Fraction(0), 0)]),
                      Chart(slot=Slot.EASY, meter=-1, notes=[Note(Fraction(0), 0)]),  # the formats' whole range
                      Chart(slot=Slot.MEDIUM, meter=1000000, notes=[Note(Fraction(0), 0)])]), path)
    assert window.open_path(path)
    panel = window.charts_panel
    for chart in window.session.doc.song.charts:
        window.session.set_chart(chart)
        assert panel.meter.value() == chart.meter
        _focus(window, panel, panel.meter, qtbot)
        window.timeline.setFocus()
        panel.meter.editingFinished.emit()  # leaving the box (offscreen focus changes may not reach it)
    assert window.session.doc.undo_stack_names() == []
    assert sorted(c.meter for c in window.session.doc.song.charts) == [-1, 0, 150, 1000000]
    window.session.set_chart(next(c for c in window.session.doc.song.charts if c.meter == 150))
    panel.meter.setValue(151)
    panel.meter.editingFinished.emit()
    assert window.session.chart.meter == 151


@pytest.mark.parametrize("keys", [9, 2])
def test_add_makes_a_chart_of_the_current_key_count(window, tmp_path, keys):
    """Add on an osu! 9K (or 1K-3K) chart made a 4-lane chart named osu-mania-9k: Export wrote it as 4K."""
    import soundfile as sf

    folder = tmp_path / "k"
    folder.mkdir()
    sf.write(str(folder / "audio.wav"), click_track(4.0), SR_HZ)
    path = folder / f"Artist - Title (Mapper) [{keys}K Hard].osu"
    path.write_text(_osu(f"{keys}K Hard", keys))
    assert window.open_path(path)
    new = window.charts_panel.add_chart(Slot.EASY)
    assert (new.mode, new.lanes) == (window.session.doc.song.charts[0].mode, keys)  # the map's own mode
    assert new.mode == {9: "pnm-nine", 2: "osu-mania-2k"}[keys]  # 9K reads as StepMania's 9-lane type
    assert window.timeline.lanes == keys
    assert is_keyboard(new)  # Add on an osu! map makes a keyboard chart too: no foot checks or foot labels
    assert window.session.push(AddNotes(new, [Note(Fraction(1), keys - 1)]))
    (tmp_path / "out").mkdir()
    written = save_split(window.session.doc.song, tmp_path / "out" / "s.osu")  # what Export writes
    assert [load(p).charts[0].lanes for p in written] == [keys, keys]


def test_a_routine_chart_adds_a_routine_chart(window, tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "r.ssc").write_text("#VERSION:0.83;\n#TITLE:R;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTEDATA:;\n"
                                  "#STEPSTYPE:dance-routine;\n#DIFFICULTY:Hard;\n#METER:5;\n#NOTES:\n10000001\n;\n")
    assert window.open_path(folder / "r.ssc")
    new = window.charts_panel.add_chart(Slot.EASY)
    assert (new.mode, new.lanes) == ("dance-routine", 8)


def test_an_added_or_duplicated_osu_difficulty_has_no_beatmap_id(window, tmp_path):
    """osu! tells difficulties apart by BeatmapID: Add (one .osu file open: its ID was the song's) and Duplicate
    (the chart's extra deep-copied) wrote two files with one ID."""
    folder = _osu_set(tmp_path / "one", ("Hard",))
    assert window.open_path(next(folder.glob("*.osu")))
    window.charts_panel.add_chart(Slot.EASY)
    window.session.set_chart(window.session.doc.song.chart(Slot.HARD))
    copy = window.charts_panel.duplicate_chart()
    assert copy is not None
    assert "Metadata.BeatmapID" not in dict(copy.extra)
    out = tmp_path / "out"
    out.mkdir()
    ids = {p.name: [line for line in p.read_text().splitlines() if line.startswith("BeatmapID")]
           for p in save_split(window.session.doc.song, out / "s.osu")}
    assert ids == {"s [Hard].osu": ["BeatmapID:1000"], "s [Easy].osu": ["BeatmapID:0"],
                   "s [Edit Hard copy].osu": ["BeatmapID:0"]}


def test_save_of_a_set_left_with_one_difficulty_suggests_the_sets_ssc(window, tmp_path, boxes):
    """Save As suggested the set's first file ("... [Easy].osu") once one difficulty was left, and accepting it
    wrote Insane into the Easy file: the folder then opened with Insane twice."""
    folder = _osu_set(tmp_path / "set", ("Easy", "Insane"))
    assert window.open_path(folder)
    boxes.answers = [YES]
    window.session.set_chart(window.session.doc.song.charts[0])
    window.charts_panel.delete_chart()
    asked = []
    window.files.ask_save_path = lambda suggested, title="Save As": asked.append(suggested)
    assert not window.files.save()
    assert asked == [folder / "Artist - Title (Mapper).ssc"]


def test_export_back_into_the_set_folder_offers_to_move_old_difficulties_aside(window, tmp_path, boxes):
    """A difficulty deleted (or renamed) before Export into the set's folder stayed there and came back when the
    folder was opened again; now Export offers to move it to .bak."""
    from editor.controllers.export import ExportController

    folder = _osu_set(tmp_path / "set", ("Easy", "Hard", "Insane"))
    (folder / "std.osu").write_text(_osu("Std").replace("Mode: 3", "Mode: 0"))  # another game mode: not ours
    assert window.open_path(folder)
    boxes.answers = [YES]
    window.session.set_chart(window.session.doc.song.chart(Slot.HARD))
    window.charts_panel.delete_chart()
    boxes.clear()
    boxes.answers = [YES, YES]  # replace the Easy and Insane files; move Hard aside
    assert ExportController(window).export(folder / "Artist - Title (Mapper).osu")
    assert boxes[-1][1] == "Old difficulty files"
    assert "Artist - Title (Mapper) [Hard].osu" in boxes[-1][2]
    assert (folder / "Artist - Title (Mapper) [Hard].osu.bak").is_file()
    assert (folder / "std.osu").is_file()
    song, _ = load_folder(folder)
    assert [c.description for c in song.charts] == ["Easy", "Insane"]
    assert "moved Artist - Title (Mapper) [Hard].osu to .bak" in window.statusBar().currentMessage()


def test_export_keeps_old_difficulties_when_asked_to(window, tmp_path, boxes):
    from editor.controllers.export import ExportController

    folder = _osu_set(tmp_path / "set", ("Easy", "Hard"))
    assert window.open_path(folder)
    boxes.answers = [YES]
    window.session.set_chart(window.session.doc.song.chart(Slot.HARD))
    window.charts_panel.delete_chart()
    boxes.clear()
    boxes.answers = [QMessageBox.StandardButton.No]
    assert ExportController(window).export(folder / "Artist - Title (Mapper).osu")  # one chart: NAME.osu
    assert boxes[-1][1] == "Old difficulty files"
    assert "[Easy].osu" in boxes[-1][2]
    assert "[Hard].osu" in boxes[-1][2]
    assert (folder / "Artist - Title (Mapper) [Hard].osu").is_file()
    assert (folder / "Artist - Title (Mapper).osu").is_file()
    assert not list(folder.glob("*.bak"))


def test_save_as_elsewhere_keeps_the_banner_and_background(window, tmp_path, boxes):
    """Save As into another folder rewrote #MUSIC to reach the audio, but #BANNER, #BACKGROUND, #CDTITLE and
    #JACKET stayed as they were and named images that are not there."""
    import soundfile as sf

    song_dir = tmp_path / "Songs" / "S"
    song_dir.mkdir(parents=True)
    sf.write(str(song_dir / "a.wav"), click_track(4.0), SR_HZ)
    tags = {"BANNER": "bn.png", "BACKGROUND": "bg.png", "CDTITLE": "cd.png", "JACKET": "jk.png"}
    for name in tags.values():
        (song_dir / name).write_bytes(b"\x89PNG")
    tags["PREVIEWVID"] = "missing.avi"  # names no file: left as it is
    song = Song(music="a.wav", timing=TimingData.constant(120), charts=[Chart(notes=[Note(Fraction(0), 0)])],
                extra=list(tags.items()))
    save(song, song_dir / "s.ssc")
    assert window.open_path(song_dir / "s.ssc")
    target = tmp_path / "Work" / "s.ssc"
    target.parent.mkdir()
    window.files.ask_save_path = lambda suggested, title="Save As": target
    assert window.files.save_as()
    saved = dict(load(target).extra)
    for name in ("BANNER", "BACKGROUND", "CDTITLE", "JACKET"):
        assert (target.parent / saved[name]).resolve() == (song_dir / tags[name]).resolve()
    assert saved["PREVIEWVID"] == "missing.avi"
