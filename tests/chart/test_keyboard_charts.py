"""osu!mania maps are keyboard charts: Verify's foot checks (hands, parity) and the pad charts' density ranges
leave them alone, whatever StepMania mode their key count reads as, and the mark survives .ssc and .json."""

from __future__ import annotations

from fractions import Fraction as F

from chart.checks.registry import check_song
from chart.formats import game_json, osu_mania, sm, ssc
from chart.keyboard import KEYBOARD, is_keyboard
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def _pad_song(mode: str = "dance-single", lanes: int = 4, slot: Slot = Slot.BEGINNER) -> Song:
    """Three-panel hands and a crossing single-key stream at 4 notes/s: every foot check has something to say."""
    notes = [Note(F(b, 2), lane % lanes) for b, lane in enumerate([0, 1, 3, 2, 0, 3, 1, 0, 2, 3, 0, 1] * 3)]
    notes += [Note(F(20 + b), lane) for b in range(4) for lane in range(3)]
    return Song(title="K", music="a.ogg", timing=TimingData.constant(120, "0"),
                charts=[Chart(mode=mode, slot=slot, meter=1, notes=notes, lanes=lanes)])


def _foot_issues(song: Song) -> set[str]:
    return {i.check_id for i in check_song(song, audio_length_s=100.0)} & {"hands", "parity", "density"}


def test_a_pad_chart_gets_the_foot_checks():
    assert _foot_issues(_pad_song()) == {"hands", "parity", "density"}


def test_an_osu_map_of_any_key_count_is_a_keyboard_chart_without_foot_checks():
    for mode, lanes in (("dance-single", 4), ("pump-single", 5), ("dance-solo", 6), ("dance-double", 8),
                        ("dance-threepanel", 3), ("pump-double", 10)):
        back = osu_mania.loads(osu_mania.dumps(_pad_song(mode, lanes)))
        assert back.charts[0].mode == mode
        assert is_keyboard(back.charts[0])
        assert _foot_issues(back) == set(), mode


def test_the_keyboard_mark_survives_ssc_and_json_and_stepmania_files_are_judged_as_before():
    song = osu_mania.loads(osu_mania.dumps(_pad_song()))
    for module in (ssc, game_json):
        back = module.loads(module.dumps(song))
        assert is_keyboard(back.charts[0])
        assert _foot_issues(back) == set()
    assert "#KEYBOARD:osu!mania;" in ssc.dumps(song)
    plain = ssc.loads(ssc.dumps(_pad_song()))
    assert not is_keyboard(plain.charts[0])
    assert _foot_issues(plain) == {"hands", "parity", "density"}
    listed = [p.reason for p in sm.problems(song) if not p.fatal]
    assert any(KEYBOARD in r for r in listed)  # .sm has no place for it: listed as dropped
