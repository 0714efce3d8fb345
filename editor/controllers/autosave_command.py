"""The "Restore autosave" command: a recovered song applied to the open document as one undoable step
(:mod:`editor.controllers.autosave`)."""

from __future__ import annotations

import copy

from chart.document import SONG_FIELDS, Document
from chart.song import Song
from chart.timing import TimingData


class RestoreSnapshot:
    """Command: replace the song's metadata, timing and charts with a recovered song (undo puts them back).

    Both states keep their chart *objects* across undo and redo (the later commands of a session are tied to the
    charts they edited: fresh copies at each redo made them fail, "chart ... is not part of this song")."""

    name = "Restore autosave"
    provenance: dict | None = None

    def __init__(self, recovered: Song):
        self.recovered = copy.deepcopy(recovered)
        self._old: _State | None = None

    def merge_with(self, _other) -> bool:
        return False

    def do(self, doc: Document) -> None:
        self._old = _state(doc.song)
        _apply(doc, _state(self.recovered))

    def undo(self, doc: Document) -> None:
        if self._old is not None:
            _apply(doc, self._old)

    def held_charts(self) -> list:
        """The charts this step keeps (the recovered song's, and the ones it replaced): the history's note budget
        counts their notes."""
        return list(self.recovered.charts) + (list(self._old[2]) if self._old is not None else [])


_State = tuple[dict, TimingData, list]  # (song fields, timing, the chart objects)


def _state(song: Song) -> _State:
    return {name: getattr(song, name) for name in SONG_FIELDS}, song.timing, list(song.charts)


def _apply(doc: Document, state: _State) -> None:
    fields, timing, charts = state
    doc.set_song_fields(**fields)
    doc.set_timing(None, timing)
    for chart in list(doc.song.charts):
        doc.delete_chart(chart)
    for i, chart in enumerate(charts):
        doc.insert_chart(i, chart)
