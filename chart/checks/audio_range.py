"""Notes before 0 s or after the end of the audio: they cannot be played (or, for mines and fakes, seen)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat

TOLERANCE_S = 0.001  # offsets are written to the millisecond: a note within 1 ms of either end still plays
NEAR_S = 0.01  # far above the error of float times (nanoseconds), far below a hold's length


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
        # A hold's end is judged on its exact time, one Fraction computation each (seconds on big charts); the
        # float time is off by far less than NEAR_S, so it rules out every end not near or past the audio's end
        assert ctx.timing is not None
        holds = [i for i, n in enumerate(ctx.notes) if n.kind.has_length]
        ends = ctx.scaled.ends
        rough = ctx.timing.beats_to_seconds_array([ends[i] / ctx.scaled.scale for i in holds]).tolist()
        rough_end = dict(zip(holds, rough, strict=True))
        for i, n in enumerate(ctx.notes):
            if times[i] < -TOLERANCE_S:
                continue
            if n.kind.has_length:
                if rough_end[i] < end_s - NEAR_S:
                    continue  # ends well within the audio
                last_s = ctx.seconds(n.end_beat)
            else:
                last_s = float(times[i])
            if last_s > end_s:
                what = "ends" if n.kind.has_length and times[i] <= end_s else "is"
                yield Issue(self._severity(n), f"{n.kind.value} at beat {describe_beat(n.beat)} {what} "
                            f"{last_s - ctx.audio_length_s:.3f} s after the audio ends "
                            f"({ctx.audio_length_s:.3f} s)", n.beat, (n,))

    @staticmethod
    def _severity(note) -> Severity:
        return Severity.PROBLEM if note.kind.is_onset else Severity.WARNING
