"""Evaluate audio.tempo against the authored timing of charted songs with one constant BPM.

Usage::

    python scripts/eval_tempo.py [--songs ../shared/data/charts] [--cache runs/tempo_env] [--json OUT]

For every song folder whose chart has one BPM and no stops, delays or warps, the audio is decoded with the
production decoder, :func:`audio.tempo.detect_tempo` runs, and its best candidate is compared with the chart:

* BPM error (relative) of the best candidate; within 0.5 % counts as a hit. A best candidate at x2 or /2 of
  the truth (within 0.5 %) is a miss for the BPM figure and is counted separately as an octave error.
* Phase error: the distance in ms from the detected beat 0 to the nearest authored beat, modulo the authored
  beat period; within 10 ms counts as a hit. Measured for every song, whatever the BPM verdict.
* The rank of the first of the (five) candidates that meets both tolerances: the songs a designer fixes by
  picking an alternative from the list (``ok_in_top3_pct``, ``ok_in_candidates_pct``).

Prints one row per song and a summary. ``--cache`` keeps onset envelopes between runs (development only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BPM_TOL = 0.005
PHASE_TOL_S = 0.010


def _chart_file(folder: Path) -> Path | None:
    files = sorted(folder.glob("*.ssc")) or sorted(folder.glob("*.sm"))
    return files[0] if files else None


def _timing_and_audio(chart: Path) -> tuple[object, Path | None]:
    """(TimingData, audio path) of a chart file through the project's format reader; the timing is None when
    any dance-single chart plays with a timing of its own that differs from the song's."""
    from chart.formats import registry

    song = registry.load(chart)
    timings = {song.timing_for(c) for c in song.charts if c.mode == "dance-single"} or {song.timing}
    return (song.timing if timings == {song.timing} else None), song.audio_path()


def constant_songs(root: Path) -> list[tuple[str, Path, float, float]]:
    """(name, audio, bpm, beat0_s) of every song with one constant BPM; others are skipped."""
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        chart = _chart_file(folder)
        if chart is None:
            continue
        try:
            timing, audio = _timing_and_audio(chart)
        except Exception as exc:  # a chart the reader rejects is reported, not fatal
            print(f"skip {folder.name}: {exc}", file=sys.stderr)
            continue
        if audio is None or timing is None or not timing.is_constant:
            continue
        out.append((folder.name, audio, float(timing.bpms[0][1]), float(Fraction(timing.beat0_s))))
    return out


def _envelope(audio: Path, cache: Path | None, name: str):
    from audio.decode import load_audio
    from audio.onset import onset_envelope

    if cache is not None:
        f = cache / (name.replace("/", "_") + ".npz")
        if f.is_file():
            z = np.load(f)
            return z["env"].astype(np.float32), float(z["rate"]), float(z["t0"])
    samples, sr = load_audio(audio)
    env, rate, t0 = onset_envelope(samples, sr)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(cache / (name.replace("/", "_") + ".npz"), env=env.astype(np.float16), rate=rate, t0=t0)
    return env, rate, t0


def score_song(bpm_true: float, beat0_true_s: float, bpm: float, offset_s: float) -> dict:
    """Errors of one estimate against the authored timing."""
    rel = bpm / bpm_true - 1
    octave = next((k for k in (2.0, 0.5) if abs(bpm / (bpm_true * k) - 1) <= BPM_TOL), None)
    period = 60.0 / bpm_true
    phase = (offset_s - beat0_true_s) % period
    signed = phase if phase <= period / 2 else phase - period  # > 0: detected beats late
    phase_err = abs(signed)
    bpm_ok, phase_ok = bool(abs(rel) <= BPM_TOL), bool(phase_err <= PHASE_TOL_S)
    return {"bpm_rel_err": float(rel), "bpm_ok": bpm_ok, "octave": octave,
            "phase_err_ms": float(1000 * phase_err), "phase_signed_ms": float(1000 * signed),
            "phase_ok": phase_ok, "ok": bpm_ok and phase_ok}


def evaluate(root: Path, cache: Path | None = None, verbose: bool = True) -> dict:
    """Run detection on every constant-BPM song under ``root``; returns rows and the summary."""
    from audio.tempo import detect_tempo_from_envelope

    rows = []
    for name, audio, bpm_true, beat0 in constant_songs(root):
        t = time.perf_counter()
        env, rate, t0 = _envelope(audio, cache, name)
        cands = detect_tempo_from_envelope(env, rate, t0)
        best = cands[0]
        # Rank of the first candidate within both tolerances (None: none is): what one click in the list fixes.
        rank = next((k for k, c in enumerate(cands, 1) if score_song(bpm_true, beat0, c.bpm, c.offset_s)["ok"]),
                    None)
        row = {"song": name, "format": audio.suffix.lower()[1:], "bpm_true": bpm_true, "bpm": best.bpm,
               "offset_s": best.offset_s, "confidence": best.confidence, "right_rank": rank,
               "seconds": time.perf_counter() - t, **score_song(bpm_true, beat0, best.bpm, best.offset_s)}
        rows.append(row)
        if verbose:
            flag = "ok " if row["ok"] else ("x2 " if row["octave"] == 2 else "/2 " if row["octave"] else "MISS")
            print(f"{flag} {name[:58]:58s} {row['format']} true {bpm_true:8.3f} got {best.bpm:8.3f} "
                  f"({100 * row['bpm_rel_err']:+7.3f} %)  phase err {row['phase_signed_ms']:+6.1f} ms", flush=True)
    return {"rows": rows, "summary": summarise(rows)}


def summarise(rows: list[dict]) -> dict:
    n = len(rows)
    if not n:
        return {"n": 0}
    return {
        "n": n,
        "ok_pct": 100 * sum(r["ok"] for r in rows) / n,
        "bpm_ok_pct": 100 * sum(r["bpm_ok"] for r in rows) / n,
        "phase_ok_pct": 100 * sum(r["phase_ok"] for r in rows) / n,
        "octave_errors": sum(r["octave"] is not None for r in rows),
        "median_bpm_err_pct": 100 * statistics.median(abs(r["bpm_rel_err"]) for r in rows),
        "median_bpm_err_pct_when_right_octave": 100 * statistics.median(
            [abs(r["bpm_rel_err"]) for r in rows if r["bpm_ok"]] or [float("nan")]),
        "median_phase_err_ms": statistics.median(r["phase_err_ms"] for r in rows),
        "median_signed_phase_ms_of_hits": statistics.median(
            [r["phase_signed_ms"] for r in rows if r["phase_err_ms"] < 30] or [float("nan")]),
        "phase_ok_pct_when_bpm_ok": 100 * sum(r["ok"] for r in rows) / max(1, sum(r["bpm_ok"] for r in rows)),
        "ok_in_top3_pct": 100 * sum(r["right_rank"] is not None and r["right_rank"] <= 3 for r in rows) / n,
        "ok_in_candidates_pct": 100 * sum(r["right_rank"] is not None for r in rows) / n,
        "mean_seconds_per_song": statistics.fmean(r["seconds"] for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--songs", type=Path, default=REPO.parent / "shared" / "data" / "charts")
    ap.add_argument("--cache", type=Path, default=None, help="folder for cached onset envelopes (development)")
    ap.add_argument("--json", type=Path, default=None, help="write rows and summary as JSON")
    args = ap.parse_args(argv)
    if not args.songs.is_dir():
        print(f"error: song folder not found: {args.songs}", file=sys.stderr)
        return 2
    result = evaluate(args.songs, args.cache)
    s = result["summary"]
    print(json.dumps(s, indent=2))
    if args.json:
        from chart.fileio import atomic_write_text

        atomic_write_text(args.json, json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
