"""Evaluate audio.tempo_span (Timing > Detect Tempo of Selection) on the tempo sections of charted songs.

Usage::

    python scripts/eval_section_tempo.py [--songs ../shared/data/charts] [--only NAME ...] [--json OUT]

For every song folder whose chart has several BPMs (by default only the songs whose tempo changes are the music's,
:data:`DEFAULT_SONGS`; ``--only`` picks others by a part of the folder name), each BPM segment that lasts at least
:data:`audio.tempo_span.MIN_SPAN_S` with no stop, delay or warp inside is one section: its span in seconds is
read from the authored timing (a section that is the last runs to the audio's end, as a selection to the song's
end does in the editor), :func:`audio.tempo_span.detect_tempo_span` runs on the decoded audio, and its best
candidate is compared with the authored BPM and with the section's first beat:

* BPM error (relative) of the best candidate; an x2 or /2 answer is counted apart (octave).
* Phase: the distance in ms from the section's first whole beat (a section may start on a half beat) to the
  nearest beat of the best candidate's grid, the figure the editor reports in its status line (meaningful where
  the BPM is right).
* The rank of the first candidate within 0.1 % of the authored BPM (what a designer picks from the list).

Prints one row per section and a summary.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_SONGS = ("20kmh", "Rapper's Delight", "Scattered Cherry Blossoms", "We Will Rock You", "Walkie Talkie Man")
BPM_TOL = 0.001


def sections(timing, duration_s: float, min_s: float) -> list[tuple[float, float, float, float]]:
    """(first beat, authored BPM, start s, end s) of each BPM segment at least ``min_s`` long with no pause or warp
    strictly inside (the last runs to ``duration_s``)."""
    out = []
    pauses = [b for b, _v in (*timing.stops, *timing.delays, *timing.warps)]
    for i, (beat, bpm) in enumerate(timing.bpms):
        nxt = timing.bpms[i + 1][0] if i + 1 < len(timing.bpms) else None
        start_s = max(0.0, float(timing.beat_to_seconds(beat)))
        end_s = float(timing.beat_to_seconds(nxt)) if nxt is not None else duration_s
        if end_s - start_s < min_s or any(beat <= b and (nxt is None or b < nxt) for b in pauses):
            continue
        out.append((float(beat), float(bpm), start_s, min(end_s, duration_s)))
    return out


def evaluate(root: Path, names: tuple[str, ...], verbose: bool = True) -> list[dict]:
    from audio.decode import load_audio
    from audio.tap_tempo import nearest_beat
    from audio.tempo_span import MIN_SPAN_S, detect_tempo_span
    from chart.formats import registry

    rows = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and any(n in p.name for n in names)):
        files = sorted(folder.glob("*.ssc")) or sorted(folder.glob("*.sm"))
        if not files:
            continue
        song = registry.load(files[0])
        samples, sr = load_audio(song.audio_path())
        duration_s = samples.size / sr
        for beat, bpm, start_s, end_s in sections(song.timing, duration_s, MIN_SPAN_S):
            t = time.perf_counter()
            cands = detect_tempo_span(samples, sr, start_s, end_s)
            took_s = time.perf_counter() - t
            if not cands:
                continue
            best = cands[0]
            first_s = float(song.timing.beat_to_seconds(math.ceil(beat)))  # a whole beat of the section
            rank = next((int(i) + 1 for i, c in enumerate(cands) if abs(c.bpm / bpm - 1) <= BPM_TOL), None)
            row = {"song": folder.name, "beat": beat, "start_s": round(start_s, 2), "span_s": round(end_s - start_s, 1),
                   "bpm": bpm, "detected": round(float(best.bpm), 3), "err_pct": 100 * float(best.bpm / bpm - 1),
                   "octave": bool(any(abs(best.bpm / (bpm * k) - 1) <= 0.005 for k in (2.0, 0.5))),
                   "phase_ms": 1000 * float(nearest_beat(best.offset_s, 60 / best.bpm, first_s) - first_s),
                   "rank": rank, "time_s": took_s}
            row["authored_fold_ms"] = _authored_fold_ms(samples, sr, start_s, end_s, bpm, first_s)
            rows.append(row)
            if verbose:
                print(f"{row['song'][:40]:40s} beat {beat:7.2f} {row['span_s']:6.1f} s  {bpm:8.3f} -> "
                      f"{row['detected']:8.3f} ({row['err_pct']:+.3f} %) phase {row['phase_ms']:+6.1f} ms "
                      f"(onsets at the authored BPM {row['authored_fold_ms']:+6.1f} ms) rank {rank} {took_s:.2f} s",
                      flush=True)
    return rows


def _authored_fold_ms(samples, sr: int, start_s: float, end_s: float, bpm: float, first_s: float) -> float:
    """Where the section's onsets fold at the *authored* BPM, from its first whole beat (ms): what the phase figure
    would be with a perfect BPM, so a chart synced off the onsets is told from a detector error."""
    from audio.onset import onset_envelope
    from audio.tempo import _Folder
    from audio.tempo_span import PAD_S, span_envelope

    lo, hi = max(0, int((start_s - PAD_S) * sr)), int((end_s + PAD_S) * sr)
    env, rate, t0 = onset_envelope(samples[lo:hi], sr)
    cut, cut_t0 = span_envelope(env, rate, t0 + lo / sr, start_s, end_s)
    period = 60.0 / bpm
    phase = _Folder(cut, rate, cut_t0).phase(period)
    return 1000 * float((phase - first_s + period / 2) % period - period / 2)


def summarise(rows: list[dict]) -> dict:
    right = [r for r in rows if abs(r["err_pct"]) <= 100 * BPM_TOL]
    return {
        "sections": len(rows),
        "bpm_within_0.1pct": len(right),
        "bpm_within_0.5pct": sum(abs(r["err_pct"]) <= 0.5 for r in rows),
        "octave_errors": sum(r["octave"] for r in rows),
        "right_bpm_in_candidates": sum(r["rank"] is not None for r in rows),
        "authored_grid_within_10ms_of_onsets": sum(abs(r["authored_fold_ms"]) <= 10 for r in rows),
        "phase_within_3ms_of_right_bpm_on_grid": sum(abs(r["phase_ms"]) <= 3 for r in right
                                                     if abs(r["authored_fold_ms"]) <= 10),
        "phase_within_5ms_of_right_bpm_on_grid": sum(abs(r["phase_ms"]) <= 5 for r in right
                                                     if abs(r["authored_fold_ms"]) <= 10),
        "phase_within_3ms_of_right_bpm": sum(abs(r["phase_ms"]) <= 3 for r in right),
        "median_abs_phase_ms_of_right_bpm": statistics.median(abs(r["phase_ms"]) for r in right) if right else None,
        "median_time_s": statistics.median(r["time_s"] for r in rows) if rows else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=Path, default=REPO.parent / "shared" / "data" / "charts")
    parser.add_argument("--only", nargs="*", default=list(DEFAULT_SONGS), help="parts of song folder names")
    parser.add_argument("--json", type=Path, help="write the rows and the summary here")
    args = parser.parse_args(argv)
    if not args.songs.is_dir():
        print(f"error: no such folder: {args.songs}", file=sys.stderr)
        return 2
    rows = evaluate(args.songs, tuple(args.only))
    summary = summarise(rows)
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
