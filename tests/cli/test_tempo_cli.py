"""``main.py tempo``: JSON and table output, one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import soundfile as sf

from tests.audio.signals import click_track

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "main.py"), "tempo", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def test_tempo_json_lists_candidates_best_first(tmp_path):
    path = tmp_path / "clicks.ogg"
    sf.write(str(path), click_track(140.0, 0.2, 30.0, 22050), 22050, format="OGG", subtype="VORBIS")
    out = _run(str(path), "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert set(rows[0]) == {"bpm", "offset_s", "confidence"}
    assert abs(rows[0]["bpm"] - 140.0) < 0.1
    assert abs(rows[0]["offset_s"] - 0.2) < 0.005
    assert {round(r["bpm"]) for r in rows} >= {70, 140, 280}
    table = _run(str(path), "-n", "2")
    assert table.returncode == 0
    assert "#OFFSET" in table.stdout
    assert len(table.stdout.strip().splitlines()) == 3


def test_tempo_bad_input_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"\x00" * 1000)
    for args in ([str(bad)], [str(tmp_path / "missing.ogg"), "--json"]):
        out = _run(*args)
        assert out.returncode == 2
        assert out.stdout == ""
        assert len(out.stderr.strip().splitlines()) == 1
        assert out.stderr.startswith("error: ")
    silent = tmp_path / "silent.wav"
    sf.write(str(silent), [0.0] * 22050 * 5, 22050)
    out = _run(str(silent))
    assert out.returncode == 2
    assert "no steady beat" in out.stderr
