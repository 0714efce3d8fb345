"""``main.py check`` measures the audio as it decodes (as the editor's Verify does), not by its header."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

REPO = Path(__file__).resolve().parents[2]
SR = 22050


def _check(chart: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "check", str(chart), "--min-severity", "problem"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def _song(folder: Path, music: str) -> Path:
    """One chart with a note on every beat at 120 BPM for 20 s."""
    return save(Song(title="t", music=music, timing=TimingData.constant(120),
                     charts=[Chart(slot=Slot.HARD, meter=5, notes=[Note(Fraction(k), k % 4) for k in range(40)])]),
                folder / "song.ssc")


def _out_of_range(run: subprocess.CompletedProcess) -> int:
    return run.stdout.count("[audio-range]")


def test_check_flags_notes_past_the_end_of_a_truncated_file(tmp_path):
    """The header of a half-copied FLAC still says 20 s: check passed notes the editor's Verify flags."""
    x = (np.random.default_rng(0).standard_normal(20 * SR) * 0.1).astype(np.float32)
    sf.write(tmp_path / "full.flac", x, SR)
    data = (tmp_path / "full.flac").read_bytes()
    (tmp_path / "song.flac").write_bytes(data[:len(data) // 2])
    run = _check(_song(tmp_path, "song.flac"))
    assert run.returncode == 1, run.stderr
    assert 12 <= _out_of_range(run) <= 28  # the notes after the ~10 s that decode
    warned = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1
    assert "song.flac is damaged after" in warned[0]


def test_check_measures_a_flac_of_unknown_length(tmp_path):
    """Total samples 0 ("unknown"): libsndfile says 2^63-1 frames, and check skipped the audio-range check."""
    sf.write(tmp_path / "song.flac", np.zeros(10 * SR, np.float32), SR)
    data = bytearray((tmp_path / "song.flac").read_bytes())
    data[18:26] = (int.from_bytes(data[18:26], "big") & ~((1 << 36) - 1)).to_bytes(8, "big")
    (tmp_path / "song.flac").write_bytes(bytes(data))
    run = _check(_song(tmp_path, "song.flac"))
    assert run.returncode == 1, run.stderr
    assert _out_of_range(run) == 19  # beats 21..39 lie at 10.5..19.5 s, after the 10 s that decode
    assert "warning:" not in run.stderr
    assert "note:" not in run.stderr
