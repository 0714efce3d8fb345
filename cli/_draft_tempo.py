"""The timing ``draft AUDIO`` works out from the audio (used by :mod:`cli._draft_cmds`): the tempo and beat 0 when
neither ``--bpm`` nor ``--timing`` gives them, and beat 0 when ``--bpm`` comes without ``--offset``. Each says on
stderr what it found, as ``tempo`` prints it; the tempo's alternatives as the ``--bpm B --offset S`` that draft on
them."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from cli.common import UserError


def offset_of(beat0_s: float) -> Fraction:
    """StepMania's #OFFSET for beat 0 at ``beat0_s`` seconds (as ``tempo`` prints it: to 0.1 ms)."""
    return -Fraction(round(beat0_s, 4)).limit_denominator(10000)


def detect_tempo(analysis: Any, audio_path: Path) -> Any:
    """Constant timing of the best tempo candidate of the analysed song; UserError when none is found."""
    from audio.tempo import detect_tempo as candidates_of
    from chart.timing import TimingData

    candidates = candidates_of(analysis.samples, analysis.sample_rate)
    if not candidates:
        raise UserError(f"no tempo found in {audio_path.name}; pass --bpm B --offset S")
    best = candidates[0]
    # each alternative as the flags that draft on it: two candidates of one BPM differ by where beat 0 is (the
    # half-beat phase), and --bpm alone would detect the best's beat 0 again
    others = "; ".join(f"--bpm {c.bpm:.3f} --offset {c.offset_s:.4f}" for c in candidates[1:4])
    print(f"tempo: {best.bpm:.3f} BPM, beat 0 at {best.offset_s:.3f} s (confidence {best.confidence:.2f}); "
          f"alternatives: {others or 'none'}", file=sys.stderr)
    return TimingData.constant(Fraction(round(best.bpm, 3)).limit_denominator(1000), offset_of(best.offset_s))


def detect_beat0(analysis: Any, bpm: float) -> Any:
    """Constant timing at ``bpm`` (``--bpm`` given without ``--offset``) with beat 0 where the music's beats fall
    at that tempo (:func:`audio.tempo.beat_phase`, the phase ``tempo`` gives its candidate of that BPM), and a
    ``note:`` saying where; beat 0 at 0 s when the audio has no beats to find (said too)."""
    from audio.tempo import beat_phase
    from chart.timing import TimingData

    beat0_s = beat_phase(analysis.samples, analysis.sample_rate, bpm)
    if beat0_s is None:
        print(f"note: --bpm {bpm:g} without --offset: no beats found in the audio, so beat 0 is at 0.000 s "
              f"(pass --offset S to place it)", file=sys.stderr)
        beat0_s = 0.0
    else:
        print(f"note: --bpm {bpm:g} without --offset: beat 0 detected at {beat0_s:.3f} s (pass --offset S to "
              f"place it yourself)", file=sys.stderr)
    return TimingData.constant(Fraction(str(bpm)), offset_of(beat0_s))
