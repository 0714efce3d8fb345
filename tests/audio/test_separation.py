"""Default separator: streaming exactness, cache, cancel, mono handling, quality on a synthetic mix, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.decode import AudioError
from audio.progress import Cancelled
from audio.separation import (
    SeparationError,
    SeparationParams,
    StemSet,
    separate_array,
    separate_file,
    separate_stream,
)
from scripts.make_separation_bench import make_mixture

REPO = Path(__file__).resolve().parents[2]
SR = 8000


class ScaleSeparator:
    """vocals = 0.3 x, but garbage in the first/last ``context_frames`` of each call (which must be dropped)."""

    name, stems = "scale", ("vocals", "accompaniment")

    def __init__(self, chunk: int = 1000, context: int = 300, fade: int = 200) -> None:
        self.chunk_frames, self.context_frames, self.fade_frames = chunk, context, fade
        self.seen: list[int] = []

    def cache_key(self) -> str:
        return f"scale-{self.chunk_frames}"

    def __call__(self, x, sr):
        self.seen.append(x.shape[1])
        v = 0.3 * x
        v[:, :self.context_frames] = 99.0  # only the song's real start (no context there) may keep these
        v[:, x.shape[1] - self.context_frames:] = -99.0
        return {"vocals": v, "accompaniment": x - v}


def sisdr_db(est: np.ndarray, ref: np.ndarray) -> float:
    est, ref = est.ravel().astype(np.float64), ref.ravel().astype(np.float64)
    target = (est @ ref) / (ref @ ref) * ref
    return float(10 * np.log10((target @ target) / ((est - target) @ (est - target))))


@pytest.mark.parametrize("n", [1, 999, 1000, 1201, 5432])
def test_stream_chunks_fade_and_context_are_exact(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((2, n)).astype(np.float32)
    sep = ScaleSeparator()
    pieces: list[dict[str, np.ndarray]] = []
    got = separate_stream((x[:, i:i + 333] for i in range(0, n, 333)), SR, sep, pieces.append, n)
    vocals = np.concatenate([p["vocals"] for p in pieces], axis=1)
    assert got == n
    assert vocals.shape == (2, n)
    core = slice(sep.context_frames, n - sep.context_frames)  # the song's own edges have no context
    np.testing.assert_allclose(vocals[:, core], 0.3 * x[:, core], atol=1e-5)


def test_stream_memory_is_bounded_by_the_chunk():
    sep = ScaleSeparator(chunk=4000, context=500, fade=800)
    n = 200_000
    blocks = (np.zeros((2, 7000), np.float32) for _ in range(n // 7000 + 1))
    separate_stream(blocks, SR, sep, lambda piece: None, n)
    assert max(sep.seen) <= 4000 + 800 + 2 * 500
    assert len(sep.seen) >= n // 4000


def test_vocals_plus_accompaniment_is_the_input_and_lengths_match():
    rng = np.random.default_rng(0)
    for shape in [(2, 3 * SR + 17), (1, 2 * SR), (2, 100)]:
        x = (0.2 * rng.standard_normal(shape)).astype(np.float32)
        out = separate_array(x, SR, SeparationParams(chunk_s=1.0, fade_s=0.25))
        assert {k: v.shape for k, v in out.items()} == dict.fromkeys(("vocals", "accompaniment", "drums"), shape)
        np.testing.assert_allclose(out["vocals"] + out["accompaniment"], x, atol=1e-5)


def test_quality_on_a_synthetic_band_mix():
    stems, _ = make_mixture(10.0, sr=22050, seed=3, voice="synth")
    out = separate_array(stems["mix"], 22050, SeparationParams(chunk_s=5.0))
    gain_vocals = sisdr_db(out["vocals"], stems["vocals"]) - sisdr_db(stems["mix"], stems["vocals"])
    gain_acc = sisdr_db(out["accompaniment"], stems["accompaniment"]) - sisdr_db(stems["mix"], stems["accompaniment"])
    gain_drums = sisdr_db(out["drums"], stems["drums"]) - sisdr_db(stems["mix"], stems["drums"])
    assert gain_vocals > 3.0
    assert gain_acc > 3.0
    assert gain_drums > 1.0


def test_centre_panned_tone_goes_to_vocals_side_panned_to_accompaniment():
    sr = 22050
    t = np.arange(6 * sr) / sr
    notes_hz = np.random.default_rng(0).uniform(300, 900, 12).repeat(sr // 2)  # a melody that never repeats
    centre = 0.3 * np.sin(2 * np.pi * np.cumsum(notes_hz) / sr)
    side = 0.3 * np.sin(2 * np.pi * 1000 * t)
    x = np.stack([centre + side, centre]).astype(np.float32)  # side tone hard left
    out = separate_array(x, sr, SeparationParams(chunk_s=3.0))
    truth = np.stack([centre, centre])
    assert sisdr_db(out["vocals"], truth) > sisdr_db(x, truth) + 6.0
    assert np.abs(out["accompaniment"][1]).mean() < 0.5 * np.abs(out["accompaniment"][0]).mean()


def test_mono_file_asked_for_centre_extraction(tmp_path):
    wav = tmp_path / "mono.wav"
    sf.write(wav, (0.1 * np.random.default_rng(0).standard_normal(SR)).astype(np.float32), SR)
    with pytest.raises(SeparationError, match="mono: centre extraction needs a stereo file"):
        separate_file(wav, SeparationParams(method="stereo"), cache_dir=tmp_path / "c")
    assert not any((tmp_path / "c").glob("*")) if (tmp_path / "c").exists() else True
    stems = separate_file(wav, SeparationParams(method="stereo", allow_mono_fallback=True), cache_dir=tmp_path / "c")
    assert stems.method == "REPET-SIM + HPSS (mono)"
    assert (stems.channels, stems.frames, stems.sr) == (1, SR, SR)


def test_cache_hit_new_key_for_new_params_and_layers_sum_to_mix(tmp_path):
    wav = tmp_path / "song.wav"
    x = make_mixture(3.0, sr=SR, seed=1, voice="synth")[0]["mix"]
    sf.write(wav, x.T, SR, subtype="FLOAT")
    first = separate_file(wav, cache_dir=tmp_path / "c")
    calls = []
    again = separate_file(wav, cache_dir=tmp_path / "c", progress=calls.append)
    assert again.folder == first.folder
    assert calls == []  # nothing recomputed
    other = separate_file(wav, SeparationParams(chunk_s=10.0), cache_dir=tmp_path / "c")
    assert other.folder != first.folder
    layers = StemSet.open(first.folder).layers()
    np.testing.assert_allclose(sum(layers.values()), x, atol=1e-5)
    assert not list((tmp_path / "c").glob(".*"))  # no temporary folders left


def test_cancel_leaves_no_cache_entry(tmp_path):
    wav = tmp_path / "song.wav"
    sf.write(wav, np.zeros((4 * SR, 2), np.float32), SR)
    fractions: list[float] = []
    with pytest.raises(Cancelled):
        separate_file(wav, SeparationParams(chunk_s=1.0), cache_dir=tmp_path / "c", progress=fractions.append,
                      cancel=lambda: bool(fractions))
    assert fractions
    assert list((tmp_path / "c").iterdir()) == []


def test_not_audio(tmp_path):
    junk = tmp_path / "notes.wav"
    junk.write_text("hello")
    with pytest.raises(AudioError):
        separate_file(junk, cache_dir=tmp_path / "c")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "separate", *args], cwd=REPO, capture_output=True, text=True)


def test_cli_writes_stems_and_refuses_bad_input(tmp_path):
    wav = tmp_path / "song.wav"
    x = make_mixture(2.0, sr=22050, seed=2, voice="synth")[0]["mix"]
    sf.write(wav, x.T, 22050, subtype="PCM_16")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    run = _cli(str(wav), "-o", str(tmp_path / "out"), *cache)
    assert run.returncode == 0, run.stderr
    assert "method: centre extraction + REPET-SIM + HPSS" in run.stderr
    for stem in ("vocals", "accompaniment", "drums"):
        info = sf.info(tmp_path / "out" / f"{stem}.wav")
        assert (info.samplerate, info.frames, info.channels) == (22050, x.shape[1], 2)
    assert not list((tmp_path / "out").glob(".*"))
    junk = tmp_path / "junk.ogg"
    junk.write_bytes(b"\x00" * 100)
    run = _cli(str(junk), "-o", str(tmp_path / "bad"), *cache)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert not (tmp_path / "bad").exists()
    mono = tmp_path / "mono.wav"
    sf.write(mono, x[0], 22050)
    run = _cli(str(mono), "-o", str(tmp_path / "m"), "--method", "stereo", *cache)
    assert run.returncode == 2
    assert "mono" in run.stderr
    assert not (tmp_path / "m").exists()
    run = _cli(str(mono), "-o", str(tmp_path / "m"), "--method", "stereo", "--allow-mono", "--stems", "vocals", *cache)
    assert run.returncode == 0, run.stderr
    assert [p.name for p in (tmp_path / "m").iterdir()] == ["vocals.wav"]


@pytest.mark.parametrize(("shape", "size"), [((5, 7), 31), ((40, 3), 5), ((64, 300), 31), ((1, 1), 1)])
def test_running_median_equals_scipy(shape, size):
    from scipy.ndimage import median_filter

    from audio.separation_median import median_filter_axis

    a = np.random.default_rng(size).random(shape).astype(np.float32)
    a[0, :] = 0.5  # ties
    for axis, kernel in ((0, (size, 1)), (1, (1, size))):
        np.testing.assert_array_equal(median_filter_axis(a, size, axis), median_filter(a, size=kernel, mode="reflect"))


@pytest.mark.slow
def test_a_real_song_separates_with_exact_length(shared_charts, tmp_path):
    from audio.decode import load_audio

    songs = sorted(p for p in shared_charts.glob("*/*") if p.suffix.lower() in (".ogg", ".mp3"))
    song = min(songs, key=lambda p: p.stat().st_size)  # the shortest file keeps this test to a minute
    stems = separate_file(song, cache_dir=tmp_path / "c")
    mix, sr = load_audio(song, mono=False)
    assert (stems.sr, stems.channels, stems.frames) == (sr, mix.shape[0], mix.shape[1])
    np.testing.assert_allclose(stems.load("vocals") + stems.load("accompaniment"), mix, atol=1e-4)
    vocal_share = float(np.mean(stems.load("vocals") ** 2) / np.mean(mix ** 2))
    assert 0.0 < vocal_share < 1.0
