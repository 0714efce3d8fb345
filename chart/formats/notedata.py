"""StepMania note data (the value of ``#NOTES``), shared by .sm and .ssc.

Reading: measures are separated by ``,`` and always hold 4 beats; a measure of N lines puts line i at beat
``4m + 4i/N``, rounded to StepMania's row of 1/48 beat (what the game does, so a 5-line measure plays where
StepMania plays it). Each line has one character per lane, optionally followed by ``[keysound]`` or
``{attack}`` suffixes (dropped). A measure of more than 192 lines puts lines on a row another line is on: a lane
and row then holds one thing, as in StepMania (its ``SetTapNote`` replaces): a later line's note or head replaces
what an earlier line put there (a hold whose head is replaced is dropped). A tail is never written there nor
replaced (StepMania keeps a hold at its head's row and closes it at the first ``3`` on a later row of its lane: a
tail on its head's own row is ignored, the hold stays open). Characters:

========  ============================================================================================
``0``     empty
``1``     tap                     ``M``  mine        ``L``  lift        ``F``  fake
``2``     hold head               ``4``  roll head   ``3``  hold/roll tail (closes the open head in its lane)
``K``     auto-keysound: a sound the game plays by itself, never judged. It is not a note a player steps
          on and our model has no keysounds, so it is ignored on read (like ``A`` attacks); counts of
          ignored characters are returned to the caller.
========  ============================================================================================

Leniency follows StepMania 5's ``NoteDataUtil`` loader, and every departure from a clean file is counted for
the read report: a tail with no open head is ignored and a head never closed is dropped; any other character
(a lower-case ``m``, a stray letter) is read as empty; characters past the chart's lanes are ignored and a short
line leaves the lanes it lacks empty. One difference: a tap, mine, lift or fake on the lane of an open hold
makes StepMania drop that hold (its tail no longer finds the head); we keep the hold and the note, count it, and
Verify flags the overlap, so the designer decides (the file is written back as it was).

Routine charts (``dance-routine``, ``dance-couple``) hold a second player's note data after ``&``: player 1's
becomes the chart's notes; player 2's are kept, canonical, in ``Chart.extra`` under :data:`PLAYER2` and written
back after ``&`` (:func:`player2_text`).

Writing: each measure uses the fewest lines of 4/8/12/16/24/32/48/64/192 that put every note (and tail) of the
measure on a line. Notes that no such measure can hold (finer than 1/48 beat, negative beats, lanes outside the
chart, two things on one lane and row, a hold or roll starting inside another of its lane: the first tail would
close the later head) are reported by :func:`unrepresentable_notes`, never moved; another note inside a hold is
listed there as a conversion (StepMania drops the hold).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fractions import Fraction

from chart.formats.errors import MAX_NOTES, ParseError, Unrepresentable
from chart.notes import Note, NoteKind

LINES_PER_MEASURE = (4, 8, 12, 16, 24, 32, 48, 64, 192)
ROWS_PER_MEASURE = 192
_SUFFIX = re.compile(r"\[[^\]]*\]|\{[^}]*\}")
_SIMPLE = {"1": NoteKind.TAP, "M": NoteKind.MINE, "L": NoteKind.LIFT, "F": NoteKind.FAKE}
_HEADS = {"2": NoteKind.HOLD, "4": NoteKind.ROLL}
_IGNORED = {"K", "A"}
_ZERO = Fraction(0)
#: ``Chart.extra`` key of a routine chart's player 2 note data (canonical note-data text).
PLAYER2 = "NOTES_PLAYER2"
_CODE = {NoteKind.TAP: "1", NoteKind.MINE: "M", NoteKind.LIFT: "L", NoteKind.FAKE: "F",
         NoteKind.HOLD: "2", NoteKind.ROLL: "4"}


#: Notes read, with those a later line on their row replaced (StepMania keeps the last): a bound on the work of a
#: measure of millions of lines, where only 192 rows are kept (300,000 lines of ``1111``: 772 notes, 0.8 s).
MAX_NOTE_CELLS = 2 * MAX_NOTES


def parse_notes(text: str, lanes: int, line: int | None = None) -> tuple[list[Note], dict[str, int]]:
    """Notes of one player's note data.

    Parameters
    ----------
    text : str
        The ``#NOTES`` value (comments already removed) up to any ``&`` (see :func:`split_players`).
    lanes : int
        Characters per line.
    line : int, optional
        Line number of the tag, for error messages.

    Returns
    -------
    notes : list of Note
        In canonical order, beats exact (multiples of 1/48).
    ignored : dict
        Counts of what was read leniently (module docstring): ``"K"``, ``"A"``, ``"orphan tail"``,
        ``"unclosed head"``, ``"long line"``, ``"short line"``, ``"unknown character 'x'"``,
        ``"note inside hold"`` (holds kept with a note inside them on their lane) and ``"shared row"``.
    """
    # (row, lane, kind value, kind, length in rows): ints first, cheap to sort; the Notes are made for the kept ones
    notes: list[tuple[int, int, str, NoteKind, int] | None] = []
    # lane -> kind, row, row of the first note after the head on its lane (None: none yet)
    open_heads: dict[int, tuple[NoteKind, int, int | None]] = {}
    ignored: dict[str, int] = {}
    row_cells: dict[int, int] = {}  # lane -> index in notes of what the current row holds there (-1: open head)
    last_row = -1
    replaced = 0  # entries of notes a later line on their row replaced (None): not notes of the chart
    for m, measure in enumerate(text.split(",")):
        # lines, as StepMania splits them (then trimmed): a "{*2 drunk:4.000}" attack holds a space
        rows = [r for r in (line.strip() for line in measure.splitlines()) if r]
        if not rows:
            continue
        for i, row in enumerate(rows):
            if row.count("0") == lanes == len(row):
                continue  # the common empty line, fast path
            if "[" in row or "{" in row:
                for suffix in _SUFFIX.findall(row):
                    what = "keysound index" if suffix.startswith("[") else "attack suffix"
                    ignored[what] = ignored.get(what, 0) + 1
                row = _SUFFIX.sub("", row)
            if len(row) != lanes:  # StepMania reads what the line has, lane by lane
                what = "long line" if len(row) > lanes else "short line"
                ignored[what] = ignored.get(what, 0) + 1
                row = row[:lanes].ljust(lanes, "0")
            row_index = _nearest(ROWS_PER_MEASURE * i, len(rows)) + ROWS_PER_MEASURE * m
            if row_index != last_row:  # rows only grow: only lines on one row share cells
                row_cells.clear()
                last_row = row_index
            replaced += _read_row(row, row_index, notes, open_heads, ignored, row_cells)
            if len(notes) - replaced > MAX_NOTES:  # per row: one measure of millions of rows is refused as it passes
                raise ParseError(f"more than {MAX_NOTES} notes in one chart", line)
            if len(notes) > MAX_NOTE_CELLS:  # the work: notes a later line on their row replaced cost as much
                raise ParseError(f"more than {MAX_NOTE_CELLS} notes in the lines of one chart, {replaced} of them on "
                                 f"rows a later line filled again (measures of more than 192 lines)", line)
    if open_heads:
        ignored["unclosed head"] = ignored.get("unclosed head", 0) + len(open_heads)
    kept = [t for t in notes if t is not None]
    kept.sort(key=lambda t: t[:3])
    return [Note(Fraction(row, 48), lane, kind, Fraction(length, 48) if length else _ZERO)
            for row, lane, _, kind, length in kept], ignored


def split_players(text: str) -> tuple[str, str | None, bool]:
    """(player 1's note data, player 2's or None, whether more after a second ``&`` was ignored): StepMania
    reads two players' parts of a routine chart and nothing after them."""
    first, sep, rest = text.partition("&")
    if not sep:
        return first, None, False
    second, more, _ = rest.partition("&")
    return first, second, bool(more)


def player2_text(text: str, lanes: int) -> str:
    """Canonical note data of player 2's part (as :func:`format_notes` writes it; "" when it holds no note)."""
    notes, _ = parse_notes(text, lanes)
    return format_notes(notes, lanes) if notes else ""


def _nearest(num: int, den: int) -> int:
    """``round(num / den)`` with ties to even, in integers (StepMania rounds beats to rows the same way)."""
    q, r = divmod(num, den)
    return q + (1 if 2 * r > den or (2 * r == den and q % 2) else 0)


def _read_row(row: str, row_index: int, notes: list, open_heads: dict, ignored: dict, cells: dict) -> int:
    """Read one line at ``row_index``. ``cells``: lane -> what earlier lines on this row put there (an index in
    ``notes``, or -1 for the open head in ``open_heads``); a later line's note or head replaces it. A tail
    neither: StepMania's ``3`` writes nothing (a hold lives at its head's row) and closes the head it finds on an
    earlier row of its lane. Returns how many entries of ``notes`` it replaced (set to None)."""
    replaced = 0
    for lane, ch in enumerate(row):
        if ch == "0":
            continue
        kind = _SIMPLE.get(ch)
        if ch == "3":
            head = open_heads.get(lane)
            if head is None or head[1] == row_index:  # a head on the tail's own row stays open, as in StepMania
                ignored["orphan tail"] = ignored.get("orphan tail", 0) + 1
                continue
            del open_heads[lane]
            notes.append((head[1], lane, head[0].value, head[0], row_index - head[1]))
            if head[2] is not None and head[2] < row_index:  # one on the tail's row is after the hold
                ignored["note inside hold"] = ignored.get("note inside hold", 0) + 1
            continue
        if kind is None and ch not in _HEADS:
            key = ch if ch in _IGNORED else f"unknown character {ch!r}"  # StepMania reads it as empty
            ignored[key] = ignored.get(key, 0) + 1
            continue
        if lane in cells:  # an earlier line on this row put something here: the later line's wins
            owner = cells.pop(lane)
            if owner < 0:
                del open_heads[lane]
            else:
                notes[owner] = None
                replaced += 1
            ignored["shared row"] = ignored.get("shared row", 0) + 1
        if kind is not None:
            head = open_heads.get(lane)  # StepMania would drop the hold; kept, counted when closed, flagged by Verify
            if head is not None and head[2] is None:
                open_heads[lane] = (*head[:2], row_index)
            cells[lane] = len(notes)
            notes.append((row_index, lane, kind.value, kind, 0))
        else:  # a head
            if lane in open_heads:
                ignored["unclosed head"] = ignored.get("unclosed head", 0) + 1
            open_heads[lane] = (_HEADS[ch], row_index, None)
            cells[lane] = -1
    return replaced


# ---------------------------------------------------------------------------------------------- writing
def _cells(notes: Iterable[Note]) -> list[tuple[Fraction, int, str, Note, int | None]]:
    """(beat, lane, character, source note, row or None if off the 1/48 grid) for every head/tap and tail."""
    cells = []
    for n in notes:
        cells.append((n.beat, n.lane, _CODE[n.kind], n, _row(n.beat)))
        if n.kind.has_length:
            end = n.end_beat
            cells.append((end, n.lane, "3", n, _row(end)))
    return cells


def _row(beat: Fraction) -> int | None:
    """The 1/48-beat row of ``beat``, None when it is between rows (integer arithmetic: this runs per note)."""
    q, r = divmod(beat.numerator * 48, beat.denominator)
    return None if r else q


def unrepresentable_notes(notes: Iterable[Note], lanes: int, chart_id: str = "") -> list[Unrepresentable]:
    """Notes StepMania note data cannot hold without moving them, and (non-fatal) notes inside a hold of their lane,
    which StepMania plays without the hold (see module docstring and :func:`_inside_holds`)."""
    problems: list[Unrepresentable] = []
    seen: set[tuple[int, int]] = set()
    rows: list[int] = []  # row and cell of every head, tap and tail that fits (no new object per cell)
    cells: list[tuple[Fraction, int, str, Note, int | None]] = []
    for cell in _cells(notes):
        beat, lane, ch, note, row = cell
        if ch == "3" and note.length == 0:
            continue  # a hold of length 0 is one problem, its head's (the tail shares its beat and lane)
        what = "tail" if ch == "3" else "note"
        reason = None
        if beat < 0:
            reason = f"{what} before beat 0"
        elif row is None:
            reason = f"{what} off StepMania's grid (finer than 1/192 measure: {_grid_name(beat)})"
        elif lane >= lanes:
            reason = f"lane {lane} outside the chart's {lanes} lanes"
        elif note.kind.has_length and note.length == 0:
            reason = "hold/roll of length 0"
        elif (row, lane) in seen:
            reason = f"{what} on the same lane and row as another note"
        if reason or row is None:
            problems.append(Unrepresentable(chart_id, beat, reason or "", note))
        else:
            seen.add((row, lane))
            rows.append(row)
            cells.append(cell)
    return problems + _inside_holds(rows, cells, {id(p.note) for p in problems}, chart_id)


def _inside_holds(rows: list[int], cells: list[tuple[Fraction, int, str, Note, int | None]], reported: set[int],
                  chart_id: str) -> list[Unrepresentable]:
    """Notes starting inside a hold or roll of their lane: after its head, before its end (one on the end row shares
    the tail's cell, reported by :func:`unrepresentable_notes`). ``rows``, ``cells``: the cells (:func:`_cells`)
    that fit, and their rows; ``reported``: ids of notes refused already. On int rows: this runs on every save.

    A hold or roll there is fatal: its head is written before the other's tail, and StepMania (and
    :func:`parse_notes`, which reads as it does) closes the later head with the first ``3``: one hold reads back
    cut short, the other is lost (an osu!mania map's overlapping long notes did this silently). A tap, mine, lift or
    fake there reads back the same here, but StepMania drops the hold (its tail no longer finds the head): listed,
    not refused, so that a file read with one is written back as it was (module docstring; Verify flags it).
    """
    tails = {id(cell[3]): row for row, cell in zip(rows, cells, strict=True) if cell[2] == "3"}
    if not tails:
        return []
    from chart.checks.base import describe_beat  # here: chart.checks reads chart.formats (an import cycle)

    out = []
    held: dict[int, tuple[Note, int, int]] = {}  # lane -> the hold reaching furthest so far, its head and tail rows
    heads = [i for i, cell in enumerate(cells) if cell[2] != "3"]
    heads.sort(key=rows.__getitem__)  # (already in order for a chart's sorted notes)
    for i in heads:
        _, lane, _, note, _ = cells[i]
        row, hold = rows[i], held.get(lane)
        if hold is not None and hold[1] < row < hold[2] and id(note) not in reported:
            where = f"the {hold[0].kind.value} from beat {describe_beat(hold[0].beat)} (lane {lane + 1})"
            if note.kind.has_length:
                out.append(Unrepresentable(chart_id, note.beat, f"{note.kind.value} starting inside {where}: in "
                                           f"StepMania note data the first tail closes the later head, so one hold "
                                           f"would be lost and the other cut short", note))
            else:
                out.append(Unrepresentable(chart_id, note.beat, f"{note.kind.value} inside {where}: StepMania drops "
                                           f"that {hold[0].kind.value} (kept here; Verify flags it)", note,
                                           fatal=False))
        end = tails.get(id(note))
        if end is not None and (hold is None or end > hold[2]) and id(note) not in reported:
            held[lane] = (note, row, end)
    return out


def _grid_name(beat: Fraction) -> str:
    den = (beat / 4).denominator
    return f"a 1/{den} measure grid" if den < 10**6 else "an irrational-looking position"


def format_notes(notes: list[Note], lanes: int, chart_id: str = "") -> str:
    """Note data text (measures of canonical line counts separated by ``\\n,\\n``), no trailing ``;``.

    Raises
    ------
    ValueError
        (``WriteError`` from the caller's point of view) if :func:`unrepresentable_notes` finds anything;
        callers check first and raise :class:`~chart.formats.errors.WriteError`.
    """
    measures: dict[int, dict[int, list[str]]] = {}
    for _, lane, ch, _, row in _cells(notes):
        if row is None:
            raise ValueError("note off the 1/48-beat grid: check unrepresentable_notes() first")
        m, r = divmod(row, ROWS_PER_MEASURE)
        line = measures.setdefault(m, {}).setdefault(r, ["0"] * lanes)
        line[lane] = ch
    last = max(measures) if measures else 0
    blocks = []
    empty = "0" * lanes
    for m in range(last + 1):
        rows = measures.get(m, {})
        n = _lines_for(rows.keys())
        step = ROWS_PER_MEASURE // n
        block = ["".join(rows[r]) if r in rows else empty for r in range(0, ROWS_PER_MEASURE, step)]
        blocks.append("\n".join(block))
    return "\n,\n".join(blocks)


def text_floor(notes: Iterable[Note], lanes: int) -> int:
    """The fewest bytes :func:`format_notes` can write for ``notes``: every measure up to the last note's end, each
    at least 4 lines of ``lanes`` characters, ``\n,\n`` between them. Cheap (no text is built), so a writer can
    refuse a chart whose note data would not fit before building it: a note at beat 10**9 is 250 million empty
    measures, gigabytes the writer ran out of memory building."""
    last = max((n.end_beat for n in notes), default=Fraction(0))
    measures = max(0, last // 4) + 1
    return measures * (4 * lanes + 3) + (measures - 1) * 3


def _lines_for(rows: Iterable[int]) -> int:
    """Fewest lines per measure whose spacing divides every row index (192 always works)."""
    rows = list(rows)
    for n in LINES_PER_MEASURE:
        step = ROWS_PER_MEASURE // n
        if all(r % step == 0 for r in rows):
            return n
    return ROWS_PER_MEASURE
