"""Chart formats: parse and write a 10 000-note chart in every format (median wall time).

Reference measured in the same run: the standard library's ``json.loads`` of the very export text our JSON
reader parses, so the JSON ratio says what validation and exact fractions cost on top of plain JSON decoding.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

from benchmarks.common import BenchContext, Section, timeit
from chart.formats import game_json, osu_mania, sm, ssc
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

NOTES = 10_000


def ten_k_song(kinds: tuple[NoteKind, ...], seed: int = 0) -> Song:
    """A 4-lane chart of 10 000 notes on 8ths/12ths/16ths/24ths, with tempo changes and stops."""
    rng = random.Random(seed)
    notes: list[Note] = []
    beat = Fraction(0)
    free = [Fraction(0)] * 4  # a lane is free again after its hold ends
    while len(notes) < NOTES:
        beat += rng.choice([Fraction(1, 2), Fraction(1, 3), Fraction(1, 4), Fraction(1, 6)])
        lane = rng.randrange(4)
        if free[lane] > beat:
            continue
        kind = rng.choice(kinds)
        length = Fraction(rng.choice([1, 2, 3]), 2) if kind.has_length else Fraction(0)
        notes.append(Note(beat, lane, kind, length))
        free[lane] = beat + length + Fraction(1, 4)
    bpms = [(Fraction(0), Fraction(150))] + [(Fraction(64 * i), Fraction(150 + 10 * (i % 3))) for i in range(1, 20)]
    timing = TimingData(offset=Fraction(-1, 10), bpms=bpms)
    return Song(title="bench", music="a.ogg", timing=timing, charts=[Chart(slot=Slot.HARD, meter=10, notes=notes)])


def run(ctx: BenchContext) -> list[Section]:
    repeat = 2 if ctx.quick else 5
    section = Section("Chart formats: 10 000-note chart")
    sm_song = ten_k_song((NoteKind.TAP, NoteKind.TAP, NoteKind.TAP, NoteKind.HOLD, NoteKind.ROLL, NoteKind.MINE))
    osu_song = ten_k_song((NoteKind.TAP, NoteKind.TAP, NoteKind.TAP, NoteKind.HOLD))
    cases = [("sm", sm, sm_song), ("ssc", ssc, sm_song), ("osu", osu_mania, osu_song), ("json", game_json, sm_song)]
    for name, module, song in cases:
        text = module.dumps(song)
        assert module.loads(text).charts[0].notes == song.charts[0].notes  # the benchmark reads what it wrote
        parse_s = timeit(lambda m=module, t=text: m.loads(t), repeat=repeat)
        write_s = timeit(lambda m=module, s=song: m.dumps(s), repeat=repeat)
        size = f"{len(text.encode()) / 1024:.0f} KiB"
        section.add(f".{name} parse", parse_s * 1000, "ms", note=f"{parse_s / NOTES * 1e6:.0f} µs/note, {size}")
        section.add(f".{name} write", write_s * 1000, "ms", note=f"{write_s / NOTES * 1e6:.0f} µs/note")
        if name == "json":
            ref_s = timeit(lambda t=text: json.loads(t), repeat=repeat)
            section.add("reference: stdlib json.loads of the same text", ref_s * 1000, "ms",
                        note=f"our JSON reader = {parse_s / ref_s:.0f}x this")
    section.text = ("Exact arithmetic (fractions.Fraction) dominates: each note's time is computed exactly "
                    "through the timing map on write (JSON, osu) and on read (osu). One song, one chart, "
                    "19 tempo changes; holds/rolls/mines mixed in for StepMania and JSON, taps and holds for osu.")
    return [section]
