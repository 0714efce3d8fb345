"""The music-wheel preview starts at or after the end of the audio: the game's preview of the song is silent.

A finding about the song (``CheckContext.song_level``), made when the audio's length is known (as the
``audio-range`` check's). The Song panel's box takes any start: the audio may be replaced later.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity


class CheckPreview:
    meta = CheckMeta("preview", "Audio", "The preview starts after the audio ends")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if not ctx.song_level or ctx.audio_length_s is None:
            return
        start = float(ctx.song.sample_start)
        if start >= ctx.audio_length_s:
            yield Issue(Severity.WARNING, f"the preview starts at {start:.3f} s, at or after the end of the audio "
                        f"({ctx.audio_length_s:.3f} s): the music wheel's preview is silent (Song panel)")
