"""Tempo: the song states no tempo (a StepMania file without ``#BPMS``), so it plays on an invented 60 BPM grid.

The readers fill in 60 BPM, as StepMania does (:mod:`chart.stated_tempo`): the song opens and plays, but its beat
lines, snaps and any AI draft sit on beats that have nothing to do with the music. A WARNING with the song's
findings (``CheckContext.song_level``), once the song has something to time: music or notes. Setting the tempo
(Timing > Detect Tempo, Tap Tempo, the Timing panel; ``main.py tempo AUDIO`` prints candidates) clears it.

A .ssc chart with its own timing (an ``#OFFSET`` of its own) takes the song's invented tempo too, and keeps it when
the song's tempo is set afterwards: the warning then names that chart, and says that a .ssc save writes the 60 BPM
out as its ``#BPMS`` (an empty one would play on the song's tempo), stated from then on.
"""

from __future__ import annotations

from collections.abc import Iterator

from chart.checks.base import CheckContext, CheckMeta, Issue, Severity
from chart.stated_tempo import is_invented, states_tempo


class CheckTempo:
    meta = CheckMeta("tempo", "Timing", "The song states no tempo (#BPMS): it reads at an invented 60 BPM")

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        song = ctx.song
        if not ctx.song_level or states_tempo(song):
            return
        if not song.music and not any(c.notes for c in song.charts):
            return
        if not is_invented(song, song.timing):  # the song's tempo is set; a chart's own timing still invented
            charts = [c for c in song.charts if c.timing is not None and is_invented(song, c.timing)]
            assert charts[0].timing is not None
            bpm = float(charts[0].timing.bpms[0][1])
            names = ", ".join(c.chart_id() for c in charts[:3]) + (f" and {len(charts) - 3} more" if len(charts) > 3
                                                                   else "")
            yield Issue(Severity.WARNING, f"the own timing of {names} (no #BPMS of its own) reads at an invented "
                                          f"{bpm:g} BPM, a grid the music does not follow; a .ssc save writes it out "
                                          f"as #BPMS:0.000={bpm:.3f}, stated from then on; set it on that chart with "
                                          "Timing > Detect Tempo or the Timing panel")
            return
        bpm = float(song.timing.bpms[0][1])
        yield Issue(Severity.WARNING, f"the song states no tempo (#BPMS): it reads at {bpm:g} BPM, a grid the music "
                                      "does not follow; set it with Timing > Detect Tempo (main.py tempo AUDIO "
                                      "prints candidates)")
