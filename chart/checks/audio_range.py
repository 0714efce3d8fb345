"""Notes before 0 s or after the end of the audio: they cannot be played (or, for mines and fakes, seen)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat

TOLERANCE_S = 0.001  # offsets are written to the millisecond: a note within 1 ms of either end still plays


class CheckAudioRange:
    meta = CheckMeta("audio-range", "Audio", "Notes before the audio starts or after it ends")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        times = ctx.note_times_s
        for early in np.flatnonzero(times < -TOLERANCE_S):
            n = ctx.notes[early]
            yield Issue(self._severity(n), f"{n.kind.value} at beat {describe_beat(n.beat)} is "
                        f"{-times[early]:.3f} s before the audio starts", n.beat, (n,))
        if ctx.audio_length_s is None:
            return
        end_s = ctx.audio_length_s + TOLERANCE_S
        for i, n in enumerate(ctx.notes):
            if times[i] < -TOLERANCE_S:
                continue
            last_s = ctx.seconds(n.end_beat) if n.kind.has_length else float(times[i])
            if last_s > end_s:
                what = "ends" if n.kind.has_length and times[i] <= end_s else "is"
                yield Issue(self._severity(n), f"{n.kind.value} at beat {describe_beat(n.beat)} {what} "
                            f"{last_s - ctx.audio_length_s:.3f} s after the audio ends "
                            f"({ctx.audio_length_s:.3f} s)", n.beat, (n,))

    @staticmethod
    def _severity(note) -> Severity:
        return Severity.PROBLEM if note.kind.is_onset else Severity.WARNING
