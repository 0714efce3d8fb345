"""audio.tags (audit 24): a new song's title and artist come from the audio's own tags (Ogg comments, MP3 ID3, WAV
INFO), else from the file name with ``_`` as spaces; tags never stop a song from being made."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audio.tags import name_from_file, read_tags, song_names

SR = 8000


def _write(path, title=None, artist=None, **kwargs):
    with sf.SoundFile(str(path), "w", SR, 1, **kwargs) as f:
        if title is not None:
            f.title = title
        if artist is not None:
            f.artist = artist
        f.write(np.zeros(SR // 2, np.float32))
    return path


@pytest.mark.parametrize(("name", "kwargs"), [("coral_crown.ogg", {}), ("butterfly.mp3", {"format": "MP3"}),
                                              ("song.wav", {}), ("song.flac", {})])
def test_title_and_artist_come_from_the_files_tags(tmp_path, name, kwargs):
    path = _write(tmp_path / name, 'Coral Crown (From "Hades II")', "FalKKonE/Rena", **kwargs)
    assert song_names(path) == ('Coral Crown (From "Hades II")', "FalKKonE/Rena")


def test_without_tags_the_file_name_with_spaces_and_no_artist(tmp_path):
    assert song_names(_write(tmp_path / "coral_crown.ogg")) == ("coral crown", "")
    assert song_names(_write(tmp_path / "only_artist.wav", artist="Smile.dk")) == ("only artist", "Smile.dk")
    assert song_names(_write(tmp_path / "blank.wav", title="  \n ")) == ("blank", "")


def test_an_unreadable_or_missing_file_is_named_after_the_file(tmp_path):
    junk = tmp_path / "not_audio.mp3"
    junk.write_bytes(b"\x00garbage" * 50)
    assert read_tags(junk) == {}
    assert song_names(junk) == ("not audio", "")
    assert song_names(tmp_path / "gone_away.m4a") == ("gone away", "")


def test_underscores_in_a_file_name_are_spaces_collapsed():
    assert name_from_file("__a__b_.ogg") == "a b"


def test_newlines_in_a_tag_become_spaces(tmp_path):
    path = _write(tmp_path / "x.ogg", "Line one\nline two", "A\tB")
    assert song_names(path) == ("Line one line two", "A B")
