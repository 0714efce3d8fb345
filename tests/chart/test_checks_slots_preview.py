"""The shared-slot, osu-names and preview checks, and split_per_chart's unique osu! Versions. Before, two
dance-single Beginner charts, two osu! difficulties named "Edit Lv.4: Easy copy" and a preview starting past the
audio's end were all reported by nothing, and the set was written with one Version twice."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

from chart.checks.registry import check_song
from chart.formats.registry import dumps, split_per_chart
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def _song(*slots: Slot, mode: str = "dance-single") -> Song:
    notes = [Note(Fraction(k), k % 4) for k in range(8)]
    return Song(title="T", music="a.ogg", timing=TimingData.constant(120),
                charts=[Chart(mode=mode, slot=s, meter=3, notes=list(notes)) for s in slots])


def _by(issues, check_id):
    return [i for i in issues if i.check_id == check_id]


def test_shared_slot_once_per_extra_chart():
    song = _song(Slot.BEGINNER, Slot.BEGINNER, Slot.BEGINNER, Slot.EDIT, Slot.EDIT)
    found = _by(check_song(song, None, "ssc"), "shared-slot")
    assert [i.chart_id for i in found] == ["dance-single/Beginner#2", "dance-single/Beginner#3"]
    assert found[0].message.startswith("three Beginner charts of dance-single")
    assert not _by(check_song(song, None, "osu"), "shared-slot")  # osu! sets have no slots
    song.charts[1].mode = "dance-double"  # another steps type: its own slots
    assert len(_by(check_song(song, None, "ssc"), "shared-slot")) == 1


def test_osu_versions_are_unique_and_said():
    song = _song(Slot.EASY)
    copies = [copy.deepcopy(song.charts[0]) for _ in range(2)]
    for c in copies:
        c.slot, c.description = Slot.EDIT, "Easy copy"
    song.charts += copies
    parts = split_per_chart(song, Path("s.osu"))
    versions = [line for part, _ in parts for line in dumps(part, "osu").splitlines() if line.startswith("Version:")]
    assert versions == ["Version:Easy Lv.3", "Version:Edit Lv.3: Easy copy", "Version:Edit Lv.3: Easy copy 2"]
    assert [p.name for _, p in parts] == ["s [Easy].osu", "s [Edit Easy copy].osu", "s [Edit Easy copy 2].osu"]
    found = _by(check_song(song, None, "osu"), "osu-names")
    assert len(found) == 1
    assert "Edit Lv.3: Easy copy 2" in found[0].message
    assert not _by(check_song(song, None, "ssc"), "osu-names")


def test_osu_versions_unique_across_key_counts():
    song = _song(Slot.HARD, Slot.HARD, mode="kb7-single")
    song.charts.append(Chart(mode="dance-single", slot=Slot.HARD, meter=3))
    parts = split_per_chart(song, Path("s.osu"))
    versions = [line for part, _ in parts for line in dumps(part, "osu").splitlines() if line.startswith("Version:")]
    assert len(set(versions)) == 3


def test_preview_past_the_audio():
    song = _song(Slot.EASY, Slot.HARD)
    song.sample_start = Fraction(999)
    found = _by(check_song(song, 20.0, "ssc"), "preview")
    assert len(found) == 1  # once: a finding about the song
    assert "999.000 s" in found[0].message
    assert not _by(check_song(song, None, "ssc"), "preview")  # the audio's length unknown
    song.sample_start = Fraction(19)
    assert not _by(check_song(song, 20.0, "ssc"), "preview")


def test_an_osu_sets_keyboard_charts_with_no_target_share_no_slot():
    """`check` on an osu! set's folder names no target: its "Insane" and "Expert" (both read as Challenge) got the
    StepMania shared-slot warning, which the same set checked as .osu or .osz did not."""
    from chart.keyboard import KEYBOARD

    song = _song(Slot.CHALLENGE, Slot.CHALLENGE)
    for chart in song.charts:
        chart.extra = [*chart.extra, (KEYBOARD, "osu")]
    assert not _by(check_song(song, None, None), "shared-slot")
    assert len(_by(check_song(song, None, "ssc"), "shared-slot")) == 1  # saved as a StepMania file: it applies


def test_a_numbered_osu_version_never_takes_another_charts_own_name():
    """Two Hard charts without a description and one described "2": the copy was numbered "Hard Lv.9: 2", the
    chart whose own name that was became "Hard Lv.9: 2 2", and Verify warned about the wrong chart."""
    song = _song(Slot.HARD, Slot.HARD, Slot.HARD)
    for chart in song.charts:
        chart.meter = 9
    song.charts[2].description = "2"
    versions = [line for part, _ in split_per_chart(song, Path("s.osu"))
                for line in dumps(part, "osu").splitlines() if line.startswith("Version:")]
    assert versions == ["Version:Hard Lv.9", "Version:Hard Lv.9: 3", "Version:Hard Lv.9: 2"]
    assert [i.chart_id for i in _by(check_song(song, None, "osu"), "osu-names")] == ["dance-single/Hard#2"]
