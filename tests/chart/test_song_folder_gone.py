"""A song whose folder is gone (moved, deleted, a drive unplugged while it was open, or before its autosave is
restored) has no audio: resolving it must not raise, since saving, autosave and crash recovery all ask."""

from __future__ import annotations

from pathlib import Path

from chart.song import Song, audio_files


def test_a_song_whose_folder_is_gone_has_no_audio(tmp_path: Path):
    gone = tmp_path / "gone"
    song = Song(title="A", music="song.ogg")
    song.source_path = gone / "a.ssc"
    assert song.audio_path() is None  # raised FileNotFoundError (listing the folder for another spelling)
    song.music = ""
    assert song.audio_path() is None  # raised too (StepMania's "the only audio file" fallback)
    assert audio_files(gone) == []


def test_the_folder_coming_back_brings_its_audio_back(tmp_path: Path):
    folder = tmp_path / "song"
    song = Song(title="A", music="Song.OGG")
    song.source_path = folder / "a.ssc"
    assert song.audio_path() is None
    folder.mkdir()
    (folder / "song.ogg").write_bytes(b"")
    assert song.audio_path() == folder / "song.ogg"
