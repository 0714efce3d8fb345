"""The Charts panel and difficulty slots: Add opens on a free difficulty of the mode, Duplicate names each copy
uniquely, and a difficulty set to one another chart has says so on the status bar. Before, Add opened on
Beginner (a second Beginner), two Duplicates were both "Easy copy", and a shared slot passed without a word."""

from __future__ import annotations

import pytest

from chart.song import Slot

pytestmark = pytest.mark.qt


def test_add_opens_on_the_first_free_difficulty(opened):
    panel, song = opened.charts_panel, opened.session.doc.song  # Beginner and Easy
    assert panel.add_slot.currentData() == Slot.MEDIUM
    assert panel.add_chart().slot == Slot.MEDIUM
    for _ in range(2):
        panel.add_chart()
    assert panel.add_slot.currentData() == Slot.EDIT  # all five taken
    assert [c.slot for c in song.charts] == [Slot.BEGINNER, Slot.EASY, Slot.MEDIUM, Slot.HARD, Slot.CHALLENGE]


def test_duplicates_get_unique_descriptions(opened):
    panel, session = opened.charts_panel, opened.session
    easy = session.doc.song.charts[1]
    names = []
    for _ in range(3):
        session.set_chart(easy)
        names.append(panel.duplicate_chart().description)
    assert names == ["Easy copy", "Easy copy 2", "Easy copy 3"]


def test_a_shared_slot_is_said(opened):
    panel, session = opened.charts_panel, opened.session
    session.set_chart(session.doc.song.charts[1])
    panel.slot.setCurrentIndex(panel.slot.findData(Slot.BEGINNER))
    panel.slot.activated.emit(panel.slot.currentIndex())
    assert session.doc.song.charts[1].slot == Slot.BEGINNER  # allowed: a swap takes two steps
    assert "two Beginner charts of dance-single" in opened.statusBar().currentMessage()


def test_added_charts_keep_difficulty_order_for_f5_f6(opened):
    """An added chart went to the end of the song's list: F6 from Beginner went past the charts added later."""
    win = opened
    song = win.session.doc.song
    panel = win.charts_panel
    panel.add_chart(Slot.CHALLENGE)
    panel.add_chart(Slot.HARD)
    single = [c.slot for c in song.charts if c.mode == "dance-single"]
    assert single == sorted(single)
    win.session.set_chart(next(c for c in song.charts if c.slot == Slot.EASY))
    win.step_chart(1)
    assert win.session.chart.slot == Slot.HARD
