"""chart.beat_sync: a beat made to sound at a given time (visual sync), by the offset in the first tempo stretch,
else by the BPM of the stretch from its anchor, with stops, delays and warps honoured and absurd results refused."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.beat_sync import SyncError, anchor_of, bpm_text, clock_text, still_synced, sync_beat
from chart.formats.registry import dumps, loads
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

US = F(1, 10**6)  # a microsecond


def at(timing: TimingData, beat) -> F:
    return timing.beat_to_seconds(F(beat))


def test_the_first_stretch_moves_the_offset_and_the_whole_grid():
    timing = TimingData.constant(128, "-0.1")
    result = sync_beat(timing, 16, "7.612")  # beat 16 sounded at 7.6 s
    assert result.anchor is None
    assert result.stretch is None
    assert result.timing.bpms == timing.bpms
    assert result.timing.offset == F("-0.112")
    assert result.moved_s == F("0.012")
    for beat in (0, 5, 16, 300):
        assert at(result.timing, beat) - at(timing, beat) == F("0.012")
    assert result.describe().startswith("#OFFSET -0.1000 -> -0.1120 s (the whole grid +12.0 ms); beat 16 at")


def test_a_later_beat_changes_the_bpm_from_the_previous_bpm_change_and_keeps_later_tempo():
    timing = TimingData(offset=F(0), bpms=((F(0), F(120)), (F(64), F(128))))
    target = at(timing, 96) + F("0.03")
    result = sync_beat(timing, 96, target)
    new = result.timing
    assert result.anchor == 64
    assert abs(at(new, 96) - target) < US
    for beat in (0, 32, 64):  # the anchor and what is before it keep their times
        assert at(new, beat) == at(timing, beat)
    assert dict(new.bpms)[F(96)] == 128  # a BPM change at the synced beat, with the tempo it had
    assert at(new, 128) - at(new, 96) == at(timing, 128) - at(timing, 96)  # later beats keep their tempo
    bpm = dict(new.bpms)[F(64)]
    assert bpm == round(bpm * 10**6) / F(10**6)  # 6 decimals
    assert result.describe().startswith(f"BPM 128.000 -> {bpm_text(bpm)} from beat 64 to 96; beat 96 at 0:")
    shown = result.describe().split(" -> ")[1].split()[0]  # as the Timing table and the file hold it, not .3f
    assert F(shown) == bpm, (shown, bpm)
    assert len(shown.split(".")[1]) > 3, shown
    assert "later beats keep 128.000 BPM" in result.describe()


def test_with_a_later_bpm_change_everything_from_it_keeps_its_time():
    timing = TimingData(offset=F("-0.05"), bpms=((F(0), F(128)), (F(32), F(128)), (F(96), F(140))),
                        stops=((F(100), F("0.5")),))
    result = sync_beat(timing, 64, at(timing, 64) - F("0.02"))
    new = result.timing
    assert abs(at(new, 64) - (at(timing, 64) - F("0.02"))) < US
    assert result.after is not None
    assert result.later_end == 96
    for beat in (96, 100, 101, 200):
        assert abs(at(new, beat) - at(timing, beat)) < US
    assert dict(new.bpms)[F(64)] != 128  # the stretch 64..96 absorbs the change
    assert "so beat 96 on keeps its time" in result.describe()


def test_without_keep_later_the_new_bpm_runs_to_the_next_bpm_change():
    timing = TimingData(offset=F(0), bpms=((F(0), F(120)), (F(16), F(120)), (F(96), F(150))))
    target = at(timing, 48) + F("0.1")
    result = sync_beat(timing, 48, target, keep_later=False)
    new = result.timing
    assert [b for b, _ in new.bpms] == [0, 16, 96]  # no BPM change at the synced beat
    assert abs(at(new, 48) - target) < US
    assert result.stretch is not None
    assert result.stretch.end == 96
    assert at(new, 96) > at(timing, 96)  # the stretch after the beat slowed down too


def test_a_synced_beat_in_the_first_stretch_becomes_the_anchor():
    timing = TimingData.constant(120, "0")
    first = sync_beat(timing, 8, "4.02")  # offset
    synced = still_synced(first.timing, [(F(8), first.at_s)])
    assert synced == [8]
    second = sync_beat(first.timing, 40, at(first.timing, 40) - F("0.05"), synced=synced)
    new = second.timing
    assert second.anchor == 8
    assert dict(new.bpms)[F(8)] != 120
    assert dict(new.bpms)[F(0)] == 120
    assert at(new, 8) == at(first.timing, 8)
    assert at(new, 2) == at(first.timing, 2)
    assert abs(at(new, 40) - (at(first.timing, 40) - F("0.05"))) < US


@pytest.mark.parametrize(("first_beat", "second_beat"), [(-1, 16), (-4, -2)])
def test_a_beat_synced_before_0_is_no_anchor_so_the_next_sync_moves_the_offset(first_beat, second_beat):
    """The timing pins beat 0 at the offset: a tempo set at a beat before 0 would move that beat, not the later
    ones (the next sync was refused as "all warped")."""
    timing = TimingData.constant(120, "-0.47")
    first = sync_beat(timing, first_beat, at(timing, first_beat) - F("0.01"))
    synced = still_synced(first.timing, [(F(first_beat), first.at_s)])
    assert anchor_of(first.timing, F(second_beat), synced) is None
    target = at(first.timing, second_beat) + F("0.02")
    second = sync_beat(first.timing, second_beat, target, synced=synced)
    assert second.anchor is None
    assert second.timing.bpms == timing.bpms
    assert abs(at(second.timing, second_beat) - target) < US


def test_still_synced_lets_go_of_beats_that_moved_since():
    timing = TimingData.constant(120, "0")
    marks = [(F(8), F(4)), (F(16), F(8) + F("0.01"))]
    assert still_synced(timing, marks) == [8]
    assert still_synced(timing.with_changes(offset=F("-0.001")), marks) == []
    assert anchor_of(timing, F(20), [F(8), F(24)]) == 8
    assert anchor_of(timing, F(4), [F(8)]) is None


def test_stops_delays_and_warps_in_the_stretch_keep_their_lengths():
    timing = TimingData(offset=F(0), bpms=((F(0), F(120)), (F(16), F(120))),
                        stops=((F(20), F("0.75")),), delays=((F(24), F("0.25")),), warps=((F(28), F(2)),))
    target = at(timing, 40) + F("0.2")
    new = sync_beat(timing, 40, target).timing
    assert abs(at(new, 40) - target) < US
    assert new.stops == timing.stops
    assert new.delays == timing.delays
    assert new.warps == timing.warps
    bpm = dict(new.bpms)[F(16)]
    # 24 beats of which 2 warped: 22 beats at the new tempo plus the 1 s of pauses
    assert abs(at(new, 40) - at(new, 16) - (1 + 22 * 60 / bpm)) < US


def test_a_warp_before_the_anchor_and_a_delay_on_the_beat():
    timing = TimingData(offset=F("0.2"), bpms=((F(0), F(100)), (F(12), F(150))), warps=((F(4), F(4)),),
                        delays=((F(20), F("0.1")),))
    target = at(timing, 20) - F("0.04")  # the judged time: after the delay
    new = sync_beat(timing, 20, target).timing
    assert abs(at(new, 20) - target) < US
    assert at(new, 12) == at(timing, 12)


@pytest.mark.parametrize(("beat", "target", "kw", "words"), [
    (48, "-5", {}, "at or before beat 32"),  # before the anchor
    (48, None, {}, "BPM"),  # a hair after the anchor: over 10000 BPM
    (29, "20", {}, "inside a warp"),
    (36, "0", {"synced": [F(28)]}, "all warped"),
    (40, "40", {}, "cannot pass beat 64"),  # keep_later: the stretch after would need a negative time
])
def test_absurd_results_are_refused_with_one_line(beat, target, kw, words):
    timing = TimingData(offset=F(0), bpms=((F(0), F(120)), (F(32), F(120)), (F(64), F(120))),
                        warps=((F(28), F(8)),))
    if target is None:
        target = at(timing, 32) + F("0.0002")
    if beat == 36:
        target = at(timing, 36)
    with pytest.raises(SyncError, match=words) as err:
        sync_beat(timing, beat, target, **kw)
    assert "\n" not in str(err.value)


def test_a_synced_timing_survives_an_ssc_round_trip():
    timing = TimingData(offset=F("-0.031"), bpms=((F(0), F(140)), (F(32), F(140))))
    new = sync_beat(timing, 80, at(timing, 80) + F("0.0137")).timing
    song = Song(timing=new, charts=[Chart(slot=Slot.HARD)])
    assert loads(dumps(song, "ssc"), "ssc").timing.bpms == new.bpms


def test_clock_text():
    assert clock_text(F("45.2104")) == "0:45.210"
    assert clock_text(F("61.5")) == "1:01.500"
    assert clock_text(F("-0.105")) == "-0:00.105"
