"""Save of a song read from one osu!mania ``.osu`` that has been given a second difficulty (audit 21: a folder with
one 7K difficulty, a 4K Easy drafted into it): Save tried the open .osu and refused ("an osu!mania file holds one
difficulty and this song has 2"), where a set opened from its folder gets Save As with ``NAME.ssc`` suggested, as
docs/editor.md says. Now it is a set with no one file to save to too; one difficulty still saves to its file."""

from __future__ import annotations

import pytest

from chart.commands import AddChart
from chart.formats.registry import load
from chart.song import Chart, Slot
from tests.editor.test_chart_management import _osu_set

pytestmark = pytest.mark.qt


@pytest.mark.parametrize("open_folder", [True, False])
def test_save_of_one_osu_given_a_second_difficulty_asks_for_one_ssc(window, tmp_path, boxes, open_folder):
    folder = _osu_set(tmp_path / "set", ("7K Hard",), keys=7)
    osu = folder / "Artist - Title (Mapper) [7K Hard].osu"
    assert window.open_path(folder if open_folder else osu)
    doc = window.session.doc
    assert doc.path == osu
    asked = []
    window.files.ask_save_path = lambda suggested, title="Save As": (asked.append(suggested), None)[1]
    assert window.files.save()  # one difficulty: its own file, as before
    assert asked == []
    assert window.session.push(AddChart(Chart(slot=Slot.EASY, meter=3)))
    boxes.clear()
    assert not window.files.save()  # cancelled in the Save As dialog
    assert asked == [folder / "Artist - Title (Mapper).ssc"]
    assert boxes == []  # no "Cannot save"
    assert "save the set in one .ssc" in window.statusBar().currentMessage()
    target = folder / "Artist - Title (Mapper).ssc"
    window.files.ask_save_path = lambda suggested, title="Save As": target
    assert window.files.save()
    assert [c.slot for c in load(target).charts] == [Slot.HARD, Slot.EASY]
    assert len(load(osu).charts) == 1  # the .osu is untouched
    assert doc.path == target
