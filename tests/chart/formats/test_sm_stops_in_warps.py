"""A positive stop inside an old .sm warp (negative BPM or negative stop) is time the warp makes up, as StepMania 5's
``SMLoader::ProcessBPMsAndStops`` folds it into the warp's deficit: no stop of its own, and when it overshoots, only
the excess stays as a stop at its beat. It was kept whole as well, so every later note was late by up to the stop.
Expected values worked out by hand (in the comments) and checked against a port of that loader."""

import json
from fractions import Fraction as F

from chart.formats import game_json, sm

NOTES = "#NOTES:dance-single::Hard:5::\n" + "\n,\n".join("1000\n0100\n0010\n0001" for _ in range(4)) + "\n;\n"


def read(bpms: str, stops: str):
    return sm.loads(f"#OFFSET:0;\n#BPMS:{bpms};\n#STOPS:{stops};\n{NOTES}")


def test_stop_inside_a_negative_bpm_warp_is_used_up_by_the_warp():
    # 120 BPM; beat 4 at 2 s, -120 from beat 4: the clock runs back to 1.5 s at beat 5, the 0.25 s stop takes it
    # to 1.75 s, back to 1.25 s at beat 6; at 120 BPM again it is back at 2 s 1.5 beats later: warp [4, 7.5).
    song = read("0=120,4=-120,6=120", "5=0.25")
    assert (song.timing.warps, song.timing.stops) == (((F(4), F(7, 2)),), ())
    assert song.timing.beat_to_seconds(8) == F(9, 4)  # was 2.5: the stop counted a second time
    times = {n["beat"]: n.get("time_ms") for n in json.loads(game_json.dumps(song))["charts"][0]["notes"]
             if not n.get("warped")}
    assert times[8] == 2250
    assert times[15] == 5750
    assert 5 not in times  # inside the warp: StepMania skips it


def test_negative_then_positive_stop_keeps_only_the_excess():
    # -1 s at beat 2 (clock 1 s -> 0 s), 0.75 s to beat 2.5, the 1 s stop there makes up the deficit with 0.25 s
    # to spare: warp [2, 2.5) and a 0.25 s stop at 2.5.
    song = read("0=120", "2=-1,2.5=1")
    assert (song.timing.warps, song.timing.stops) == (((F(2), F(1, 2)),), ((F(5, 2), F(1, 4)),))
    assert song.timing.beat_to_seconds(3) == F(3, 2)  # was 2.25


def test_overshooting_stop_ends_the_warp_and_stays_as_its_excess():
    song = read("0=120", "2=-1,2.5=1.5")  # as above, 0.75 s to spare
    assert (song.timing.warps, song.timing.stops) == (((F(2), F(1, 2)),), ((F(5, 2), F(3, 4)),))
    assert song.timing.beat_to_seconds(F(5, 2)) == 1
    assert song.timing.seconds_after_stop(F(5, 2)) == F(7, 4)
    assert song.timing.beat_to_seconds(3) == 2


def test_overshooting_stop_while_the_bpm_is_still_negative_starts_a_new_warp():
    # Beat 4 at 2 s, -120: 1.5 s at beat 5, the 1 s stop overshoots by 0.5 s (warp [4, 5), a 0.5 s stop at 5); the
    # clock runs back from 2.5 s to 2 s at beat 6, and is back at 2.5 s at beat 7: a new warp [5, 7).
    song = read("0=120,4=-120,6=120", "5=1")
    assert (song.timing.warps, song.timing.stops) == (((F(4), F(1)), (F(5), F(2))), ((F(5), F(1, 2)),))
    assert song.timing.beat_to_seconds(5) == 2
    assert song.timing.seconds_after_stop(5) == F(5, 2)
    assert song.timing.beat_to_seconds(8) == 3


def test_stop_before_a_negative_stop_on_the_same_beat_still_plays():
    # Listed first, the 0.5 s stop plays before the warp starts (StepMania takes them in turn): the -1 s warp then
    # skips 2 beats, not the 1 beat of their sum.
    song = read("0=120", "2=0.5,2=-1")
    assert (song.timing.warps, song.timing.stops) == (((F(2), F(2)),), ((F(2), F(1, 2)),))
    assert song.timing.beat_to_seconds(4) == F(3, 2)


def test_two_positive_stops_on_one_beat_inside_a_warp_both_count_against_it():
    # Review of 808503a: -1 s at beat 2, 0.25 s to beat 2.5 (0.75 s still to make up); the first 0.5 s stop there
    # leaves 0.25 s, the second overshoots by 0.25 s: warp [2, 2.5), a 0.25 s stop at 2.5, beat 3 at 1.5 s (as the
    # port of StepMania 5's loader gives). Only the last was kept: warp [2, 3), no stop, beat 3 at 1 s.
    song = read("0=120", "2=-1,2.5=0.5,2.5=0.5")
    assert (song.timing.warps, song.timing.stops) == (((F(2), F(1, 2)),), ((F(5, 2), F(1, 4)),))
    assert song.timing.beat_to_seconds(3) == F(3, 2)
    # outside a warp, the last listed of two stays (StepMania's AddSegment replaces one on the same row)
    song = read("0=120", "1=0.5,1=0.25,2=-1")
    assert song.timing.stops == ((F(1), F(1, 4)),)
