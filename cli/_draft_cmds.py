"""``draft`` and ``refine`` (registered by :mod:`cli.infer_cmds`; the underscore keeps ``cli.common`` from
registering them twice).

Order of work: check every argument and input file first (cheap), then decode and draft, then write the output
atomically. Any failure before the write leaves no file behind; the write itself is atomic.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from cli._draft_args import check_kept_timing, draft_targets, parse_nps, parse_slots
from cli._draft_tempo import detect_beat0, detect_tempo
from cli._draft_write import _write
from cli.common import UserError, chart_extensions, seed_arg, writable_folder

SLOT_NAMES = "beginner,easy,medium,hard,challenge"
#: Largest ``--offset`` (seconds of beat 0 before or after the audio starts): an hour, past any song's length
MAX_OFFSET_S = 3600
#: ``-o`` of every AI command, its extensions from the format registry (a new format cannot go unlisted)
OUTPUT_HELP = (f"output chart ({chart_extensions('or')}; .osu: the new slots only, one file each; .osz: the whole "
               f"song with its audio)")


def register(subparsers: argparse._SubParsersAction) -> None:
    d = subparsers.add_parser("draft", help="draft charts from audio (or fill slots of a chart) with the model",
                              description="Draft one or more difficulty slots. Without --timing or --bpm the "
                                          "tempo is detected from the audio and printed; with --bpm and no "
                                          "--offset, beat 0 is detected at that BPM and printed (a chart file "
                                          "keeps its own offset).")
    d.add_argument("source", type=Path, metavar="AUDIO_OR_SONG", help="audio file, or a chart file whose audio "
                                                                      "and timing are used (its other charts kept; "
                                                                      "--bpm or --timing only where none of them "
                                                                      "has notes on its timing)")
    d.add_argument("--timing", type=Path, metavar="CHART", help="take the timing from this chart file")
    d.add_argument("--bpm", type=float, help="constant tempo in beats per minute")
    d.add_argument("--offset", type=float, default=None, metavar="S",
                   help="with --bpm: time in seconds of beat 0 (as `tempo` prints it; StepMania #OFFSET = -S); "
                        "default: a chart file's own offset; for an audio file, detected at that BPM (printed)")
    d.add_argument("--slots", default=SLOT_NAMES, help=f"comma-separated slots (default {SLOT_NAMES})")
    _common_options(d, nps_default="default: the middle of the slot's usual range, as in the editor's AI panel "
                                    "(beginner 1.25, easy 2.35, medium 3.38, hard 4.58, challenge 5.5; beginner "
                                    "and easy reach about 80%% of what their minimum gap allows at the song's "
                                    "tempo, and a draft under 90%% of its target is noted); SLOT=0: the model's "
                                    "own density (no rests made: can be denser)")
    d.set_defaults(func=cmd_draft)

    r = subparsers.add_parser("refine", help="draft higher slots from a lower chart's rhythm",
                              description="Draft --to slots conditioned on the --from chart of CHART.")
    r.add_argument("chart", type=Path, metavar="CHART", help="chart file holding the lower slot")
    r.add_argument("--from", dest="from_slot", required=True, help="the lower slot to build on (e.g. easy)")
    r.add_argument("--to", dest="to_slots", required=True, help="higher slots, comma-separated (e.g. hard,challenge)")
    r.add_argument("--new-arrows", action="store_true",
                   help="let the lane model draw every row's arrows (default: rows kept from the lower chart keep "
                        "its arrows and holds)")
    _common_options(r, nps_default="default, or SLOT=0: the lower chart's density times how much denser the "
                                    "slot usually is, as in the editor's refine with 'density from the current "
                                    "chart'")
    r.set_defaults(func=cmd_refine)


def _common_options(p: argparse.ArgumentParser, nps_default: str) -> None:
    p.add_argument("--nps", action="append", default=[], metavar="SLOT=X",
                   help="density target for a slot (repeatable): mean notes per second as the editor's Stats "
                        f"panel counts them (a jump is 2 notes, from the first note to the last); {nps_default}")
    p.add_argument("--seed", type=seed_arg, default=0,
                   help="accepted for scripts, but changes nothing: drafts are the models' best guess, the same "
                        "for every seed (a seed picks sampled arrows: `arrows --seed`, the editor's variants)")
    p.add_argument("--backend", default="local", help="'local' (default) or a KServe V2 server URL")
    p.add_argument("--token-file", type=Path, help="bearer token for --backend URL")
    p.add_argument("--fallback", action="store_true",
                   help="with --backend URL: run locally when the server is down or fails during the draft "
                        "(without it, any server failure is an error and nothing is written)")
    p.add_argument("--models", type=Path, default=None, help="models folder (default resources/models)")
    p.add_argument("-o", "--output", type=Path, required=True, help=OUTPUT_HELP)


# ---------------------------------------------------------------------------------------------------- commands
def cmd_draft(args: argparse.Namespace) -> int:
    from audio.tags import song_names
    from chart.song import Song, music_relative_to

    started = time.perf_counter()  # one clock for the command's stage lines: tempo detection's and the draft's
    slots = parse_slots(args.slots)
    nps = parse_nps(args.nps)
    if stray := [s.sm_name for s in nps if s not in slots]:
        raise UserError(f"--nps for {', '.join(stray)}, which --slots does not draft")
    _check_tempo_args(args)
    _check_output(args.output)
    _note_seed(args.seed)
    song, audio_path = _source(args.source)
    timing = _timing(args, song)
    if song is not None and (args.bpm is not None or args.timing is not None):
        check_kept_timing(song, args.source, slots, timing, "--bpm/--offset" if args.timing is None else "--timing")
    drafter = _drafter(args)
    if timing is None:  # audio only: a chart file brings its timing (its offset with --bpm alone)
        analysis = _guarded(lambda: drafter.analyse(audio_path, _Progress(started)))
        timing = detect_tempo(analysis, audio_path) if args.bpm is None else detect_beat0(analysis, args.bpm)
    if song is None:
        title, artist = _guarded(lambda: song_names(audio_path))  # its own open of the file: mpg123 quiet too
        song = Song(title=title, artist=artist, music=music_relative_to(audio_path, args.output), timing=timing)
    else:
        song = _moved(song, audio_path, args.output)
        song.timing = timing
    targets = draft_targets(slots, nps)
    drafts = _guarded(lambda: drafter.draft(audio_path, timing, slots, nps=targets, seed=args.seed,
                                            progress=_Progress(started)))
    _guarded(lambda: _note_caps(drafter, drafts, targets, timing, audio_path))
    return _write(song, drafts, timing, args.output)


def _note_caps(drafter: Any, drafts: list, targets: dict, timing: Any, audio_path: Path) -> None:
    """A ``note:`` line for each draft well under its target (why, when its slot's minimum gap cannot reach it at
    this tempo), as the editor's status line says (inference.nps_caps)."""
    from audio.decode import audio_info
    from inference.nps_caps import cap_notes, model_gaps

    info = audio_info(audio_path)
    notes = cap_notes(drafts, targets, model_gaps(drafter), lambda _slot: timing, info.frames / float(info.sr))
    if notes:
        print("note: under the NPS target: " + "; ".join(notes), file=sys.stderr)


def cmd_refine(args: argparse.Namespace) -> int:
    low = _one_slot(args.from_slot, "--from")
    highs = parse_slots(args.to_slots)
    _check_output(args.output)
    _note_seed(args.seed)
    if bad := [s.sm_name for s in highs if s <= low]:
        raise UserError(f"--to slots must be above {low.sm_name}: {', '.join(bad)}")
    if stray := [s.sm_name for s in parse_nps(args.nps) if s not in highs]:
        raise UserError(f"--nps for {', '.join(stray)}, which --to does not draft")
    song, audio_path, lower = _chart_with_notes(args.chart, low, "refine from")
    timing = song.timing_for(lower)
    drafter = _drafter(args)
    drafts = _guarded(lambda: drafter.refine(audio_path, timing, lower.notes, low, highs,
                                             nps={s: x for s, x in parse_nps(args.nps).items() if x},
                                             seed=args.seed,
                                             keep_arrows=not args.new_arrows, progress=_Progress()))
    return _write(_moved(song, audio_path, args.output), drafts, timing, args.output, lower)


def _note_seed(seed: int) -> None:
    """Say that ``--seed`` changes no draft (greedy decoding: temperature 0), rather than print the seed among the
    provenance as if it had chosen something."""
    if seed:
        print(f"note: --seed {seed} changes nothing here: drafts are the models' best guess, the same for every "
              f"seed", file=sys.stderr)


def _one_slot(text: str, flag: str) -> Any:
    slots = parse_slots(text)
    if len(slots) != 1:
        raise UserError(f"{flag} takes one slot")
    return slots[0]


def _chart_with_notes(path: Path, slot: Any, what: str) -> tuple[Any, Path, Any]:
    """(song, audio path, the chart of ``slot``) from a timed chart file; UserError when it has no such notes."""
    song, audio_path = _source(path, need_song=True)
    _load_timed(path)
    chart = song.chart(slot)
    if chart is None:
        other = next((c.mode for c in song.charts if c.slot == slot), None)
        if other is not None:  # an osu! 7K chart, a dance-double chart, ...
            raise UserError(f"{path}: its {slot.sm_name} chart is {other}; the models draft 4-panel dance-single "
                            f"charts")
    if chart is None or not any(n.kind.is_onset for n in chart.notes):
        raise UserError(f"{path} has no {slot.sm_name} chart with notes to {what}")
    return song, audio_path, chart


def _moved(song: Any, audio_path: Path, output: Path) -> Any:
    """A copy of ``song`` whose music (and banner...) paths are relative to ``output``'s folder (it may sit in
    another one)."""
    from chart.formats.registry import relink_charts, relinked_extra
    from chart.song import music_relative_to

    song = copy.deepcopy(song)
    song.music = music_relative_to(audio_path, output, song.music)
    song.extra = relinked_extra(song, output)
    relink_charts(song, output)
    return song


# ---------------------------------------------------------------------------------------------------- parsing
def _check_output(path: Path) -> None:
    """A known chart extension in an existing folder where files can be made (.osu gets one file per drafted slot):
    found before the draft, not after it."""
    from chart.formats.errors import ParseError
    from chart.formats.registry import format_for

    try:
        format_for(path)
    except ParseError as exc:
        raise UserError(str(exc)) from exc
    folder = path.parent if str(path.parent) else Path(".")
    if folder.is_dir():
        writable_folder(folder, path)
        return
    # the nearest existing folder on the way: a file there (``-o notes.txt/out.ssc``) is no folder that is missing
    there = next((f for f in folder.parents if f.exists()), None) if not folder.exists() else folder
    if there is not None and not there.is_dir():
        raise UserError(f"cannot write {path}: {there} is not a folder")
    raise UserError(f"output folder {folder} does not exist")


def _source(path: Path, need_song: bool = False) -> tuple[Any, Path]:
    """(song or None, audio path) from an audio file or a chart file."""
    from chart.formats.errors import ParseError
    from chart.formats.registry import format_for, load

    if not path.exists():
        raise UserError(f"file not found: {path}")
    try:
        format_for(path)
        is_chart = True
    except ParseError:
        is_chart = False
    if not is_chart:
        if need_song:
            raise UserError(f"{path} is not a chart file ({chart_extensions()})")
        return None, path
    try:
        song = load(path)
    except ParseError as exc:
        raise UserError(str(exc)) from exc
    audio = song.audio_path()
    if audio is None or not audio.is_file():
        raise UserError(f"{path}: its audio file {song.music or '(none named)'} was not found")
    return song, audio


def _load_timed(path: Path) -> Any:
    """A chart file that states its timing; UserError otherwise."""
    from chart.formats.errors import ParseError
    from chart.formats.registry import load
    from chart.stated_tempo import states_tempo

    if not path.is_file():
        raise UserError(f"chart not found: {path}")
    try:
        song = load(path)
    except ParseError as exc:
        raise UserError(str(exc)) from exc
    if not states_tempo(song):  # the readers invent 60 BPM (chart.stated_tempo)
        raise UserError(f"{path} has no timing (#BPMS); pass --timing CHART or --bpm B --offset S")
    return song


def _check_tempo_args(args: argparse.Namespace) -> None:
    """--timing, --bpm and --offset, checked with the other arguments (before any file is read or extracted)."""
    if args.timing is not None and args.bpm is not None:
        raise UserError("give either --timing or --bpm, not both")
    if args.offset is not None and args.bpm is None:
        raise UserError("--offset goes with --bpm (the tempo found in the audio, --timing or the chart bring "
                        "their own offset)")
    if args.bpm is not None and not 10 <= args.bpm <= 1000:
        raise UserError(f"--bpm {args.bpm} is outside 10..1000")
    if args.offset is not None and not (math.isfinite(args.offset) and abs(args.offset) <= MAX_OFFSET_S):
        raise UserError(f"--offset takes seconds from -{MAX_OFFSET_S} to {MAX_OFFSET_S}, got {args.offset}")


def _timing(args: argparse.Namespace, song: Any) -> Any:
    """Timing from --bpm and --offset, --timing, or the source chart (:func:`_check_tempo_args` has checked the
    flags); None to detect it from the audio (all of it, or beat 0 for --bpm without --offset). A chart file's
    --bpm without --offset keeps the chart's own offset: its kept charts were placed on it, and a detected beat 0
    (never exactly that offset) would move them (:func:`check_kept_timing` refused it after the analysis)."""
    if args.bpm is not None:
        if args.offset is not None:
            return _at_bpm(args.bpm, -Fraction(str(args.offset)))
        return None if song is None else _at_bpm(args.bpm, song.timing.offset)
    if args.timing is not None:
        return _load_timed(args.timing).timing
    if song is not None:
        return _load_timed(args.source).timing
    return None


def _at_bpm(bpm: float, offset: Fraction) -> Any:
    from chart.timing import TimingData

    return TimingData.constant(Fraction(str(bpm)), offset)


# ---------------------------------------------------------------------------------------------------- running
def _local_drafter(models: Path | None) -> Any:
    from inference.drafter import Drafter
    from inference.manifest import ManifestError

    try:
        return Drafter.from_models_dir(models)
    except ManifestError as exc:
        raise UserError(str(exc)) from exc


def _drafter(args: argparse.Namespace) -> Any:
    from cli.infer_cmds import read_token
    from inference.drafter import Drafter

    if args.backend == "local" and (given := [f for f, v in (("--fallback", args.fallback),
                                                            ("--token-file", args.token_file)) if v]):
        raise UserError(f"{' and '.join(given)} go{'es' * (len(given) == 1)} with --backend URL (drafts run "
                        f"locally without it)")
    token = read_token(args.token_file)
    local = _local_drafter(args.models)
    if args.backend == "local":
        return local
    from inference.remote import FallbackBackend, RemoteBackend, RemoteRejected, ServerUnavailable

    try:
        remote = RemoteBackend(args.backend, token, on_note=lambda m: print(f"warning: {m}", file=sys.stderr))
        remote.connect(local.onset)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    except RemoteRejected as exc:
        raise UserError(str(exc)) from exc
    except ServerUnavailable as exc:
        if not args.fallback:
            raise UserError(f"{exc} (add --fallback to draft locally)") from exc
        print(f"warning: {exc}; drafting on the local model", file=sys.stderr)
        return local
    if not args.fallback:  # as --help says: without --fallback a server failing mid-draft fails the draft
        return Drafter(local.onset, local.lanes, remote, local.backend)
    backend = FallbackBackend(remote, local.backend, on_status=lambda m: print(f"warning: {m}", file=sys.stderr))
    return Drafter(local.onset, local.lanes, backend, local.backend)


def _guarded(work: Any) -> Any:
    """Run drafting work, turning every expected failure into a one-line UserError."""
    from audio.decode import AudioError, native_stderr_silenced
    from inference.backends import BackendError, InputError
    from inference.decode import DecodeError
    from inference.drafter import DraftError
    from inference.features import FeatureError
    from inference.manifest import ManifestError

    try:
        with native_stderr_silenced():  # mpg123's "Note: ..." lines on a damaged mp3: keep errors to one line
            return work()
    except (AudioError, DraftError, ManifestError, FeatureError, DecodeError, InputError, BackendError) as exc:
        raise UserError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc


class _Progress:
    """Stage lines on stderr with elapsed seconds (one line per stage, readable in logs too). ``t0``: the command's
    clock, where one command runs two stages of work (draft: tempo detection, then the draft), so the seconds
    do not start again at 0."""

    def __init__(self, t0: float | None = None) -> None:
        self.t0 = time.perf_counter() if t0 is None else t0
        self.seen: set[str] = set()

    def __call__(self, stage: str, fraction: float) -> None:
        if stage not in self.seen:
            self.seen.add(stage)
            print(f"[{time.perf_counter() - self.t0:6.1f} s] {stage} ...", file=sys.stderr, flush=True)
