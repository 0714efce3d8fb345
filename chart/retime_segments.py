"""Keep notes in time for StepMania's display and scoring segments (``#LABELS #SCROLLS #SPEEDS #FAKES #TICKCOUNTS
#COMBOS``, in the timing's ``extra``: :mod:`chart.formats.display_segments`).

These segments do not move notes, but they belong to them: a fake segment decides which notes are judged, a label,
a scroll or a combo change sits on the note it marks. When a timing edit gives the notes new beats to keep their
times (:mod:`chart.retime`) and leaves the segments on their old beats, another set of notes is fake (a fake
segment over beats 16-18 with notes every 1/2 beat, BPM 120 -> 125: the note at 7.85 s is no longer judged, the
one at 8.85 s now is). So the same edit re-beats them through the notes' :class:`~chart.retime_map.BeatMap`, and
notes and segments agree:

* an entry's beat goes where a note on that beat goes (on its 1/48-beat row, where StepMania keeps segments);
* a fake segment's end goes where a note on the first row it does not cover goes, so that it covers the same
  notes: its length is the difference (at least one row), in the fewest decimals that end it less than half a
  row before that row, never on or past it (StepMania rounds a length to the nearest row; the editor's judge
  takes the rows before its end: a length of 2/48 written ``0.041666667``, rounded up, reached the next row's
  note), so ``2.08`` for 2 1/12 beats;
* an entry the edit leaves where it was keeps its text (a fake length ``0.167`` is not rewritten as rows);
* two entries of a tag brought onto one row keep the later one (the reader keeps one per row, the last);
* a tag with entries that do not read (StepMania, the judge and the exports skip them and apply the others,
  :func:`~chart.formats.display_segments.read_entries`): the entries that read are re-beated in place and the
  others keep their text and place; a tag of more entries than the readers take (none of it read) is left as it is.

A speed's easing length (beats or seconds) is kept: it is how the scroll eases, not where a note is.
"""

from __future__ import annotations

import math
from fractions import Fraction

from chart.formats import display_segments as ds
from chart.formats.errors import ParseError
from chart.formats.values import ROWS_PER_BEAT, snap_row
from chart.retime_map import BeatMap
from chart.timing import TimingData

_ROW = Fraction(1, ROWS_PER_BEAT)


def retime_segments(timing: TimingData, beats: BeatMap) -> tuple[TimingData, dict[str, int]]:
    """``timing`` (the edit's new timing, its ``extra`` still in the old beats that ``beats`` maps from) with its
    segments re-beated (module docstring), and how many entries of each tag moved (none: ``timing`` itself)."""
    moved: dict[str, int] = {}
    extra = list(timing.extra)
    for at, (tag, text) in enumerate(tuple(extra)):
        if tag not in ds.SPECS:
            continue
        try:
            entries = ds.parse(tag, text)
        except ParseError:
            rebeated_text, count = _rebeat_each(tag, text, beats)
            if count:
                extra[at] = (tag, rebeated_text)
                timing = timing.with_changes(extra=tuple(extra))
                moved[tag] = count
            continue
        # mapped in one go (each beat alone took 8x as long: 16k scroll entries 0.9 s against 0.1 s)
        beats.prepare([entry[0] for entry in entries] + ([_past(e) for e in entries] if tag == "FAKES" else []))
        rebeated = [_moved(tag, entry, beats) for entry in entries]
        count = sum(a != b for a, b in zip(entries, rebeated, strict=True))
        if not count:
            continue
        by_row = {entry[0]: entry for entry in rebeated}  # in the old order: a later entry wins a shared row
        timing = ds.with_entries(timing, tag, [by_row[b] for b in sorted(by_row)])
        extra = list(timing.extra)
        moved[tag] = count
    return timing, moved


def _rebeat_each(tag: str, text: str, beats: BeatMap) -> tuple[str, int]:
    """Text that does not read whole with its readable entries re-beated where they are written and the others
    as written, and how many moved (``text`` and 0 when none did, or when it is over the entry limit)."""
    pieces = ds.read_each(tag, text)
    if pieces is None:
        return text, 0
    entries = [entry for _, entry, _ in pieces if entry is not None]
    beats.prepare([entry[0] for entry in entries] + ([_past(e) for e in entries] if tag == "FAKES" else []))
    rebeated = [None if entry is None else _moved(tag, entry, beats) for _, entry, _ in pieces]
    count = sum(new != old for (_, old, _), new in zip(pieces, rebeated, strict=True))
    if not count:
        return text, 0
    last = {new[0]: i for i, new in enumerate(rebeated) if new is not None}  # the reader keeps a row's last
    out = []
    for i, ((raw, old, _), new) in enumerate(zip(pieces, rebeated, strict=True)):
        if new is None or new == old:
            out.append(raw)
        elif last[new[0]] == i:  # (else a later entry took its row)
            ds.check_entry(tag, new)
            lead, trail = raw[:len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()):]
            out.append(lead + ds.entry_text(tag, new) + trail)
    return ",".join(out), count


def _moved(tag: str, entry: tuple, beats: BeatMap) -> tuple:
    """One entry re-beated (itself when it stays)."""
    start = snap_row(beats(entry[0]))
    if tag != "FAKES":
        return entry if start == entry[0] else (start, *entry[1:])
    past = _past(entry)
    end = snap_row(beats(past))
    if start == entry[0] and end == past:
        return entry
    return start, _decimal_length(max(end - start, _ROW))


def _past(entry: tuple) -> Fraction:
    """The first row a fake segment ``(beat, length)`` does not cover."""
    return Fraction(math.ceil((entry[0] + entry[1]) * ROWS_PER_BEAT), ROWS_PER_BEAT)


def _decimal_length(rows: Fraction) -> Fraction:
    """The shortest decimal length in ``(rows - 1/96, rows]``: it covers the same rows for StepMania and the
    judge, and its text (9 decimals at most) reads back as it is."""
    for places in range(9):
        length = Fraction(math.floor(rows * 10**places), 10**places)
        if length > rows - _ROW / 2:
            return length
    return Fraction(math.floor(rows * 10**9), 10**9)  # (within 10**-9 beat: far under half a row)


def describe(moved: dict[str, int]) -> str:
    """``"2 fake segments, 1 label"`` for the status line ("" when none moved)."""
    return ", ".join(f"{n} {ds.SPECS[tag].name.lower()}{' segment' if tag == 'FAKES' else ''}{'s' * (n != 1)}"
                     for tag, n in moved.items())
