"""``main.py convert``, ``check`` and ``info``: headless chart work (formats by file extension).

Exit codes: 0 success (``check``: no PROBLEM), 1 ``check`` found a PROBLEM, 2 bad input (missing file, unreadable
chart, unknown format, a song the target format cannot hold) with one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections import Counter
from pathlib import Path

from cli.common import EXIT_OK, EXIT_PROBLEMS, UserError, write_chart_files

SEVERITIES = ("info", "warning", "problem")


def register(subparsers) -> None:
    conv = subparsers.add_parser(
        "convert", help="convert a chart file to another format (by extension: .sm .ssc .osu .json .osz)",
        description="Reads IN and writes OUT in the format of OUT's extension. Notes the target format cannot "
                    "hold are refused (exit 2), never moved; documented conversions (e.g. mines dropped by "
                    "osu!mania) are listed on stderr, and so is what reading IN moved or read leniently (e.g. "
                    "osu! notes off the 1/192 grid put on the nearest row: 'note: read: ...'). An .osz (osu! beatmap "
                    "archive) is read as its set folder, extracted beside it (Song.osz -> Song/) unless that folder "
                    "holds it already; writing .osz packs every difficulty with the audio and the files its "
                    "[Events] name.")
    conv.add_argument("input", type=Path, metavar="IN", help="chart file, song folder or .osz archive to read")
    conv.add_argument("output", type=Path, metavar="OUT", help="chart file to write (.sm .ssc .osu .json .osz)")
    conv.add_argument("--chart", metavar="ID", help="keep only charts whose slot or chart id matches "
                      "(e.g. Hard or dance-single/Hard); .osu holds one chart per file")
    conv.set_defaults(func=cmd_convert)

    chk = subparsers.add_parser(
        "check", help="run the Verify checks on every chart of a file",
        description="Prints one line per issue: chart, severity, time, message, check id. Exit 1 if any "
                    "PROBLEM was found, 0 otherwise.")
    chk.add_argument("chart", type=Path, metavar="CHART", help="chart file (.sm .ssc .osu .json), song folder or .osz")
    chk.add_argument("--format", dest="target_format", metavar="F",
                     help="also check that the charts can be saved as F (sm, ssc, osu, json, osz; default: the "
                          "file's own format, none for a folder)")
    chk.add_argument("--audio-length", type=float, metavar="S",
                     help="audio length in seconds (default: read from the song's audio file when found)")
    chk.add_argument("--min-severity", choices=SEVERITIES, default="info", help="hide less severe issues")
    chk.set_defaults(func=cmd_check)

    inf = subparsers.add_parser(
        "info", help="charts, note counts, notes per second and estimated difficulty of a file",
        description="Summarises every chart: slot and meter, counts per note kind, jumps and hands, mean and "
                    "peak notes per second, and the estimated difficulty (1..20, see chart/stats.py).")
    inf.add_argument("chart", type=Path, metavar="CHART", help="chart file (.sm .ssc .osu .json), song folder or .osz")
    inf.add_argument("--json", action="store_true",
                     help="print JSON instead of a table (sm_offset_s: StepMania's #OFFSET; beat0_s: the time of "
                          "beat 0, -#OFFSET, as `tempo --json` prints it in offset_s and `draft --offset` takes it)")
    inf.set_defaults(func=cmd_info)


# ---------------------------------------------------------------------------------------------- helpers
def load_song(path: Path):
    """Read a chart file or raise UserError with one line. What the reader moved, dropped or read leniently (osu!
    notes off the 1/192 grid put on a row, StepMania keysounds, skipped difficulties...) is printed on stderr as
    ``note: read: CHART: reason``, repeats counted: nothing changes without a word. An ``.osz`` extracted now (into
    the folder beside it: :mod:`chart.formats.osz`) is said too."""
    from chart.formats.errors import ParseError
    from chart.formats.osz import extract_folder
    from chart.formats.registry import load, load_folder, read_notes

    if not path.exists():
        raise UserError(f"file not found: {path}")
    archive = path.suffix.lower() == ".osz" and path.is_file()
    fresh = archive and not extract_folder(path).exists()
    report: list = []
    try:
        if path.is_dir():  # a song folder: its chart file, or an osu! beatmap set's difficulties as one song
            song = load_folder(path, report)[0]
        else:
            song = load(path, report)
    except ParseError as err:
        raise UserError(str(err)) from None
    if fresh:
        print(f"note: extracted {path.name} into {extract_folder(path)} (its audio and images are read from there)",
              file=sys.stderr)
    for line in read_notes(report):
        print(f"note: {line}", file=sys.stderr)
    return song


def _format_name(name: str) -> str:
    from chart.formats.errors import ParseError
    from chart.formats.registry import format_for

    try:
        return format_for(name=name).name
    except ParseError as err:
        raise UserError(str(err)) from None


def clock(seconds: float) -> str:
    """``m:ss.mmm`` (negative times keep their sign)."""
    sign = "-" if seconds < 0 else ""
    ms = round(abs(seconds) * 1000)
    return f"{sign}{ms // 60000}:{ms % 60000 // 1000:02d}.{ms % 1000:03d}"


# ---------------------------------------------------------------------------------------------- convert
def cmd_convert(args: argparse.Namespace) -> int:
    from chart.checks.base import Severity
    from chart.checks.music import unplayable_music
    from chart.formats.errors import ParseError, WriteError
    from chart.formats.registry import format_for, relink_charts, relinked_extra, unrepresentable
    from chart.song import music_relative_to

    try:
        target = format_for(args.output)
    except ParseError as err:
        raise UserError(str(err)) from None
    song = load_song(args.input)
    if args.chart:
        song.charts = [c for c in song.charts if _chart_matches(c, args.chart)]
        if not song.charts:
            raise UserError(f"no chart matches {args.chart!r} in {args.input}")
    notes = [p for p in unrepresentable(song, target.name) if not p.fatal]  # names as its own folder has them
    unplayable = unplayable_music(song, target.name)  # FLAC music goes into an .osz as it is: said
    audio = song.audio_path() if song.source_path is not None else None
    if audio is not None and audio.is_file():  # the copy names the audio from its own folder
        song.music = music_relative_to(audio, args.output, song.music)
    song.extra = relinked_extra(song, args.output)  # and its banner, background...
    relink_charts(song, args.output)  # and a chart's own audio
    created = _set_folder(args.output, target.name)
    try:
        written = write_chart_files(song, args.output)  # .osu: one file per difficulty
    except BaseException as err:  # a refusal, Ctrl+C, a bug: all or nothing, not even the folder
        if created is not None:
            with contextlib.suppress(OSError):  # rmdir: only while still empty
                created.rmdir()
        if isinstance(err, WriteError | UserError):
            raise UserError(str(err)) from None
        raise
    if created is not None:
        print(f"note: created the folder {created} for the set", file=sys.stderr)
    for reason, count in Counter(p.reason for p in notes).most_common():
        print(f"note: {target.name}: {reason}" + (f" ({count}x)" if count > 1 else ""), file=sys.stderr)
    if unplayable is not None:
        print(f"{'warning' if unplayable[0] >= Severity.WARNING else 'note'}: {target.name}: {unplayable[1]}",
              file=sys.stderr)
    charts = f"{len(song.charts)} chart{'s' * (len(song.charts) != 1)}"
    if written == [args.output]:
        print(f"wrote {args.output} ({charts})", file=sys.stderr)
    else:
        print(f"wrote {len(written)} files, one per difficulty ({charts}): "
              f"{', '.join(p.name for p in written)}", file=sys.stderr)
    return EXIT_OK


def _set_folder(output: Path, fmt: str) -> Path | None:
    """The folder of an osu! set output (``set/song.osu``: one file per difficulty, with the set's audio) made when
    it is missing and its parent exists, as a set is a folder of its own, whatever the number of charts and whether
    the audio is found (the caller says "created the folder"); None when nothing was made. A deeper missing path is
    left to the writer's one-line error (a typo in the path should not become a tree of folders), and
    :func:`chart.formats.osu_set_files.write_set` makes no folder above the set's."""
    folder = output.parent
    if fmt != "osu" or folder.exists() or not folder.parent.is_dir():
        return None
    try:
        folder.mkdir()
    except OSError as err:
        raise UserError(f"cannot make the folder {folder}: {err.strerror or err}") from None
    return folder


def _chart_matches(chart, wanted: str) -> bool:
    key = wanted.strip().lower()
    return key in (chart.slot.sm_name.lower(), chart.chart_id().lower(), chart.description.lower())


# ---------------------------------------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    from chart.checks.base import Severity
    from chart.checks.registry import check_song
    from chart.document import song_chart_id

    # as the editor's Verify checks a song for the format of its file: notes off StepMania's grid are no PROBLEM in
    # a .json, which keeps them (a folder is several files, or one of several formats: only what --format names)
    own = args.chart.suffix.lstrip(".") if args.chart.is_file() else None
    wanted: str | None = args.target_format or own
    target = _format_name(wanted) if wanted else None
    if args.audio_length is not None and not args.audio_length > 0:
        raise UserError(f"--audio-length must be a positive number of seconds, got {args.audio_length}")
    song = load_song(args.chart)
    if not song.charts:
        print(f"note: {_shown_name(args.chart)} holds no charts", file=sys.stderr)
    length_s = args.audio_length if args.audio_length is not None else _audio_length(song)
    issues = check_song(song, audio_length_s=length_s, target_format=target)
    shown_from = Severity[args.min_severity.upper()]
    timings = {song_chart_id(song, c): song.timing_for(c) for c in song.charts}
    for issue in issues:
        if issue.severity >= shown_from:
            print(_issue_line(issue, timings.get(issue.chart_id, song.timing)))
    counts = Counter(i.severity for i in issues)
    summary = ", ".join(f"{counts[s]} {s.label}{'s' * (counts[s] != 1)}" for s in reversed(Severity))
    print(f"{_shown_name(args.chart)}: {len(song.charts)} chart(s), {summary}", file=sys.stderr)
    return EXIT_PROBLEMS if counts[Severity.PROBLEM] else EXIT_OK


def _audio_length(song) -> float | None:
    """Length of the song's audio as it decodes, or None (with a note on stderr) when it cannot be read.

    Decoded, not read from the header: a truncated file's header promises the whole song, and the editor (its
    Verify, playback and waveform) uses what decodes, so ``check`` must flag the same notes past the end. The
    decoder's warnings (truncated, damaged) are printed as ``tempo`` and ``draft`` print them.
    """
    path = song.audio_path()
    if path is None or not path.is_file():  # the music check's WARNING says the file is missing: not said twice
        print("note: notes after the end of the audio are not checked (give --audio-length)", file=sys.stderr)
        return None
    from audio.decode import AudioError, decoded_info, native_stderr_silenced

    found: list[str] = []
    try:
        with native_stderr_silenced():  # mpg123 prints "Note: ..." lines on damaged mp3s; keep to one line
            length_s = decoded_info(path, on_warning=lambda message, _short_s: found.append(message)).duration_s
    except AudioError as err:
        print(f"note: {err}; notes after the end of the audio are not checked", file=sys.stderr)
        return None
    for message in found:
        print(f"warning: {message}", file=sys.stderr)
    return length_s


def _issue_line(issue, timing) -> str:
    where = "-" if issue.beat is None else clock(float(timing.beat_to_seconds(issue.beat)))
    return f"{issue.chart_id}\t{issue.severity.name}\t{where}\t{issue.message}\t[{issue.check_id}]"


# ---------------------------------------------------------------------------------------------- info
def cmd_info(args: argparse.Namespace) -> int:
    from chart.document import song_chart_id
    from chart.stats import chart_stats, shown_counts

    song = load_song(args.chart)
    rows, nps = [], []
    for chart in song.charts:
        stats = chart_stats(chart, song.timing_for(chart))
        nps.append((stats.mean_nps, stats.peak_nps))  # the table formats them once, as the Stats panel and Verify do
        counts, skipped = shown_counts(chart, song.timing_for(chart), stats)  # the Stats panel's: they add up
        rows.append({"id": song_chart_id(song, chart), "mode": chart.mode, "slot": chart.slot.sm_name,
                     "meter": chart.meter, "lanes": chart.lanes, "description": chart.description,
                     **stats.as_dict(), "counts": counts, "skipped": skipped})
    timing = song.timing
    if args.json:
        print(json.dumps({
            "file": str(args.chart), "title": song.title, "subtitle": song.subtitle, "artist": song.artist,
            # not "offset_s", which `tempo --json` uses for the time of beat 0, the sign `draft --offset` takes
            "music": song.music, "sm_offset_s": float(timing.offset), "beat0_s": float(timing.beat0_s),
            "bpms": [[float(b), float(v)] for b, v in timing.bpms],
            "stops": len(timing.stops), "delays": len(timing.delays), "warps": len(timing.warps),
            "charts": rows,
        }, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(_headline(song, args.chart))
    print(_timing_line(timing))
    if not rows:
        print("no charts")
        return EXIT_OK
    width = max(28, *(len(r["id"]) for r in rows))  # a long Edit description widens the column, not one row
    print(f"{'chart':<{width}} {'slot':<10} {'meter':>5} {'notes':>6} {'holds':>5} {'rolls':>5} {'mines':>5} "
          f"{'skipped':>7} {'jumps':>5} {'hands':>5} {'NPS':>5} {'peak':>5} {'est.':>5}  typical")
    for r, (mean, peak) in zip(rows, nps):
        c = r["counts"]
        est = "-" if r["difficulty"] is None else f"{r['difficulty']:.1f}"  # None: no steps, nothing to estimate
        print(f"{r['id']:<{width}} {r['slot']:<10} {r['meter']:>5} {r['onsets']:>6} {c['hold']:>5} {c['roll']:>5} "
              f"{c['mine']:>5} {r['skipped']:>7} {r['jumps']:>5} {r['hands']:>5} {mean:>5.2f} "
              f"{peak:>5.2f} {est:>5}  {r['typical_slot'] or '-'}")
    for r in rows:
        if "player" in r:
            print(f"{r['id']}: two players; jumps, hands, NPS and est. are player {r['player']}'s (the busier), "
                  "each player counted on their own pad")
    return EXIT_OK


def _headline(song, path: Path) -> str:
    title = " ".join(x for x in (song.title, song.subtitle) if x) or "(untitled)"
    return f"{title} - {song.artist or '(unknown artist)'}  [{_shown_name(path)}]"


def _shown_name(path: Path) -> str:
    """The name of ``path`` as a user knows it: ``.`` (or ``..``, ``songs/..``) is its folder's own name, not ""."""
    return path.name if path.name not in ("", ".", "..") else path.resolve().name or str(path)


def _timing_line(timing) -> str:
    bpms = sorted({float(v) for _, v in timing.bpms})
    tempo = f"{bpms[0]:g} BPM" if len(bpms) == 1 else f"{bpms[0]:g}-{bpms[-1]:g} BPM ({len(timing.bpms) - 1} changes)"
    extras = [f"{len(getattr(timing, name))} {name}" for name in ("stops", "delays", "warps")
              if getattr(timing, name)]
    return (f"timing: {tempo}, #OFFSET {float(timing.offset):+.3f} s (beat 0 at {float(timing.beat0_s):.3f} s)"
            + (f", {', '.join(extras)}" if extras else ""))
