"""Opening another song empties the drafter's analysis cache: a closed song's features and samples stayed (128 MB
on an 8-minute song) until two more songs were drafted (leak audit)."""

from __future__ import annotations

import pytest


@pytest.mark.qt
def test_opening_another_song_empties_the_drafters_cache(window):
    from chart.document import Document
    from chart.song import Song
    from chart.timing import TimingData

    drafter = window.drafting.ensure_drafter()  # the shipped models' (sessions open on first use)
    drafter.analyses.get("the closed song", lambda: object())
    window.drafting.drafter = drafter
    window.session.set_document(Document(Song(title="next", timing=TimingData.constant(120))))
    assert len(drafter.analyses) == 0
