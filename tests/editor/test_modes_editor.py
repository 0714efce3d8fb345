"""Charts other than dance-single in the editor: Keep notes in time re-beats a routine chart's player 2 with
player 1, test play has keys for 1 to 10 lanes and its panel lists the keys of the chart shown, and foot labels
leave an osu!mania map (a keyboard chart) alone."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import osu_mania
from chart.formats.notedata import PLAYER2, format_notes, parse_notes
from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from editor.controllers.live_keys import KEYS_BY_LANES
from editor.panels.timing import push_timing

pytestmark = pytest.mark.qt


def _charts() -> list[Chart]:
    return [Chart(mode=mode, slot=Slot(i), meter=3, lanes=lanes, notes=[Note(F(b), b % lanes) for b in range(lanes)])
            for i, (mode, lanes) in enumerate((("dance-double", 8), ("pump-double", 10), ("pnm-nine", 9),
                                               ("dance-threepanel", 3), ("osu-mania-12k", 12)))]


def test_keep_notes_in_time_re_beats_a_routine_charts_player_2_too(window, tmp_path):
    p1 = [Note(F(b), b % 4) for b in range(0, 32, 2)]
    p2 = [Note(F(b), 4 + b % 4) for b in range(0, 32, 2)]
    chart = Chart(mode="dance-routine", slot=Slot.MEDIUM, meter=5, lanes=8, notes=p1,
                  extra=[(PLAYER2, format_notes(p2, 8))])
    path = save(Song(title="R", timing=TimingData.constant(120, "-0.1"), charts=[chart]), tmp_path / "r.ssc")
    assert window.open_path(path)
    s = window.session
    s.keep_notes_in_time = True
    old = s.timing()
    assert push_timing(s, old.with_changes(bpms=((F(0), F(150)),)), None, "Set BPM")
    c, new = s.doc.song.charts[0], s.timing()
    second, _ = parse_notes(dict(c.extra)[PLAYER2], 8)
    assert [new.beat_to_seconds(n.beat) for n in c.notes] == [old.beat_to_seconds(n.beat) for n in p1]
    assert [new.beat_to_seconds(n.beat) for n in second] == [old.beat_to_seconds(n.beat) for n in p2]
    s.doc.undo()  # one step, both players
    assert dict(s.doc.song.charts[0].extra)[PLAYER2] == format_notes(p2, 8)


def test_test_play_has_keys_for_1_to_10_lanes_and_the_panel_lists_the_shown_charts(window, song_files, qtbot):
    assert set(KEYS_BY_LANES) >= set(range(1, 11))
    assert all(len(KEYS_BY_LANES[n]) == n for n in KEYS_BY_LANES)
    path = save(Song(title="T", music="clicks.wav", timing=TimingData.constant(120, "0"), charts=_charts()),
                song_files.folder / "t.ssc")
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    help_text = window.test_play_panel.help.text
    for index, chart in enumerate(window.session.doc.song.charts):
        window.choose_chart(index)
        if chart.lanes <= 10:
            assert f"({chart.lanes} lanes)" in help_text()
            assert window.test_play.refusal(chart) is None
        else:
            assert "No key layout for 12 lanes" in help_text()
            assert "1 to 10 lanes" in window.test_play.refusal(chart)


def test_foot_labels_leave_an_osu_4k_map_alone(window, tmp_path):
    song = Song(title="O", music="a.ogg", timing=TimingData.constant(120, "0"),
                charts=[Chart(notes=[Note(F(b, 2), [0, 3, 1, 2][b % 4]) for b in range(16)])])
    path = tmp_path / "map.osu"
    path.write_text(osu_mania.dumps(song))
    assert window.open_path(path)
    feet = window.sync.feet
    feet.set_enabled(True)
    assert feet.parse is None
    assert "keyboard chart" in window.statusBar().currentMessage()
