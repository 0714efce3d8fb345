"""MP3 music with a LAME gapless header: players disagree about when the music starts.

An MP3 starts with the encoder's delay (typically 576 samples) plus the decoder's own 529 samples. LAME records the
delay in a header (the "LAME" extension of the Xing/Info tag in the first frame); gapless decoders, libsndfile's
mpg123 among them and so this editor, drop those samples, while StepMania is reported not to (ArrowVortex issue 213,
which matches StepMania on purpose). A chart synced here to such a file then plays its notes early in StepMania by
the dropped samples, about 25 ms at 44.1 kHz. An MP3 without the header decodes alike everywhere and is not
reported. The fix is to convert the music to Ogg Vorbis, which every player starts at the same sample.

The header is read here (a few KB at the start of the file), not decoded: ``chart`` stays free of audio libraries.
Layout (Xing/LAME tag documentation): after any ID3v2 tag, the first MPEG audio frame; after its 4-byte header
and the side information (32/17 bytes for MPEG-1 stereo/mono, 17/9 for MPEG-2 and 2.5) comes "Xing" or "Info"; the
LAME extension starts 120 bytes after that tag, and its 22nd-24th bytes hold the delay and the padding, 12 bits
each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity

DECODER_DELAY_SAMPLES = 529  # mpg123 and libmad's own delay, dropped with the encoder's by gapless decoders
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by MPEG version id


def lame_delay(path: str | Path) -> tuple[int, int] | None:
    """``(samples a gapless decoder drops at the start, sample rate)`` of an MP3 with a LAME header, else None
    (no header, not an MP3, unreadable)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(10)
            skip = 0
            if head[:3] == b"ID3" and len(head) == 10:  # ID3v2: a 10-byte header and a syncsafe size
                skip = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | head[9] & 0x7F)
                if head[5] & 0x10:
                    skip += 10  # footer
            fh.seek(skip)
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


class CheckMp3Delay:
    meta = CheckMeta("mp3-delay", "Audio", "MP3 music whose start other players decode later (LAME gapless header)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        path = ctx.song.audio_path()
        if path is None or path.suffix.lower() != ".mp3":
            return
        found = lame_delay(path)
        if found is None:
            return
        samples, rate = found
        yield Issue(Severity.INFO, f"{path.name} is an MP3 with a LAME header: this editor skips its first "
                    f"{samples} samples ({1000 * samples / rate:.0f} ms), StepMania is reported to play them, so "
                    "notes may come that much early there; convert the music to Ogg (File > Convert Music to Ogg) for the "
                    "same sync everywhere")
