"""One list of the audio files the project reads (``chart.song.AUDIO_EXTENSIONS``): ``main.py tempo``/``draft``
read a song.aac, but ``main.py open`` refused it ("not a chart or audio file") from a hand-typed copy of the list,
and the editor's File > Open took it for a chart ("unknown chart file extension '.aac'") instead of decoding it
(or saying that no decoder for AAC is installed)."""

from __future__ import annotations

import argparse
import shutil

import pytest

from tests.editor.conftest import write_song


def test_every_ffmpeg_format_is_an_audio_file_and_the_decoder_uses_that_list():
    from audio import decoders
    from chart.song import AUDIO_EXTENSIONS, NEEDS_FFMPEG

    assert decoders.NEEDS_FFMPEG is NEEDS_FFMPEG
    assert set(NEEDS_FFMPEG) <= set(AUDIO_EXTENSIONS)
    assert ".aac" in AUDIO_EXTENSIONS


def _open_args(path):
    return argparse.Namespace(path=path, screenshot=None, after_draft=True, stems=False, compare=None, feet=False,
                              beat_spaced=False)


@pytest.mark.parametrize("name", ["song.aac", "song.wma", "song.m4a", "song.ogg", "clicks.osz"])
def test_main_open_takes_every_audio_and_chart_file(tmp_path, name):
    from cli.common import UserError
    from cli.editor_cmds import run

    path = tmp_path / name
    path.write_bytes(b"x")
    # --after-draft without --screenshot is refused right after the extension check: reaching it means it passed
    with pytest.raises(UserError, match="--after-draft only applies"):
        run(_open_args(path))


def test_main_open_still_refuses_other_files(tmp_path):
    from cli.common import UserError
    from cli.editor_cmds import run

    path = tmp_path / "notes.txt"
    path.write_text("x")
    with pytest.raises(UserError, match=r"not a chart or audio file \(use .*\.ssc.*\.aac"):
        run(_open_args(path))


def test_open_dialog_offers_every_chart_and_audio_file():
    from chart.formats.registry import formats
    from chart.song import AUDIO_EXTENSIONS
    from cli.editor_cmds import chart_and_audio
    from editor.controllers.file_dialogs import CHART_EXTENSIONS, OPEN_FILTER

    charts = {e for f in formats() for e in f.extensions}
    assert set(CHART_EXTENSIONS) == charts
    assert set(chart_and_audio()) == charts | set(AUDIO_EXTENSIONS)
    assert all(f"*{ext}" in OPEN_FILTER for ext in chart_and_audio())


def test_editor_opens_an_aac_file_as_a_new_song(window, tmp_path, boxes):
    files = write_song(tmp_path / "song")
    aac = tmp_path / "song.aac"
    shutil.copy(files.audio, aac)
    asked = []
    window.new_song_from_audio = lambda path, check_unsaved=True: asked.append(path) or True
    assert window.open_path(aac)
    assert asked == [aac]
    assert boxes == []  # was: "Cannot open ... unknown chart file extension '.aac'"


def test_a_song_folders_background_video_is_not_its_music(tmp_path):
    from chart.song import audio_files

    for name in ("song.aac", "bg.mp4", "intro.webm", "cover.jpg"):
        (tmp_path / name).write_bytes(b"x")
    assert audio_files(tmp_path) == [tmp_path / "song.aac"]
