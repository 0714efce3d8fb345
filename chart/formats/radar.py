"""``#RADARVALUES``: written back only while it still describes the chart, in the layout it was read in.

StepMania computes a chart's radar values itself (``NoteDataUtil::CalculateRadarValues``): stream, voltage, air,
freeze and chaos are counts divided by the length of the *music file* (``Song::m_fMusicLengthSeconds``), followed
in StepMania 5 by counts of taps, jumps, holds, mines, hands, rolls, lifts and fakes, for each player. StepMania 5
recomputes them when it loads a song (its .ssc loader reads the field only from its own cache; its code calls the
.sm field a compatibility field "never actually read"); other tools show the field. A writer here has no music
file to measure, so it cannot compute the values as StepMania does. A field read from a file was written back as
it was even after every note changed (a chart whose notes were all deleted kept ``0.287,0.374,...``), and a .sm
file's 5 values went into a .ssc, whose field holds StepMania 5's full list for each player.

So the readers :func:`remember` each field with a :func:`fingerprint` of the chart read with it, and the writers
write it (:func:`kept`) only to the format it was read from and while the chart still has that fingerprint: an
edit made and undone keeps it, a real change leaves it out. A field no file gave (set by code, read from the JSON
export) is the caller's and is written as it is, unless a file read earlier in the process had the very same field
text with other notes: it is then taken for that one, changed, and left out (the registry knows fields by their
text; StepMania recomputes them on load, so only other tools miss the value). In-process only: fingerprints are Python hashes of immutable
values; at most :data:`MAX_REMEMBERED` fields are remembered, past that the oldest half is forgotten (written as
they are again: only a process reading tens of thousands of charts gets there).
"""

from __future__ import annotations

from chart.formats.display_segments import fake_ranges
from chart.song import Chart
from chart.timing import TimingData

TAG = "RADARVALUES"
#: Fields remembered at most; a training run reading every chart of a data set stays bounded.
MAX_REMEMBERED = 50_000

_read: dict[str, dict[str, set[int]]] = {}  # field value -> {format: fingerprints of the charts read with it}


def fingerprint(chart: Chart, timing: TimingData) -> int:
    """What the radar values are computed from besides the music's length: the notes (kinds, lanes, beats,
    lengths), the mode and lane count, and which beats the timing leaves unjudged (warps, fake segments). Tempo
    and offset are not in it: StepMania counts beats and divides by the music's length (even voltage "pretends
    the beats are evenly spaced"), so a sync fix keeps the field."""
    return hash((chart.mode, chart.lanes, tuple(chart.notes), timing.warps, tuple(fake_ranges(timing))))


def value(chart: Chart) -> str:
    """The chart's ``#RADARVALUES`` field as kept in ``Chart.extra`` ("" without one)."""
    return dict(chart.extra).get(TAG, "")


def remember(fmt: str, chart: Chart, timing: TimingData) -> None:
    """Note that ``chart`` (as it is now, played with ``timing``) was read from a ``fmt`` file with its field."""
    field = value(chart)
    if not field:
        return
    if len(_read) >= MAX_REMEMBERED:
        for old in list(_read)[: MAX_REMEMBERED // 2]:  # dicts keep insertion order: the oldest go
            _read.pop(old, None)
    _read.setdefault(field, {}).setdefault(fmt, set()).add(fingerprint(chart, timing))


def kept(fmt: str, chart: Chart, timing: TimingData) -> str:
    """The field to write to a ``fmt`` file for ``chart``: its own, unless a file gave it and the chart is no
    longer the one read with it, or it was read from the other format ("" then)."""
    field = value(chart)
    read = _read.get(field)
    if not field or read is None:
        return field
    return field if fingerprint(chart, timing) in read.get(fmt, ()) else ""


def forget() -> None:
    """Forget every field read so far, as a fresh process would (tests generating many songs in one process)."""
    _read.clear()


def without_stale(fmt: str, chart: Chart, timing: TimingData, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``extra`` (the chart's tags to write) without ``#RADARVALUES`` when :func:`kept` leaves it out."""
    if not value(chart) or kept(fmt, chart, timing):
        return extra
    return [(name, text) for name, text in extra if name != TAG]
