"""Random input on the editor (seeded): editing actions, keys and mouse on the notefield, playback.

Session 16 ran a longer version of this on the shared songs and found two notes on one cell (a click snapping onto
a note, a drag or nudge onto one, Paste, Mirror of part of a row) and notes inside holds from clicks and keys;
session 17 found notes put inside holds by Paste, drags, nudges, Quantize and Convert to Holds. Here, after every
input: no chart has two notes on one cell or a note inside a hold; and at the end undo-all gives the song back
exactly. Any
exception in a Qt callback or Qt warning fails the test (pytest-qt and the conftest's fail_on_qt_warnings).
"""

from __future__ import annotations

import copy
import random
from collections import Counter

import pytest
from PySide6.QtCore import QPoint, Qt

from chart import sorted_notes
from editor.actions import SPECS

pytestmark = pytest.mark.qt

# Not fuzzed: file dialogs and file conversion, the app quitting, modal dialogs, plugins (a process each), the AI
# (a model), and record/test play (they take the keyboard until Escape, which the keys below include anyway).
SKIPPED = {"file.new_from_audio", "file.open", "file.open_folder", "file.save_as", "file.export", "file.music_to_ogg",
           "file.quit",
           "play.calibrate", "help.keymap", "ai.arrows", "play.test", "play.record", "timing.detect", "timing.tap",
           "edit.go_to_timestamp", "timing.detect_section"}
ACTIONS = [s.id for s in SPECS if s.id not in SKIPPED]
KEYS = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left,
        Qt.Key.Key_Right, Qt.Key.Key_Escape, Qt.Key.Key_Q, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
        Qt.Key.Key_Delete, Qt.Key.Key_T, Qt.Key.Key_Y]
MODIFIERS = [Qt.KeyboardModifier.NoModifier] * 5 + [Qt.KeyboardModifier.ShiftModifier,
                                                    Qt.KeyboardModifier.ControlModifier,
                                                    Qt.KeyboardModifier.AltModifier]


def shared_cells(song) -> list:
    return [(chart.slot.sm_name, cell) for chart in song.charts
            for cell, n in Counter((x.beat, x.lane) for x in chart.notes).items() if n > 1]


def inside_holds(song) -> list:
    """(chart, hold, note) with the note's head after the hold's head and up to its end, same lane (Verify's
    note-in-hold and holds checks)."""
    return [(chart.slot.sm_name, *pair) for chart in song.charts for pair in sorted(sorted_notes.inside_holds(chart.notes))]


@pytest.mark.parametrize("seed", [1, 2, 3] + [int(x) for x in __import__("os").environ.get("FUZZ_SEEDS", "").split(",") if x])
def test_random_input_keeps_charts_playable_and_undo_gives_the_song_back(opened, qtbot, seed):
    win = opened
    rng = random.Random(seed)
    doc = win.session.doc
    before = copy.deepcopy(doc.song)
    assert not inside_holds(doc.song)
    viewport = win.timeline.viewport()
    done = []
    for _ in range(400):
        r = rng.random()
        if r < 0.4:
            action = win.actions[rng.choice(ACTIONS)]
            done.append(action.text())
            if action.isEnabled():
                action.trigger()
        elif r < 0.75:
            key, mod = rng.choice(KEYS), rng.choice(MODIFIERS)
            done.append(f"key {key.name} {mod.name}")
            qtbot.keyClick(win.timeline, key, mod)
        else:
            w, h = viewport.width(), viewport.height()
            p, q = QPoint(rng.randrange(w), rng.randrange(h)), QPoint(rng.randrange(w), rng.randrange(h))
            button = rng.choice([Qt.MouseButton.LeftButton] * 3 + [Qt.MouseButton.RightButton])
            mod = rng.choice(MODIFIERS)
            done.append(f"mouse {button.name} {mod.name} {p.toTuple()} -> {q.toTuple()}")
            qtbot.mousePress(viewport, button, mod, p)
            if rng.random() < 0.5:
                qtbot.mouseMove(viewport, q)
            qtbot.mouseRelease(viewport, button, mod, q)
        assert not shared_cells(doc.song), done[-5:]
        assert not inside_holds(doc.song), (inside_holds(doc.song), done[-5:])
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)
    while doc.history.can_undo:
        doc.undo()
    assert doc.song == before
