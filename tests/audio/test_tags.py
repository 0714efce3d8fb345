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


def _wav_with_info(path, title: bytes, artist: bytes):
    """A WAV whose INFO chunk holds these bytes as they are (as a Windows tool writes Latin-1 text)."""
    import struct

    def sub(tag, b):
        b += b"\0" * (2 - len(b) % 2)
        return tag + struct.pack("<I", len(b)) + b

    data = np.zeros(SR, np.int16).tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, SR, 2 * SR, 2, 16)
    info = b"INFO" + sub(b"INAM", title) + sub(b"IART", artist)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"LIST" + struct.pack("<I", len(info)) + info
            + b"data" + struct.pack("<I", len(data)) + data)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_latin_1_tags_are_read_as_such_never_as_replacement_characters(tmp_path):
    """Review of audit 24: 'Caf\\ufffd \\ufffdt\\ufffd' by 'Bj\\ufffdrk' (soundfile decodes as UTF-8 with 'replace')
    was taken as the song's name and saved into the chart."""
    path = _wav_with_info(tmp_path / "cafe_song.wav", "Café Été".encode("latin-1"), "Björk".encode("cp1252"))
    assert song_names(path) == ("Café Été", "Björk")
    utf8 = _wav_with_info(tmp_path / "utf8.wav", "Café Été".encode(), "Björk".encode())
    assert song_names(utf8) == ("Café Été", "Björk")
    neither = _wav_with_info(tmp_path / "no_text.wav", b"Bad \x81\x8d", b"\x90\x9d")  # not cp1252 either
    assert song_names(neither) == ("no text", "")


def test_text_with_replacement_characters_is_unreadable(tmp_path, monkeypatch):
    import audio.tags

    monkeypatch.setattr(audio.tags, "_raw_tags", lambda f: None, raising=False)  # its text only
    path = _wav_with_info(tmp_path / "cafe_song.wav", "Café Été".encode("latin-1"), "Björk".encode("latin-1"))
    assert song_names(path) == ("cafe song", "")
