"""MP3 specifics of the decoder: ID3v2 tags to skip (:func:`chart.mp3_header.id3v2_end`, shared with Verify's
``mp3-delay``), frame-aligned read sizes for libsndfile, and a view that lets libsndfile read a VBR mp3 without a
length header to its end (:class:`LongView`)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from chart.mp3_header import id3v2_end, vbr_samples_without_header

__all__ = ["LongView", "OffsetFile", "id3v2_end", "layout", "read_sizes", "vbr_samples_without_header"]


class OffsetFile(io.RawIOBase):
    """Read-only view of a file from byte ``start`` on (so libsndfile never sees a tag it chokes on)."""

    def __init__(self, path: Path, start: int) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 - owned and closed by this object
        self._start = start
        self._fh.seek(start)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        return self._fh.readinto(buffer)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            offset += self._start
        return self._fh.seek(offset, whence) - self._start

    def tell(self) -> int:
        return self._fh.tell() - self._start

    def close(self) -> None:
        self._fh.close()
        super().close()


class LongView(OffsetFile):
    """:class:`OffsetFile` that claims to be ``factor`` times longer than it is (the last 128 bytes, where an
    ID3v1 tag may be, are also shown at the claimed end); reads between the real and the claimed end find the
    end of the file.

    libsndfile (mpg123) guesses the length of an mp3 without a Xing/VBRI header from the file's size and the
    first frame's bitrate, and stops reading at that guess: a VBR file whose first frames are loud decodes cut
    short. The guess scales with the size the file claims, and no bitrate is more than 40 times another, so
    through this view the guess is never short and reading stops where the frames really end.
    """

    def __init__(self, path: Path, start: int, factor: int = 64) -> None:
        super().__init__(path, start)
        self._size = self._fh.seek(0, io.SEEK_END) - start
        self._claimed = self._size * factor
        self._pos = 0

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        tail = min(self._size, 128)
        if self._pos < self._size:
            at, room = self._pos, self._size - self._pos
        elif self._claimed - tail <= self._pos < self._claimed:
            at, room = self._pos - (self._claimed - self._size), self._claimed - self._pos
        else:
            return 0
        self._fh.seek(self._start + at)
        got = self._fh.readinto(view[:min(len(view), room)]) or 0
        self._pos += got
        return got

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._claimed}[whence]
        self._pos = max(base + offset, 0)
        return self._pos

    def tell(self) -> int:
        return self._pos


def read_sizes(path: Path, block_frames: int, position: int = 0) -> Iterator[int]:
    """Read sizes that end every read on an mp3 frame boundary of the decoder's output.

    libsndfile 1.2.2 (mpg123) returns wrong samples for up to ~3 mp3 frames after a read that ends inside a
    frame, on some VBR stereo files (reproduced with files libsndfile itself writes; the test suite has one).
    Output frame boundaries sit at multiples of the frame size after the gapless skip (LAME encoder delay
    + 529 decoder samples), so the first read is shortened to reach the first boundary.
    """
    spf, skip = layout(path)
    first = (-(skip + position)) % spf  # ``position``: output frame the next read starts at
    if first:
        yield first
    while True:
        yield max(spf, block_frames // spf * spf)


def layout(path: Path) -> tuple[int, int]:
    """(samples per frame, samples mpg123 skips at the start) from the first frame's Xing/LAME header."""
    try:
        with open(path, "rb") as fh:
            start = id3v2_end(fh)
            fh.seek(start)
            head = fh.read(8192)
    except OSError:
        return 1152, 0
    sync = next((i for i in range(len(head) - 4) if head[i] == 0xFF and head[i + 1] & 0xE0 == 0xE0), None)
    if sync is None:
        return 1152, 0
    mpeg1 = (head[sync + 1] >> 3) & 3 == 3
    spf = 1152 if mpeg1 else 576
    tag = max(head.find(b"Xing", sync, sync + 64), head.find(b"Info", sync, sync + 64))
    lame = tag + 120
    if tag < 0 or head[lame:lame + 4] not in (b"LAME", b"Lavc", b"Lavf", b"GOGO", b"L3.9"):
        return spf, 0
    delay = (head[lame + 21] << 4) | (head[lame + 22] >> 4)
    return spf, delay + 529  # mpg123's gapless skip: encoder delay plus the decoder's own delay
