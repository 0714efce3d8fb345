"""A step that changes some tags of ``Song.extra``/``Chart.extra`` undoes and redoes only those tags
(chart/extra_patch.py). Before, it put back the whole list it saw: Save As into another folder relinks #BANNER,
#BACKGROUND (and a chart's own #MUSIC) outside the history, and an undo of a romanised title set before it gave
#BANNER its old path back, which the next Save wrote (a banner that is not beside the new chart)."""

from __future__ import annotations

from fractions import Fraction as F

from chart.commands import RemoveNotes, SetChartMeta, SetSongMeta
from chart.document import Document
from chart.extra_patch import patch_extra
from chart.formats import osu_mania
from chart.hitsound_edit import CLAP, HitsoundChange, SetHitsounds
from chart.notes import Note
from chart.song import Chart, Song
from chart.timing import TimingData

BANNER, RELINKED = ("BANNER", "bn.png"), ("BANNER", "../demo/bn.png")


def _doc() -> Document:
    song = Song(title="T", timing=TimingData.constant(120), extra=[BANNER, ("BACKGROUND", "bg.png")],
                charts=[Chart(meter=1, extra=[("MUSIC", "a.ogg"), ("CHARTNAME", "x")])])
    return Document(song)


def _relink(extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What Save As into another folder does to the file tags, outside the history."""
    return [(k, "../demo/" + v if k in ("BANNER", "BACKGROUND", "MUSIC") else v) for k, v in extra]


def test_patch_extra_keeps_other_tags_as_they_are_now():
    before = [BANNER, ("GENRE", "pop")]
    after = [BANNER, ("GENRE", "pop"), ("TITLETRANSLIT", "X")]
    assert patch_extra(before, before, after) == after  # the first do: exactly the list asked for
    now = [RELINKED, ("GENRE", "pop"), ("TITLETRANSLIT", "X"), ("JACKET", "j.png")]
    assert patch_extra(now, after, before) == [RELINKED, ("GENRE", "pop"), ("JACKET", "j.png")]
    assert patch_extra([RELINKED], before, after) == [RELINKED, ("TITLETRANSLIT", "X")]  # GENRE gone since
    assert patch_extra(now, after, after) == now


def test_song_meta_undo_and_redo_keep_a_relinked_banner():
    doc = _doc()
    doc.push(SetSongMeta(title="New", extra=[*doc.song.extra, ("TITLETRANSLIT", "Nyuu")]))
    doc.song.extra = _relink(doc.song.extra)  # Save As into elsewhere/
    doc.history.undo()
    assert doc.song.title == "T"
    assert doc.song.extra == [RELINKED, ("BACKGROUND", "../demo/bg.png")]
    doc.history.redo()
    assert doc.song.extra == [RELINKED, ("BACKGROUND", "../demo/bg.png"), ("TITLETRANSLIT", "Nyuu")]


def test_merged_song_meta_steps_undo_to_the_first_ones_before():
    doc = _doc()
    doc.push(SetSongMeta(extra=[*doc.song.extra, ("GENRE", "a")]))
    doc.push(SetSongMeta(extra=[*doc.song.extra[:2], ("GENRE", "ab")]))  # typing on: one step
    assert len(doc.history.undo_commands()) == 1
    doc.song.extra = _relink(doc.song.extra)
    doc.history.undo()
    assert doc.song.extra == [RELINKED, ("BACKGROUND", "../demo/bg.png")]
    doc.history.redo()
    assert dict(doc.song.extra) == {"BANNER": "../demo/bn.png", "BACKGROUND": "../demo/bg.png", "GENRE": "ab"}


def test_chart_meta_undo_keeps_a_relinked_chart_music():
    doc = _doc()
    chart = doc.song.charts[0]
    doc.push(SetChartMeta(chart, extra=[("MUSIC", "a.ogg"), ("CHARTNAME", "y")]))
    chart.extra = _relink(chart.extra)
    doc.history.undo()
    assert chart.extra == [("MUSIC", "../demo/a.ogg"), ("CHARTNAME", "x")]


OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
       "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n\n[HitObjects]\n"
       "64,192,0,1,2,0:0:0:0:\n192,192,500,1,0,0:0:0:0:\n")


def test_sound_steps_undo_only_their_sounds_line():
    doc = Document(osu_mania.loads(OSU))
    chart = doc.song.charts[0]
    chart.extra = [*chart.extra, ("MUSIC", "a.ogg")]
    sounds = dict(chart.extra)["HitObjects.hitsounds"]
    doc.push(SetHitsounds(chart, [(F(1), 1)], HitsoundChange(addition=(CLAP, True))))
    doc.push(RemoveNotes(chart, [Note(F(0), 0)]))  # its whistle kept as a lost line: the sounds line changes
    assert dict(chart.extra)["HitObjects.hitsounds"] != sounds
    chart.extra = _relink(chart.extra)
    doc.history.undo()
    assert dict(chart.extra)["MUSIC"] == "../demo/a.ogg"
    doc.history.undo()
    tags = dict(chart.extra)
    assert (tags["MUSIC"], tags["HitObjects.hitsounds"]) == ("../demo/a.ogg", sounds)
