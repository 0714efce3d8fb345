"""Sync Beat and Detect Tempo of Selection put their BPM changes on StepMania's 1/48-beat rows, as the Timing
panel's adds do, and say so: with a custom 1/20 snap the cursor (or a selection's notes) sits on beat 8.2, a BPM
change went there as it was, and Save refused the song ("BPM change off StepMania's 1/48-beat rows")."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.editor.conftest import open_with_audio

pytestmark = pytest.mark.qt
ROW = F(197, 24)  # the 1/48-beat row nearest 8.2
MOVED = "beat 8.2 moved to the nearest 1/48-beat row, 8.208333 (StepMania keeps timing on those rows)"


def _open(win, qtbot, tmp_path):
    song = Song(title="t", music="a.wav", timing=TimingData(offset=F("-0.1"), bpms=((F(0), F(120)), (F(4), F(120)))),
                charts=[Chart(slot=Slot.EASY, meter=3, notes=[Note(F(k), k % 4) for k in range(40)])])
    return open_with_audio(win, qtbot, tmp_path, song, np.zeros(22050 * 30, dtype=np.float32), 22050, "a")


def test_sync_beat_on_a_custom_snap_puts_its_bpm_change_on_the_nearest_row(window, qtbot, tmp_path):
    song = _open(window, qtbot, tmp_path)
    window.session.set_divisor(20)
    window.jump_to(None, F(8))
    window.timeline.step_cursor(1)
    assert window.timeline.cursor_beat() == F(41, 5)
    assert window.beat_sync.sync_to(float(song.timing.beat_to_seconds(F(41, 5))) + 0.012)
    assert ROW in {b for b, _ in song.timing.bpms}
    assert all((b * 48).denominator == 1 for b, _ in song.timing.bpms)
    assert MOVED in window.statusBar().currentMessage()
    assert window.files.save()


def test_section_tempo_of_a_span_off_the_rows_puts_both_ends_on_rows(window, qtbot, tmp_path):
    song = _open(window, qtbot, tmp_path)
    assert window.section_tempo.apply(F(41, 5), F(121, 5), F(130))
    assert [b for b, _ in song.timing.bpms] == [0, 4, ROW, F(581, 24)]
    status = window.statusBar().currentMessage()
    assert MOVED in status
    assert "beat 24.2 moved to the nearest 1/48-beat row, 24.208333" in status
    assert window.files.save()
