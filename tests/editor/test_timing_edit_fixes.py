"""Timing panel, Song panel, nudge keys and notefield on timing the files cannot hold as typed: a 10^9-beat warp
froze the notefield's redraw (every measure line inside it listed); a BPM of 1e-10 was taken (saved as 0); a
label moved a hair beside another deleted it; a stop typed at 8.01 was refused only at save; the table and the
F7/F8 line showed rounded numbers (%g, .3f); the Offset box clamped a 75-s offset to 60 s and wrote that back; a
time signature at a negative beat was taken."""

from __future__ import annotations

import math
from fractions import Fraction as F
from types import SimpleNamespace

import numpy as np
import pytest

from chart.commands import SetTiming
from chart.timing import TimingData
from editor.timeline import grid_item

pytestmark = pytest.mark.qt


def rows(panel) -> list[tuple[str, str, str]]:
    t = panel.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]


def cell(panel, kind_name: str, beat_text: str, column: int, text: str) -> None:
    t = panel.table
    r = next(r for r in range(t.rowCount()) if t.item(r, 1).text() == kind_name and t.item(r, 0).text() == beat_text)
    t.item(r, column).setText(text)


def at(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(F(beat))))


def test_a_billion_beat_warp_in_view_lists_measure_lines_by_the_pixel(make_timeline, monkeypatch):
    listed: list[int] = []
    starts, lines = TimingData.measure_starts, getattr(TimingData, "measure_lines", None)

    def counted_starts(self, last_beat):  # the old grid asked for every measure up to the view's last beat
        if last_beat > 10**6:  # counted, not listed (2.5 * 10^8 measures took 71 s and 16 GB)
            listed.append(int(last_beat / 4))
            return np.zeros(1)
        out = starts(self, last_beat)
        listed.append(len(out))
        return out

    def counted_lines(self, *args, **kwargs):
        out = lines(self, *args, **kwargs)
        listed.append(len(out[0]))
        return out

    monkeypatch.setattr(TimingData, "measure_starts", counted_starts)
    monkeypatch.setattr(TimingData, "measure_lines", counted_lines, raising=False)
    timing = TimingData(bpms=((F(0), F(120)),), warps=((F(8), F(10**9)),))
    w = make_timeline(timing)
    w.set_zoom(240.0)
    w.set_cursor(float(timing.beat_to_seconds(8)))
    w.vb.updateMatrix()
    w.grab()  # one paint of the notefield at the warp
    assert listed
    assert sum(listed) < 2000


class _GuardedNumpy:
    """numpy, but an arange of more than a million entries fails the test (instead of filling 8 GB)."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def arange(*args, **kwargs):
        out_len = len(range(*(int(math.ceil(a)) for a in args))) if args else 0
        assert out_len < 10**6, f"{out_len:.3g} beat ticks listed"
        return np.arange(*args, **kwargs)


def test_beat_ticks_of_a_billion_beat_warp_are_listed_by_the_second(monkeypatch):
    from editor.controllers import playback

    monkeypatch.setattr(playback, "np", _GuardedNumpy())
    timing = TimingData(bpms=((F(0), F(120)),), warps=((F(8), F(10**9)),))
    got = {}
    player = SimpleNamespace(duration_s=30.0, set_ticks=lambda beat_s, note_s: got.update(beat_s=beat_s))
    me = SimpleNamespace(player=player, session=SimpleNamespace(timing=lambda: timing, chart=None),
                         settings=SimpleNamespace(get=lambda key: key == "audio/beat_ticks"))
    playback.PlaybackController.update_ticks(me)
    assert 50 < len(got["beat_s"]) < 100  # a tick per beat of the 30 s: 8 before the warp, 52 after it


def test_thinning_counts_in_the_strides_given():
    numbers = np.arange(0, 64, 4)
    keep = grid_item.thinned(numbers, numbers * 2.5, 14.0, strides=numbers * 0 + 4)  # 10 px apart, need 14
    assert keep.tolist() == [n % 8 == 0 for n in numbers]


def test_a_tiny_bpm_and_a_negative_beat_time_signature_are_refused(opened):
    win = opened
    panel = win.timing_panel
    at(win, 8)
    assert panel.add_at_cursor("bpms")
    cell(panel, "BPM", "8", 2, "0.0000000001")
    assert "a BPM of at least 0.001" in win.statusBar().currentMessage()
    assert (F(8), F(120)) in win.session.doc.song.timing.bpms
    at(win, 0)
    assert panel.add_at_cursor("time_signatures")
    cell(panel, "Time signature", "0", 0, "-4")
    assert "negative beat" in win.statusBar().currentMessage()
    assert win.session.doc.song.timing.time_signatures[0][0] == 0


def test_a_label_moved_onto_another_s_row_is_refused(opened):
    win = opened
    panel = win.timing_panel
    for beat, name in ((8, "Verse"), (16, "Chorus")):
        at(win, beat)
        assert panel.add_at_cursor("LABELS")
        cell(panel, "Label", str(beat), 2, name)
    cell(panel, "Label", "16", 0, "8.01")
    assert "there is already a label at beat 8" in win.statusBar().currentMessage()
    assert dict(win.session.doc.song.timing.extra)["LABELS"] == "8.000=Verse,16.000=Chorus"


def test_an_off_row_beat_is_moved_to_its_row_and_said(opened):
    win = opened
    panel = win.timing_panel
    at(win, 8)
    assert panel.add_at_cursor("stops")
    cell(panel, "Stop (s)", "8", 0, "8.01")
    assert win.session.doc.song.timing.stops == ((F(8), F(1, 2)),)
    assert "beat 8.01 moved to the nearest 1/48-beat row, 8" in win.statusBar().currentMessage()


def test_the_table_and_the_bpm_nudge_show_what_the_file_holds(opened):
    win = opened
    timing = TimingData(offset=F("-0.1"), bpms=((F(0), F("141.550313")), (F(64), F(99999999)), (F(65), F(120))),
                        stops=((F(1000) + F(1, 48), F("0.123456789")),))
    assert win.session.push(SetTiming(timing))
    assert rows(win.timing_panel) == [("0", "BPM", "141.550313"), ("64", "BPM", "99999999"), ("65", "BPM", "120"),
                                      ("1000.020833", "Stop (s)", "0.123456789")]
    at(win, 1)
    win.actions["timing.bpm_up"].trigger()
    assert "BPM at beat 0: 141.560313 (+0.01 since 141.550313" in win.statusBar().currentMessage()


def test_the_offset_box_holds_an_offset_past_a_minute(opened):
    win = opened
    box = win.properties_panel.offset
    assert win.session.push(SetTiming(win.session.doc.song.timing.with_changes(offset=F("-75.1"))))
    assert box.value() == pytest.approx(-75.1)
    box.stepBy(1)  # one arrow press: 1 ms
    assert win.session.doc.song.timing.offset == F("-75.099")
