"""audio.decoders' repairs: frame counts not trusted blindly, non-finite samples zeroed, cut Ogg files flagged,
Vorbis channel order normalised."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.decode import AudioError, AudioWarning, audio_info, iter_blocks, load_audio

SR = 44100


def _noise(seconds: float, channels: int = 1, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((int(seconds * SR), channels)) * 0.1
    return x.astype(np.float32)


def _flac_claiming(path: Path, x: np.ndarray, total_samples: int) -> Path:
    """A FLAC of ``x`` whose STREAMINFO says ``total_samples`` (0 = unknown, as encoders writing to a pipe say)."""
    sf.write(path, x, SR, format="FLAC", subtype="PCM_16")
    data = bytearray(path.read_bytes())
    field = int.from_bytes(data[18:26], "big") & ~((1 << 36) - 1) | total_samples  # the 36-bit count
    data[18:26] = field.to_bytes(8, "big")
    path.write_bytes(bytes(data))
    return path


def _decode_all(path: Path) -> tuple[np.ndarray, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y, _ = load_audio(path, mono=False)
    return y, [str(w.message) for w in caught if issubclass(w.category, AudioWarning)]


@pytest.mark.parametrize("total", [0, (1 << 36) - 1], ids=["unknown", "damaged-huge"])
def test_flac_without_a_usable_length_decodes_whole(tmp_path, total):
    """libsndfile reports SF_COUNT_MAX (or 2^36 frames: 256 GiB of float32) and load_audio preallocated that:
    'array is too big' / MemoryError; audio_info passed it on and the last block was lost at the end."""
    x = _noise(5.3, 2)
    reference, _ = sf.read(_flac_claiming(tmp_path / "ref.flac", x, x.shape[0]), dtype="float32", always_2d=True)
    path = _flac_claiming(tmp_path / "song.flac", x, total)
    assert sf.info(str(path)).frames > 24 * 3600 * SR  # the implausible count this is about
    y, found = _decode_all(path)
    assert found == []
    assert np.array_equal(y, reference.T)
    assert audio_info(path).frames == x.shape[0]
    assert sum(b.shape[-1] for b in iter_blocks(path, block_frames=1 << 16, mono=False)) == x.shape[0]


def test_flac_shorter_than_its_header_keeps_its_last_block_and_warns(tmp_path):
    x = _noise(5.3)
    path = _flac_claiming(tmp_path / "song.flac", x, 3600 * SR)  # says an hour (plausible, but false)
    y, found = _decode_all(path)
    assert y.shape == (1, x.shape[0])  # SoundFile.read's seek failed at the end: the last block was lost
    assert len(found) == 1
    assert "ends at 5.30 s of 3600.00 s (truncated?)" in found[0]


def test_non_finite_samples_are_zeroed_once_for_everyone(tmp_path):
    """A NaN spread through every FFT downstream: tempo found no beat, separate crashed in librosa."""
    x = _noise(3.0, 2)
    x[SR, 0], x[2 * SR, 1], x[2 * SR + 5, 0] = np.nan, np.inf, -np.inf
    path = tmp_path / "broken.wav"
    sf.write(path, x, SR, subtype="FLOAT")
    clean = x.copy()
    clean[~np.isfinite(clean)] = 0.0
    y, found = _decode_all(path)
    assert np.array_equal(y, clean.T)
    assert len(found) == 1
    assert "3 samples that are not a number" in found[0]
    mono, _ = load_audio(path, sr=22050, on_warning=lambda message, short_s: found.append((message, short_s)))
    assert np.isfinite(mono).all()
    assert found[1][1] == 0.0  # nothing is missing: the editor shows no "damaged" dialog for this
    blocks = list(iter_blocks(path, on_warning=lambda *_: None))
    assert all(np.isfinite(b).all() for b in blocks)


def _ogg(path: Path, x: np.ndarray) -> Path:
    with sf.SoundFile(str(path), "w", SR, x.shape[1], format="OGG", subtype="VORBIS") as f:
        for i in range(0, x.shape[0], 4096):  # one big write crashes libsndfile's Vorbis encoder
            f.write(x[i:i + 4096])
    return path


def test_ogg_cut_short_warns(tmp_path):
    """libsndfile takes an Ogg file's length from its last surviving page: a cut file decoded shorter in silence."""
    full = _ogg(tmp_path / "full.ogg", _noise(20.0, 2))
    cut = tmp_path / "cut.ogg"
    cut.write_bytes(full.read_bytes()[:full.stat().st_size // 2])
    assert _decode_all(full)[1] == []
    y, found = _decode_all(cut)
    assert 5 * SR < y.shape[1] < 15 * SR
    assert len(found) == 1
    assert "without the end-of-stream mark" in found[0]
    assert "cut.ogg" in found[0]


def test_ogg_verdict_on_page_boundaries_and_other_files(tmp_path):
    from audio import ogg

    full = _ogg(tmp_path / "full.ogg", _noise(3.0))
    data = full.read_bytes()
    last = data.rfind(b"OggS")
    (tmp_path / "whole_pages.ogg").write_bytes(data[:last])  # cut exactly between pages: no end-of-stream page
    (tmp_path / "in_header.ogg").write_bytes(data[:last + 10])
    (tmp_path / "tagged.ogg").write_bytes(data + b"TAG" + b"\x00" * 125)  # junk after a complete stream
    assert ogg.ends_cleanly(full) is True
    assert ogg.ends_cleanly(tmp_path / "whole_pages.ogg") is False
    assert ogg.ends_cleanly(tmp_path / "in_header.ogg") is False
    assert ogg.ends_cleanly(tmp_path / "tagged.ogg") is True
    wav = tmp_path / "a.wav"
    sf.write(wav, _noise(0.5), SR)
    assert ogg.ends_cleanly(wav) is None
    assert ogg.ends_cleanly(tmp_path / "missing.ogg") is None


def test_vorbis_channels_come_in_wav_order(tmp_path):
    """Vorbis 5.1 is FL FC FR BL BR LFE; every other format (and the downmix) is FL FR FC LFE BL BR. (libvorbis
    itself treats the sixth channel as LFE: it low-passes it, hence a low tone there.)"""
    t = np.arange(2 * SR) / SR
    x = np.zeros((t.size, 6), np.float32)
    for vorbis_index, hz in enumerate((200, 300, 400, 500, 600, 70)):
        x[:, vorbis_index] = 0.2 * np.sin(2 * np.pi * hz * t)
    y, _ = load_audio(_ogg(tmp_path / "six.ogg", x), mono=False)
    spectrum = np.abs(np.fft.rfft(y[:, SR // 2:SR // 2 + SR], axis=1))  # 1 s: bin k is k Hz
    assert [int(np.argmax(s)) for s in spectrum] == [200, 400, 300, 70, 500, 600]  # FL FR FC LFE BL BR


def test_decoded_info_measures_what_decodes(tmp_path):
    from audio.decode import decoded_info

    unknown = _flac_claiming(tmp_path / "unknown.flac", _noise(2.1), 0)
    assert decoded_info(unknown).frames == int(2.1 * SR)
    x = _noise(4.0)
    path = tmp_path / "song.flac"
    sf.write(path, x, SR)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    found: list[str] = []
    info = decoded_info(path, on_warning=lambda message, _short_s: found.append(message))
    assert audio_info(path).duration_s == pytest.approx(4.0)  # the header still says 4 s
    assert 1.0 < info.duration_s < 3.0
    assert info.frames == load_audio(path, on_warning=lambda *_: None)[0].size
    assert len(found) == 1
    assert "damaged" in found[0]
    header_only = tmp_path / "empty.wav"
    sf.write(header_only, np.zeros(0, np.float32), SR)
    with pytest.raises(AudioError, match="no samples"):
        decoded_info(header_only)
