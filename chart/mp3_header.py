"""MP3 headers read as bytes, without decoding: where the audio starts after ID3v2 tags (the decoder skips them,
``audio.mp3``) and the encoder delay a LAME header records (Verify's ``mp3-delay``). Here, in the lowest layer,
so that both can use one parser.

LAME header layout (Xing/LAME tag documentation): after any ID3v2 tags, the first MPEG audio frame; after its 4-byte
header and the side information (32/17 bytes for MPEG-1 stereo/mono, 17/9 for MPEG-2 and 2.5) comes "Xing" or
"Info"; the LAME extension starts 120 bytes after that tag, and its 22nd-24th bytes hold the delay and the padding,
12 bits each.
"""

from __future__ import annotations

import functools
import io
import mmap
import os
from pathlib import Path


def id3v2_end(fh: io.BufferedReader) -> int:
    """Byte offset after the ID3v2 tags at the start of ``fh`` (0 when there are none)."""
    pos = 0
    while True:
        fh.seek(pos)
        head = fh.read(10)
        if len(head) < 10 or head[:3] != b"ID3" or any(b & 0x80 for b in head[6:10]):
            return pos
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        pos += 10 + size + (10 if head[5] & 0x10 else 0)  # footer flag adds 10 bytes


DECODER_DELAY_SAMPLES = 529  # mpg123 and libmad's own delay, dropped with the encoder's by gapless decoders
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by MPEG version id


def lame_delay(path: str | Path) -> tuple[int, int] | None:
    """``(samples a gapless decoder drops at the start, sample rate)`` of an MP3 with a LAME header, else None
    (no header, not an MP3, unreadable)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(id3v2_end(fh))
            data = fh.read(4096)
    except OSError:
        return None
    i = next((k for k in range(min(len(data) - 4, 2048)) if data[k] == 0xFF and data[k + 1] & 0xE0 == 0xE0), -1)
    if i < 0:
        return None
    version, rate_index, mono = (data[i + 1] >> 3) & 3, (data[i + 2] >> 2) & 3, (data[i + 3] >> 6) == 3
    if version not in _SAMPLE_RATES or rate_index == 3:
        return None
    side = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    tag = i + 4 + side
    if data[tag:tag + 4] not in (b"Xing", b"Info") or data[tag + 120:tag + 124] != b"LAME":
        return None
    b0, b1 = data[tag + 141], data[tag + 142]
    delay = b0 << 4 | b1 >> 4
    return delay + DECODER_DELAY_SAMPLES, _SAMPLE_RATES[version][rate_index]


# Bitrates in kbps by (MPEG-1?, layer); index 0 is "free format" and 15 is invalid (neither is counted).
_BITRATES_KBPS = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}


def frame_header(data: bytes | mmap.mmap, i: int) -> tuple[int, int, int, int] | None:
    """``(frame bytes, samples per frame, bitrate index, stream id)`` of the MPEG audio frame header at
    ``data[i]``, or None where there is none (no sync, reserved or free-format fields). Frames of one stream
    share the stream id (version, layer, sample rate)."""
    if i + 4 > len(data) or data[i] != 0xFF or data[i + 1] & 0xE0 != 0xE0:
        return None
    version, layer_bits, rate_index = (data[i + 1] >> 3) & 3, (data[i + 1] >> 1) & 3, (data[i + 2] >> 2) & 3
    bitrate_index, padding = data[i + 2] >> 4, (data[i + 2] >> 1) & 1
    if version == 1 or layer_bits == 0 or rate_index == 3 or bitrate_index in (0, 15):
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    kbps, sr = _BITRATES_KBPS[(mpeg1, layer)][bitrate_index], _SAMPLE_RATES[version][rate_index]
    if layer == 1:
        return (12000 * kbps // sr + padding) * 4, 384, bitrate_index, data[i + 1] & 0xFE | rate_index << 8
    spf = 1152 if layer == 2 or mpeg1 else 576
    size = (144000 if spf == 1152 else 72000) * kbps // sr + padding
    return size, spf, bitrate_index, data[i + 1] & 0xFE | rate_index << 8


def _sync(data: bytes | mmap.mmap, i: int, stream: int | None, limit: int) -> int:
    """Offset of the next frame header at or after ``i`` (before ``limit``) that is followed by another header
    of its stream (or by the end of the data); -1 if none."""
    while (i := data.find(b"\xff", i, limit)) >= 0:
        head = frame_header(data, i)
        if head is not None and (stream is None or head[3] == stream):
            after = frame_header(data, i + head[0])
            if i + head[0] == len(data) or (after is not None and after[3] == head[3]):
                return i
        i += 1
    return -1


_CACHE_SIZE = 8


def vbr_samples_without_header(path: str | Path) -> int | None:
    """Samples a decoder outputs from an MP3 whose bitrate varies and whose first frame has no Xing, Info or
    VBRI header (so its length can only be known by counting its frames, not guessed from its size), counted
    from its frame headers without decoding; None for any other file (constant bitrate, a length header, not an
    MP3, unreadable). Junk between frames is skipped as decoders resync over it; a last frame cut short is not
    counted.

    The file is mapped, not read (reading a 144 MB file took 290 MB); every frame is walked (under 1 us a frame:
    60,000 frames, 25 MB, in 0.05 s on the 2-core machine), since a stretch at another bitrate between any sampled places
    (an intro joined to a song) would make a constant bitrate look right and the song end early; the answer is kept
    per (path, size, modification time): every open of the song's audio asks again."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _counted(os.fspath(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _counted(path: str, size: int, mtime_ns: int) -> int | None:
    """:func:`vbr_samples_without_header` of the file as it is at (``size``, ``mtime_ns``)."""
    try:
        with open(path, "rb") as fh:
            start = id3v2_end(fh)
            if os.fstat(fh.fileno()).st_size <= start:
                return None
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _count(data, start)
    except (OSError, ValueError):
        return None


def _count(data: mmap.mmap, start: int) -> int | None:
    """:func:`vbr_samples_without_header` over the mapped file, whose audio starts at ``start``."""
    i = _sync(data, start, None, min(len(data), start + (1 << 16)))
    if i < 0:
        return None
    first = frame_header(data, i)
    assert first is not None
    if data.find(b"Xing", i, i + 64) >= 0 or data.find(b"Info", i, i + 64) >= 0 or data[i + 36:i + 40] == b"VBRI":
        return None
    stream, samples, bitrates = first[3], 0, set()
    while i >= 0:
        head = frame_header(data, i)
        if head is None or head[3] != stream:
            if data[i:i + 3] == b"TAG" or data[i:i + 8] == b"APETAGEX":  # tags at the end
                break
            i = _sync(data, i + 1, stream, len(data))
            continue
        if i + head[0] > len(data):
            break
        samples += head[1]
        bitrates.add(head[2])
        i += head[0]
    return samples if len(bitrates) > 1 else None
