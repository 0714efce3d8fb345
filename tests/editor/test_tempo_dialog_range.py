"""The tempo dialog (Timing > Detect Tempo / Tap Tempo) keeps a song's BPM outside 10-1000 when OK is pressed on
the values as shown: its BPM box clamped them (1200 showed as 1000, 4 as 10) and OK set the clamped BPM."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.timing import TimingData

pytestmark = pytest.mark.qt


@pytest.mark.parametrize("bpm", ["1200", "4", "0.5", "25000.125"])
def test_a_bpm_outside_10_to_1000_is_shown_and_kept(qtbot, bpm):
    from editor.dialogs.tempo import TempoDialog

    dialog = TempoDialog(None, [], "x.ogg", current=TimingData.constant(bpm, "-0.1"), detected=False)
    qtbot.addWidget(dialog)
    assert dialog.bpm.value() == float(bpm)
    assert dialog.values() == (F(bpm), F("0.1"))
    dialog.bpm.setValue(2000.0)  # a value typed is taken as typed
    assert dialog.values()[0] == 2000


def test_a_first_beat_the_box_cannot_show_is_kept_as_it_is(qtbot):
    from editor.dialogs.tempo import TempoDialog

    dialog = TempoDialog(None, [], "x.ogg", current=TimingData.constant(120, "-700.25"), detected=False)
    qtbot.addWidget(dialog)
    assert dialog.values() == (F(120), F("700.25"))  # 700 s is past the box's 600 s: clamped, not set
