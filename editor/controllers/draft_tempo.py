"""The tempo a draft needs: Draft difficulties, Regenerate selection and Refine up snap new rows to the song's beat
grid, so on a song that states no tempo (a StepMania file without ``#BPMS``, read at an invented 60 BPM:
:mod:`chart.stated_tempo`, the test ``main.py draft`` refuses such a file with) they refuse, say why, and offer
Timing > Detect Tempo. Arrows for selection and Simplify keep the chart's own rows, so they need no grid and go on.
"""

from __future__ import annotations

from chart.stated_tempo import MISSING, states_tempo
from editor import messages


def tempo_refused(win, title: str) -> bool:
    """True (after saying so, and offering Detect Tempo) when the open song states no tempo."""
    song = win.session.doc.song
    if states_tempo(song):
        return False
    bpm = float(song.timing.bpms[0][1])
    text = (f"The song states {MISSING}: it reads at an invented {bpm:g} BPM, and a draft snapped to that grid "
            "lands off the music. Set the tempo first (Timing > Detect Tempo, Tap Tempo, or the Timing panel), "
            "then draft again. Detect the tempo now?")
    if messages.confirm(win, title, text, default=True):
        win.actions["timing.detect"].trigger()
    else:
        win.session.status.emit(f"{title}: the song states {MISSING}; set it first (Timing > Detect Tempo)")
    return True
