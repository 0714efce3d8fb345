"""audio.decode: formats, channels, rates, resampling, streaming, and bad files (issue 4 item 1, issue 8 item 3)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio import decoders, mp3
from audio.decode import AudioError, AudioWarning, audio_digest, audio_info, iter_blocks, load_audio
from tests.audio.signals import sine

FORMATS = [("wav", "WAV", "PCM_16"), ("flac", "FLAC", "PCM_16"), ("ogg", "OGG", "VORBIS"),
           ("mp3", "MP3", "MPEG_LAYER_III")]


def _write(path: Path, data: np.ndarray, sr: int, fmt: str, subtype: str) -> Path:
    sf.write(str(path), data.T if data.ndim == 2 else data, sr, format=fmt, subtype=subtype)
    return path


def _dominant_hz(x: np.ndarray, sr: int) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / sr)[np.argmax(spec)])


@pytest.mark.parametrize(("ext", "fmt", "subtype"), FORMATS)
def test_each_format_decodes_to_the_written_signal(tmp_path, ext, fmt, subtype):
    sr = 44100
    data = sine(440.0, 2.0, sr, amplitude=0.5, channels=2)
    path = _write(tmp_path / f"a.{ext}", data, sr, fmt, subtype)
    stereo, got_sr = load_audio(path, mono=False)
    assert got_sr == sr
    assert stereo.dtype == np.float32
    assert stereo.shape[0] == 2
    assert abs(stereo.shape[1] - data.shape[1]) < sr // 20  # lossy codecs may pad a little
    n = min(stereo.shape[1], data.shape[1])
    corr = np.corrcoef(stereo[0, sr // 4:n - sr // 4], data[0, sr // 4:n - sr // 4])[0, 1]
    assert corr > 0.99, corr
    mono, _ = load_audio(path)
    assert mono.ndim == 1
    assert np.allclose(mono, stereo.mean(axis=0), atol=1e-6)
    if fmt in ("WAV", "FLAC"):
        assert np.allclose(stereo, data, atol=1 / 16384)


def test_mp3_keeps_time_alignment(tmp_path):
    # Gapless mp3 decoding: a click written at 0.5 s is decoded at 0.5 s (encoder delay removed).
    sr = 44100
    x = np.zeros(sr * 2, np.float32)
    x[sr // 2] = 0.9
    path = _write(tmp_path / "click.mp3", x, sr, "MP3", "MPEG_LAYER_III")
    y, _ = load_audio(path)
    assert abs(int(np.argmax(np.abs(y))) - sr // 2) <= 2


@pytest.mark.parametrize("channels", [1, 2, 6])
def test_channel_layouts(tmp_path, channels):
    sr = 22050
    data = sine(300.0, 1.0, sr, channels=channels)
    path = _write(tmp_path / "c.wav", data, sr, "WAV", "FLOAT")
    multi, _ = load_audio(path, mono=False)
    assert multi.shape == (channels, sr)
    mono, _ = load_audio(path)
    expected = data if channels == 1 else data.mean(axis=0)
    assert mono.shape == (sr,)
    assert np.allclose(mono, expected, atol=1e-6)
    assert audio_info(path).channels == channels


@pytest.mark.parametrize("sr", [8000, 11025, 32000, 96000, 192000])
def test_sample_rates_8_to_192_khz(tmp_path, sr):
    path = _write(tmp_path / "r.flac", sine(1000.0, 0.5, sr), sr, "FLAC", "PCM_24")
    y, got = load_audio(path)
    assert got == sr
    assert y.size == sr // 2
    info = audio_info(path)
    assert info.sr == sr
    assert info.frames == sr // 2
    assert info.duration_s == pytest.approx((sr // 2) / sr)


def test_resampling_keeps_pitch_and_length(tmp_path):
    path = _write(tmp_path / "s.wav", sine(1000.0, 2.0, 48000), 48000, "WAV", "FLOAT")
    y, sr = load_audio(path, sr=22050)
    assert sr == 22050
    assert y.size == 2 * 22050
    assert _dominant_hz(y, sr) == pytest.approx(1000.0, abs=2.0)
    # A proper resampler: no aliasing of a 15 kHz tone into the 11 kHz band.
    path = _write(tmp_path / "hi.wav", sine(15000.0, 1.0, 48000), 48000, "WAV", "FLOAT")
    y, _ = load_audio(path, sr=22050)
    assert np.sqrt(np.mean(y[2000:-2000] ** 2)) < 1e-3


def test_iter_blocks_concatenate_to_load_audio(tmp_path):
    sr = 44100
    path = _write(tmp_path / "b.flac", sine(220.0, 3.0, sr, channels=2), sr, "FLAC", "PCM_16")
    whole, _ = load_audio(path, mono=False)
    blocks = list(iter_blocks(path, block_frames=10000, mono=False))
    assert all(b.shape[0] == 2 and b.shape[1] <= 10000 for b in blocks)
    assert np.array_equal(np.concatenate(blocks, axis=1), whole)
    # Streaming resampling equals the one-shot resample (same soxr filter) up to rounding at block joins.
    one_shot, _ = load_audio(path, sr=16000)
    streamed = np.concatenate(list(iter_blocks(path, block_frames=7777, sr=16000)))
    assert abs(streamed.size - one_shot.size) <= 2
    n = min(streamed.size, one_shot.size)
    assert np.max(np.abs(streamed[:n] - one_shot[:n])) < 1e-3


def test_audio_info_reads_the_header_only(tmp_path, monkeypatch):
    path = _write(tmp_path / "i.ogg", sine(440.0, 3.0, 32000, channels=2), 32000, "OGG", "VORBIS")

    def no_decoding(*args, **kwargs):
        raise AssertionError("audio_info must not decode samples")

    monkeypatch.setattr(decoders.Source, "blocks", no_decoding)
    info = audio_info(path)
    assert (info.sr, info.channels, info.frames) == (32000, 2, 96000)
    assert info.format == "OGG"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.ogg", b"", "empty"),
    ("garbage.mp3", b"\x00\x01not audio at all" * 100, "cannot decode"),
    ("text.wav", b"RIFF....WAVEfmt nonsense", "cannot decode"),
])
def test_bad_files_raise_one_line_audio_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message) as err:
        load_audio(path)
    assert "\n" not in str(err.value)
    with pytest.raises(AudioError):
        audio_info(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        load_audio(tmp_path / "nope.ogg")
    with pytest.raises(AudioError, match="folder"):
        load_audio(tmp_path)


def test_truncated_ogg_is_an_error(tmp_path):
    path = _write(tmp_path / "t.ogg", sine(440.0, 3.0, 44100), 44100, "OGG", "VORBIS")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(AudioError, match="no samples"):
        load_audio(path)


@pytest.mark.parametrize(("ext", "fmt", "subtype"), [("mp3", "MP3", "MPEG_LAYER_III"), ("flac", "FLAC", "PCM_16"),
                                                       ("wav", "WAV", "PCM_16")])
def test_truncated_file_returns_its_start(tmp_path, ext, fmt, subtype):
    sr = 44100
    full = sine(440.0, 4.0, sr)
    path = _write(tmp_path / f"t.{ext}", full, sr, fmt, subtype)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y, got = load_audio(path)
    # Every format warns; a WAV by comparing its data chunk's size with the bytes present (audio/wav.py), as
    # libsndfile silently shortens a WAV whose data chunk runs past the file end.
    assert any(issubclass(w.category, AudioWarning) for w in caught)
    assert got == sr
    assert sr // 2 < y.size < 3 * sr
    n = min(y.size, full.size) - sr // 4
    assert np.corrcoef(y[sr // 8:n], full[sr // 8:n])[0, 1] > 0.99


def test_a_warning_callback_gets_the_damage_instead_of_a_warning(tmp_path):
    """What the editor's decode thread passes: the message reaches the callback, no AudioWarning is raised."""
    sr = 44100
    path = _write(tmp_path / "t.flac", sine(440.0, 4.0, sr), sr, "FLAC", "PCM_16")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    found: list[tuple[str, float]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y, _ = load_audio(path, on_warning=lambda message, short_s: found.append((message, short_s)))
    assert not [w for w in caught if issubclass(w.category, AudioWarning)]
    assert len(found) == 1
    assert "t.flac" in found[0][0]
    assert "\n" not in found[0][0]
    assert sr // 2 < y.size < 3 * sr
    assert found[0][1] == pytest.approx(4.0 - y.size / sr, abs=1e-6)  # what the header promised, less what decoded


def _id3v2_tag(payload_bytes: int) -> bytes:
    size = payload_bytes
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + b"\x00" * payload_bytes


def test_id3v2_tags_are_skipped_when_libsndfile_fails_on_them(tmp_path):
    sr = 44100
    plain = _write(tmp_path / "plain.mp3", sine(330.0, 3.0, sr), sr, "MP3", "MPEG_LAYER_III")
    tagged = tmp_path / "tagged.mp3"
    tagged.write_bytes(_id3v2_tag(3000) + plain.read_bytes())
    with open(tagged, "rb") as fh:
        assert mp3.id3v2_end(fh) == 3010
    expected, _ = load_audio(plain)
    # Simulate libsndfile failing mid-stream on the tagged file (as it does on one mp3 of the song set):
    src = decoders.Source(tagged)
    try:
        first = next(src._raw_blocks(8192))
        assert src._resume_after_tags(first.shape[1])
        rest = np.concatenate([b for b in src._raw_blocks(8192)], axis=1)
    finally:
        src.close()
    resumed = np.concatenate([first, rest], axis=1).mean(axis=0)
    assert resumed.size == expected.size
    assert np.allclose(resumed, expected, atol=1e-6)


def test_audioread_fallback_when_libsndfile_cannot_open(tmp_path, monkeypatch):
    sr = 16000
    path = _write(tmp_path / "f.wav", sine(500.0, 1.0, sr, channels=2), sr, "WAV", "PCM_16")
    direct, _ = load_audio(path, mono=False)

    class Refuses:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("Format not recognised.")

    monkeypatch.setattr(sf, "SoundFile", Refuses)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # audioread imports deprecated stdlib modules
        via_audioread, got = load_audio(path, mono=False)
        assert audio_info(path).format == "audioread"
    assert got == sr
    assert via_audioread.shape == direct.shape
    assert np.allclose(via_audioread, direct, atol=1 / 32768 + 1e-7)


def test_digest_changes_with_content(tmp_path):
    a = tmp_path / "a.bin"
    a.write_bytes(b"x" * 3_000_000)
    first = audio_digest(a, chunk_bytes=1 << 16)
    assert first == audio_digest(a)
    assert len(first) == 32
    a.write_bytes(b"x" * 2_999_999 + b"y")
    assert audio_digest(a) != first
    with pytest.raises(AudioError):
        audio_digest(tmp_path / "missing")


def test_offset_file_reads_like_a_file(tmp_path):
    p = tmp_path / "o.bin"
    p.write_bytes(b"HEADER" + bytes(range(100)))
    f = mp3.OffsetFile(p, 6)
    try:
        assert f.read(3) == bytes([0, 1, 2])
        assert f.tell() == 3
        f.seek(-2, io.SEEK_END)
        assert f.read() == bytes([98, 99])
        f.seek(10)
        assert f.read(1) == bytes([10])
    finally:
        f.close()
