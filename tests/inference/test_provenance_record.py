"""An AI draft's provenance has one definition, ``Provenance.as_dict`` (chart.commands had a second one, with
fewer keys and another type for the manifest version): a ReplaceRegion keeps that record as it is given."""

from __future__ import annotations

from fractions import Fraction

from chart.commands import ReplaceRegion
from chart.document import Document
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from inference.draft_types import Provenance


def test_replace_region_keeps_the_drafters_record():
    record = Provenance("onset-v1", 3, "ab" * 32, "lanes-v1", "onnx-cpu", 7, {"threshold": 0.4}).as_dict()
    doc = Document(Song(timing=TimingData.constant(120), charts=[Chart(slot=Slot.HARD)]))
    doc.push(ReplaceRegion(doc.song.charts[0], 0, 4, [Note(Fraction(1), 0)], provenance=record))
    kept = doc.history.undo_commands()[-1].provenance
    assert kept == record
    assert kept is not record
    assert isinstance(kept["manifest_version"], int)
    assert {"sha256", "lane_model"} <= set(kept)
