"""What the Timing panel (:mod:`editor.panels.timing`) shows of a row and checks before it takes one: numbers as
the writers store them, beats on StepMania's 1/48-beat rows, values the files can hold."""

from __future__ import annotations

from fractions import Fraction

from chart.formats.values import format_number, snap_row, written_as_zero


def shown(value: Fraction, places: int = 9) -> str:
    """A number as the writers store it (9 decimals; beats 6), without their padding zeros: the table shows what
    the file will hold (%g showed 141.550313 as 141.55 and 99999999 as 1e+08)."""
    return format_number(value, 0, places)


def said(kind_name: str, beat: Fraction, value: str | None) -> str:
    """What an accepted change of a row did, for the status line (a refusal said before must not stay up): ``Stop
    at beat 2: 0.25 s``. ``kind_name`` as the Kind column shows it, ``value`` as the Value cell (None: removed)."""
    name, _, unit = kind_name.partition(" (")
    where = f"{name} at beat {shown(beat, 6)}"
    if value is None:
        return f"{where} removed"
    return f"{where}: {value}" + (f" {unit[:-1]}" if unit in ("s)", "beats)") else "")


def check_written(kind: str, values: tuple) -> None:
    """ValueError when a value of a row would be written as 0 though it is not (files hold 9 decimals)."""
    for value in values:
        if isinstance(value, Fraction) and written_as_zero(value):
            raise ValueError(f"{float(value):g} would be written as 0 (files hold 9 decimals)")


def on_row(new: tuple, old: tuple | None) -> tuple[tuple, str]:
    """``new`` with a beat it was given (typed, or the cursor's at a 1/64 snap) moved to the nearest of
    StepMania's 1/48-beat rows, and what to say about that ('' when it is on one or kept its beat: a song read
    from a .osu file may hold beats off the rows, and a value edit keeps them)."""
    if (old is not None and old[0] == new[0]) or snap_row(new[0]) == new[0]:
        return new, ""
    row = snap_row(new[0])
    return (row, *new[1:]), f"beat {shown(new[0])} moved to the nearest 1/48-beat row, {shown(row, 6)} (StepMania " \
                             f"keeps timing on those rows)"


def entry_problem(kind: str, entry: tuple) -> str | None:
    """Why ``entry`` cannot be a row of ``kind`` (None when it can)."""
    if kind == "time_signatures" and entry[0] < 0:  # measures count from beat 0 (grid, PgDn, the status bar)
        return "a time signature at a negative beat (measures count from beat 0)"
    try:
        check_written(kind, tuple(entry[1:]))
    except ValueError as exc:
        return str(exc)
    return None
