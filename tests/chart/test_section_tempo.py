"""chart.section_tempo: a section's BPM on its first beat, the tempo after it put back, BPM changes inside
replaced, the first beat moved onto a detected beat through the stretch before it (Sync Beat's arithmetic)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.section_tempo import SectionTempoError, set_section_tempo
from chart.timing import TimingData

SONG = TimingData.constant(120, "-0.1")  # beat 0 at 0.1 s


def times(timing: TimingData, beats) -> list[F]:
    return [timing.beat_to_seconds(F(b)) for b in beats]


def test_the_section_gets_its_bpm_and_the_tempo_after_it_is_put_back():
    result = set_section_tempo(SONG, 40, 80, 150)
    t = result.timing
    assert t.bpms == ((0, 120), (40, 150), (80, 120))
    assert times(t, range(0, 41)) == times(SONG, range(0, 41))  # the timing before the section: as it was
    assert t.beat_to_seconds(80) - t.beat_to_seconds(40) == F(40 * 60, 150)
    moved = t.beat_to_seconds(80) - SONG.beat_to_seconds(80)
    assert result.end_moved_s == moved == F(40 * 60, 150) - F(40 * 60, 120)
    assert t.beat_to_seconds(100) - SONG.beat_to_seconds(100) == moved  # later beats keep 120 BPM, moved
    assert "150.000 BPM from beat 40" in result.describe()
    assert "from beat 80 on 120.000 BPM as before, -4000.0 ms" in result.describe()


def test_a_section_to_the_song_end_keeps_its_bpm_and_replaces_later_changes():
    timing = SONG.with_changes(bpms=((0, 120), (64, 140), (100, 90)))
    result = set_section_tempo(timing, 32, None, 150)
    assert result.timing.bpms == ((0, 120), (32, 150))
    assert result.replaced == 2
    assert "to the song's end" in result.describe()
    assert "2 BPM changes inside replaced" in result.describe()


def test_changes_inside_are_replaced_a_change_on_the_end_and_the_pauses_stay():
    timing = SONG.with_changes(bpms=((0, 120), (48, 130), (80, 200)), stops=((F(20), F(1, 2)), (F(60), F(1, 4))))
    result = set_section_tempo(timing, 40, 80, 150)
    assert result.timing.bpms == ((0, 120), (40, 150), (80, 200))  # 200 was in force from beat 80: it stays
    assert result.replaced == 1
    assert result.timing.stops == timing.stops
    assert times(result.timing, range(0, 41)) == times(timing, range(0, 41))
    # the stop inside the section keeps its length
    assert result.timing.beat_to_seconds(80) - result.timing.beat_to_seconds(40) == F(40 * 60, 150) + F(1, 4)


def test_the_bpm_put_back_is_the_one_in_force_at_the_end():
    timing = SONG.with_changes(bpms=((0, 120), (60, 90)))
    assert set_section_tempo(timing, 40, 100, 150).timing.bpms == ((0, 120), (40, 150), (100, 90))


def test_the_first_beat_moves_onto_the_detected_beat_through_the_stretch_before_it():
    timing = SONG.with_changes(bpms=((0, 120), (16, 125)))
    target = timing.beat_to_seconds(40) + F(4, 1000)
    result = set_section_tempo(timing, 40, 80, 150, target)
    t = result.timing
    assert abs(t.beat_to_seconds(40) - target) < F(1, 100000)
    assert times(t, range(0, 17)) == times(timing, range(0, 17))  # up to the previous BPM change: as it was
    assert t.bpm_at(20) < 125  # the stretch 16..40 is a little slower
    assert t.bpms[-2:] == ((40, 150), (80, 125))
    assert result.sync is not None
    assert "beat 40 moved +4.0 ms onto the detected beats (BPM 125.000 -> " in result.describe()


def test_a_first_stretch_start_keeps_beat_0_and_a_start_at_beat_0_moves_the_offset():
    result = set_section_tempo(SONG, 40, 80, 150, SONG.beat_to_seconds(40) - F(5, 1000))
    assert result.timing.beat_to_seconds(0) == SONG.beat_to_seconds(0)  # beat 0 anchors the first stretch
    assert result.timing.bpm_at(10) > 120
    at_zero = set_section_tempo(SONG, 0, 80, 150, F("0.104"))
    assert at_zero.timing.beat0_s == F("0.104")
    assert at_zero.timing.bpms == ((0, 150), (80, 120))
    assert "#OFFSET" in at_zero.describe()


def test_the_same_tempo_changes_nothing():
    assert set_section_tempo(SONG, 40, 80, 120).timing == SONG  # no redundant BPM changes are added


def test_bad_sections_are_refused_with_one_line():
    for args in ((40, 40, 150), (40, 20, 150), (-4, 20, 150), (40, 80, 0), (40, 80, 20000)):
        with pytest.raises(SectionTempoError) as info:
            set_section_tempo(SONG, *args)
        assert "\n" not in str(info.value)
    warped = SONG.with_changes(warps=((F(38), F(4)),))
    with pytest.raises(SectionTempoError, match="warp"):  # a first beat inside a warp takes no time: Sync
        set_section_tempo(warped, 40, 80, 150, F(21))  # Beat refuses the move
