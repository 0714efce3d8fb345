"""Crash recovery against what happened on disk meanwhile, and autosave at awkward moments: a chart file (or one
difficulty of an osu! set) changed by another program is named by the restore question, which then defaults to
No, and Save still asks before overwriting it; crashed sessions not offered now are named in a status line (a
moved song's says its folder is gone); a tick during a drag waits for the drag to end (a record take does not);
a recovery folder deleted while running is made again."""

from __future__ import annotations

import os
import shutil
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from chart.formats.registry import load, save
from chart.notes import Note
from editor import messages
from tests.editor.conftest import write_song
from tests.editor.test_autosave import close, crash, edit, new_window
from tests.editor.test_autosave_reopen import osu_set
from tests.editor.test_record import at, key, recording  # noqa: F401  (the fixture)

pytestmark = pytest.mark.qt


@pytest.fixture
def questions(monkeypatch):
    """messages.confirm recorded as (title, text, default); answers popped from ``questions.answers`` (else the
    default)."""

    class Questions(list):
        answers: list = []

    asked = Questions()

    def confirm(_parent, title, text, default=False, details=""):
        asked.append((title, text, default))
        return asked.answers.pop(0) if asked.answers else default

    monkeypatch.setattr(messages, "confirm", confirm)
    return asked


def rewrite(path, **fields):
    """Another program rewrites the chart file: new fields, a note at beat 40.25 (a new size, a new time)."""
    song = load(path)
    for name, value in fields.items():
        setattr(song, name, value)
    song.charts[0].notes = sorted([*song.charts[0].notes, Note(Fraction(161, 4), 3)])
    save(song, path)


def test_a_file_changed_by_another_program_before_the_crash_is_said_and_save_still_asks(
        opened, questions, settings, qtbot, song_files):
    opened.autosave.start_session()
    rewrite(song_files.chart, title="EXTERNAL EDIT")  # while the song is open
    edit(opened, 30, 1)
    generation = opened.autosave.autosave()
    crash(opened)
    early = generation.stat().st_mtime - 60  # changed before the autosave: no "saved after this autosave"
    os.utime(song_files.chart, (early, early))
    second = new_window(qtbot, settings)
    questions.answers = [True]  # restore anyway
    assert second.autosave.offer_recovery(song_files.chart)
    ((title, text, default),) = questions
    assert title == "Restore unsaved work?"
    assert not default  # was Yes: the external edit was lost without a word
    assert "clicks.ssc was changed on disk" in text
    assert "Save then asks" in text
    questions.answers = [False]  # "File changed on disk ... Overwrite?": No
    assert not second.files.save()  # was written without asking (the external version only in the .bak)
    assert questions[-1][0] == "File changed on disk"
    assert load(song_files.chart).title == "EXTERNAL EDIT"
    close(second)


def test_an_osu_set_changed_after_the_crash_is_said_and_defaults_to_no(window, questions, settings, qtbot,
                                                                         tmp_path):
    folder = osu_set(tmp_path / "set")
    assert window.files.open_path(folder, check_unsaved=False)
    window.autosave.start_session()
    edit(window, 40, 1)
    generation = window.autosave.autosave()
    crash(window)
    (easy,) = folder.glob("*Easy*.osu")
    rewrite(easy)  # osu!'s own editor, after the crash
    later = generation.stat().st_mtime + 60
    os.utime(easy, (later, later))
    second = new_window(qtbot, settings)
    assert not second.autosave.offer_recovery(folder)  # answered with its default
    ((_title, text, default),) = questions
    assert not default  # was Yes: the set has no one file to compare times with
    assert f"{easy.name} was saved at" in text
    close(second)


def two_crashes(window, settings, qtbot, tmp_path):
    """Two crashed sessions: of songs/light/clicks.ssc (folder renamed since) and, newer, of other/clicks.ssc;
    (the first chart's old path, its new path, the other chart)."""
    first = write_song(tmp_path / "songs" / "light")
    assert window.files.open_path(first.chart, check_unsaved=False)
    window.autosave.start_session()
    edit(window, 30, 1)
    window.autosave.autosave()
    crash(window)
    second = new_window(qtbot, settings)
    other = write_song(tmp_path / "other")
    assert second.files.open_path(other.chart, check_unsaved=False)
    second.autosave.start_session()
    edit(second, 31, 2)
    second.autosave.autosave()
    crash(second)
    moved = tmp_path / "songs" / "Light (final)"
    (tmp_path / "songs" / "light").rename(moved)
    return first.chart, moved / "clicks.ssc", other.chart


def test_a_moved_songs_session_not_offered_says_its_folder_is_gone(window, questions, settings, qtbot, tmp_path):
    old, new, other = two_crashes(window, settings, qtbot, tmp_path)
    third = new_window(qtbot, settings)
    statuses: list[str] = []
    third.session.status.connect(statuses.append)
    assert not third.autosave.offer_recovery(new)  # at its new place: not found by its old path
    assert not questions
    (line,) = [s for s in statuses if "from a crash are kept" in s]
    assert line.startswith("2 autosave(s)")
    assert f"{old} (its folder is gone: start without a file to restore it)" in line  # was "offered when you
    assert str(other) in line  # open their file", never true for the moved song
    close(third)


def test_a_plain_start_names_the_sessions_it_does_not_offer(window, questions, settings, qtbot, tmp_path):
    old, _new, other = two_crashes(window, settings, qtbot, tmp_path)
    third = new_window(qtbot, settings)
    statuses: list[str] = []
    third.session.status.connect(statuses.append)
    questions.answers = [False]
    assert not third.autosave.offer_recovery()  # the newest offered (declined here), the other one named
    ((_title, text, _default),) = questions
    assert str(other) in text
    assert f"kept ({old} (its folder is gone" in text
    (line,) = [s for s in statuses if "from a crash are kept" in s]  # was nothing about it
    assert line.startswith("1 autosave(s)")
    close(third)


def hit(win, beat, lane, note=None):
    from editor.timeline.view import Hit

    beat = Fraction(beat)
    return Hit(float(win.session.timing().beat_to_seconds(beat)), float(beat), beat, lane + 0.5, lane, note,
               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)


def test_a_tick_during_a_drag_waits_for_the_drag_to_end(opened, qtbot):
    win = opened
    win.autosave.start_session()
    chart = win.session.chart
    grabbed = chart.notes[0]  # beat 0 lane 0, dragged over the tap at beat 1 lane 1 on its way to beat 2.5
    count = len(chart.notes)
    win.editing.press(hit(win, grabbed.beat, grabbed.lane, win.timeline.index.notes.index(grabbed)))
    win.editing.drag(hit(win, Fraction(1), 1))
    assert len(chart.notes) == count - 1  # the tap under the dragged note is out while the mouse is held
    win.autosave.autosave_in_background()  # the 30-s tick
    assert win.autosave._job is None  # was: half the drag serialised and written
    assert not list(win.autosave.folder.glob("autosave-*.json"))
    win.editing.drag(hit(win, Fraction(5, 2), 1))
    win.editing.release(hit(win, Fraction(5, 2), 1))
    qtbot.waitUntil(lambda: len(list(win.autosave.folder.glob("autosave-*.json"))) == 1, timeout=5000)
    (generation,) = win.autosave.folder.glob("autosave-*.json")
    notes = load(generation).charts[0].notes
    assert len(notes) == count  # the tap passed over is back
    assert Note(Fraction(1), 1) in notes
    assert Note(Fraction(5, 2), 1) in notes
    assert grabbed not in notes


def test_a_tick_during_a_key_drawn_hold_waits_for_the_key(opened, qtbot):
    from PySide6.QtWidgets import QApplication

    win, tl = opened, opened.timeline
    win.autosave.start_session()
    win.session.set_divisor(4)
    win.jump_to(None, Fraction(10))
    win.activateWindow()
    tl.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tl, timeout=3000)
    qtbot.keyPress(tl, Qt.Key.Key_1)
    qtbot.keyClick(tl, Qt.Key.Key_Down)  # key 1 held: its note is drawn out into a hold
    try:
        assert win.session.doc.history.in_stroke
        win.autosave.autosave_in_background()
        assert win.autosave._job is None  # waits for the key
    finally:
        qtbot.keyRelease(tl, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: len(list(win.autosave.folder.glob("autosave-*.json"))) == 1, timeout=5000)


def test_a_tick_during_a_record_take_still_autosaves(recording, qtbot):  # noqa: F811
    win, clock = recording
    win.autosave.start_session()
    key(win, qtbot, clock, 1, at(9))
    qtbot.waitUntil(lambda: win.session.doc.history.in_stroke and win.autosave._dirty_since_autosave, timeout=2000)
    win.autosave.autosave_in_background()
    qtbot.waitUntil(lambda: len(list(win.autosave.folder.glob("autosave-*.json"))) == 1, timeout=5000)
    assert win.record.active


def test_a_recovery_folder_deleted_while_running_is_made_again(opened):
    win = opened
    win.autosave.start_session()
    lost = win.autosave.folder
    statuses: list[str] = []
    win.session.status.connect(statuses.append)
    shutil.rmtree(lost)  # app data cleared while the editor runs
    edit(win, 30, 1)
    path = win.autosave.autosave()
    assert path is not None  # was "Autosave failed: No such file or directory" for the rest of the session
    assert path.parent != lost
    assert (path.parent / "session.json").is_file()
    assert (path.parent / "session.lock").is_file()
    assert win.autosave.crashed_sessions() == []  # its lock is held: not offered to another window
    assert any(f"The autosave folder {lost} was removed" in s for s in statuses)
    edit(win, 31, 1)
    assert win.autosave.autosave().parent == path.parent
