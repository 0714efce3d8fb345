"""MP3 music with a LAME gapless header: players disagree about when the music starts.

An MP3 starts with the encoder's delay (typically 576 samples) plus the decoder's own 529 samples. LAME records the
delay in a header (the "LAME" extension of the Xing/Info tag in the first frame); gapless decoders, libsndfile's
mpg123 among them and so this editor, drop those samples, while StepMania is reported not to (ArrowVortex issue 213,
which matches StepMania on purpose). A chart synced here to such a file then plays its notes early in StepMania by
the dropped samples, about 25 ms at 44.1 kHz. An MP3 without the header decodes alike everywhere and is not
reported. The fix is to convert the music to Ogg Vorbis, which every player starts at the same sample.

The header is read (:func:`chart.mp3_header.lame_delay`, a few KB at the start of the file), not decoded: ``chart``
stays free of audio libraries.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity
from chart.mp3_header import lame_delay


class CheckMp3Delay:
    meta = CheckMeta("mp3-delay", "Audio", "MP3 music whose start other players decode later (LAME gapless header)")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        path = ctx.song.audio_path()
        if path is None:
            return
        found = lame_delay(path)  # by content: an MP3 named .ogg is decoded (and skipped) as one all the same
        if found is None:
            return
        samples, rate = found
        yield Issue(Severity.INFO, f"{path.name} is an MP3 with a LAME header: this editor skips its first "
                    f"{samples} samples ({1000 * samples / rate:.0f} ms), StepMania is reported to play them, so "
                    "notes may come that much early there; convert the music to Ogg (File > Convert Music to Ogg) for the "
                    "same sync everywhere")
