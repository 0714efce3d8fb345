"""The length of a decoded file is the length of its audio, whatever its header says or lacks: VBR mp3s without a
Xing/VBRI header (counted from their frame headers), cut WAVs (their data chunk says more than is there), and a
clear error for M4A/AAC when no decoder for it is installed."""

from __future__ import annotations

import struct
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio import decoders
from audio.decode import AudioError, AudioWarning, audio_info, decoded_info, load_audio
from chart.mp3_header import _sync, frame_header, vbr_samples_without_header

SR = 44100


def _vbr_mp3(path: Path, loud_first: bool, seconds: float = 8.0, xing: bool = False) -> Path:
    """A VBR mp3 written by libsndfile (LAME), with its first frame, the Xing/LAME header, cut out unless
    ``xing``: loud noise for the first second and a quiet tone after it, or a silent second and noise after it."""
    n = int(seconds * SR)
    rng = np.random.default_rng(0)
    x = np.repeat((0.02 * np.sin(2 * np.pi * 220 * np.arange(n) / SR))[:, None], 2, axis=1).astype(np.float32)
    loud = slice(0, SR) if loud_first else slice(SR, n)
    x[loud] = (0.5 * rng.standard_normal((x[loud].shape[0], 2))).astype(np.float32)
    if not loud_first:
        x[:SR] = 0.0  # digital silence: the smallest frames
    sf.write(str(path), x, SR, format="MP3", subtype="MPEG_LAYER_III", bitrate_mode="VARIABLE")
    if not xing:
        data = path.read_bytes()
        i = _sync(data, 0, None, len(data))
        head = frame_header(data, i)
        assert head is not None
        assert data.find(b"Xing", i, i + 64) >= 0
        path.write_bytes(data[:i] + data[i + head[0]:])
    return path


def _decode(path: Path) -> tuple[np.ndarray, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y, sr = load_audio(path)
    assert sr == SR
    return y, [str(w.message) for w in caught if issubclass(w.category, AudioWarning)]


def test_vbr_mp3_without_xing_header_decodes_whole(tmp_path):
    # loud first frames: libsndfile's guess from the file size is a fraction of the song, and it stopped there
    path = _vbr_mp3(tmp_path / "loud_first.mp3", loud_first=True)
    assert sf.info(str(path)).frames < 4 * SR  # what libsndfile alone guesses
    y, warned = _decode(path)
    assert not warned
    assert 8 * SR <= y.size < 8 * SR + 3 * 1152
    assert np.abs(y[-SR:]).max() > 0.01  # the quiet tone at the end is there
    assert audio_info(path).frames == y.size == vbr_samples_without_header(path)


def test_complete_vbr_mp3_without_xing_header_with_a_quiet_intro_is_not_called_truncated(tmp_path):
    # quiet first frames: the guess is far too long, and the complete file "ended early"
    path = _vbr_mp3(tmp_path / "quiet_first.mp3", loud_first=False)
    assert sf.info(str(path)).frames > 16 * SR
    y, warned = _decode(path)
    assert not warned
    assert 8 * SR <= y.size < 8 * SR + 3 * 1152
    assert audio_info(path).frames == y.size


def test_cbr_and_xing_mp3s_keep_libsndfile_length(tmp_path):
    cbr = tmp_path / "cbr.mp3"
    sf.write(str(cbr), np.zeros(3 * SR, np.float32) + 0.1, SR, format="MP3", subtype="MPEG_LAYER_III")
    xing = _vbr_mp3(tmp_path / "xing.mp3", loud_first=True, seconds=4.0, xing=True)
    for path in (cbr, xing):
        assert vbr_samples_without_header(path) is None
        with decoders.opened(path) as src:
            assert src.frames == sf.info(str(path)).frames


def test_frame_count_of_a_5_mb_mp3_is_fast(tmp_path):
    one = _vbr_mp3(tmp_path / "one.mp3", loud_first=True, seconds=4.0).read_bytes()
    big = tmp_path / "big.mp3"
    big.write_bytes(one * (5_000_000 // len(one) + 1))  # ~5 MB of frames (repeated; every frame is whole)
    started = time.perf_counter()
    assert vbr_samples_without_header(big)
    assert time.perf_counter() - started < 1.0  # ~0.1 s measured on a 2-core CI machine


def test_cut_wav_warns_with_the_length_its_data_chunk_declares(tmp_path):
    path = tmp_path / "cut.wav"
    sf.write(str(path), (0.3 * np.sin(np.arange(4 * SR) / 10)).astype(np.float32), SR, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    found: list[tuple[str, float]] = []
    y, _ = load_audio(path, on_warning=lambda message, short_s: found.append((message, short_s)))
    assert abs(y.size - 2 * SR) < SR // 100
    assert len(found) == 1
    assert "truncated" in found[0][0]
    assert "cut.wav" in found[0][0]
    assert found[0][1] == pytest.approx(2.0, abs=0.02)
    assert audio_info(path).frames == pytest.approx(4 * SR, abs=SR // 100)  # the header's length
    assert decoded_info(path, on_warning=lambda *_: None).frames == y.size  # what decodes


@pytest.mark.parametrize("placeholder", [0xFFFFFFFF, 0x7FFFF000])
def test_wav_with_a_streaming_placeholder_size_does_not_warn(tmp_path, placeholder):
    path = tmp_path / "piped.wav"
    sf.write(str(path), np.zeros(SR, np.float32) + 0.1, SR, subtype="PCM_16")
    raw = bytearray(path.read_bytes())
    at = raw.find(b"data")
    raw[at + 4:at + 8] = struct.pack("<I", placeholder)
    path.write_bytes(bytes(raw))
    y, warned = _decode(path)
    assert not warned
    assert y.size == SR


class _FakeFfmpeg:
    def __init__(self, *_args, **_kwargs) -> None:
        import audioread

        raise audioread.DecodeError("not audio")


@pytest.fixture
def m4a(tmp_path):
    path = tmp_path / "song.m4a"
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isomiso2" + b"\x00" * 2000)
    return path


def _audioread():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # audioread imports aifc/audioop/sunau
        import audioread
        from audioread import rawread
    return audioread, rawread


def test_m4a_without_ffmpeg_says_no_decoder_is_installed(m4a, monkeypatch):
    audioread, rawread = _audioread()

    monkeypatch.setattr(audioread, "available_backends", lambda flush_cache=False: [rawread.RawAudioFile])
    with pytest.raises(AudioError, match=r"^cannot decode audio song\.m4a: no decoder for M4A/AAC is installed "
                                         r"\(install ffmpeg"):
        load_audio(m4a)


def test_m4a_that_ffmpeg_cannot_read_blames_the_file(m4a, monkeypatch):
    audioread, rawread = _audioread()

    monkeypatch.setattr(audioread, "available_backends", lambda flush_cache=False: [rawread.RawAudioFile,
                                                                                    _FakeFfmpeg])
    with pytest.raises(AudioError, match="not a readable audio file"):
        load_audio(m4a)
