"""``main.py open SONG --compare SLOT``: the chart compared is never the chart edited, with or without
``--screenshot`` (the screenshot picked the busiest chart after the comparison was set: ``--compare challenge``
on a song whose Challenge was the busiest showed "Compare: none"; of two Edit charts the edited one was compared
with itself), and a comparison that cannot be set is one error line."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.app import compare_with_slot
from editor.screenshot import prepare_for_screenshot

pytestmark = pytest.mark.qt


def taps(n: int) -> list[Note]:
    return [Note(Fraction(k, 2), k % 4) for k in range(n)]


def open_song(win, tmp_path, *charts: Chart) -> None:
    from chart.formats.registry import save

    save(Song(title="C", timing=TimingData.constant(120), charts=list(charts)), tmp_path / "c.ssc")
    assert win.open_path(tmp_path / "c.ssc")


def shown(win) -> tuple[str, str | None]:
    ref = win.session.shown_reference()
    return win.session.chart.description or win.session.chart.slot.sm_name, (
        None if ref is None else ref.description or ref.slot.sm_name)


def test_the_screenshot_edits_the_busiest_chart_but_the_compared_one(window, tmp_path):
    open_song(window, tmp_path, Chart(slot=Slot.EASY, meter=3, notes=taps(8)),
              Chart(slot=Slot.MEDIUM, meter=6, notes=taps(20)), Chart(slot=Slot.CHALLENGE, meter=12, notes=taps(40)))
    assert compare_with_slot(window, Slot.CHALLENGE) is None
    prepare_for_screenshot(window, False, lambda predicate: True)
    assert shown(window) == ("Medium", "Challenge")


def test_two_edit_charts_compare_the_other_one(window, tmp_path):
    open_song(window, tmp_path, Chart(slot=Slot.EDIT, meter=10, description="A", notes=taps(40)),
              Chart(slot=Slot.EDIT, meter=8, description="B", notes=taps(20)))
    window.session.set_chart(window.session.doc.song.charts[0])
    assert compare_with_slot(window, Slot.EDIT) is None
    assert shown(window) == ("A", "B")


def test_the_slot_of_the_edited_chart_edits_another_chart(window, tmp_path):
    open_song(window, tmp_path, Chart(slot=Slot.EASY, meter=3, notes=taps(8)),
              Chart(slot=Slot.HARD, meter=9, notes=taps(30)))
    song = window.session.doc.song
    window.session.set_chart(song.chart(Slot.HARD, "dance-single"))
    assert compare_with_slot(window, Slot.HARD) is None
    assert shown(window) == ("Easy", "Hard")


def test_a_comparison_that_cannot_be_set_is_one_line(window, tmp_path):
    open_song(window, tmp_path, Chart(slot=Slot.HARD, meter=9, notes=taps(30)))
    assert compare_with_slot(window, Slot.EASY) == "--compare: the song has no Easy chart"
    error = compare_with_slot(window, Slot.HARD)
    assert error == "--compare: the song's only chart is the Hard chart, nothing to compare it with"


def test_a_song_with_nothing_else_to_compare_is_exit_2_without_a_picture(tmp_path):
    """It was exit 0 and a picture saying "Compare: none"."""
    from chart.formats.registry import save
    from tests.editor.test_cli_open import run

    save(Song(title="C", timing=TimingData.constant(120), charts=[Chart(slot=Slot.HARD, meter=9, notes=taps(30))]),
         tmp_path / "one.ssc")
    out = tmp_path / "shot.png"
    result = run("open", str(tmp_path / "one.ssc"), "--compare", "hard", "--screenshot", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: --compare: the song's only chart is the Hard chart, nothing to compare it with")
    assert not out.exists()
