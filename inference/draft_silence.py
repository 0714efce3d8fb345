"""Where a song falls silent, and draft holds that end before it (pure numpy; the drafter's lane step uses it).

The lane model picks a hold's length from its length head alone, and the decoder cut a hold only at the next row
in its lane or the end of the drafted range, so a draft's last hold could run on through the song's silent tail:
34 of 4,528 draft holds in 9 of 20 songs lay over audio more than 30 dB below the song's median level, against
0 of the 5,323 holds of the songs' own charts (session 20 audit). Here the level is the RMS of the samples the
drafter decoded anyway (:attr:`inference.draft_types.SongAnalysis.samples`), in 10 ms frames; a *silence* is a
run of frames more than :data:`SILENCE_DB` below the song's median frame level that lasts at least
:data:`SILENCE_BEATS` beats of the chart's timing. A hold running into a silence ends on the sixteenth grid
before it (:func:`inference.lane_features.cut_hold_length`), or becomes a tap; a hold whose head is in a silence
is a tap. Without samples (an analysis that kept none) nothing is cut.

A silence that runs to the end of the audio is the song's *tail* (:func:`tail_silence`): the music is over, and a
draft puts no row there (:func:`inference.draft_audio.beat_window`). A whole-song draft's threshold kept it out
anyway, but a short range's density target sank the threshold to its floor and took the model's faint bump at the
end of its input: rows 16-40 ms before or after the audio's end (a regenerated last phrase of the demo song).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from chart.notes import Note, NoteKind
from chart.timing import TimingData
from inference.lane_features import cut_hold_length

SILENCE_DB = 30.0  # frames this far below the song's median level are silent
SILENCE_BEATS = Fraction(1)  # ... in runs at least this long
FRAMES_PER_S = 100  # level frames (10 ms)
HEAD_S = 0.05  # a head with this much silence after it starts in the silence
_CHUNK_FRAMES = 8192  # level frames per float64 block

Span = tuple[Fraction, Fraction]  # a silence's first and last beat


def _hop(sample_rate: int) -> int:
    return max(1, int(round(sample_rate / FRAMES_PER_S)))


def frame_levels(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """RMS level in dB of each frame (:data:`FRAMES_PER_S`) of ``samples`` (mono), float64 [N]."""
    hop = _hop(sample_rate)
    n = len(samples) // hop
    if n == 0:
        return np.zeros(0)
    frames = np.asarray(samples[: n * hop]).reshape(n, hop)
    power = np.empty(n)
    for lo in range(0, n, _CHUNK_FRAMES):  # float64 a chunk at a time: the whole song was 2 x 635 MB for an hour
        x = frames[lo:lo + _CHUNK_FRAMES].astype(np.float64)
        power[lo:lo + len(x)] = np.mean(x * x, axis=1)
    return 10.0 * np.log10(power + 1e-20)


def silences(samples: np.ndarray | None, sample_rate: int, timing: TimingData) -> list[Span]:
    """The song's silences as beat spans (see the module docstring), in order; none without samples."""
    if samples is None or not sample_rate:
        return []
    level, hop = frame_levels(samples, sample_rate), _hop(sample_rate)
    if level.size == 0:
        return []
    quiet = np.concatenate([[False], level < np.median(level) - SILENCE_DB, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    out = []
    for a, b in zip(edges[::2], edges[1::2]):  # frames [a, b) are silent
        span = (timing.seconds_to_beat(Fraction(int(a) * hop, sample_rate)),
                timing.seconds_to_beat(Fraction(int(b) * hop, sample_rate)))
        if span[1] - span[0] >= SILENCE_BEATS:
            out.append(span)
    return out


def tail_silence(spans: Sequence[Span], samples: np.ndarray | None, sample_rate: int,
                 timing: TimingData) -> Fraction | None:
    """The beat where the song's last silence starts when it runs to the end of ``samples`` (``spans`` from
    :func:`silences` of them); None when the song sounds to its end, or without samples."""
    if not spans or samples is None or not sample_rate:
        return None
    hop = _hop(sample_rate)
    last_frame_end = timing.seconds_to_beat(Fraction(len(samples) // hop * hop, sample_rate))
    lo, hi = spans[-1]
    return lo if hi == last_frame_end else None


def quiet_holds(notes: list[Note], spans: Sequence[Span], timing: TimingData) -> list[Note]:
    """``notes`` with every hold or roll that runs into a silence (``spans``, from :func:`silences`) ended on the
    sixteenth grid before it, or made a tap (so is one whose head is in a silence)."""
    if not spans:
        return notes
    head_beats = Fraction(HEAD_S)
    out = []
    for n in notes:
        if n.kind.has_length:
            head_end = timing.seconds_to_beat(timing.beat_to_seconds(n.beat) + head_beats)
            for lo, hi in spans:
                if lo <= n.beat and head_end <= hi:  # the head itself is in the silence
                    n = n.replace(kind=NoteKind.TAP, length=Fraction(0))
                    break
                if n.beat < lo < n.end_beat:
                    length = cut_hold_length(n.beat, lo)
                    n = n.replace(length=length) if length else n.replace(kind=NoteKind.TAP, length=Fraction(0))
                    break
        out.append(n)
    return out
