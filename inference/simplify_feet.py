"""Simplify down, the feet: a simplified chart no harder on the feet than the chart it came from.

:mod:`inference.simplify` keeps some of a harder chart's rows with their arrows. Dropping the rows in between breaks
the alternation they were written for (Left Down Right Down Left kept as Left Right Left), so a simplified chart
could be harder to step than its source: from the 20 audited songs' top charts (session 20), the Hard drafts had
3.48 crossovers per 100 rows against 1.78 in their Challenge sources and 0.97 in the charters' Hard, and more
fast jacks and fast double steps than the sources (Verify warns about the latter). Before, only Beginner rows
were re-laned, and only against crossovers (:func:`inference.simplify.uncrossed`).

:func:`eased` parses the feet (:func:`chart.parity.parse_feet`) of the source and of the simplified chart and
counts the simplified chart's *troubles* that the source does not have on the same row: a crossover, a
footswitch, a fast double step (``FootRow.fast_double_step``, what Verify warns about) and a fast jack (the same
panel again less than :data:`FAST_JACK_S` after the row before). While there is one, the first such row, or
the row before or after it, takes the other panel that lowers the count most (single arrows only: a jump keeps its shape;
never into a hold of that lane); a row no panel helps stays. Deterministic (ties: the row itself, then the one before,
then the one after; Left, Down, Up, Right), and at most ``passes`` arrows move.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from chart.notes import Note
from chart.parity import PANELS, FootParse, FootRow, parse_feet
from chart.timing import TimingData

FAST_JACK_S = 0.2  # a jack this soon after the row before is fast (lane_decision.FAST_REPEAT_S, 1/8 at 150 BPM)

WINDOW_ROWS = 24  # rows either side of a trouble that judge a move

Troubles = dict[Fraction, frozenset[str]]


def troubles(parse: FootParse) -> Troubles:
    """Beat -> the troubles of its row (``crossover``, ``footswitch``, ``double step``, ``jack``), rows with any."""
    out: Troubles = {}
    for r in parse.rows:
        kinds = {name for name, yes in (("crossover", r.crossover), ("footswitch", r.footswitch),
                                        ("double step", r.fast_double_step()),
                                        ("jack", r.jack and r.gap_s < FAST_JACK_S - 1e-6)) if yes}
        if kinds:
            out[r.beat] = frozenset(kinds)
    return out


def _new(parse: FootParse, source: Troubles) -> tuple[int, list[int]]:
    """How many troubles of ``parse`` the source has not on the same row, and the indices of their rows."""
    count, rows = 0, []
    for k, r in enumerate(parse.rows):
        extra = troubles_of(r) - source.get(r.beat, frozenset())
        if extra:
            count += len(extra)
            rows.append(k)
    return count, rows


def troubles_of(row: FootRow) -> frozenset[str]:
    """The troubles of one row (:func:`troubles`)."""
    return troubles(FootParse((row,), 0.0)).get(row.beat, frozenset())


def _free(notes: Sequence[Note], note: Note, lane: int) -> bool:
    """Whether ``note`` can move to ``lane``: no other note of that lane within its span (holds included)."""
    return not any(n.lane == lane and n is not note and n.beat <= note.end_beat and note.beat <= n.end_beat
                   for n in notes)


def eased(notes: Sequence[Note], source: Sequence[Note], timing: TimingData, passes: int = 200
          ) -> tuple[list[Note], int]:
    """``notes`` (simplified from ``source``) with arrows moved where they make troubles the source has not there
    (see the module docstring). Returns the notes and how many arrows moved.

    A move is judged on the rows within :data:`WINDOW_ROWS` of the trouble (a parse of a few dozen rows, not of
    the chart) and kept only when the whole chart's count falls too."""
    was = troubles(parse_feet(source, timing))
    out = sorted(notes)
    parse = parse_feet(out, timing)
    score, bad = _new(parse, was)
    stuck: set[Fraction] = set()
    changed = 0
    while changed < passes:
        k = next((k for k in bad if parse.rows[k].beat not in stuck), None)
        if k is None:
            break
        rows = parse.rows
        lo, hi = rows[max(0, k - WINDOW_ROWS)].beat, rows[min(len(rows) - 1, k + WINDOW_ROWS)].beat
        window = [n for n in out if lo <= n.beat <= hi]
        best, best_score = None, _new(parse_feet(window, timing), was)[0]
        for j in (k, k - 1, k + 1):  # the row itself, the row before it, the row after it
            if not 0 <= j < len(rows) or len(rows[j].notes) != 1:
                continue
            note = rows[j].notes[0]
            i = window.index(note)
            for lane in range(PANELS):
                if lane == note.lane or not _free(out, note, lane):
                    continue
                trial = sorted([*window[:i], note.replace(lane=lane), *window[i + 1:]])
                trial_score = _new(parse_feet(trial, timing), was)[0]
                if trial_score < best_score:
                    best, best_score = (note, lane), trial_score
        if best is not None:
            note, lane = best
            i = out.index(note)
            trial = sorted([*out[:i], note.replace(lane=lane), *out[i + 1:]])
            trial_parse = parse_feet(trial, timing)
            trial_score, trial_bad = _new(trial_parse, was)
            if trial_score < score:
                out, parse, score, bad = trial, trial_parse, trial_score, trial_bad
                changed += 1
                continue
        stuck.add(rows[k].beat)
    return out, changed
