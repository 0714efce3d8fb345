"""What an osu! map's notes play in the editor (chart/hitsound_play.py): osu!'s sample rules (normal sound unless
additions only, additions, Auto sets through the timing point in force, the addition set falling back to the
normal one, [General] SampleSet, custom index, volume and file), read from the song model at exact note times."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import osu_mania
from chart.hitsound_edit import HitsoundChange, SetHitsounds
from chart.hitsound_play import hitsound_plan
from chart.notes import Note, NoteKind

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nSampleSet: Drum\nMode: 3\n\n[Metadata]\nTitle:T\n"
        "Creator:C\nVersion:Hard\n\n[Difficulty]\nCircleSize:4\n\n")
# 120 BPM from 0 ms. Red line: set 0 (Auto: [General] Drum), index 0, volume 80. Green at 1000: soft, index 2,
# volume 40. Green at 2001 (1 ms after the note at 2000: still that note's, osu!lazer's 5 ms leniency): normal.
POINTS = "[TimingPoints]\n0,500,4,0,0,80,1,0\n1000,-100,4,2,2,40,0,0\n2001,-100,4,1,0,100,0,0\n\n"
OBJECTS = ("[HitObjects]\n"
           "64,192,0,1,0,0:0:0:0:\n"          # plain: drum (General) normal, index 0, 80 %
           "192,192,500,1,10,0:0:0:0:\n"      # whistle + clap, no normal (osu!mania does not layer it): drum
           "64,192,1000,1,4,0:0:0:0:\n"       # finish at the green line: soft, index 2, 40 %
           "192,192,1500,1,3,3:0:0:70:\n"     # normal + whistle, own normal set drum; addition Auto -> drum; 70 %
           "320,192,2000,1,8,0:1:0:0:\n"      # clap with addition set normal, at the 2001 line: its normal set
           "448,192,2500,1,0,0:0:0:0:kick.wav\n")  # its own file


def plan_of(text: str):
    song = osu_mania.loads(text)
    chart = song.charts[0]
    return hitsound_plan(song, chart, song.timing_for(chart)), song


def by_name(plan) -> dict[tuple[str, str], tuple[list[float], list[float]]]:
    out: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for hit, (times, gains) in plan.items():
        key = (hit.sample_set, hit.sound) if not hit.lookup or "-hit" in hit.lookup[0][0] else (hit.lookup[0][0], "")
        t, g = out.setdefault(key, ([], []))
        t.extend(times.tolist())
        g.extend(gains.tolist())
    return out


def test_sets_resolve_through_the_timing_point_in_force_and_the_general_sample_set():
    plan, _song = plan_of(HEAD + POINTS + OBJECTS)
    got = by_name(plan)
    assert got[("drum", "normal")][0] == pytest.approx([0.0, 1.5])
    assert got[("drum", "whistle")][0] == pytest.approx([0.5, 1.5])
    assert got[("drum", "clap")][0] == pytest.approx([0.5])
    assert got[("soft", "finish")][0] == pytest.approx([1.0])
    assert got[("normal", "clap")][0] == pytest.approx([2.0])  # the addition set's own choice
    assert got[("kick.wav", "")][0] == pytest.approx([2.5])
    assert ("drum", "whistle") in got
    assert ("normal", "normal") not in got


def test_volume_is_the_note_s_else_the_timing_point_s():
    plan, _song = plan_of(HEAD + POINTS + OBJECTS)
    got = by_name(plan)
    assert got[("drum", "normal")][1] == pytest.approx([0.8, 0.7])
    assert got[("soft", "finish")][1] == pytest.approx([0.4])
    assert got[("normal", "clap")][1] == pytest.approx([1.0])


def test_index_and_lookups_follow_the_export_s_naming():
    plan, _song = plan_of(HEAD + POINTS + OBJECTS)
    finish = next(h for h in plan if h.sound == "finish")
    assert finish.lookup[0][0] == "soft-hitfinish2.wav"
    assert finish.lookup[1][0] == "soft-hitfinish.wav"
    assert next(h for h in plan if h.sound == "whistle").lookup == ()  # index 0: osu!'s own sound


def test_a_keyboard_chart_without_kept_sounds_plays_the_normal_sound_and_skips_unsounded_notes():
    text = HEAD.replace("SampleSet: Drum\n", "") + "[TimingPoints]\n0,500,4,2,0,100,1,0\n\n[HitObjects]\n" + \
        "64,192,0,1,0,0:0:0:0:\n192,192,500,128,0,1000:0:0:0:0:\n"
    song = osu_mania.loads(text)
    chart = song.charts[0]
    chart.notes = [*chart.notes, Note(F(3), 2, NoteKind.MINE)]  # a mine is no hit object: it plays nothing
    plan = hitsound_plan(song, chart, song.timing_for(chart))
    assert [(h.sample_set, h.sound) for h in plan] == [("soft", "normal")]
    assert next(iter(plan.values()))[0] == pytest.approx([0.0, 0.5])  # a hold plays at its head


def test_a_hitsound_edit_and_a_timing_edit_are_heard_at_once():
    from chart.document import Document

    song = osu_mania.loads(HEAD + POINTS + OBJECTS)
    doc = Document(song)
    chart = song.charts[0]
    doc.push(SetHitsounds(chart, [(F(0), 0)], HitsoundChange(addition=(8, True))))
    chart = doc.song.charts[0]
    got = by_name(hitsound_plan(doc.song, chart, doc.song.timing_for(chart)))
    assert got[("drum", "clap")][0] == pytest.approx([0.0, 0.5])
    later = doc.song.timing.with_changes(offset=doc.song.timing.offset - F(1, 10))  # the grid 100 ms later
    got = by_name(hitsound_plan(doc.song, chart, later))
    assert got[("drum", "clap")][0] == pytest.approx([0.1, 0.6])


def test_a_silent_timing_point_silences_its_notes():
    text = HEAD + POINTS.replace("0,500,4,0,0,80,1,0", "0,500,4,0,0,0,1,0") + OBJECTS
    plan, _song = plan_of(text)
    assert all(0.0 not in times.tolist() for times, _g in plan.values())  # the note at 0 ms: 0 % volume
