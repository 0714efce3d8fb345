"""``open`` subcommand: the editor (also what ``python main.py`` runs with no subcommand)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import UserError, writable_folder


def chart_and_audio() -> tuple[str, ...]:
    """The file extensions ``open`` takes: every chart format's (:func:`chart.formats.registry.formats`) and every
    audio file's (:data:`chart.song.AUDIO_EXTENSIONS`, the editor's own list), so none that the editor opens is
    refused here. Imported when asked (every subcommand's module loads at startup)."""
    from chart.formats.registry import formats
    from chart.song import AUDIO_EXTENSIONS

    return tuple(e for f in formats() for e in f.extensions) + AUDIO_EXTENSIONS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "open", help="open the editor (on the bundled demo song when no path is given)",
        description="Open the chart editor on a chart file (.ssc/.sm/.osu/.json), a song folder, an osu! beatmap "
                    "archive (.osz, extracted beside it) or an audio file "
                    "(a new song: the tempo is detected and confirmed). Without PATH the bundled demo song opens.")
    p.add_argument("path", nargs="?", type=Path, help="chart file, song folder, .osz archive or audio file")
    p.add_argument("--screenshot", type=Path, metavar="OUT.png",
                   help="render the window offscreen to OUT.png once the song is loaded, then exit (exit 2, and no "
                        "OUT.png, when the song cannot be opened or --after-draft/--stems cannot be done)")
    p.add_argument("--after-draft", action="store_true",
                   help="with --screenshot: draft the next empty difficulty with the AI first and show the ghosts")
    p.add_argument("--stems", action="store_true",
                   help="with --screenshot: separate the song into stems first and show the Stems box and the "
                        "vocals waveform")
    p.add_argument("--compare", metavar="SLOT",
                   help="show this difficulty (beginner, easy, medium, hard, challenge or edit) as pale outlines "
                        "behind the one being edited, as View > Compare does")
    p.add_argument("--feet", action="store_true",
                   help="show which foot steps each note (View > Foot Labels: L/R badges, amber on a crossover, "
                        "red on a fast double step)")
    p.add_argument("--beat-spaced", action="store_true",
                   help="space beats evenly, stops taking no room (View > Beat-Spaced, X-mod); the default spaces "
                        "time evenly (C-mod)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path | None = args.path
    if path is not None:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        known = chart_and_audio()
        if path.is_file() and path.suffix.lower() not in known:
            raise UserError(f"{path.name}: not a chart or audio file (use {', '.join(known)})")
    if args.after_draft and args.screenshot is None:
        raise UserError("--after-draft only applies with --screenshot")
    if args.stems and args.screenshot is None:
        raise UserError("--stems only applies with --screenshot")
    compare = None
    if args.compare is not None:
        from chart.song import Slot

        try:
            compare = Slot.parse(args.compare)
        except ValueError as exc:
            raise UserError(f"--compare: {exc}") from exc
    if args.screenshot is not None:
        out = args.screenshot
        if out.suffix.lower() != ".png":
            raise UserError(f"{out}: the screenshot must be a .png file")
        if not out.parent.resolve().is_dir():
            raise UserError(f"{out.parent}: folder does not exist")
        writable_folder(out.parent.resolve(), out)  # before the song is opened and rendered, not after
    elif no_display():
        raise UserError("no display to open the editor on (DISPLAY and WAYLAND_DISPLAY are unset): run it in a "
                        "desktop session (or ssh -X), or render it with --screenshot OUT.png")
    from editor.app import run_editor

    return run_editor(path, screenshot=args.screenshot, after_draft=args.after_draft, stems=args.stems,
                      compare=compare, feet=args.feet, beat_spaced=args.beat_spaced)


def no_display() -> bool:
    """Linux without an X11 or Wayland display and no Qt platform chosen: Qt would abort the process (core dump)
    with a paragraph about platform plugins instead of saying that."""
    import os
    import sys

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
