"""Crash recovery keeps a song's "no tempo stated" mark (review of audit 27's chart.stated_tempo): the autosave JSON
lost it, and the Restore autosave step, which applies the recovered song's fields, timing and charts to the open
document, did not carry it, so a song read at an invented 60 BPM came back as one whose tempo was stated."""

from __future__ import annotations

from chart.document import Document
from chart.formats import game_json
from chart.formats.registry import loads
from chart.song import Song
from chart.stated_tempo import states_tempo
from chart.timing import TimingData
from editor.controllers.autosave_command import RestoreSnapshot

NOTES = "#NOTES:\n dance-single:\n :\n Hard:\n 5:\n :\n1000\n0100\n0010\n0001\n;\n"


def test_restore_autosave_keeps_the_invented_tempo_marked() -> None:
    unstated = loads("#TITLE:x;\n" + NOTES, "sm")
    recovered = game_json.load_bytes(game_json.dumps(unstated).encode(), max_bytes=None)
    assert not states_tempo(recovered)
    doc = Document(Song(title="x", timing=TimingData.constant(60)))  # a blank song (a file deleted since)
    assert states_tempo(doc.song)
    doc.push(RestoreSnapshot(recovered))
    assert not states_tempo(doc.song)
    doc.history.undo()
    assert states_tempo(doc.song)
    doc.history.redo()
    assert not states_tempo(doc.song)
