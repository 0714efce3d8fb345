"""A chart's meter in every format: one range (-1000000..1000000, ``errors.MAX_METER``) that the JSON reader reads
back and every writer holds; a meter outside it is refused (fatal, naming the chart) instead of written as a file
the JSON reader refuses, or as an osu! ``Lv.N`` that reads back as another meter."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats.errors import MAX_METER, WriteError
from chart.formats.registry import dumps, loads, unrepresentable
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

FORMATS = ("json", "osu", "sm", "ssc")


def song(meter: int, description: str = "") -> Song:
    chart = Chart(slot=Slot.HARD, meter=meter, description=description, notes=[Note(F(b), b % 4) for b in range(4)])
    return Song(title="T", music="a.ogg", timing=TimingData(bpms=[(F(0), F(120))]), charts=[chart])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("meter", [1234567, -1234567, MAX_METER + 1])
def test_a_meter_outside_the_range_is_refused(fmt, meter):
    with pytest.raises(WriteError, match=rf"dance-single/Hard.*meter {meter} outside -1000000\.\.1000000"):
        dumps(song(meter), fmt)
    assert [p.fatal for p in unrepresentable(song(meter), fmt) if "meter" in p.reason] == [True]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("meter", [-1, 0, 150, 999_999, MAX_METER, -MAX_METER])
def test_a_meter_in_the_range_reads_back_as_it_was(fmt, meter):
    chart = loads(dumps(song(meter, "name"), fmt), fmt).charts[0]
    assert (chart.slot, chart.meter, chart.description) == (Slot.HARD, meter, "name")


def test_osu_reads_a_signed_level_and_no_part_of_a_longer_one():
    def version(name: str) -> tuple[Slot, int, str]:
        text = dumps(song(5), "osu").replace("Version:Hard Lv.5", f"Version:{name}")
        chart = loads(text, "osu").charts[0]
        return chart.slot, chart.meter, chart.description

    assert version("Hard Lv.-1") == (Slot.HARD, -1, "")
    assert version("Hard Lv.-1: x") == (Slot.HARD, -1, "x")
    # 7 digits: not a level this reader writes, so a foreign name; the meter from OverallDifficulty, never 123456
    assert version("Hard Lv.1234567") == (Slot.HARD, 8, "Hard Lv.1234567")
    assert version("Insane Lv.1234567") == (Slot.CHALLENGE, 8, "Insane Lv.1234567")
    assert version("Insane Lv.12") == (Slot.CHALLENGE, 12, "Insane Lv.12")


@pytest.mark.parametrize(("ext", "written"), [("sm", "5000000"), ("ssc", "-5000000")])
def test_a_stepmania_meter_past_the_range_reads_clamped_and_says_so(ext, written):
    """A .sm/.ssc with #METER:5000000 opened, and then neither Save nor the autosave (JSON) could write it until
    the meter was changed; it now reads as the largest meter the formats hold, and the read report says so."""
    text = dumps(song(MAX_METER), ext)
    assert text.count(str(MAX_METER)) == 1
    text = text.replace(str(MAX_METER), written)
    report: list = []
    back = loads(text, ext, report)
    assert back.charts[0].meter == (MAX_METER if written[0] != "-" else -MAX_METER)
    assert any(f"#METER {written} read as" in r.reason for r in report)
    assert not unrepresentable(back, "json")
    dumps(back, "json")  # the autosave's format holds it
    dumps(back, ext)
