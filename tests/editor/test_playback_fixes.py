"""Playback in the editor: a sound device that stops mid-play, a loop when another song opens, which assist ticks
sound, and the status bar saying there is no sound device."""

from __future__ import annotations

import sys
from fractions import Fraction

import numpy as np
import pytest

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import write_song

pytestmark = pytest.mark.qt


def _open(win, qtbot, path) -> None:
    assert win.open_path(path)
    qtbot.waitUntil(lambda: win.playback.player is not None and win.session.audio is not None, timeout=10000)
    win.timeline.setFocus()


def _write(folder, timing: TimingData, notes: list[Note]):
    import soundfile as sf

    from chart.formats.registry import save

    folder.mkdir(parents=True, exist_ok=True)
    sf.write(str(folder / "a.wav"), np.zeros(22050 * 20, np.float32), 22050)
    save(Song(title="T", music="a.wav", timing=timing, charts=[Chart(slot=Slot.EASY, meter=3, notes=notes)]),
         folder / "s.ssc")
    return folder / "s.ssc"


def test_a_device_that_stops_mid_play_pauses_and_says_so(window, song_files, qtbot, monkeypatch):
    """The playhead ran on past the song end with playing True and nothing said; Space then raised the stream
    clock's PortAudioError. Now playback pauses where the sound stopped, the status bar and the audio label say
    so, and Space opens the output again."""
    from audio.player import Player
    from tests.audio.fake_sounddevice import FakeStream, install

    install(monkeypatch, 22050)
    window.playback.player_factory = lambda samples, sr: Player.open(samples, sr, output="sounddevice")
    _open(window, qtbot, song_files.chart)
    pb, old = window.playback, window.playback.player
    assert old.has_device
    window.seek(1.0)
    pb.toggle()
    stream = FakeStream.last
    for _ in range(60):
        stream.pump(0.016)
        pb.tick()
    assert pb.playing
    stream.calling = False  # unplugged
    for _ in range(200):
        stream.pump(0.016)
        pb.tick()
    assert not pb.playing
    heard_end_s = 1.0 + (stream.next_dac - 1000.05)
    assert window.timeline.cursor_s == pytest.approx(heard_end_s, abs=0.005)  # not 3 s further on
    assert window.statusBar().currentMessage().startswith("Sound output stopped (the sound device stopped")
    assert "no sound device" in window.audio_label.text()
    stream.time_fails = True
    pb.toggle()  # Space: a new output, playing from the cursor
    assert pb.player is not old
    assert FakeStream.last is not stream
    assert pb.playing
    assert pb.player.has_device


def test_a_test_play_ends_when_the_device_stops(window, song_files, qtbot, monkeypatch):
    from audio.player import Player
    from tests.audio.fake_sounddevice import FakeStream, install

    install(monkeypatch, 22050)
    window.playback.player_factory = lambda samples, sr: Player.open(samples, sr, output="sounddevice")
    _open(window, qtbot, song_files.chart)
    window.seek(3.0)
    assert window.test_play.start()
    stream = FakeStream.last
    stream.pump(0.5)
    stream.calling = stream.is_active = False
    stream.finished_callback()
    window.test_play.frame()
    assert not window.test_play.active
    assert "(the sound output stopped)" in window.statusBar().currentMessage()


def test_a_loop_does_not_survive_opening_another_song(fake, tmp_path, qtbot):
    win, _clock = fake
    win.session.set_range((Fraction(4), Fraction(8)))
    assert win.playback.play_loop()
    assert win.timeline.range_item.loop_s is not None
    _open(win, qtbot, write_song(tmp_path / "other").chart)
    assert win.playback.loop_s is None
    assert win.timeline.range_item.loop_s is None
    win.session.set_range((Fraction(8), Fraction(12)))
    assert win.playback.play_loop()  # the first P loops (it only cleared the old song's loop before)
    assert win.playback.player.loop == pytest.approx((4.1, 6.1))


def test_note_ticks_only_for_judged_notes_and_one_beat_tick_per_time(fake, tmp_path, qtbot):
    """No note tick inside a fake segment or a warp (test play does not judge those notes, StepMania's assist
    clap skips them); the beats a warp skips gave 5 beat ticks on one frame."""
    win, _clock = fake
    timing = TimingData(offset=Fraction(0), bpms=((Fraction(0), Fraction(120)),),
                        warps=((Fraction(12), Fraction(2)),), extra=(("FAKES", "4.000=2.000"),))
    _open(win, qtbot, _write(tmp_path / "warped", timing, [Note(Fraction(k), k % 4) for k in range(20)]))
    win.playback.set_ticks_enabled(beats=True, notes=True)
    beat_s, note_s = win.playback.player.ticks
    judged_s = [float(timing.beat_to_seconds(Fraction(k))) for k in range(20) if not (4 <= k < 6 or 12 < k < 14)]
    assert note_s == pytest.approx(sorted(set(judged_s)))
    assert len(beat_s) == len(np.unique(np.round(np.asarray(beat_s) * 22050)))
    assert np.all(np.diff(beat_s) >= 0.001)


def test_the_status_bar_says_there_is_no_sound_device(window, song_files, qtbot, monkeypatch):
    """The "No sound device" line came before "Audio: NAME" (emitted right after the audio is set) and was
    replaced at once; it also said "no sound device" twice."""
    from audio.player import Player

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # `import sounddevice` fails: no PortAudio
    window.playback.player_factory = lambda samples, sr: Player.open(samples, sr, output="auto")
    messages: list[str] = []
    window.session.status.connect(messages.append)
    _open(window, qtbot, song_files.chart)
    qtbot.waitUntil(lambda: messages[-1].startswith("No sound device"), timeout=2000)
    assert any(m.startswith("Audio: ") for m in messages)
    text = window.statusBar().currentMessage()
    assert text.startswith("No sound device (PortAudio is not available")
    assert text.lower().count("no sound device") == 1
