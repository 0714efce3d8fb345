"""osu! hitsounds through the clipboard: copied notes carry their kept sounds, and a paste gives them back.

A copy from a chart that keeps osu! hitsounds (:mod:`chart.formats.osu_hitsounds`) takes each copied note's
sound, keyed by its cell relative to the copy's start (:func:`copied_sounds`). :class:`PasteNotes` pastes as
:class:`chart.commands.ReplaceNotes` does and, in the same undo step, sets those sounds on the pasted notes of an
osu! map (:func:`chart.hitsound_edit.takes_sounds`), as osu!'s editor keeps a pasted hit object's additions and
samples; a StepMania chart gets no osu! data. A paste back into the chart copied from also takes back the *lost*
lines its own sounds left there (a Cut): the sound is on a note again, so Save does not report it dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from chart.commands import ReplaceNotes
from chart.document import ChartRef, Document
from chart.formats.osu_hitsounds import Sound, carries_sounds, kept_sounds, restore_lost, set_sounds
from chart.hitsound_edit import takes_sounds
from chart.notes import Note
from chart.song import Chart

Cell = tuple[Fraction, int]


def copied_sounds(chart: Chart, notes: Iterable[Note], base: Fraction) -> dict[Cell, Sound]:
    """{(beat - base, lane): sound} of the ``notes`` of ``chart`` with a kept sound (none for most charts)."""
    if not carries_sounds(chart.extra):
        return {}
    kept = kept_sounds(chart.extra)
    return {(n.beat - base, n.lane): kept[(n.beat, n.lane)] for n in notes if (n.beat, n.lane) in kept}


def pasted_sounds(sounds: dict[Cell, Sound], new: Iterable[Note], at: Fraction) -> dict[Cell, Sound]:
    """{cell: sound} of the pasted notes ``new`` (the clipboard's ``sounds`` pasted at beat ``at``)."""
    if not sounds:
        return {}
    return {(n.beat, n.lane): sounds[(n.beat - at, n.lane)] for n in new if (n.beat - at, n.lane) in sounds}


class PasteNotes(ReplaceNotes):
    """:class:`~chart.commands.ReplaceNotes` that also sets ``sounds`` ({cell: sound}) on the pasted notes of an
    osu! map and takes back the lost lines ``origin`` names ({(beat, lane): sound} of the copied notes where they
    were: a paste into the chart copied from), all in one step that undo takes back whole."""

    def __init__(self, chart: ChartRef, old: Iterable[Note], new: Iterable[Note], name: str,
                 follow: dict[Cell, Cell] | None, sounds: dict[Cell, Sound], origin: dict[Cell, Sound]):
        super().__init__(chart, old, new, name=name, follow=follow)
        self.sounds, self.origin = sounds, origin

    def do(self, doc: Document) -> None:
        target = self._chart(doc, self.chart)
        before = target.extra
        super().do(doc)
        if not self.sounds or not takes_sounds(target):
            return
        extra = set_sounds(restore_lost(target.extra, self.origin), self.sounds)
        if extra != target.extra:
            doc.set_chart_fields(target, extra=extra)
            self._extra, self._extra_after = before, extra
