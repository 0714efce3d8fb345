"""Notes before 0 s or after the end of the audio.

Before 0 s is a WARNING, whatever the note: the games play it. StepMania's ``ScreenGameplay::StartPlayingSong``
starts the music late enough that its first note comes at least ``MinSecondsToStep`` after gameplay starts (the
music's start second is ``-(fMinTimeToNotes - firstSecond)``: silence first when the first note is early); osu!
starts gameplay 2 s before the first hit object (``DrawableRuleset.GameplayStartTime``, before the audio's 0 when
that object is early, earlier still with ``AudioLeadIn``); this editor's test play plays silence first too. What is
left worth a look is the timing: a note in the silence before the song is usually an offset slip. A note before
beat 0, which .sm/.ssc cannot hold, is the ``representable`` check's PROBLEM for those targets.

After the end: a step after the last sample is a PROBLEM (the music is over; the audio is usually cut short or the
timing off), a mine or fake there a WARNING. A hold or roll whose head is judged within the audio and whose tail
runs past its end is a WARNING: StepMania plays on past the music (``StartPlayingSong`` plays it with
``RageSoundParams::M_CONTINUE``, silence after its end), so the hold is played, only in silence at its end; a few
ms over is common in published charts (hodobox's "Vojtech" ends a hold 6 ms after its audio).

One issue per row and kind: the arrows of a jump or hand that are out of range together are one line naming their
lanes (``taps at beat 140 (lanes 1, 2) are ...``), its notes all selected by a click.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.notes import Note

TOLERANCE_S = 0.001  # offsets are written to the millisecond: a note within 1 ms of either end still plays
NEAR_S = 0.01  # far above the error of float times (nanoseconds), far below a hold's length


#: one note's finding before it is merged with the row's others: (note, severity, verbs (one note, several), rest)
Finding = tuple[Note, Severity, tuple[str, str], str]


class CheckAudioRange:
    meta = CheckMeta("audio-range", "Audio", "Notes before the audio starts or after it ends")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        return per_row(self._found(ctx))

    def _found(self, ctx: CheckContext) -> Iterator[Finding]:
        times = ctx.note_times_s
        for early in np.flatnonzero(times < -TOLERANCE_S):
            yield self.early(ctx.notes[early], float(times[early]))
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
                yield self.late(n, float(times[i]), last_s, ctx.audio_length_s)

    @staticmethod
    def early(note: Note, head_s: float) -> Finding:
        """The finding of ``note``, judged at ``head_s`` < 0 (module docstring: games add a lead-in)."""
        return (note, Severity.WARNING, ("is", "are"), f"{-head_s:.3f} s before the audio starts (games play "
                "silence first; check the offset)")

    @staticmethod
    def late(note: Note, head_s: float, last_s: float, audio_s: float) -> Finding:
        """The finding of ``note`` (head at ``head_s``, over at ``last_s``) when it ends after ``audio_s``: how far its
        head is past the end when the head is, else how far its tail runs over (a WARNING: module docstring)."""
        if head_s > audio_s + TOLERANCE_S:
            severity = Severity.PROBLEM if note.kind.is_onset else Severity.WARNING
            return note, severity, ("is", "are"), f"{head_s - audio_s:.3f} s after the audio ends ({audio_s:.3f} s)"
        over = f"{last_s - audio_s:.3f} s after the audio ends ({audio_s:.3f} s)"
        return note, Severity.WARNING, ("ends", "end"), over


def per_row(found: Iterable[Finding]) -> Iterator[Issue]:
    """One issue for the notes of a row (one beat) of one kind with the same finding, naming their lanes, in the
    order of each row's first note."""
    rows: dict[tuple, list[Note]] = {}
    for note, severity, verbs, rest in found:
        rows.setdefault((note.beat, note.kind, severity, verbs, rest), []).append(note)
    for (_beat, _kind, severity, verbs, rest), notes in rows.items():
        yield _issue(severity, sorted(notes, key=lambda n: n.lane), verbs, rest)


def _issue(severity: Severity, notes: Sequence[Note], verbs: tuple[str, str], rest: str) -> Issue:
    first, many = notes[0], len(notes) > 1
    lanes = ", ".join(str(n.lane + 1) for n in notes)
    return Issue(severity, f"{first.kind.value}{'s' * many} at beat {describe_beat(first.beat)} "
                 f"(lane{'s' * many} {lanes}) {verbs[many]} {rest}", first.beat, tuple(notes))
