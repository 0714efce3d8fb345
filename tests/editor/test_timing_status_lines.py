"""Timing panel status lines: an accepted value says so, so a refusal said just before does not stay up on the
status bar for its 8 s (Keep notes in time off: nothing was said); a negative stop or delay is refused quoting the
text typed, and TimingData's own refusal (the CLI and the readers see it) gives plain decimals, not Fractions."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.timing import TimingData

pytestmark = pytest.mark.qt


def cell(panel, kind_name: str, text: str) -> None:
    t = panel.table
    r = next(r for r in range(t.rowCount()) if t.item(r, 1).text() == kind_name)
    t.item(r, 2).setText(text)


def at(win, beat) -> None:
    win.seek(float(win.session.timing().beat_to_seconds(F(beat))))


def test_an_accepted_value_replaces_the_refusal_on_the_status_bar(opened):
    win, panel = opened, opened.timing_panel
    assert not win.session.keep_notes_in_time
    at(win, F(5, 2))
    panel.add_at_cursor("stops")
    assert win.statusBar().currentMessage() == "Add stop: Stop at beat 2.5: 0.5 s"
    cell(panel, "Stop (s)", "-0.5")
    assert win.statusBar().currentMessage() == "Timing: a stop of at least 0 s, please ('-0.5' is negative)"
    cell(panel, "Stop (s)", "0.25")
    assert win.session.doc.song.timing.stops == ((F(5, 2), F(1, 4)),)
    assert win.statusBar().currentMessage() == "Change timing: Stop at beat 2.5: 0.25 s"
    cell(panel, "BPM", "0.0000000001")
    assert "a BPM of at least" in win.statusBar().currentMessage()
    cell(panel, "BPM", "140")
    assert win.statusBar().currentMessage() == "Change timing: BPM at beat 0: 140"
    panel.table.setCurrentCell(next(r for r in range(panel.table.rowCount())
                                    if panel.table.item(r, 1).text() == "Stop (s)"), 0)
    panel.remove_selected()
    assert win.statusBar().currentMessage() == "Remove timing change: Stop at beat 2.5 removed"


@pytest.mark.parametrize(("kind", "name"), [("stops", "Stop (s)"), ("delays", "Delay (s)")])
def test_a_negative_pause_is_refused_quoting_the_text_typed(opened, kind, name):
    win, panel = opened, opened.timing_panel
    at(win, 2)
    panel.add_at_cursor(kind)
    before = win.session.doc.song.timing
    cell(panel, name, "-0.1234567")
    assert win.statusBar().currentMessage() == (f"Timing: a {kind[:-1]} of at least 0 s, please ('-0.1234567' is "
                                                "negative)")
    assert win.session.doc.song.timing == before


def test_timing_data_refuses_with_plain_decimals():
    with pytest.raises(ValueError, match=r"^stop at beat 2\.5 must be >= 0 \(got -0\.333\)$"):
        TimingData(bpms=((0, 120),), stops=((F(5, 2), F(-333, 1000)),))
    with pytest.raises(ValueError, match=r"^BPM must be positive \(got -5 at beat 0\.5\)$"):
        TimingData(bpms=((0, 120), (F(1, 2), -5)))
