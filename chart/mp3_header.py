"""MP3 headers read as bytes, without decoding: where the audio starts after ID3v2 tags (the decoder skips them,
``audio.mp3``) and the encoder delay a LAME header records (Verify's ``mp3-delay``). Here, in the lowest layer,
so that both can use one parser.

LAME header layout (Xing/LAME tag documentation): after any ID3v2 tags, the first MPEG audio frame; after its 4-byte
header and the side information (32/17 bytes for MPEG-1 stereo/mono, 17/9 for MPEG-2 and 2.5) comes "Xing" or
"Info"; the LAME extension starts 120 bytes after that tag, and its 22nd-24th bytes hold the delay and the padding,
12 bits each.
"""

from __future__ import annotations

import io
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
