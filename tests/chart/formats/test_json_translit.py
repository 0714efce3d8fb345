"""The JSON export's romanised names: ``song.title_translit``/``artist_translit`` as plain text, only when set, and
not also as MSD-escaped tags in the top-level ``extra``; read back into the song's tags, files written before the
keys (the tags in ``extra`` only) and hand-written ones (the keys only) included."""

from __future__ import annotations

import json

from chart.formats import game_json, osu_mania
from chart.song import Song

OSU = ("osu file format v14\n\n[General]\nAudioFilename: audio.wav\nMode: 3\n\n[Metadata]\n"
       "Title:Re:Zero; Starting Life\nTitleUnicode:リゼロ\nArtist:Artist\nArtistUnicode:アーティスト\nCreator:M\n"
       "Version:Hard\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n\n[TimingPoints]\n100,500,4,1,0,100,1,0\n\n"
       "[HitObjects]\n64,192,100,1,0,0:0:0:0:\n192,192,600,1,0,0:0:0:0:\n")


def _tags(extra) -> list[str]:
    return [name for name, _ in extra if name.endswith("TRANSLIT")]


def test_an_osu_maps_romanised_names_are_song_fields_written_once():
    song = osu_mania.loads(OSU)
    doc = json.loads(game_json.dumps(song))
    assert doc["song"]["title_translit"] == "Re:Zero; Starting Life"  # plain text, not "Re\\:Zero\\; ..."
    assert doc["song"]["artist_translit"] == "Artist"
    assert _tags(doc["extra"]) == ["TITLETRANSLIT", "ARTISTTRANSLIT"]  # kept for older readers too (a review)
    back = game_json.loads(game_json.dumps(song))
    assert back.extra == song.extra
    assert osu_mania.dumps(back) == osu_mania.dumps(song)


def test_a_stepmania_songs_tags_come_back_in_place():
    extra = [("TITLETRANSLIT", "Kurikku\\: Remix"), ("ARTISTTRANSLIT", "Tesuto"), ("GENRE", "Pop")]
    song = Song(title="クリック", artist="テスト", extra=extra)
    doc = json.loads(game_json.dumps(song))
    assert (doc["song"]["title_translit"], doc["song"]["artist_translit"]) == ("Kurikku: Remix", "Tesuto")
    assert doc["extra"] == [list(pair) for pair in extra]  # the tags stay, as an older reader reads them
    assert game_json.loads(game_json.dumps(song)).extra == extra


def test_unset_names_write_no_field_and_odd_escapes_are_kept():
    empty = json.loads(game_json.dumps(Song(title="T", extra=[("TITLETRANSLIT", "")])))
    assert "title_translit" not in empty["song"]
    assert empty["extra"] == [["TITLETRANSLIT", ""]]
    odd = Song(title="T", extra=[("TITLETRANSLIT", "\\a")])  # an escape StepMania does not need: kept exactly
    assert json.loads(game_json.dumps(odd))["song"]["title_translit"] == "a"
    assert game_json.loads(game_json.dumps(odd)).extra == odd.extra


def test_older_and_hand_written_files_read():
    older = '{"song": {"title": "T"}, "extra": [["TITLETRANSLIT", "Re\\\\:Zero"]]}'
    assert game_json.loads(older).extra == [("TITLETRANSLIT", "Re\\:Zero")]
    hand = '{"song": {"title": "T", "title_translit": "Re:Zero", "artist_translit": "A"}, "extra": [["GENRE", "x"]]}'
    assert game_json.loads(hand).extra == [("TITLETRANSLIT", "Re\\:Zero"), ("ARTISTTRANSLIT", "A"), ("GENRE", "x")]
    both = '{"song": {"title_translit": "New"}, "extra": [["TITLETRANSLIT", "Old"]]}'  # the field wins
    assert game_json.loads(both).extra == [("TITLETRANSLIT", "New")]


def test_a_repeated_tag_keeps_every_copy_through_json():
    """Review of audit 25's fix: with the tags taken out of ``extra``, #TITLETRANSLIT:A; then #TITLETRANSLIT:B;
    came back as B alone after .ssc -> .json -> .ssc."""
    extra = [("TITLETRANSLIT", "A"), ("TITLETRANSLIT", "B")]
    song = Song(title="T", extra=extra)
    assert game_json.loads(game_json.dumps(song)).extra == extra
