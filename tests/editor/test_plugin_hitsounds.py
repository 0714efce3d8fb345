"""A plugin run on an osu! map keeps the hitsounds of the notes it leaves on their cells (a row's one note it moves
to another lane takes its sound along), and a failing plugin's dialog has the traceback and what it printed under
Show Details..."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.formats import osu_hitsounds as hs

pytestmark = pytest.mark.qt

OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
       "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n[HitObjects]\n"
       "64,192,0,1,0,0:0:0:0:\n192,192,500,1,2,0:0:0:0:\n64,192,1000,128,0,1500:0:0:0:0:\n"
       "320,192,1000,1,0,0:0:0:0:\n448,192,2000,1,8,0:0:0:0:\n")  # a whistle at beat 1 lane 1, a clap at 4 lane 3
SOUNDS = {(Fraction(1), 1): ("2", "0:0:0:0:"), (Fraction(4), 3): ("8", "0:0:0:0:")}


def add_plugin(file: str, source: str) -> None:
    from editor.controllers.plugins import user_folder

    folder = user_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file).write_text(source)


def run(win, qtbot, text: str) -> None:
    win.plugins.reload()
    next(a for a in win.plugins.menu.actions() if a.text() == text).trigger()
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)


@pytest.fixture
def osu_map(window, tmp_path):
    path = tmp_path / "song [Hard].osu"
    path.write_text(OSU)
    assert window.open_path(path)
    assert hs.kept_sounds(window.session.chart.extra) == SOUNDS
    return window


def test_a_plugin_keeps_the_sounds_of_the_notes_it_leaves_in_place(osu_map, qtbot):
    """It was {} after Split Jumps (which only drops the jump's tap at beat 2) and after a plugin adding one note."""
    win = osu_map
    chart = win.session.chart
    run(win, qtbot, "Split Jumps into Single Arrows")
    assert (Fraction(2), 2) not in {(n.beat, n.lane) for n in chart.notes}
    assert hs.kept_sounds(chart.extra) == SOUNDS
    win.session.doc.undo()
    add_plugin("add_one.py", 'NAME = "Add One"\nfrom fractions import Fraction\nfrom chart.notes import Note\n'
                             'def run(ctx):\n    return [*ctx.notes, Note(Fraction(3), 1)]\n')
    win.session.clear_selection()
    run(win, qtbot, "Add One")
    assert len(chart.notes) == 6
    assert hs.kept_sounds(chart.extra) == SOUNDS


def test_a_rows_one_moved_note_takes_its_sound_and_a_deleted_ones_is_lost(osu_map, qtbot):
    win = osu_map
    chart = win.session.chart
    add_plugin("move.py", 'NAME = "Move"\ndef run(ctx):\n'
                          '    return [n.replace(lane=2) if n.beat == 1 else n for n in ctx.notes if n.beat != 4]\n')
    run(win, qtbot, "Move")
    assert hs.kept_sounds(chart.extra) == {(Fraction(1), 2): ("2", "0:0:0:0:")}
    win.session.doc.undo()
    assert hs.kept_sounds(chart.extra) == SOUNDS


def test_a_failing_plugins_dialog_shows_its_traceback_and_output(opened, boxes, qtbot):
    add_plugin("dbg.py", 'NAME = "Debug"\nfrom _util import pick\ndef run(ctx):\n    print("DEBUG: here")\n'
                         '    return pick(ctx.notes)\n')
    add_plugin("_util.py", "def pick(notes):\n    rows = {}\n    return [rows[n.beat] for n in notes]\n")
    run(opened, qtbot, "Debug")
    kind, title, text = boxes[-1]
    assert title == "Plugin: Debug"
    assert text == "dbg.py: KeyError: Fraction(0, 1) (_util.py line 3, from line 5). Nothing was changed."
    assert '_util.py", line 3, in pick' in boxes.details
    assert "DEBUG: here" in boxes.details
