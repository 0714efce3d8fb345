"""chart.section_tempo's line: the BPMs it names are the ones the timing (and the file) holds, not %.6g roundings
('BPM 90.000 -> 90.1' while the Timing table and the file held 90.099955)."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats.values import format_number
from chart.section_tempo import set_section_tempo
from chart.timing import TimingData


def test_the_stretch_before_the_section_is_named_with_the_bpm_it_holds():
    timing = TimingData.constant(180, "-0.1").with_changes(bpms=((F(0), F(180)), (F(8), F(90)), (F(24), F(180))))
    result = set_section_tempo(timing, 24, None, 180, timing.beat_to_seconds(F(24)) - F("0.0118"))
    held = result.timing.bpm_at(F(8))
    assert held != round(held, 3)  # a BPM of more decimals than %.6g shows of it
    text = format_number(held, 3, 9)
    assert len(text.split(".")[1]) > 3
    assert f"(BPM 90.000 -> {text} from beat 8 to 24)" in result.describe()


def test_the_section_bpm_is_named_as_held_too():
    result = set_section_tempo(TimingData.constant(120, "-0.1"), 40, 80, F("150.1234567"))
    assert "150.1234567 BPM from beat 40" in result.describe()
    assert "from beat 80 on 120.000 BPM as before" in result.describe()
