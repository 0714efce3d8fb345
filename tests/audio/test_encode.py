"""write_ogg: the editor's decode written as Ogg Vorbis, sample-aligned, atomically."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf

from audio.decode import AudioError, load_audio
from audio.encode import write_ogg

SR = 44100


def _clicks(seconds: float = 3.0) -> np.ndarray:
    x = np.zeros((2, int(seconds * SR)), np.float32)
    for k in range(1, int(seconds)):
        x[:, k * SR:k * SR + 200] = 0.8 * np.sin(np.arange(200) * 0.3)
    return x


def test_ogg_has_every_sample_where_it_was(tmp_path):
    x = _clicks()
    seen: list[float] = []
    out = write_ogg(tmp_path / "song.ogg", x, SR, progress=seen.append)
    assert out == tmp_path / "song.ogg"
    info = sf.info(out)
    assert (info.format, info.subtype, info.channels, info.samplerate, info.frames) == ("OGG", "VORBIS", 2, SR, x.shape[1])
    y, sr = load_audio(out, sr=None, mono=False)
    assert sr == SR
    for k in (1, 2):  # each click decodes back at the same sample (lossy, but not shifted)
        corr = np.correlate(y[0, k * SR - 300:k * SR + 500], x[0, k * SR:k * SR + 200], "valid")
        assert int(np.argmax(corr)) == 300
    assert seen[-1] == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["song.ogg"]  # no temporary left


def test_cancel_and_errors_leave_no_file(tmp_path):
    def stop():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_ogg(tmp_path / "a.ogg", _clicks(), SR, cancel=stop)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(AudioError, match="no audio"):
        write_ogg(tmp_path / "b.ogg", np.zeros((2, 0), np.float32), SR)
    with pytest.raises(AudioError, match="cannot write"):
        write_ogg(tmp_path / "missing" / "c.ogg", _clicks(1.0), SR)
    if os.geteuid() != 0:  # root writes anywhere
        tmp_path.chmod(0o500)
        try:
            with pytest.raises(AudioError, match="cannot write"):
                write_ogg(tmp_path / "d.ogg", _clicks(1.0), SR)
        finally:
            tmp_path.chmod(0o700)
