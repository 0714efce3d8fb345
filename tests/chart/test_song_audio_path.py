"""The song's audio is found as osu! and the .osz writer find it: a Windows path (``music\\audio.mp3``) and a path
in another case name the file, so playback, drafts and ``check`` have it."""

from __future__ import annotations

from chart.song import Song


def test_a_backslash_or_another_case_in_the_audio_path_finds_the_file(tmp_path):
    (tmp_path / "Music").mkdir()
    audio = tmp_path / "Music" / "Audio.mp3"
    audio.write_bytes(b"ID3")
    for other in ("other.ogg", "preview.ogg"):  # two audio files beside it: no "only audio file" fallback
        (tmp_path / other).write_bytes(b"OggS")
    for music in ("Music\\Audio.mp3", "music\\audio.MP3", "music/audio.mp3"):
        song = Song(music=music, source_path=tmp_path / "Song [Hard].osu")
        assert song.audio_path() == audio, music
    assert Song(music="Music\\missing.mp3", source_path=tmp_path / "a.osu").audio_path() is None
