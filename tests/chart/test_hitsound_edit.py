"""Hitsound editing (chart/hitsound_edit.py): sounds read and written as osu! keeps them, one undo step per change,
unedited sounds left byte for byte, and a map edited here reads back from .osu with exactly those hitSound bits and
sample sets."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.commands import MoveNotes
from chart.document import Document
from chart.formats import osu_hitsounds as hs
from chart.formats import osu_mania
from chart.hitsound_edit import (
    CLAP,
    FINISH,
    WHISTLE,
    HitSound,
    HitsoundChange,
    SetHitsounds,
    addition_state,
    changes_for,
    sounded,
    sounds_of,
    takes_sounds,
)
from chart.notes import Note, NoteKind
from chart.song import Chart, Song
from chart.timing import TimingData

OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
       "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n[HitObjects]\n"
       "64,192,0,1,0,0:0:0:0:\n192,192,500,1,2,0:0:0\n320,192,1000,128,0,1500:0:0:0:0:\n"
       "448,192,2000,1,8,0:0:0:0:clap.wav\n")


def _doc() -> Document:
    return Document(osu_mania.loads(OSU))


def _lines(text: str) -> list[str]:
    return text.split("[HitObjects]\n")[1].split()


def test_a_sound_reads_as_osu_writes_it_and_odd_spellings_read_leniently():
    assert HitSound.parse(("10", "2:3:1:70:kick.wav")) == HitSound(10, 2, 3, 1, 70, "kick.wav")
    assert HitSound.parse(("2", "0:0:0")) == HitSound(bits=2)  # an old map's sample without volume and file
    assert HitSound.parse(None) == HitSound()
    assert HitSound().text() == hs.DEFAULT_SOUND
    assert HitSound.parse(("x", "9:-1:a:500:")) == HitSound(0, 3, 0, 0, 100, "")
    assert HitSound(14, 2, 3, 2, 70, "k.wav").text() == ("14", "2:3:2:70:k.wav")


def test_bad_changes_are_refused_with_one_line():
    for bad in ({"addition": (16, True)}, {"normal_set": 4}, {"volume": 101}, {"index": -1}):
        with pytest.raises(ValueError, match=r"^[^\n]+$"):
            HitsoundChange(**bad)


def test_whistle_on_is_one_undo_step_named_for_what_it_did_and_undo_gives_the_extra_back():
    doc = _doc()
    chart = doc.song.charts[0]
    before = list(chart.extra)
    cells = [(n.beat, n.lane) for n in chart.notes]
    doc.push(SetHitsounds(chart, cells, HitsoundChange(addition=(WHISTLE, True))))
    assert doc.undo_stack_names()[-1] == "Whistle on 3 notes"  # one had it already
    assert [s.bits for s in sounds_of(chart, cells)] == [2, 2, 2, 10]
    kept = hs.kept_sounds(chart.extra)
    assert kept[(F(1), 1)] == ("2", "0:0:0")  # had it already: its text stays as read
    assert kept[(F(4), 3)] == ("10", "0:0:0:0:clap.wav")
    doc.undo()
    assert chart.extra == before
    doc.redo()
    assert addition_state(sounds_of(chart, cells), WHISTLE) is True


def test_the_selection_state_is_all_none_or_some():
    doc = _doc()
    chart = doc.song.charts[0]
    cells = [(n.beat, n.lane) for n in chart.notes]
    sounds = sounds_of(chart, cells)
    assert addition_state(sounds, WHISTLE) is None  # one of four has it
    assert addition_state(sounds[:1], WHISTLE) is False
    assert addition_state(sounds[1:2], WHISTLE) is True
    assert addition_state([], CLAP) is None


def test_a_change_that_changes_nothing_is_refused_and_not_recorded():
    doc = _doc()
    chart = doc.song.charts[0]
    with pytest.raises(ValueError, match="already"):
        doc.push(SetHitsounds(chart, [(F(1), 1)], HitsoundChange(addition=(WHISTLE, True))))
    assert doc.undo_stack_names() == []
    assert changes_for(chart, [(F(0), 0)], HitsoundChange(normal_set=0)) == {}


def test_reset_removes_the_line_and_a_chart_without_sounds_gets_its_first():
    song = Song(title="T", music="a.wav", timing=TimingData.constant(120, 0),
                charts=[Chart(notes=[Note(F(0), 0), Note(F(1), 1, NoteKind.MINE)])])
    doc = Document(song)
    chart = song.charts[0]
    assert not takes_sounds(chart)  # a StepMania chart: the tool leaves it alone
    assert sounded(chart.notes) == [Note(F(0), 0)]
    doc.push(SetHitsounds(chart, [(F(0), 0)], HitsoundChange(addition=(FINISH, True), addition_set=3)))
    assert hs.kept_sounds(chart.extra) == {(F(0), 0): ("4", "0:3:0:0:")}
    assert takes_sounds(chart)
    doc.push(SetHitsounds(chart, [(F(0), 0)], HitsoundChange(reset=True)))
    assert hs.kept_sounds(chart.extra) == {}
    doc.undo()
    doc.undo()
    assert chart.extra == []


def test_lost_lines_stay_when_other_sounds_change():
    extra = [(hs.HITSOUNDS, "1,1,2,0:0:0:0:\nx3,2,8,0:0:0:0:")]
    out = hs.set_sounds(extra, {(F(1), 1): hs.DEFAULT_SOUND, (F(2), 0): ("4", "2:0:0:0:")})
    assert out == [(hs.HITSOUNDS, "2,0,4,2:0:0:0:\nx3,2,8,0:0:0:0:")]


def test_a_map_edited_here_reads_back_from_osu_with_exactly_those_bits_and_sample_sets():
    doc = _doc()
    chart = doc.song.charts[0]
    cells = [(n.beat, n.lane) for n in chart.notes]
    for change in (HitsoundChange(addition=(CLAP, True)), HitsoundChange(normal_set=2),
                   HitsoundChange(addition_set=3), HitsoundChange(index=2, volume=70)):
        doc.push(SetHitsounds(chart, cells[:3], change))
    doc.push(SetHitsounds(chart, cells[3:], HitsoundChange(addition=(CLAP, False))))
    text = osu_mania.dumps(doc.song)
    assert _lines(text) == ["64,192,0,1,8,2:3:2:70:", "192,192,500,1,10,2:3:2:70:",
                            "320,192,1000,128,8,1500:2:3:2:70:", "448,192,2000,1,0,0:0:0:0:clap.wav"]
    back = osu_mania.loads(text).charts[0]
    assert sounds_of(back, cells) == sounds_of(chart, cells)
    assert _lines(osu_mania.dumps(osu_mania.loads(text))) == _lines(text)


def test_a_sound_set_here_follows_its_note_when_the_note_moves():
    doc = _doc()
    chart = doc.song.charts[0]
    first = chart.notes[0]
    doc.push(SetHitsounds(chart, [(first.beat, first.lane)], HitsoundChange(addition=(FINISH, True))))
    doc.push(MoveNotes(chart, [first], beat_delta=F(1, 2), lane_delta=2))
    assert hs.kept_sounds(chart.extra)[(F(1, 2), 2)] == ("4", "0:0:0:0:")
    assert (F(0), 0) not in hs.kept_sounds(chart.extra)
    assert "128,192,250" not in osu_mania.dumps(doc.song)
    assert "320,192,250,1,4,0:0:0:0:" in osu_mania.dumps(doc.song)


def test_sounds_are_parsed_once_per_text_but_each_reader_gets_its_own_copy():
    extra = [(hs.HITSOUNDS, "1,1,2,0:0:0:0:\n3/2,0,8,1:0:0:0:")]
    first = hs.kept_sounds(extra)
    first.clear()  # a caller changing its dict changes no other reader's
    assert hs.kept_sounds(extra) == {(F(1), 1): ("2", "0:0:0:0:"), (F(3, 2), 0): ("8", "1:0:0:0:")}
    out = hs.set_sounds(extra, {(F(1, 2), 3): ("4", "0:0:0:0:")})
    assert dict(out)[hs.HITSOUNDS] == "1/2,3,4,0:0:0:0:\n1,1,2,0:0:0:0:\n3/2,0,8,1:0:0:0:"  # beat order
    assert hs.kept_sounds(out)[(F(1, 2), 3)] == ("4", "0:0:0:0:")
