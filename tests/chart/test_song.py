"""chart.song.music_relative_to: the #MUSIC a chart written elsewhere names its audio by."""

from __future__ import annotations

from pathlib import Path

from chart.song import music_relative_to


def test_music_names_the_audio_from_the_target_s_folder(tmp_path: Path) -> None:
    audio = tmp_path / "song" / "music.ogg"
    audio.parent.mkdir()
    audio.write_bytes(b"x")
    assert music_relative_to(audio, tmp_path / "song" / "a.ssc") == "music.ogg"
    assert music_relative_to(audio, tmp_path / "out" / "a.ssc") == "../song/music.ogg"
    assert music_relative_to(audio, tmp_path / "a.ssc", "song/music.ogg") == "song/music.ogg"
    # a tag that names the file in another spelling is kept as written
    assert music_relative_to(audio, tmp_path / "song" / "a.ssc", "./music.ogg") == "./music.ogg"
    # a tag that names another file is replaced
    (tmp_path / "song" / "other.ogg").write_bytes(b"y")
    assert music_relative_to(audio, tmp_path / "song" / "a.ssc", "other.ogg") == "music.ogg"


def test_a_symlinked_audio_file_keeps_its_own_name(tmp_path: Path) -> None:
    real = tmp_path / "lib" / "music.ogg"
    real.parent.mkdir()
    real.write_bytes(b"x")
    song = tmp_path / "Songs" / "Pack" / "song"
    song.mkdir(parents=True)
    (song / "music.ogg").symlink_to(real)
    assert music_relative_to(song / "music.ogg", song / "a.ssc") == "music.ogg"
    assert music_relative_to(song / "music.ogg", song / "a.ssc", "music.ogg") == "music.ogg"
    assert music_relative_to(song / "music.ogg", tmp_path / "Songs" / "b.ssc") == "Pack/song/music.ogg"
