"""Verify checks: the ``Check`` protocol, ``Issue``, ``Severity`` and the ``CheckContext`` a check reads.

A check is a small object with ``meta`` (id, category, description) and ``run(ctx)`` yielding issues for one chart.
Checks never change the song. Thresholds live as named constants in each check's module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from functools import cached_property
from typing import Protocol, runtime_checkable

import numpy as np

from chart.formats.display_segments import judged_notes
from chart.note_rows import ScaledNotes, scaled
from chart.notes import Note
from chart.song import Chart, Song
from chart.timing import TimingData


class Severity(IntEnum):
    """How bad an issue is. PROBLEM: the chart is broken or will not save as is; WARNING: almost certainly
    unintended; INFO: worth a look."""

    INFO = 0
    WARNING = 1
    PROBLEM = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Issue:
    """One finding.

    Parameters
    ----------
    severity : Severity
    message : str
        One line for a designer.
    beat : Fraction or None
        Where to jump to (None for chart-wide findings).
    notes : tuple of Note
        The notes concerned (for selection in the editor).
    check_id, chart_id : str
        Filled in by :func:`chart.checks.registry.run_checks`.
    """

    severity: Severity
    message: str
    beat: Fraction | None = None
    notes: tuple[Note, ...] = ()
    check_id: str = ""
    chart_id: str = ""


@dataclass(frozen=True)
class CheckMeta:
    """What a check is: a stable ``id`` (used on the command line), a ``category`` and a one-line description."""

    id: str
    category: str
    description: str


@runtime_checkable
class Check(Protocol):
    meta: CheckMeta

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        """Yield the issues found in ``ctx.chart``."""


@dataclass
class CheckContext:
    """What a check may look at.

    Parameters
    ----------
    song, chart : Song, Chart
        The chart under test and its song.
    timing : TimingData, optional
        Defaults to the chart's own timing, else the song's.
    audio_length_s : float, optional
        Length of the audio in seconds, when known.
    target_format : str, optional
        Format name the chart will be saved as ("sm", "ssc", "osu", "json", "osz"), when known.
    song_level : bool, optional
        Whether this run also reports the findings about the song rather than the chart (shared timing, metadata,
        its music file), which every chart of the song shares: a list of all charts shows them once. Default: with
        the song's first chart (:func:`~chart.checks.registry.check_song`); the editor's Verify of one chart sets
        it, so that a PROBLEM that makes Save refuse shows whichever chart is on screen.
    """

    song: Song
    chart: Chart
    timing: TimingData | None = None
    audio_length_s: float | None = None
    target_format: str | None = None
    song_level: bool | None = None

    def __post_init__(self) -> None:
        if self.timing is None:
            self.timing = self.song.timing_for(self.chart)
        if self.song_level is None:
            self.song_level = bool(self.song.charts) and self.song.charts[0] is self.chart

    @property
    def notes(self) -> list[Note]:
        return self.chart.notes

    @cached_property
    def judged(self) -> list[Note]:
        """The notes StepMania judges (:func:`~chart.formats.display_segments.judged_notes`: not inside a warp or a
        fake segment), same order. What a player steps, so every check that counts or measures steps (density,
        jumps, hands, parity) reads these: the notes a warp passes over are the ``unjudged`` check's, and counting
        them made a gimmick chart look twice as dense as the Stats panel says."""
        assert self.timing is not None
        return judged_notes(self.chart.notes, self.timing)

    @cached_property
    def scaled(self) -> ScaledNotes:
        """``chart.notes``' beats and ends as exact ints over one scale (:mod:`chart.note_rows`), shared by the
        checks: comparing them costs nothing next to Fraction arithmetic."""
        return scaled(self.chart.notes)

    @cached_property
    def rows(self) -> list[tuple[int, int]]:
        """``[start, stop)`` index spans of ``chart.notes``' rows (notes of one beat; the notes are sorted)."""
        return self.scaled.rows()

    @cached_property
    def note_times_s(self) -> np.ndarray:
        """Judgement time in seconds of every note of ``chart.notes``, same order; shape ``[n]``."""
        assert self.timing is not None
        beats = np.array([float(n.beat) for n in self.chart.notes], dtype=np.float64)
        return self.timing.beats_to_seconds_array(beats)

    def seconds(self, beat: Fraction) -> float:
        """Exact time of ``beat`` as a float (for messages)."""
        assert self.timing is not None
        return float(self.timing.beat_to_seconds(beat))


def describe_beat(beat: Fraction) -> str:
    """A beat as designers read it: ``12.75`` when short, else the exact fraction (``25/3``)."""
    text = f"{float(beat):.6f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == beat else f"{beat.numerator}/{beat.denominator}"

