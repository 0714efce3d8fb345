"""Chart domain benchmarks on a 10 k-note chart: statistics, Verify checks, range queries, undo history.

References measured in the same run: the exact per-note ``beat_to_seconds`` loop (what the vectorised
conversion replaces) and a linear scan (what the bisecting range query replaces), so the ratios hold on any
machine.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from benchmarks.common import BenchContext, Section, timeit

N_NOTES = 10_000
STREAM_LANES = (1, 3, 2)  # the 16ths after each beat's jump: Down, Right, Up


def big_song():
    """~10 k notes: 16th streams with a jump every beat and a hold every 2 measures at 150 BPM (about 17 min).

    Each beat: a Left+Up jump (a Left hold of 3/4 beat every 2 measures instead), then Down, Right, Up; no note
    lies in a hold, so Verify's checks and the foot parse see an ordinary stream chart."""
    from chart.notes import Note, NoteKind
    from chart.song import Chart, Slot, Song
    from chart.timing import TimingData

    notes: list[Note] = []
    k = 0
    while len(notes) < N_NOTES:
        beat = Fraction(k, 4)
        if k % 32 == 0:
            notes.append(Note(beat, 0, NoteKind.HOLD, Fraction(3, 4)))
        elif k % 4 == 0:
            notes += [Note(beat, 0), Note(beat, 2)]
        else:
            notes.append(Note(beat, STREAM_LANES[k % 4 - 1]))
        k += 1
    timing = TimingData(bpms=((0, 150), (400, 170)), stops=((200, Fraction(1, 2)),))
    return Song(title="bench", timing=timing, charts=[Chart(slot=Slot.CHALLENGE, meter=15, notes=notes)])


def run(ctx: BenchContext) -> list[Section]:
    from chart.checks.registry import check_song
    from chart.commands import MoveNotes, ReplaceRegion
    from chart.document import Document
    from chart.stats import chart_stats

    repeat = 2 if ctx.quick else 5
    song = big_song()
    chart = song.charts[0]
    n = len(chart.notes)
    sec = Section(f"Chart domain ({n} notes, {float(chart.notes[-1].beat):.0f} beats)")

    beats = np.array([float(x.beat) for x in chart.notes])
    exact_s = timeit(lambda: [song.timing.beat_to_seconds(x.beat) for x in chart.notes], repeat=repeat)
    fast_s = timeit(lambda: song.timing.beats_to_seconds_array(beats), repeat=repeat)
    sec.add("beat->seconds, exact Fractions (reference)", exact_s * 1e3, "ms")
    sec.add("beat->seconds, vectorised", fast_s * 1e3, "ms", note=f"{exact_s / fast_s:.0f}x faster")
    sec.add("chart_stats (counts, rows, NPS, peak, difficulty)",
            timeit(lambda: chart_stats(chart, song.timing), repeat=repeat) * 1e3, "ms")
    sec.add("all Verify checks, target .ssc",
            timeit(lambda: check_song(song, audio_length_s=3600.0, target_format="ssc"), repeat=repeat) * 1e3, "ms")

    doc = Document(song)
    b0, b1 = Fraction(1000), Fraction(1008)  # one screen of notes
    scan_s = timeit(lambda: [x for x in chart.notes if b0 <= x.beat < b1], repeat=repeat)
    range_s = timeit(lambda: doc.notes_in_range(chart, b0, b1), repeat=repeat * 20)
    sec.add("notes in an 8-beat window, linear scan (reference)", scan_s * 1e6, "us")
    sec.add("notes in an 8-beat window, Document.notes_in_range", range_s * 1e6, "us",
            note=f"{scan_s / range_s:.0f}x faster")

    selection = doc.notes_in_range(chart, Fraction(500), Fraction(525))

    def move_and_undo() -> None:
        doc.push(MoveNotes(chart, selection, Fraction(1, 4)))
        doc.undo()

    sec.add(f"MoveNotes of {len(selection)} notes + undo", timeit(move_and_undo, repeat=repeat) * 1e3, "ms",
            goal="< 16 ms (one frame)")
    draft = [x.replace(lane=(x.lane + 1) % 4) for x in doc.notes_in_range(chart, Fraction(800), Fraction(864))]

    def replace_and_undo() -> None:
        doc.push(ReplaceRegion(chart, 800, 864, draft, provenance={"model_id": "bench"}))
        doc.undo()

    sec.add(f"ReplaceRegion of 64 beats ({len(draft)} notes) + undo", timeit(replace_and_undo, repeat=repeat) * 1e3,
            "ms", goal="< 16 ms (one frame)")
    return [sec]
