"""The History panel follows the history row by row: an edit adds a row, a jump refreshes the list once at its end,
and only rows whose marks change are touched. It was cleared and rebuilt after every step: a click 1,000 steps back
rebuilt 1,000 rows 1,000 times (3.5 s) and each edit paid a rebuild that grew with the history. The rows it shows
are always those a rebuild gives (names, the current and saved marks, the screen reader's text, greyed redo steps),
through edits, undo, redo, jumps, saves, the oldest steps dropped by the history's limits, and a new document."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QListWidgetItem

from chart.document import Document
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.panels import history as history_panel
from editor.panels.history import CURRENT_MARK, SAVED_SUFFIX, first_row_name, step_history

pytestmark = pytest.mark.qt


def open_song(win, notes: int = 0) -> None:
    song = Song(title="H", timing=TimingData.constant(120),
                charts=[Chart(slot=Slot.HARD, notes=[Note(Fraction(k, 2), k % 4) for k in range(notes)])])
    win.files.adopt(Document(song))
    QApplication.processEvents()


def rebuilt_rows(history) -> list[tuple]:
    """Each row as a rebuild from scratch makes it (the panel's code before it followed the history)."""
    done, undone, saved = history.undo_stack_names(), history.redo_stack_names(), history.clean_index
    rows = []
    for i, name in enumerate([first_row_name(history), *done, *undone]):  # "(opened)" until steps are dropped
        text = name + SAVED_SUFFIX if i == saved else name
        current = i == len(done)
        rows.append((CURRENT_MARK + text if current else text, f"{text}, current state" if current else None,
                     i == saved, (140, 140, 140) if i > len(done) else None))
    return rows


def shown_rows(steps) -> list[tuple]:
    rows = []
    for i in range(steps.count()):
        item = steps.item(i)
        brush = item.data(Qt.ItemDataRole.ForegroundRole)
        color = brush.color().getRgb()[:3] if brush is not None else None
        rows.append((item.text(), item.data(Qt.ItemDataRole.AccessibleTextRole), item.font().bold(), color))
    return rows


def assert_shows_the_history(win) -> None:
    panel, history = win.history_panel, win.session.doc.history
    assert shown_rows(panel.list) == rebuilt_rows(history)
    current = len(history.undo_stack_names())
    assert panel.list.currentRow() == current
    assert panel.list.state_row == current


@pytest.fixture
def made_items(monkeypatch) -> list[int]:
    """Count the list items the panel makes."""
    made: list[int] = []

    class Counted(QListWidgetItem):
        def __init__(self, *args):
            made.append(1)
            super().__init__(*args)

    monkeypatch.setattr(history_panel, "QListWidgetItem", Counted)
    return made


def test_an_edit_adds_one_row_and_a_jump_back_makes_none(window, made_items):
    open_song(window)
    for k in range(300):
        window.editing.place(Fraction(k, 4), k % 4, window.session.place_kind)
    made_items.clear()
    window.editing.place(Fraction(400), 0, window.session.place_kind)
    assert len(made_items) == 1  # was a rebuild of all 302 rows
    made_items.clear()
    window.history_panel.go_to(0)
    assert not made_items  # was 301 rebuilds of 302 rows
    assert window.session.chart.notes == []
    assert_shows_the_history(window)
    window.history_panel.go_to(301)
    assert not made_items
    assert len(window.session.chart.notes) == 301
    assert_shows_the_history(window)


@pytest.mark.parametrize("seed", range(6))
def test_the_rows_are_always_those_a_rebuild_gives(window, seed):
    rng = random.Random(seed)
    open_song(window, notes=8)
    s, panel = window.session, window.history_panel
    s.doc.history.limit = rng.choice((6, 12, 1000))
    s.doc.history.note_budget = rng.choice((40, 1_000_000))
    clock = [1000.0]
    s.doc.history._clock = lambda: clock[0]  # edits a second apart: no merging unless asked
    for _ in range(120):
        what = rng.random()
        clock[0] += 0.2 if rng.random() < 0.2 else 5.0
        if what < 0.4:
            window.editing.place(Fraction(rng.randrange(64), 4), rng.randrange(4), s.place_kind)
        elif what < 0.5 and s.chart.notes:  # a whole-chart step, many notes held
            window.editing.select_all()
            window.transforms.mirror()
        elif what < 0.65:
            step_history(s, redo=False)
        elif what < 0.75:
            step_history(s, redo=True)
        elif what < 0.87:
            panel.go_to(rng.randrange(panel.list.count()))
        elif what < 0.95:
            s.doc.history.set_clean()  # what a save does
        elif what < 0.98:
            s.doc.mark_unsaved()
            panel.refresh()  # the history says nothing when the document was not clean before (as before)
        else:
            open_song(window, notes=rng.randrange(10))
        assert_shows_the_history(window)


def test_the_marks_are_dressed_as_a_new_item_has_them():
    """A row that loses a mark loses it as if it never had it (no bold font, no colour, no screen reader text left
    set): the list's own font and colours apply again."""
    item = QListWidgetItem()
    history_panel._dress(item, "Add tap", current=True, saved=True, undone=True)
    history_panel._dress(item, "Add tap", current=False, saved=False, undone=False)
    fresh = QListWidgetItem("Add tap")
    for role in (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.AccessibleTextRole):
        assert item.data(role) == fresh.data(role) is None
    assert item.text() == "Add tap"
    history_panel._dress(item, "Add tap", current=False, saved=True, undone=True)
    assert item.font().bold()
    assert item.foreground().color() == QColor(140, 140, 140)
