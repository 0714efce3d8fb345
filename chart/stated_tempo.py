"""Whether a song states its tempo: the one test the command line's ``draft``/``refine``, the editor's Draft,
Regenerate and Refine, and Verify's ``tempo`` check share.

A StepMania file without a (nonzero) ``#BPMS`` reads at 60 BPM, as StepMania's loader does
(:func:`chart.formats.timing_tags.timing_from_tags`): the song opens and plays, but its beats are invented, and an
AI draft snapped to that grid lands off the music. The readers mark each timing whose tempo they filled in
(:func:`mark_invented`: the song's, and a .ssc chart's own timing that takes its tempo from such a song) in
``Song.invented_timings``, by identity: the mark belongs to that :class:`~chart.timing.TimingData` object, not to
its values. Any change of that timing (Timing > Detect Tempo, Tap Tempo, the Timing panel, the BPM and offset
nudges: each sets a new timing) states it, a tempo of exactly 60 BPM included; undoing the change puts the invented
timing back, and with it the mark. The .sm/.ssc writers leave ``#BPMS`` empty for an invented timing (StepMania
reads the same 60 BPM from that; not a .ssc chart's own timing once the song's tempo is set, which an empty one
would put on the song's tempo: its 60 BPM is written out, stated from then on, and Verify's ``tempo`` warning says
so first), and the JSON export (the editor's autosave) notes it, so a saved, converted or
recovered song is still marked. An osu! map without a red line does not read at all; a song made in the editor
(New Song from Audio) has the tempo confirmed in its dialog.
"""

from __future__ import annotations

from chart.song import Song
from chart.timing import TimingData

#: What the editor and the command line say a song without a stated tempo lacks
MISSING = "no tempo (#BPMS)"


def mark_invented(song: Song, timing: TimingData) -> None:
    """Note that ``timing`` (the song's or one of its charts') has a tempo a reader filled in (see module)."""
    if not is_invented(song, timing):
        song.invented_timings = (*song.invented_timings, timing)


def is_invented(song: Song, timing: TimingData | None) -> bool:
    """Whether ``timing`` is one whose tempo a reader filled in (this very object: see module)."""
    return timing is not None and any(t is timing for t in song.invented_timings)


def states_tempo(song: Song) -> bool:
    """Whether ``song``'s tempo was stated (by its file, or set since) rather than invented by a reader: neither
    the song's timing nor a timing one of its charts plays with is invented."""
    if not song.invented_timings:
        return True
    return not any(is_invented(song, t) for t in (song.timing, *(c.timing for c in song.charts)))
