"""Stems in the editor: Separate (the real separator end to end on 3 s, and a fast fake), solo / mute / volume
reaching the player's stem gains, the timeline waveform of a stem, and the AI draft listening to a stem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.editor.conftest import SR_HZ, click_track, write_song

pytestmark = pytest.mark.qt


def stereo_song(folder: Path, duration_s: float = 3.0):
    """The synthetic song with stereo audio: a centred 440 Hz 'voice' over clicks panned hard left."""
    import soundfile as sf

    files = write_song(folder, duration_s=duration_s)
    t = np.arange(int(duration_s * SR_HZ)) / SR_HZ
    voice = (0.3 * np.sin(2 * np.pi * 440.0 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    clicks = click_track(duration_s)
    sf.write(str(files.audio), np.stack([voice + clicks, voice], axis=1), SR_HZ)
    return files


class FakeStemSet:
    """What separate_file returns, made from the mix: vocals = the right channel's share, drums = a fifth."""

    method = "fake"

    def __init__(self, path: Path):
        import soundfile as sf

        data, self.sr = sf.read(str(path), dtype="float32", always_2d=True)
        self.mix = np.ascontiguousarray(data.T)

    def load(self, stem: str) -> np.ndarray:
        vocals = np.vstack([self.mix[1], self.mix[1]])
        return {"vocals": vocals, "drums": 0.2 * (self.mix - vocals), "accompaniment": self.mix - vocals}[stem]

    def release(self) -> None:
        pass


@pytest.fixture
def stem_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "separation"


@pytest.fixture
def stereo_window(window, tmp_path, qtbot, stem_cache):
    files = stereo_song(tmp_path / "stereo")
    assert window.open_path(files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None and window.playback.player is not None, timeout=10000)
    return window


@pytest.fixture
def fake_separated(stereo_window, qtbot, monkeypatch):
    import editor.controllers.stems as stems_mod

    calls = []

    def fake(path, progress=None, cancel=None):
        calls.append(Path(path))
        progress(0.5)
        return FakeStemSet(Path(path))

    monkeypatch.setattr(stems_mod, "separate_file", fake)
    stereo_window.playback_panel.stems_box.separate_button.click()
    qtbot.waitUntil(lambda: stereo_window.stems.stems is not None, timeout=10000)
    assert calls == [stereo_window.session.audio.path]
    return stereo_window


def test_real_separator_end_to_end_rows_appear_and_cache_reused(stereo_window, qtbot, stem_cache):
    win = stereo_window
    box = win.playback_panel.stems_box
    assert not box.play_stems.isEnabled()
    assert all(not w.isEnabled() for row in box.rows.values() for w in row)
    box.separate_button.click()
    assert box.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: win.stems.stems is not None, timeout=120000)
    qtbot.waitUntil(lambda: box.separate_button.isEnabled(), timeout=5000)
    stems = win.stems.stems
    mix = win.session.audio.samples
    assert set(stems.parts) == {"vocals", "drums", "accompaniment"}  # "other" is accompaniment - drums, not held
    layers = [stems.layer(name) for name in ("vocals", "drums", "other")]
    for layer in layers:
        assert layer.shape == mix.shape
    # the three layers add up to the mix (separation quality is the separation benchmark's business)
    np.testing.assert_allclose(sum(layers), mix, atol=1e-4)
    assert stems.method == "centre extraction + REPET-SIM + HPSS"
    assert box.play_stems.isEnabled()
    assert box.play_stems.isChecked()
    assert all(w.isEnabled() for row in box.rows.values() for w in row)
    assert win.playback.player.renderer.mix.gains.size == 3
    entries = [p for p in stem_cache.iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1
    win.stems.stems = None  # a second Separate of the same audio comes from the cache
    box.separate_button.click()
    qtbot.waitUntil(lambda: win.stems.stems is not None, timeout=20000)
    assert [p for p in stem_cache.iterdir() if not p.name.startswith(".")] == entries


def test_mute_solo_volume_change_player_gains(fake_separated):
    win = fake_separated
    box = win.playback_panel.stems_box
    player = win.playback.player
    # the player's sources are vocals, drums, accompaniment: layer gains (v, d, o) play as (v, d - o, o)
    np.testing.assert_array_equal(player.renderer.mix.gains, [1.0, 0.0, 1.0])
    box.rows["drums"][1].setChecked(True)  # mute drums
    np.testing.assert_array_equal(player.renderer.mix.gains, [1.0, -1.0, 1.0])
    box.rows["vocals"][0].setChecked(True)  # solo vocals
    np.testing.assert_array_equal(player.renderer.mix.gains, [1.0, 0.0, 0.0])
    box.rows["vocals"][2].setValue(40)
    np.testing.assert_allclose(player.renderer.mix.gains, [0.4, 0.0, 0.0])
    box.rows["vocals"][0].setChecked(False)
    box.rows["drums"][1].setChecked(False)
    np.testing.assert_allclose(player.renderer.mix.gains, [0.4, 0.0, 1.0])
    box.play_stems.setChecked(False)  # back to the full mix
    assert player.renderer.mix is player._music
    box.play_stems.setChecked(True)
    np.testing.assert_allclose(player.renderer.mix.gains, [0.4, 0.0, 1.0])


def test_player_gets_the_layers_in_order(fake_separated):
    win = fake_separated
    player = win.playback.player
    arrays = player.renderer.mix.arrays  # (n_frames, channels) each, at the output rate
    layers = win.stems.stems.parts
    for array, name in zip(arrays, ("vocals", "drums", "accompaniment"), strict=True):
        expected_rms = float(np.sqrt(np.mean(layers[name] ** 2)))
        assert float(np.sqrt(np.mean(array ** 2))) == pytest.approx(expected_rms, rel=0.05)
    if player.sample_rate_hz == SR_HZ:
        np.testing.assert_array_equal(arrays[0], layers["vocals"].T)


def test_waveform_switch_changes_what_the_timeline_draws(fake_separated):
    win = fake_separated
    item = win.timeline.waveform_item
    mix_peaks = item.peaks
    mix_min, mix_max = mix_peaks.query(0.0, 3.0, 64)
    win.playback_panel.stems_box.waveform.textActivated.emit("drums")
    assert item.peaks is win.stems.stems.peaks["drums"]
    drums_min, drums_max = item.peaks.query(0.0, 3.0, 64)
    assert np.max(drums_max) < 0.5 * np.max(mix_max)  # the fake drums are a fifth of the left channel
    win.stems.set_waveform("mix")
    assert item.peaks is mix_peaks
    assert win.playback_panel.stems_box.waveform.currentText() == "mix"


def test_new_song_drops_stems(fake_separated, qtbot, song_files):
    win = fake_separated
    win.stems.set_waveform("vocals")
    assert win.open_path(song_files.chart)
    qtbot.waitUntil(lambda: win.session.audio is not None and win.session.audio.path == song_files.audio,
                    timeout=10000)
    assert win.stems.stems is None
    assert not win.stems.active
    assert win.playback_panel.stems_box.waveform.currentText() == "mix"
    assert not win.playback_panel.stems_box.play_stems.isEnabled()


class RecordingDrafter:
    def __init__(self):
        self.audio = None

    def draft(self, audio, timing, slots, **kwargs):
        self.audio = audio
        return []


def test_draft_from_stem_passes_stem_samples(fake_separated, qtbot, monkeypatch):
    from chart.song import Slot

    win = fake_separated
    drafter = RecordingDrafter()
    monkeypatch.setattr(win.drafting, "ensure_drafter", lambda: drafter)
    combo = win.ai_panel.listen_to
    assert combo.currentText() == "mix"
    assert "not evaluated" in combo.toolTip()
    combo.setCurrentText("vocals")
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None
    qtbot.waitUntil(lambda: not win.drafting.busy, timeout=10000)
    samples, sr = drafter.audio
    assert sr == SR_HZ
    np.testing.assert_array_equal(samples, win.stems.stems.parts["vocals"].mean(axis=0))
    combo.setCurrentText("mix")
    assert win.drafting.draft_slots([Slot.EASY], {}) is not None
    qtbot.waitUntil(lambda: not win.drafting.busy, timeout=10000)
    assert drafter.audio == win.session.audio.path


def test_draft_from_stem_before_separating_says_so(stereo_window, boxes):
    from chart.song import Slot

    win = stereo_window
    win.ai_panel.listen_to.setCurrentText("drums")
    assert win.drafting.draft_slots([Slot.EASY], {}) is None
    assert boxes
    assert "Separate" in boxes[-1][2]


def test_filtered_waveforms_need_no_separation(opened, qtbot):
    win = opened  # click track: 20 ms bursts of 1 kHz, little below 200 Hz
    item = win.timeline.waveform_item
    mix_peaks = item.peaks
    box = win.playback_panel.stems_box
    box.waveform.textActivated.emit("low-pass")
    qtbot.waitUntil(lambda: item.peaks is win.stems.band_peaks.get("low-pass"), timeout=10000)
    # the clicks' low band peaks near 0.04: drawn 8x larger (the cap), still below the mix's 0.56
    assert 0.25 < item.peaks.peak < mix_peaks.peak
    win.stems.set_waveform("high-pass")  # a 1 kHz click is below 2.5 kHz too, but its attack is not
    qtbot.waitUntil(lambda: item.peaks is win.stems.band_peaks.get("high-pass"), timeout=10000)
    win.stems.set_waveform("low-pass")  # built once per song
    assert item.peaks is win.stems.band_peaks["low-pass"]
    assert box.waveform.currentText() == "low-pass"
    win.stems.set_waveform("mix")
    assert item.peaks is mix_peaks
