"""Hypothesis strategies for songs each format can hold exactly (used by the round-trip property tests)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from chart.formats.osu_modes import keyboard_mark
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

ROW = Fraction(1, 48)
SM_KINDS = (NoteKind.TAP, NoteKind.HOLD, NoteKind.ROLL, NoteKind.MINE, NoteKind.LIFT, NoteKind.FAKE)

# Text a designer might type: any letters plus the characters MSD must escape; no control characters.
_TEXT_CHARS = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list(":;#\\/ =,\n"))
text = st.text(_TEXT_CHARS, max_size=16).map(str.strip)
one_line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")) | st.sampled_from(list(":;#,=")),
                   max_size=16).map(str.strip)


def decimal(low: int, high: int, places: int = 3, positive: bool = False) -> st.SearchStrategy[Fraction]:
    """Fractions with at most ``places`` decimals in [low, high] (what the text formats write exactly)."""
    scale = 10**places
    lo = max(low * scale, 1) if positive else low * scale
    return st.integers(lo, high * scale).map(lambda n: Fraction(n, scale))


rows = st.integers(0, 48 * 64).map(lambda n: Fraction(n, 48))


@st.composite
def timing(draw, stops: bool = True, delays: bool = True, warps: bool = True, extras: bool = True,
           max_bpm: int = 400) -> TimingData:
    """Timing on StepMania rows; warps never share a beat with a stop and never overlap."""
    beats = draw(st.lists(rows.filter(lambda b: b > 0), max_size=4, unique=True))
    bpms = [(Fraction(0), draw(decimal(30, max_bpm, positive=True)))]
    bpms += [(b, draw(decimal(30, max_bpm, positive=True))) for b in sorted(beats)]
    stop_list = draw(st.lists(st.tuples(rows, decimal(0, 3, positive=True)), max_size=3,
                              unique_by=lambda p: p[0])) if stops else []
    delay_list = draw(st.lists(st.tuples(rows, decimal(0, 2, positive=True)), max_size=2,
                               unique_by=lambda p: p[0])) if delays else []
    warp_list = []
    if warps:
        for start in sorted(draw(st.lists(rows, max_size=2, unique=True))):
            length = draw(st.integers(1, 96).map(lambda n: Fraction(n, 48)))
            taken = {b for b, _ in stop_list} | {b for b, _ in delay_list}
            clear = all(start + length < w or w + n < start for w, n in warp_list)
            if start not in taken and clear:
                warp_list.append((start, length))
    # A stop inside a warp would shorten the warp .sm writes as a negative stop: keep them apart.
    stop_list = [(b, s) for b, s in stop_list if not any(w <= b <= w + n for w, n in warp_list)]
    sigs = []
    if draw(st.booleans()):
        sigs = [(Fraction(0), 4, 4), (Fraction(draw(st.integers(1, 16)) * 4), draw(st.integers(2, 7)), 4)]
    extra = ()
    if extras and draw(st.booleans()):
        extra = (("SCROLLS", "0.000=1.000,4.000=0.500"), ("LABELS", "0.000=Start"))
    return TimingData(offset=draw(decimal(-2, 2)), bpms=bpms, stops=stop_list, delays=delay_list,
                      warps=warp_list, time_signatures=sigs, extra=extra)


@st.composite
def notes(draw, lanes: int = 4, kinds=SM_KINDS, max_notes: int = 40) -> list[Note]:
    """Notes on rows with no two things (heads, taps, tails) on one lane and row, holds not overlapping."""
    raw = draw(st.lists(st.tuples(rows, st.integers(0, lanes - 1), st.sampled_from(kinds),
                                  st.integers(1, 192)), max_size=max_notes))
    busy: dict[int, list[tuple[Fraction, Fraction]]] = {}
    out = []
    for beat, lane, kind, length_rows in raw:
        length = Fraction(length_rows, 48) if kind.has_length else Fraction(0)
        span = (beat, beat + length)
        if any(not (span[1] < a or b < span[0]) for a, b in busy.get(lane, [])):
            continue
        busy.setdefault(lane, []).append(span)
        out.append(Note(beat, lane, kind, length))
    return out


extra_names = st.from_regex(r"X[A-Z][A-Z0-9]{0,6}", fullmatch=True)
raw_values = st.text(st.sampled_from(list("abcXYZ0123456789 =,.:#")), max_size=12).map(str.strip)


@st.composite
def chart(draw, own_timing: bool = False, sm: bool = False) -> Chart:
    mode, lanes = draw(st.sampled_from([("dance-single", 4), ("dance-double", 8)]))
    radar = raw_values  # any text: the .sm writer escapes what would end the field
    extra = [("RADARVALUES", draw(radar))] if draw(st.booleans()) else []
    if not sm:
        extra += [(name, draw(raw_values)) for name in draw(st.lists(extra_names, max_size=2, unique=True))]
    extra = [(n, v) for n, v in extra if v] if sm else extra
    return Chart(mode=mode, slot=draw(st.sampled_from(list(Slot))), meter=draw(st.integers(1, 30)),
                 description=draw(text), credit="" if sm else draw(text), notes=draw(notes(lanes)),
                 timing=draw(timing()) if own_timing and draw(st.booleans()) else None, lanes=lanes, extra=extra)


@st.composite
def stepmania_song(draw, sm: bool = False) -> Song:
    """A song .ssc (or, with ``sm``, .sm) holds exactly."""
    extra = [("GENRE", draw(raw_values))] if draw(st.booleans()) else []
    extra += [(name, draw(raw_values)) for name in draw(st.lists(extra_names, max_size=3, unique=True))]
    song_timing = draw(timing(delays=not sm))
    return Song(title=draw(text), subtitle=draw(text), artist=draw(text), credit=draw(text), music=draw(text),
                sample_start=draw(decimal(0, 100)), sample_length=draw(decimal(0, 30)), timing=song_timing,
                charts=draw(st.lists(chart(own_timing=not sm, sm=sm), max_size=3)), extra=extra)


@st.composite
def osu_song(draw) -> Song:
    """A one-chart song a .osu file holds exactly: taps and holds, BPM changes and time signatures over 4."""
    lanes = draw(st.sampled_from([4, 7]))
    mode = {4: "dance-single", 7: "kb7-single"}[lanes]
    song_timing = draw(timing(stops=False, delays=False, warps=False, extras=False, max_bpm=240))
    # osu! has no "same tempo again" or "4/4 again": a timing point always states both, so the reader keeps
    # only changes. Generate timing in that normal form.
    bpms = [p for i, p in enumerate(song_timing.bpms) if i == 0 or p[1] != song_timing.bpms[i - 1][1]]
    sigs = [s for s in song_timing.time_signatures if s[1] != 4]
    song_timing = song_timing.with_changes(bpms=bpms, time_signatures=sigs)
    c = Chart(mode=mode, slot=draw(st.sampled_from(list(Slot))), meter=draw(st.integers(1, 30)),
              description=draw(one_line),  # a chart credit of its own would be the file's Creator
              notes=draw(notes(lanes, kinds=(NoteKind.TAP, NoteKind.HOLD))), lanes=lanes,
              extra=keyboard_mark())  # every chart read from .osu is marked a keyboard chart
    extra = [("Metadata.Tags", v) for v in [draw(one_line)] if v]
    return Song(title=draw(one_line), artist=draw(one_line), credit=draw(one_line), music=draw(one_line),
                sample_start=Fraction(draw(st.integers(0, 100_000)), 1000), timing=song_timing, charts=[c],
                extra=extra)


_FRACTIONS = st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**6)


@st.composite
def json_song(draw) -> Song:
    """Anything the model holds: arbitrary exact beats, per-chart timing, free text."""
    base = draw(stepmania_song())
    free_notes = draw(st.lists(st.tuples(st.fractions(0, 1000, max_denominator=10**4), st.integers(0, 3)),
                               max_size=5))
    for c in base.charts:
        c.notes = sorted(c.notes + [Note(b, lane % c.lanes) for b, lane in free_notes])
    base.sample_start = draw(_FRACTIONS)
    return base
