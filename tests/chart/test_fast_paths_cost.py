"""How much Fraction work the per-note paths do (operation counts, not timings): a warp lookup, the JSON
export's note times and the Verify checks used to do Fraction arithmetic per note (per note *and* per warp for
warps), which froze the editor for seconds on songs with many warps or notes. Results are pinned down in
``test_fast_paths_equal.py``."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.checks.base import CheckContext
from chart.checks.registry import all_checks
from chart.formats import game_json
from chart.formats.display_segments import judged_notes
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import fraction_work

N_NOTES = 2000


def stream_song(timing: TimingData) -> Song:
    notes = [Note(Fraction(k, 4), 0, NoteKind.HOLD, Fraction(3, 4)) if k % 16 == 0 else Note(Fraction(k, 4), k % 4)
             for k in range(N_NOTES)]
    return Song(timing=timing, charts=[Chart(slot=Slot.HARD, notes=notes)])


def test_judged_notes_looks_each_note_up_in_the_warps_without_scanning_them():
    warps = tuple((Fraction(4 * k + 1), Fraction(1, 2)) for k in range(300))
    timing = TimingData(warps=warps)
    notes = stream_song(TimingData()).charts[0].notes
    work = fraction_work(lambda: judged_notes(notes, timing))
    assert work < 10 * len(warps) + N_NOTES // 4  # indexing the warps once; was ~800,000 (2 per note per warp)
    assert fraction_work(lambda: judged_notes(notes, timing)) < N_NOTES // 4  # the index is kept on the timing


def test_json_export_computes_note_times_without_fraction_arithmetic():
    song = stream_song(TimingData(bpms=((0, 150), (100, 170)), stops=((50, Fraction(1, 2)),),
                                  warps=((Fraction(301, 2), Fraction(1, 4)),)))
    holds = sum(n.kind.has_length for n in song.charts[0].notes)
    work = fraction_work(lambda: game_json.dumps(song))
    assert work < 10 * holds + 200  # a hold's end beat, the timing maps; was ~17,000 (8 per note)


@pytest.mark.parametrize("check_id", ["unsnapped", "duplicates", "note-in-hold", "holds", "audio-range", "hands",
                                      "parity"])
def test_verify_checks_do_no_fraction_work_per_note(check_id):
    song = stream_song(TimingData(bpms=((0, 150), (100, 170)), stops=((50, Fraction(1, 2)),)))
    check = next(c for c in all_checks() if c.meta.id == check_id)
    found = list(check.run(CheckContext(song, song.charts[0], audio_length_s=1000.0, target_format="ssc")))
    listed = sum(len(i.notes) for i in found)  # reporting an issue may cost a few (its beat, its first row)
    ctx = CheckContext(song, song.charts[0], audio_length_s=1000.0, target_format="ssc")
    assert fraction_work(lambda: list(check.run(ctx))) < 100 + 3 * listed  # was 1,000..12,000 per 2,000 notes


def test_unjudged_finds_each_warps_notes_by_bisection():
    warps = tuple((Fraction(4 * k + 1), Fraction(1, 2)) for k in range(300))
    song = stream_song(TimingData(warps=warps))
    check = next(c for c in all_checks() if c.meta.id == "unjudged")
    ctx = CheckContext(song, song.charts[0])
    found = list(check.run(ctx))
    assert len(found) == 125  # each warp over the notes (beats 0..500) passes over the two at its start
    ctx = CheckContext(song, song.charts[0])
    assert fraction_work(lambda: list(check.run(ctx))) < 60 * len(warps)  # was ~1,200,000: every note per warp
