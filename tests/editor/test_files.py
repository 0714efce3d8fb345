"""Files and bad input: corrupt charts, missing or unreadable audio, unwritable save locations, export with Verify,
new song from audio, recent files, song folders. Each problem gives a clear message and loses no edit."""

from __future__ import annotations

import math
import os
from fractions import Fraction

import pytest

from chart.formats.registry import load, save
from chart.notes import Note
from chart.timing import TimingData
from tests.editor.conftest import click_track, write_song

pytestmark = pytest.mark.qt


def test_corrupt_chart_is_refused_and_the_open_song_kept(opened, tmp_path, boxes):
    win = opened
    win.editing.place(Fraction(14), 3, win.session.place_kind)
    bad = tmp_path / "bad.ssc"
    bad.write_text("#TITLE:x;\n#NOTES:\n     dance-single:\n:Hard:9:\n0000\n;\n#BPMS:0=-5;", encoding="utf-8")
    before = win.session.doc
    win.maybe_save_changes = lambda: True  # the unsaved prompt is tested elsewhere
    assert not win.files.open_path(bad)
    assert boxes
    kind, title, text = boxes[-1]
    assert kind == "critical"
    assert title == "Cannot open"
    assert "bad.ssc" in text
    assert "\n" not in text
    assert win.session.doc is before
    assert Note(Fraction(14), 3) in win.session.chart.notes


def test_missing_file_and_a_song_without_charts(window, tmp_path, boxes):
    assert not window.files.open_path(tmp_path / "nope.ssc")
    assert boxes[-1][0] == "critical"
    assert "not found" in boxes[-1][2]
    empty = tmp_path / "empty.sm"
    empty.write_text("#TITLE:Nothing here;\n#BPMS:0=120;\n", encoding="utf-8")
    assert window.files.open_path(empty)
    assert window.session.chart is None
    window.editing.toggle_at_cursor(0)  # no chart: nothing happens, nothing breaks
    window.charts_panel.add_chart()
    assert window.session.chart is not None


def test_missing_audio_opens_the_chart_and_says_so(window, tmp_path, qtbot):
    files = write_song(tmp_path / "noaudio", audio=False)
    assert window.files.open_path(files.chart)
    assert window.session.audio is None
    assert "not found" in window.session.audio_error
    assert "no audio" in window.audio_label.text()
    window.playback.toggle()  # explains instead of failing
    window.editing.place(Fraction(3), 1, window.session.place_kind)
    assert Note(Fraction(3), 1) in window.session.chart.notes


def test_unreadable_audio_reports_in_the_status_bar(window, tmp_path, qtbot):
    files = write_song(tmp_path / "badaudio", audio=False)
    files.audio.write_bytes(b"RIFF" + os.urandom(2000))
    assert window.files.open_path(files.chart)
    qtbot.waitUntil(lambda: window.session.audio_error is not None, timeout=10000)
    assert window.session.audio is None
    assert "Cannot play audio" in window.statusBar().currentMessage()


@pytest.mark.parametrize(("cut", "dialog"), [("half", True), ("tail", False)])
def test_damaged_audio_opens_what_decodes_and_says_so(window, tmp_path, qtbot, boxes, cut, dialog):
    """A damaged compressed file decodes up to the damage; the designer is told in the status bar and the audio
    label (before, only on the terminal), and in a dialog when more than a second is lost (half the song), not for
    a lost last frame (one shared mp3 ends 0.12 s short of its header)."""
    import soundfile as sf

    files = write_song(tmp_path / "cut", audio=False)
    flac = files.folder / "clicks.flac"
    sf.write(str(flac), click_track(20.0), 22050, format="FLAC")
    data = flac.read_bytes()
    flac.write_bytes(data[: len(data) // 2] if cut == "half" else data[:-300])
    song = load(files.chart)
    song.music = "clicks.flac"
    save(song, files.chart)
    assert window.files.open_path(files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    audio = window.session.audio
    assert (2.0 < audio.duration_s < 15.0) if cut == "half" else (19.0 < audio.duration_s < 20.0)
    assert [kind for kind, _title, _text in boxes] == (["warning"] if dialog else [])
    if dialog:
        assert "clicks.flac" in boxes[0][2]
    assert "Audio problem" in window.statusBar().currentMessage()
    assert "damaged" in window.audio_label.text()
    assert "clicks.flac" in window.audio_label.toolTip()


def test_unwritable_save_location_keeps_the_edits(opened, tmp_path, boxes):
    win = opened
    win.editing.place(Fraction(15), 2, win.session.place_kind)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere: a "folder" that is a file stops everyone
        locked.chmod(0o700)
        locked = tmp_path / "a-file"
        locked.write_text("not a folder")
    try:
        win.files.ask_save_path = lambda *_a, **_k: locked / "song.ssc"
        assert not win.files.save_as()
    finally:
        if locked.is_dir():
            locked.chmod(0o700)
    assert boxes[-1][1] == "Cannot save"
    assert "still open" in boxes[-1][2]
    assert not win.session.doc.is_clean
    assert Note(Fraction(15), 2) in win.session.chart.notes
    assert win.files.save()  # the original place still works


def test_save_into_a_missing_folder_fails_cleanly(opened, tmp_path, boxes):
    win = opened
    win.editing.place(Fraction(15), 2, win.session.place_kind)
    path_before = win.session.doc.path
    win.files.ask_save_path = lambda *_a, **_k: tmp_path / "no" / "such" / "folder" / "song.ssc"
    assert not win.files.save_as()
    assert boxes[-1][1] == "Cannot save"
    assert win.session.doc.path == path_before
    assert win.session.doc.song.music == "clicks.wav"  # the relink was undone
    assert not win.session.doc.is_clean


def test_export_runs_verify_first_and_writes_a_copy(opened, tmp_path, boxes):
    from PySide6.QtWidgets import QMessageBox

    win = opened
    path = win.session.doc.path
    from chart.commands import AddNotes
    from chart.notes import Note

    # a tap on top of the mine at beat 5 (as an imported file can have; a click there now selects the mine)
    assert win.session.push(AddNotes(win.session.chart, [Note(Fraction(5), 2)]))
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert not _export(win, tmp_path / "out.sm")  # .sm cannot hold two notes in one cell: said at once, no question
    assert [title for _kind, title, _text in boxes] == ["Cannot export"]
    assert "beat 5" in boxes[-1][2]
    assert not (tmp_path / "out.sm").exists()
    win.session.doc.undo()
    boxes.answers = [QMessageBox.StandardButton.Yes]  # only a warning left (a roll in a Beginner chart)
    assert _export(win, tmp_path / "out.sm")
    assert load(tmp_path / "out.sm").charts == win.session.doc.song.charts
    assert win.session.doc.path == path  # export never renames the document
    assert win.session.doc.is_clean
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert _export(win, tmp_path / "mania.osu")
    written = sorted(p.name for p in tmp_path.glob("mania*.osu"))
    assert written == ["mania [Beginner].osu", "mania [Easy].osu"]
    assert any(line.startswith("conversion") for line in boxes[-1][2].splitlines())  # mines dropped


def test_export_into_another_folder_names_the_audio_from_there(opened, tmp_path, boxes):
    """Like Save As, an exported copy in another folder points #MUSIC (osu!'s AudioFilename) at the song's audio
    relative to its own folder, so it opens with its audio; the open document keeps its own #MUSIC."""
    from PySide6.QtWidgets import QMessageBox

    win = opened
    audio = win.session.doc.song.audio_path()
    music = win.session.doc.song.music
    for name in ("elsewhere/copy.ssc", "elsewhere/deeper/copy.json"):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        boxes.answers = [QMessageBox.StandardButton.Yes] * 2
        assert _export(win, target)
        copy = load(target)
        assert copy.music != music
        assert (target.parent / copy.music).resolve() == audio.resolve()
    assert win.session.doc.song.music == music
    assert win.session.doc.is_clean


def _export(win, target):
    from editor.controllers.export import ExportController

    return ExportController(win).export(target)


def test_new_song_from_audio_with_confirmed_tempo(window, tmp_path, qtbot):
    import soundfile as sf

    from editor.controllers.new_song import finish_new_song

    audio_path = tmp_path / "loop.wav"
    sf.write(str(audio_path), click_track(12.0, bpm=140, first_beat_s=0.25), 22050)
    from editor.audio_support import decode_job
    from editor.workers import Job

    job = Job("t", decode_job, audio_path)
    audio = job._fn(job.ctx, audio_path)
    assert finish_new_song(window, audio_path, audio, [], timing=TimingData.constant(140, "-0.25"))
    doc = window.session.doc
    assert doc.path is None
    assert doc.song.music == "loop.wav"
    assert float(doc.song.timing.bpms[0][1]) == 140
    assert window.session.audio is audio
    window.editing.place(Fraction(4), 0, window.session.place_kind)
    target = tmp_path / "loop.ssc"
    window.files.ask_save_path = lambda *_a, **_k: target
    assert window.files.save()  # no path yet: Save goes through Save As
    assert load(target).audio_path() == audio_path


def test_open_audio_file_detects_the_tempo(window, tmp_path, qtbot, monkeypatch):
    """Headless, the detected tempo is taken as is (a person gets the TempoDialog)."""
    import soundfile as sf

    from editor import messages

    monkeypatch.setattr(messages, "_headless", True)
    audio_path = tmp_path / "beat.wav"
    sf.write(str(audio_path), click_track(20.0, bpm=128, first_beat_s=0.4), 22050)
    assert window.open_path(audio_path)
    qtbot.waitUntil(lambda: window.session.doc.song.music == "beat.wav", timeout=60000)
    bpm = float(window.session.doc.song.timing.bpms[0][1])
    octaves = math.log2(bpm / 128)  # half/double time is the detector's call; the dialog offers ÷2 and ×2
    assert octaves == pytest.approx(round(octaves), abs=0.01)


def test_screenshot_of_an_audio_file_waits_for_the_new_song(window, tmp_path, monkeypatch):
    """``open SONG.ogg --screenshot``: the picture is taken once the tempo is detected and the audio decoded,
    not of the blank song the window starts with (it was, before the wait knew the new-song job)."""
    import soundfile as sf

    from editor import messages
    from editor.app import take_screenshot

    monkeypatch.setattr(messages, "_headless", True)
    audio_path = tmp_path / "beat.wav"
    sf.write(str(audio_path), click_track(20.0, bpm=128, first_beat_s=0.4), 22050)
    assert window.open_path(audio_path)
    assert window.session.audio is None  # decoding and tempo detection run in the background
    out = tmp_path / "shot.png"
    take_screenshot(window, out)
    assert window.session.audio is not None
    assert window.session.doc.song.music == "beat.wav"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_song_folder_and_recent_files(window, song_files, settings):
    assert window.files.open_path(song_files.folder)
    assert window.session.doc.path == song_files.chart
    assert settings.recent_files()[0] == str(song_files.chart.resolve())
    assert window.recent_menu.actions()[0].text() == str(song_files.chart.resolve())


def test_an_osu_beatmap_set_folder_opens_as_one_song(window, song_files, settings, boxes, qtbot):
    """osu! keeps one difficulty per .osu file, and Export writes a set so: opening the folder gives every
    difficulty back in one song, with its audio; saving asks where (one file cannot be all of them)."""
    from chart.formats.registry import save_split

    folder = song_files.folder
    written = save_split(song_files.song, folder / "clicks.osu")
    song_files.chart.unlink()  # only the .osu set is left beside the audio
    assert len(written) == 2
    assert window.files.open_path(folder)
    doc = window.session.doc
    assert doc.path is None
    assert [c.slot for c in doc.song.charts] == [c.slot for c in song_files.song.charts]
    kept = [[n for n in c.notes if n.kind.is_onset] for c in song_files.song.charts]  # osu! has no mines
    assert [len(c.notes) for c in doc.song.charts] == [len(k) for k in kept]
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=20000)
    assert window.session.audio.path == song_files.audio
    assert settings.recent_files()[0] == str(folder.resolve())
    assert not boxes  # no error
    asked = []
    window.files.ask_save_path = lambda suggested, title="Save As": asked.append(suggested)
    assert not window.files.save()
    assert asked == [folder / "clicks.ssc"]  # one file for the whole set
    (folder / "other.ssc").write_text("#TITLE:x;\n#BPMS:0=120;\n", encoding="utf-8")
    (folder / "third.ssc").write_text("#TITLE:y;\n#BPMS:0=120;\n", encoding="utf-8")
    window.maybe_save_changes = lambda: True
    assert not window.files.open_path(folder)  # two songs: no guess
    assert "2 .ssc files" in boxes[-1][2]
    assert window.session.doc is doc


def test_open_prompts_for_unsaved_changes(opened, song_files, boxes):
    from PySide6.QtWidgets import QMessageBox

    win = opened
    win.editing.place(Fraction(10), 3, win.session.place_kind)
    boxes.answers = [QMessageBox.StandardButton.Cancel]
    assert not win.files.open_path(song_files.chart)
    assert Note(Fraction(10), 3) in win.session.chart.notes


def test_dropping_a_chart_file_opens_it(window, song_files, qtbot):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(song_files.chart))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.session.doc.path == song_files.chart


def test_convert_music_to_ogg_points_music_at_it(opened, qtbot, boxes):
    import soundfile as sf

    win = opened  # the synthetic song: clicks.wav beside clicks.ssc
    s = win.session
    folder = s.doc.song.source_path.parent
    before = s.audio.samples.copy()
    job = win.actions["file.music_to_ogg"].trigger() or win.files.jobs.jobs[-1]
    qtbot.waitUntil(lambda: s.doc.song.music == "clicks.ogg", timeout=20000)
    assert job.name == "music-to-ogg"
    info = sf.info(folder / "clicks.ogg")
    assert (info.format, info.frames) == ("OGG", before.shape[1])
    assert s.audio.path == folder / "clicks.ogg"
    assert s.audio.samples is not None
    assert s.audio.samples.shape == before.shape
    assert s.doc.history.undo_stack_names()[-1] == "Convert music to Ogg"
    assert not s.doc.is_clean
    assert win.files.save()
    assert "#MUSIC:clicks.ogg;" in (folder / "clicks.ssc").read_text()
    assert win.files.convert_music_to_ogg() is None  # nothing to do now
    assert "already Ogg" in win.statusBar().currentMessage()
    s.doc.undo()  # back to the WAV; a save writes what the song names, not the loaded file
    assert win.files.save()
    assert "#MUSIC:clicks.wav;" in (folder / "clicks.ssc").read_text()
    win.files.convert_music_to_ogg()  # the target exists: asked, and "no" (the default answer) keeps it
    assert boxes
    assert boxes[-1][0] == "question"


def test_save_to_a_format_that_cannot_hold_everything_asks_first(opened, tmp_path, boxes):
    from PySide6.QtWidgets import QMessageBox

    from chart.commands import RemoveChart, SetChartMeta

    win = opened
    target = tmp_path / "song.osu"
    win.files.ask_save_path = lambda *_a, **_k: target
    assert not win.files.save_as()  # two difficulties: one .osu cannot hold them
    assert "File > Export writes one .osu per difficulty" in boxes[-1][2]
    win.session.push(RemoveChart(win.session.doc.song.charts[1]))
    boxes.answers = [QMessageBox.StandardButton.No]
    assert not win.files.save_as()  # the Beginner chart's mine: osu!mania has none (this saved without a word)
    assert boxes[-1][1] == "Save with conversions?"
    assert "no mines" in boxes[-1][2]
    assert not target.exists()
    assert not win.session.doc.is_clean
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert win.files.save_as()
    assert target.exists()
    asked = len(boxes)
    win.editing.place(Fraction(40), 1, win.session.place_kind)
    assert win.files.save()  # agreed to for this file: not asked again at every Ctrl+S
    assert len(boxes) == asked
    win.session.push(SetChartMeta(win.session.chart, credit="me"))  # .sm drops chart credits
    sm = tmp_path / "song.sm"
    win.files.ask_save_path = lambda *_a, **_k: sm
    boxes.answers = [QMessageBox.StandardButton.No]
    assert not win.files.save_as()
    assert "CREDIT" in boxes[-1][2]


def test_save_over_a_file_changed_on_disk_asks(opened, boxes):
    from PySide6.QtWidgets import QMessageBox

    win = opened
    path = win.session.doc.path
    win.editing.place(Fraction(40), 1, win.session.place_kind)
    other = load(path)
    other.title = "Edited elsewhere"
    save(other, path)
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # another program, a moment later
    boxes.answers = [QMessageBox.StandardButton.No]
    assert not win.files.save()
    assert boxes[-1][1] == "File changed on disk"
    assert load(path).title == "Edited elsewhere"
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert win.files.save()
    assert load(path).title == "Clicks"
    asked = len(boxes)
    win.editing.place(Fraction(41), 1, win.session.place_kind)
    assert win.files.save()  # our own save is not a change on disk
    assert len(boxes) == asked


def test_export_to_osu_asks_before_replacing_difficulty_files(opened, tmp_path, boxes):
    from PySide6.QtWidgets import QMessageBox

    win = opened
    mine = tmp_path / "mania [Easy].osu"
    mine.write_text("my own tuned Easy")
    boxes.answers = [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No]  # mines dropped: yes; replace: no
    assert not _export(win, tmp_path / "mania.osu")
    assert boxes[-1][1] == "Replace files?"
    assert "mania [Easy].osu" in boxes[-1][2]
    assert mine.read_text() == "my own tuned Easy"
    assert not (tmp_path / "mania [Beginner].osu").exists()


def test_a_full_disk_leaves_no_half_osu_set(opened, tmp_path, boxes, monkeypatch):
    import errno

    from PySide6.QtWidgets import QMessageBox

    from chart import fileio

    win = opened
    real = fileio._write_temporary
    calls = []

    def full(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)

    monkeypatch.setattr(fileio, "_write_temporary", full)
    boxes.answers = [QMessageBox.StandardButton.Yes]
    assert not _export(win, tmp_path / "mania.osu")
    assert "No space left on device" in boxes[-1][2]
    assert not list(tmp_path.glob("*.osu"))  # the first difficulty's file was left: half a set
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_sm_beside_a_ssc_and_a_gone_recent_file_are_said(window, song_files, settings, boxes):
    statuses = []
    window.session.status.connect(statuses.append)
    sm = song_files.folder / "clicks.sm"
    save(song_files.song, sm)
    assert window.files.open_path(sm)
    assert any("StepMania reads clicks.ssc in this folder" in s for s in statuses)
    assert str(sm.resolve()) in settings.recent_files()
    sm.unlink()
    assert not window.files.open_path(sm)
    assert str(sm.resolve()) not in settings.recent_files()
    assert str(sm.resolve()) not in [a.text() for a in window.recent_menu.actions()]


def test_a_new_song_from_audio_is_unsaved_work(window, tmp_path, boxes):
    import soundfile as sf

    from editor.audio_support import decode_job
    from editor.controllers.new_song import finish_new_song
    from editor.workers import Job

    audio_path = tmp_path / "loop.wav"
    sf.write(str(audio_path), click_track(6.0, bpm=140, first_beat_s=0.25), 22050)
    job = Job("t", decode_job, audio_path)
    audio = job._fn(job.ctx, audio_path)
    window.autosave.start_session()
    assert finish_new_song(window, audio_path, audio, [], timing=TimingData.constant(140, "-0.25"))
    assert not window.session.doc.is_clean  # the confirmed tempo: closing asks, autosave keeps it
    generation = window.autosave.autosave()
    assert generation is not None
    assert float(load(generation).timing.bpms[0][1]) == 140


def test_what_the_reader_changed_is_shown_on_opening(window, tmp_path, boxes):
    text = ("#TITLE:Lenient;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTES:\n     dance-single:\n     :\n     Easy:\n     2:\n"
            "     0,0,0,0,0:\n1000\n0m00\n0010\n0001\n;\n")
    path = tmp_path / "lenient.sm"
    path.write_text(text)
    assert window.files.open_path(path)
    (kind, title, shown), = boxes
    assert (kind, title) == ("information", "Read with changes")
    assert "'m'" in shown or "unknown" in shown.lower()
    assert "read with changes" in window.statusBar().currentMessage()
    assert len(window.session.chart.notes) == 3
