"""Tempo: the song states no tempo (a StepMania file without ``#BPMS``), so it plays on an invented 60 BPM grid.

The readers fill in 60 BPM, as StepMania does (:mod:`chart.stated_tempo`): the song opens and plays, but its beat
lines, snaps and any AI draft sit on beats that have nothing to do with the music. A WARNING with the song's
findings (``CheckContext.song_level``), once the song has something to time: music or notes. Setting the tempo
(Timing > Detect Tempo, Tap Tempo, the Timing panel; ``main.py tempo AUDIO`` prints candidates) clears it.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity
from chart.stated_tempo import states_tempo


class CheckTempo:
    meta = CheckMeta("tempo", "Timing", "The song states no tempo (#BPMS): it reads at an invented 60 BPM")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        song = ctx.song
        if not ctx.song_level or states_tempo(song):
            return
        if not song.music and not any(c.notes for c in song.charts):
            return
        bpm = float(song.timing.bpms[0][1])
        yield Issue(Severity.WARNING, f"the song states no tempo (#BPMS): it reads at {bpm:g} BPM, a grid the music "
                                      "does not follow; set it with Timing > Detect Tempo (main.py tempo AUDIO "
                                      "prints candidates)")
