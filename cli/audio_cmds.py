"""``tempo``: BPM and beat-0 offset candidates of an audio file (for songs that have no timing yet)."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from cli.common import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "tempo", help="detect BPM and offset candidates of an audio file",
        description="Detect the tempo (BPM) and the time of beat 0 of a song with one constant tempo. "
                    "Candidates are printed best first, then its alternatives in order of confidence "
                    "(half and double time, the beat half a beat later), then other tempi. "
                    "offset_s is the time of beat 0 in seconds; StepMania's #OFFSET is -offset_s.")
    p.add_argument("audio", type=Path, metavar="AUDIO", help="audio file (ogg, mp3, wav, flac)")
    p.add_argument("--json", action="store_true",
                   help='print a JSON list of {"bpm", "offset_s", "confidence"}, best first')
    p.add_argument("-n", "--candidates", type=int, default=5, metavar="N", help="at most N candidates (default 5)")
    p.set_defaults(func=cmd_tempo)


def cmd_tempo(args: argparse.Namespace) -> int:
    from audio.decode import AudioError, AudioWarning, load_audio, native_stderr_silenced
    from audio.tempo import detect_tempo

    if args.candidates < 1:
        raise UserError("--candidates must be at least 1")
    try:
        with warnings.catch_warnings(record=True) as caught, native_stderr_silenced():
            warnings.simplefilter("always", AudioWarning)
            samples, sr = load_audio(args.audio)
    except AudioError as exc:
        raise UserError(str(exc)) from None
    for w in caught:
        if issubclass(w.category, AudioWarning):
            print(f"warning: {w.message}", file=sys.stderr)
    candidates = detect_tempo(samples, sr, n_candidates=args.candidates)
    if not candidates:
        raise UserError(f"no steady beat found in {args.audio.name} (silent, or shorter than 2 s)")
    if args.json:
        rows = [{"bpm": round(c.bpm, 4), "offset_s": round(c.offset_s, 5), "confidence": round(c.confidence, 4)}
                for c in candidates]
        print(json.dumps(rows))
        return 0
    print(f"{'BPM':>10}  {'beat 0 (s)':>10}  {'#OFFSET':>9}  confidence")
    for c in candidates:
        print(f"{c.bpm:10.3f}  {c.offset_s:10.4f}  {-c.offset_s:9.4f}  {c.confidence:10.2f}")
    return 0
