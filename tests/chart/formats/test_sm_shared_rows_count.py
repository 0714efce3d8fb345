"""A measure of more than 192 lines: StepMania keeps the last line on each shared row; the notes limit counts the
notes kept, not the ones later lines replaced (300,000 lines of ``1111``, 772 notes, was refused as "more than
1000000 notes"), and a separate bound on the notes read keeps such a file from costing unbounded work."""

from __future__ import annotations

import pytest

from chart.formats import notedata, sm
from chart.formats.errors import ParseError

HEAD = "#TITLE:t;\n#MUSIC:a.ogg;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTES:\n dance-single:\n :\n Hard:\n 5:\n 0,0,0,0,0:\n"


def test_replaced_notes_do_not_count_against_the_notes_limit(monkeypatch):
    monkeypatch.setattr(notedata, "MAX_NOTES", 1000)  # the same shape as 300,000 lines under 1,000,000, quicker
    song = sm.loads(HEAD + "\n".join(["1111"] * 1200) + "\n;\n")  # 4,800 notes written, 768 kept
    notes = song.charts[0].notes
    assert len(notes) == 193 * 4  # rows 0..192 (the last lines round to the next measure's first), 4 lanes each
    assert all(n.kind.value == "tap" for n in notes)


def test_a_measure_of_too_many_lines_is_still_refused_with_a_true_message(monkeypatch):
    monkeypatch.setattr(notedata, "MAX_NOTE_CELLS", 5000)
    with pytest.raises(ParseError, match=r"more than 5000 notes in the lines of one chart, \d+ of them on rows a "
                                         r"later line filled again") as err:
        sm.loads(HEAD + "\n".join(["1111"] * 100_000) + "\n;\n")
    assert "\n" not in str(err.value)


def test_holds_and_rows_read_as_before():
    notes, ignored = notedata.parse_notes("2000\n1000\n3000\n0000\n,\n" + "1\n" * 200, 4)
    assert [(n.beat, n.lane, n.kind.value, n.length) for n in notes][:2] == [(0, 0, "hold", 2), (1, 0, "tap", 0)]
    assert len(notes) == 2 + 192
    assert ignored["shared row"] == 8
    assert ignored["short line"] == 200
    assert "note inside hold" in ignored
