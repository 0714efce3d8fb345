"""Latency calibration: its own metronome (clicks a second apart, the music muted) so that a large latency is not
matched to the next click, and a result past the setting's range is clamped and said so."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

pytestmark = pytest.mark.qt


@pytest.fixture
def fast(window, tmp_path, qtbot):
    """A 180 BPM song (beats 333 ms apart) on a FakePlayer."""
    import soundfile as sf

    from chart.formats.registry import save
    from tests.editor.fakes import FakeClock, FakePlayer

    sf.write(str(tmp_path / "m.wav"), np.zeros(22050 * 30, np.float32), 22050)
    save(Song(title="T", music="m.wav", timing=TimingData.constant(180, "-0.1"),
              charts=[Chart(slot=Slot.EASY, meter=3, notes=[Note(Fraction(0), 0)])]), tmp_path / "s.ssc")
    clock = FakeClock()
    window.playback.player_factory = lambda samples, sr: FakePlayer(clock, samples.shape[-1] / sr)
    assert window.open_path(tmp_path / "s.ssc")
    qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
    return window


def _tap(dialog, latency_s: float, n: int = 12, rate: float = 1.0) -> None:
    """Tap on every click the player plays (its beat ticks), heard ``latency_s`` (real) after the clock says."""
    rng = np.random.default_rng(0)
    clicks_s = np.asarray(dialog.playback.player.ticks[0])
    for click_s in clicks_s[(clicks_s > 0.9) & (clicks_s < 0.9 + n * 1.0 * rate)]:
        dialog.record_tap(click_s + latency_s * rate + rng.normal(0, 0.004))


@pytest.mark.parametrize("latency_s", [0.200, 0.300, 0.450, -0.150])
def test_a_large_latency_on_a_fast_song_is_not_aliased(fast, latency_s):
    """180 BPM, 200 ms of Bluetooth latency: the taps were matched to the next beat and gave -133 ms."""
    from editor.dialogs.calibration import CalibrationDialog

    dialog = CalibrationDialog(fast, fast.playback)
    assert dialog.start()
    _tap(dialog, latency_s)
    assert dialog.estimate.latency_s == pytest.approx(latency_s, abs=0.006)
    dialog.done(0)


def test_the_metronome_is_a_second_apart_at_any_rate_and_gives_the_player_back(fast):
    from editor.dialogs.calibration import CalibrationDialog

    pb = fast.playback
    pb.set_rate(0.5)
    cursor = fast.timeline.cursor_s
    dialog = CalibrationDialog(fast, pb)
    assert dialog.start()
    assert np.diff(dialog.clicks_s) / pb.player.rate == pytest.approx(np.ones(len(dialog.clicks_s) - 1))
    assert pb.player.music_volume == 0.0
    assert pb.player.ticks[0] is dialog.clicks_s
    _tap(dialog, 0.250, rate=0.5)
    assert dialog.estimate.latency_s == pytest.approx(0.250, abs=0.006)  # real seconds
    dialog.done(0)
    assert not pb.playing
    assert pb.player.music_volume == pytest.approx(fast.settings.get("audio/music_volume"))
    assert pb.player.loop is None
    assert fast.timeline.cursor_s == cursor


def test_a_result_past_the_range_is_clamped_and_said(fast):
    """450 ms + 80 ms was stored as 530, which the settings read back as the default 0 ms."""
    from editor.dialogs.calibration import CalibrationDialog

    fast.playback_panel.latency.setValue(450.0)
    dialog = CalibrationDialog(fast, fast.playback)
    assert dialog.start()
    _tap(dialog, 0.080)
    assert dialog.apply() == 500.0
    assert "500.0 ms (the limit; the taps asked for 530 ms)" in dialog.result_label.text()
    assert fast.settings.get("audio/latency_ms") == 500.0
    assert fast.playback.player.output_latency_s == pytest.approx(0.5)
    dialog.done(0)
