"""Stems in the editor cost three song-sized arrays (vocals, drums, accompaniment), also while they load, and
"other" (accompaniment - drums) is played through gains, never held: the player's output stays the mix's."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.clock import PlaybackClock
from audio.mixer import Renderer, SourceMix, Transport
from audio.separation import StemSet, separate_file
from editor.controllers import stems as stems_mod
from editor.controllers.stems import PARTS, SeparatedStems, part_gains, separation_job

SR = 44100


class SplitSeparator:
    """vocals = the right channel's share, accompaniment = the rest, drums = a fifth of the accompaniment."""

    name, stems = "split", ("vocals", "accompaniment", "drums")
    chunk_frames, context_frames, fade_frames = 1 << 16, 0, 0

    def cache_key(self) -> str:
        return "split-1"

    def __call__(self, x, sr):
        vocals = np.vstack([x[1], x[1]]) * np.float32(0.5)
        accompaniment = x - vocals
        return {"vocals": vocals, "accompaniment": accompaniment, "drums": accompaniment * np.float32(0.2)}


class Ctx:
    cancelled = False

    def report(self, fraction, text=""):
        pass

    def check(self):
        pass


def _song(folder: Path, seconds: float) -> Path:
    rng = np.random.default_rng(1)
    path = folder / "song.wav"
    sf.write(str(path), (0.2 * rng.standard_normal((int(seconds * SR), 2))).astype(np.float32), SR,
             subtype="FLOAT")
    return path


def test_loading_cached_stems_peaks_at_three_song_sized_arrays(tmp_path, monkeypatch):
    """An 11-minute song held vocals, drums and a computed "other", four at once while loading plus a transposed
    copy of each stem read (RSS 378 -> 1077 MB, peak 1491 MB): now three, no copy, no "other"."""
    path = _song(tmp_path, 40.0)
    cached = separate_file(path, separator_factory=lambda sr, ch: SplitSeparator(), cache_dir=tmp_path / "cache")
    monkeypatch.setattr(stems_mod, "separate_file", lambda p, progress=None, cancel=None: StemSet.open(cached.folder))
    monkeypatch.setattr(stems_mod, "BLOCK_FRAMES", 1 << 14)  # block temporaries small beside the song
    song_bytes = int(40.0 * SR) * 2 * 4
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = separation_job(Ctx(), path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    held = {name: arr.nbytes for name, arr in result.parts.items()}
    assert set(held) == set(PARTS)
    assert all(b == song_bytes for b in held.values())
    # three stems plus block-sized temporaries , not four stems plus a copy
    assert peak < 3 * song_bytes + 0.3 * song_bytes, f"peak {peak / song_bytes:.2f} songs"
    mix, _ = sf.read(str(path), dtype="float32", always_2d=True)
    np.testing.assert_allclose(result.layer("vocals") + result.layer("drums") + result.layer("other"), mix.T,
                               atol=1e-6)
    np.testing.assert_array_equal(result.mono("other"), result.layer("other").mean(axis=0))
    span = result.peaks["other"]._span(1000, 1300)  # zoomed in: read from the parts, no "other" array
    np.testing.assert_array_equal(span, result.layer("other")[:, 1000:1300].mean(axis=0, keepdims=True))


def _play(sources, gains, rate: float) -> np.ndarray:
    renderer = Renderer(SourceMix.create(sources, SR, 2, gains), SR, 2, PlaybackClock(SR))
    renderer.rate = rate
    renderer.transport = Transport(1, True, 1234.5)
    out = np.zeros((60 * 512, 2), np.float32)
    for i in range(60):
        renderer.render(out[i * 512:(i + 1) * 512], i * 512 / SR)
    return out


@pytest.mark.parametrize("rate", [1.0, 0.75])
def test_all_stems_play_as_the_mix_and_a_muted_layer_drops_out(rate):
    rng = np.random.default_rng(2)
    t = np.arange(SR) / SR
    mix = (0.2 * rng.standard_normal((2, SR)) + 0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    vocals = (0.3 * np.sin(2 * np.pi * 440 * t) * np.ones((2, 1))).astype(np.float32)
    accompaniment = mix - vocals
    drums = (accompaniment * np.float32(0.3)).astype(np.float32)
    stems = SeparatedStems({"vocals": vocals, "drums": drums, "accompaniment": accompaniment}, {}, SR, "test")
    parts = [stems.parts[n] for n in PARTS]
    want = _play([mix], None, rate)
    got = _play(parts, part_gains([1.0, 1.0, 1.0]), rate)
    assert np.abs(want).max() > 0.3
    np.testing.assert_allclose(got, want, atol=1.5e-7)  # float32 rounding: 1 ulp, as vocals + drums + other gave
    other = stems.layer("other")
    for gains in ([1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.5, 1.0, 0.25]):  # muted drums, solo drums, volumes
        layered = _play([vocals, drums, other], gains, rate)
        np.testing.assert_allclose(_play(parts, part_gains(gains), rate), layered, atol=2e-6)


@pytest.mark.qt
def test_separate_pressed_while_the_audio_decodes_starts_when_it_is_in(window, tmp_path, qtbot, monkeypatch):
    """It said "Stems: no audio is loaded" and did nothing (the AI draft handles the same moment)."""
    import threading

    import editor.controllers.files as files
    from tests.editor.test_stems import FakeStemSet, stereo_song

    calls = []
    monkeypatch.setattr(stems_mod, "separate_file",
                        lambda p, progress=None, cancel=None: calls.append(p) or FakeStemSet(Path(p)))
    gate = threading.Event()
    real = files.decode_job
    monkeypatch.setattr(files, "decode_job", lambda *a, **k: (gate.wait(30), real(*a, **k))[1])
    status: list[str] = []
    window.session.status.connect(status.append)
    try:
        assert window.open_path(stereo_song(tmp_path / "s").chart)
        assert window.session.audio is None  # still decoding
        window.playback_panel.stems_box.separate_button.click()
        assert status[-1] == "Stems: the audio is still loading; separating when it is in"
        assert window.stems.job is None
    finally:
        gate.set()
    qtbot.waitUntil(lambda: window.stems.stems is not None, timeout=10000)
    assert calls == [window.session.audio.path]
