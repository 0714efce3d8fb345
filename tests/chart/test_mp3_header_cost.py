"""chart.mp3_header.vbr_samples_without_header on every MP3 open: a constant-bitrate file is told from a few sampled
frames (every frame header was walked in Python, the whole file read: 2.8 s and 290 MB for an hour), and a
count is not redone for the same unchanged file. Synthetic frames (headers and zero payloads; nothing decodes)."""

from __future__ import annotations

import os

import pytest

from chart import mp3_header

# MPEG-1 layer III, 44.1 kHz, stereo, no padding: 128 kbps (index 9) 417 bytes, 160 kbps (index 10) 522 bytes
_HEADS = {9: (b"\xff\xfb\x90\x00", 417), 10: (b"\xff\xfb\xa0\x00", 522)}


def _frames(indexes) -> bytes:
    return b"".join(_HEADS[k][0] + bytes(_HEADS[k][1] - 4) for k in indexes)


@pytest.fixture
def calls(monkeypatch):
    mp3_header._counted.cache_clear()
    seen = {"frame_header": 0}
    real = mp3_header.frame_header

    def counting(data, i):
        seen["frame_header"] += 1
        return real(data, i)

    monkeypatch.setattr(mp3_header, "frame_header", counting)
    yield seen
    mp3_header._counted.cache_clear()


def test_a_short_stretch_at_another_bitrate_is_counted(tmp_path, calls):
    """A reviewer's joined file: 100 frames at another bitrate between two of the places a constant-bitrate check
    sampled (1530ae8 called it constant and the song ended 1.5 s early): every frame is walked."""
    path = tmp_path / "joined.mp3"
    frames = [9] * 20_000
    frames[2_000:2_100] = [10] * 100
    path.write_bytes(_frames(frames))
    assert mp3_header.vbr_samples_without_header(path) == 20_000 * 1152


def test_a_vbr_file_is_still_counted_exactly(tmp_path, calls):
    path = tmp_path / "vbr.mp3"
    # the same bitrate for the first 200 frames and at most sampled places: one stretch of 160 kbps in the middle
    frames = [9] * 10_000
    frames[5_000:5_400] = [10] * 400
    path.write_bytes(_frames(frames))
    assert mp3_header.vbr_samples_without_header(path) == 10_000 * 1152
    mixed = tmp_path / "mixed.mp3"
    mixed.write_bytes(_frames([9, 10] * 3_000) + b"TAG" + bytes(125))
    assert mp3_header.vbr_samples_without_header(mixed) == 6_000 * 1152


def test_the_count_is_kept_for_the_same_unchanged_file(tmp_path, calls):
    path = tmp_path / "vbr.mp3"
    path.write_bytes(_frames([9, 10] * 2_000))
    assert mp3_header.vbr_samples_without_header(path) == 4_000 * 1152
    first = calls["frame_header"]
    assert first >= 4_000
    assert mp3_header.vbr_samples_without_header(str(path)) == 4_000 * 1152
    assert calls["frame_header"] == first  # not counted again
    path.write_bytes(_frames([9, 10] * 1_000))  # changed: counted again
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert mp3_header.vbr_samples_without_header(path) == 2_000 * 1152
    assert calls["frame_header"] > first


def test_the_file_is_mapped_not_read_whole(tmp_path, monkeypatch):
    mp3_header._counted.cache_clear()
    path = tmp_path / "vbr.mp3"
    path.write_bytes(_frames([9, 10] * 500))
    reads: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, fh):
            self._fh = fh

        def read(self, n=-1):
            reads.append(n)
            return self._fh.read(n)

        def __getattr__(self, name):
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()

    monkeypatch.setattr(mp3_header, "open", lambda *a, **k: Spy(real_open(*a, **k)), raising=False)
    assert mp3_header.vbr_samples_without_header(path) == 1_000 * 1152
    assert reads
    assert all(0 <= n <= 4096 for n in reads)  # the ID3v2 probe only
    mp3_header._counted.cache_clear()
