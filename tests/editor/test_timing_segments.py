"""Timing panel: StepMania 5's display segments (labels, scrolls, speeds, fakes, tick counts, combos) added at the
cursor, edited in place with refused values reported, unreadable tags listed and removable; labels on the grid
and label navigation (Ctrl+PgUp/PgDown)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.commands import SetTiming
from chart.formats import display_segments as ds
from editor.menus import step_label
from editor.timeline.grid_item import MARKER_LINE_PX, marker_text_ys, timing_markers

pytestmark = pytest.mark.qt


def _row(panel, kind_name):
    return next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 1).text() == kind_name)


def _at(win, beat):
    win.seek(float(win.session.timing().beat_to_seconds(beat)))


def test_segments_are_added_edited_and_refused_in_place(opened):
    win = opened
    panel = win.timing_panel
    song = win.session.doc.song
    _at(win, 8)
    for tag in ds.TAGS:
        assert panel.add_at_cursor(tag)
    timing = song.timing
    assert ds.read(timing, "LABELS") == [(F(8), "Section 1")]
    assert ds.read(timing, "SPEEDS") == [(F(8), F(1), F(0), 0)]
    assert ds.read(timing, "COMBOS") == [(F(8), 1, 1)]
    edits = {"Label": ("Chorus", "LABELS", [(F(8), "Chorus")]),
             "Scroll (x)": ("0.5", "SCROLLS", [(F(8), F(1, 2))]),
             "Speed (x over)": ("2 over 0.5 s", "SPEEDS", [(F(8), F(2), F(1, 2), 1)]),
             "Fake (beats)": ("2", "FAKES", [(F(8), F(2))]),
             "Tick count": ("2", "TICKCOUNTS", [(F(8), 2)]),
             "Combo (hit/miss)": ("3/1", "COMBOS", [(F(8), 3, 1)])}
    for kind_name, (text, tag, entries) in edits.items():
        panel.table.item(_row(panel, kind_name), 2).setText(text)
        assert ds.read(song.timing, tag) == entries, kind_name
    assert panel.table.item(_row(panel, "Speed (x over)"), 2).text() == "2 over 0.5 s"
    for kind_name, bad, words in (("Label", "A, B", "cannot contain"), ("Tick count", "49", "0 to 48"),
                                  ("Speed (x over)", "2 over", "not a speed"), ("Fake (beats)", "0", "longer than 0"),
                                  ("Combo (hit/miss)", "1.5", "whole number")):
        before = song.timing
        panel.table.item(_row(panel, kind_name), 2).setText(bad)
        assert song.timing == before, kind_name
        assert words in win.statusBar().currentMessage()
    panel.table.item(_row(panel, "Label"), 0).setText("16")  # moved
    assert ds.read(song.timing, "LABELS") == [(F(16), "Chorus")]
    assert song.timing.bpms == ((F(0), F(120)),)  # nothing that moves notes changed
    names = win.session.doc.undo_stack_names()
    assert names[-13:-7] == ["Add label", "Add scroll", "Add speed", "Add fake", "Add tick count", "Add combo"]
    assert names[-7:] == ["Change timing"] * 7  # each edit of the table is its own step, however quick
    for _ in range(13):
        win.session.doc.undo()
    assert not ds.readable(song.timing)[0]


def test_an_unreadable_tag_is_listed_kept_and_can_be_removed(opened):
    win = opened
    panel = win.timing_panel
    timing = win.session.doc.song.timing.with_changes(extra=(("SCROLLS", "0=fast"), ("LABELS", "0=Intro")))
    assert win.session.push(SetTiming(timing, name="Load odd tags"))
    row = _row(panel, "#SCROLLS (unreadable, kept)")
    assert "not a number" in panel.table.item(row, 2).text()
    assert panel.add_at_cursor("SCROLLS") is False  # its text does not read: nothing is overwritten
    assert "not a number" in win.statusBar().currentMessage()
    panel.table.setCurrentCell(row, 0)
    assert panel.remove_selected()
    assert win.session.doc.song.timing.extra == (("LABELS", "0=Intro"),)


def test_labels_are_drawn_and_navigated(opened):
    win = opened
    timing = ds.with_entries(win.session.doc.song.timing, "LABELS", [(F(4), "Verse"), (F(12), "Chorus")])
    win.session.push(SetTiming(timing, name="Labels"))
    texts = [text for _beat, text, _color in timing_markers(win.session.timing())]
    assert texts[:2] == ["120 BPM", "Verse"]
    assert "Chorus" in texts
    _at(win, 0)
    assert step_label(win, 1)
    assert win.timeline.cursor_beat() == F(4)
    win.actions["nav.next_label"].trigger()
    assert win.timeline.cursor_beat() == F(12)
    assert "Chorus" in win.statusBar().currentMessage()
    assert not step_label(win, 1)
    assert "No label after" in win.statusBar().currentMessage()
    win.actions["nav.prev_label"].trigger()
    assert win.timeline.cursor_beat() == F(4)


def test_double_clicking_a_row_kind_moves_the_cursor_to_it(opened):
    win = opened
    panel = win.timing_panel
    _at(win, 6)
    assert panel.add_at_cursor("stops")
    _at(win, 0)
    panel.table.cellDoubleClicked.emit(_row(panel, "Stop (s)"), 1)
    assert win.timeline.cursor_beat() == F(6)


def test_keep_notes_in_time_rebeats_every_chart_in_one_undo_step(opened):
    win = opened
    panel = win.timing_panel
    song = win.session.doc.song
    old_timing = song.timing

    def note_times():
        return [[float(song.timing_for(c).beat_to_seconds(n.beat)) for n in c.notes] for c in song.charts]

    before, notes_before = note_times(), [list(c.notes) for c in song.charts]
    panel.keep_in_time.setChecked(True)
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 1).text() == "BPM")
    panel.table.item(row, 2).setText("150")
    assert song.timing.bpms == ((F(0), F(150)),)
    after = note_times()
    assert [len(c) for c in after] == [len(c) for c in before]
    assert all(abs(a - b) < 0.0011 for chart_a, chart_b in zip(after, before) for a, b in zip(chart_a, chart_b))
    assert [list(c.notes) for c in song.charts] != notes_before
    assert "given new beats to keep their times" in win.statusBar().currentMessage()
    names = win.session.doc.undo_stack_names()
    assert names[-1] == "Change timing, notes kept in time"
    win.session.doc.undo()
    assert song.timing == old_timing
    assert [list(c.notes) for c in song.charts] == notes_before
    panel.keep_in_time.setChecked(False)  # off: the notes keep their beats and move with the grid
    panel.table.item(row, 2).setText("150")
    assert [list(c.notes) for c in song.charts] == notes_before
    win.session.doc.undo()
    # a tempo where no row lies within 1 ms: the notes take the nearest 1/48-beat row, and the status bar says
    # how far that moved them (the docs promised 1 ms, which .sm/.ssc rows cannot always give)
    panel.keep_in_time.setChecked(True)
    panel.table.item(row, 2).setText("101.3")
    after = note_times()
    worst = max(abs(a - b) for chart_a, chart_b in zip(after, before) for a, b in zip(chart_a, chart_b))
    message = win.statusBar().currentMessage()
    assert 0.001 < worst <= 60 / 101.3 / 96 + 1e-6  # at most half of a 1/48-beat row
    assert f"within {worst * 1000:.1f} ms (the finest row is 1/48 beat)" in message, message


def test_marker_texts_on_close_beats_do_not_overlap():
    # scroll x0.99 at beat 0 and x1 at beat 0.167 are 2 px apart at a normal zoom (a real .ssc does this)
    ys = [100.0, 102.0, 102.0, 300.0, 305.0]
    out = marker_text_ys(ys)
    assert out[0] == 100.0  # room enough: each text at its own beat
    assert out[3] == 300.0
    assert all(b - a >= MARKER_LINE_PX for a, b in zip(out, out[1:]))
    assert out[4] == 300.0 + MARKER_LINE_PX


def test_labels_at_a_warp_are_passed_going_back(opened):
    """Labels at 4, 8 (a warp 8..12 starts there) and 16: Ctrl+PgUp from 16 reached "Warp" and then stayed there
    (the cursor's time maps to the warp's end beat, after the label)."""
    win = opened
    timing = ds.with_entries(win.session.doc.song.timing.with_changes(warps=((F(8), F(4)),)), "LABELS",
                             [(F(4), "Verse"), (F(8), "Warp"), (F(16), "Chorus")])
    win.session.push(SetTiming(timing, name="Labels"))
    _at(win, 20)
    visited = []
    for _ in range(3):
        assert step_label(win, -1)
        visited.append(win.statusBar().currentMessage())
    assert [m.split(":")[1].split("(")[0].strip() for m in visited] == ["Chorus", "Warp", "Verse"]
    assert step_label(win, 1)
    assert "Warp" in win.statusBar().currentMessage()


def test_the_table_never_replaces_another_row_and_each_change_is_its_own_step(opened):
    win = opened
    panel = win.timing_panel
    _at(win, 8)
    assert panel.add_at_cursor("stops")
    _at(win, 4)
    assert panel.add_at_cursor("stops")  # a moment later: still two undo steps (they merged into one)
    assert win.session.doc.undo_stack_names()[-2:] == ["Add stop", "Add stop"]
    panel.table.item(_row_at(panel, "Stop (s)", "8"), 2).setText("1.5")
    stops = win.session.doc.song.timing.stops
    assert stops == ((F(4), F(1, 2)), (F(8), F(3, 2)))
    panel.table.item(_row_at(panel, "Stop (s)", "4"), 0).setText("8")  # onto the other stop: refused, said
    assert win.session.doc.song.timing.stops == stops
    assert "already a stop at beat 8" in win.statusBar().currentMessage()
    _at(win, 8)
    assert not panel.add_at_cursor("stops")  # the 1.5 s stop is not reset to 0.5 s
    assert win.session.doc.song.timing.stops == stops
    panel.table.item(_row_at(panel, "BPM", "0"), 2).setText("1e400")  # overflowed every redraw
    assert win.session.doc.song.timing.bpms == ((F(0), F(120)),)
    assert "out of range" in win.statusBar().currentMessage()
    win.session.doc.undo()
    assert win.session.doc.song.timing.stops == ((F(4), F(1, 2)), (F(8), F(1, 2)))


def _row_at(panel, kind_name, beat_text):
    return next(r for r in range(panel.table.rowCount())
                if panel.table.item(r, 1).text() == kind_name and panel.table.item(r, 0).text() == beat_text)


def test_the_song_panel_offset_is_the_current_chart_s(opened):
    from chart.commands import SetTiming as ChartTiming

    win = opened
    song = win.session.doc.song
    own = song.timing.with_changes(bpms=((F(0), F(150)),))
    win.session.push(ChartTiming(own, chart=win.session.chart, name="Split timing"))
    panel = win.properties_panel
    panel.offset.setValue(0.1)
    assert win.session.chart.timing.offset == F(1, 10)  # the chart's own offset, not the song's
    assert song.timing.offset == F(-1, 10)
    assert panel.offset_label.text() == "Offset (this chart's)"
    win.session.set_chart(song.charts[1])
    assert panel.offset.value() == pytest.approx(-0.1)
    assert panel.offset_label.text() == "Offset"


def test_a_label_with_a_comment_mark_is_refused(opened):
    """'Intro // calm' was accepted and saved as written: the .ssc reader (as StepMania's) takes // as the start of
    a comment, so the label was cut and every label after it on the line was lost."""
    win = opened
    panel = win.timing_panel
    _at(win, 4)
    assert panel.add_at_cursor("LABELS")
    before = win.session.doc.song.timing
    panel.table.item(_row(panel, "Label"), 2).setText("Intro // calm")
    assert win.session.doc.song.timing == before
    assert "'//'" in win.statusBar().currentMessage()
    panel.table.item(_row(panel, "Label"), 2).setText("Intro / calm")  # a single slash is fine
    assert ds.read(win.session.doc.song.timing, "LABELS") == [(F(4), "Intro / calm")]
