"""The count-based Verify checks (density, Beginner jumps and rolls, hands) count the notes StepMania judges: the
notes of a warp flash by unplayed, so they neither make a chart dense nor dilute its jumps, as in the Stats panel."""

from __future__ import annotations

from fractions import Fraction

from chart.checks.base import CheckContext
from chart.checks.registry import check_song
from chart.formats.display_segments import judged_notes
from chart.notes import NoteKind
from chart.song import Chart, Slot, Song
from chart.stats import SLOT_NPS_RANGES, chart_stats
from chart.timing import TimingData
from tests.chart.helpers import hold, tap


def issues_of(song: Song, check_id: str) -> list:
    return [i for i in check_song(song) if i.check_id == check_id]


def warp_gimmick_song() -> Song:
    """Medium at 120 BPM: quarters (2 notes/s) over 64 beats, and a 1/16 burst inside a 4-beat warp every 8 beats."""
    notes = [tap(b, b % 4) for b in range(4, 68)]
    warps = []
    for start in range(8, 64, 8):
        warps.append((Fraction(start) + Fraction(1, 2), Fraction(4)))
        notes += [tap(Fraction(start) + Fraction(1, 2) + Fraction(k, 4), k % 4) for k in range(1, 15)
                  if (Fraction(k, 4) + Fraction(1, 2)) % 1 != 0]
    timing = TimingData(bpms=((Fraction(0), Fraction(120)),), warps=tuple(warps))
    return Song(title="t", timing=timing, charts=[Chart(slot=Slot.MEDIUM, meter=5, notes=sorted(set(notes)))])


def test_density_counts_only_the_judged_notes_as_stats_does() -> None:
    song = warp_gimmick_song()
    chart = song.charts[0]
    low, high = SLOT_NPS_RANGES[Slot.MEDIUM]
    assert low / 1.5 < chart_stats(chart, song.timing).mean_nps < high * 1.5  # 2 notes/s: usual enough
    assert issues_of(song, "density") == []  # was "7.66 notes/s is far above Medium's usual 2.27-4.48"
    assert len(issues_of(song, "unjudged")) == 7  # the warps' notes are listed where they belong


def test_the_densest_spot_is_a_judged_notes_beat() -> None:
    # Beginner: eighths at 120 BPM (4 notes/s, far above 1.73 x 1.5), sixteenths from beat 40 to 44, and a burst
    # of 40 notes inside a warp at beat 100 that all fall on one instant (the densest by far, if it counted).
    notes = [tap(Fraction(k, 2), k % 4) for k in range(8, 136) if not 80 <= k < 88]
    notes += [tap(40 + Fraction(k, 4), k % 4) for k in range(16)]
    notes += [tap(100 + Fraction(k, 16), k % 4) for k in range(40)]
    timing = TimingData(bpms=((Fraction(0), Fraction(120)),), warps=((Fraction(100), Fraction(3)),))
    song = Song(title="t", timing=timing, charts=[Chart(slot=Slot.BEGINNER, meter=1, notes=sorted(set(notes)))])
    (issue,) = issues_of(song, "density")
    assert "far above" in issue.message
    assert 40 <= issue.beat < 44  # was beat 100, inside the warp
    judged = CheckContext(song, song.charts[0]).judged
    assert any(n.beat == issue.beat for n in judged)


def beginner_with_warped_singles() -> Song:
    """100 judged single-arrow rows and 12 judged jumps (10.7 % of 112 rows: above the 10 % line), plus 100 single
    arrows, a jump and a roll inside warps, which nobody steps."""
    notes = [tap(4 + k, k % 4) for k in range(100)]
    notes += [tap(Fraction(9, 2) + 8 * k, 0) for k in range(12)] + [tap(Fraction(9, 2) + 8 * k, 3) for k in range(12)]
    warps = []
    for k in range(10):
        start = 200 + 20 * k
        warps.append((Fraction(start), Fraction(10)))
        notes += [tap(start + j, j % 4) for j in range(10)]
    notes += [tap(Fraction(401, 2), 1), hold(Fraction(403, 2), 0, 1, NoteKind.ROLL)]
    timing = TimingData(bpms=((Fraction(0), Fraction(120)),), warps=tuple(warps))
    return Song(title="t", timing=timing, charts=[Chart(slot=Slot.BEGINNER, meter=1, notes=sorted(set(notes)))])


def test_beginner_jump_ratio_counts_the_judged_rows() -> None:
    (issue,) = issues_of(beginner_with_warped_singles(), "beginner")
    # was an INFO "13 jumps (6% of rows)": the warps' 100 rows and their jump diluted the ratio
    assert issue.severity.name == "WARNING"
    assert issue.message.startswith("12 jumps in a Beginner chart (11% of rows)")
    assert len(issue.notes) == 24


def test_a_roll_nobody_steps_is_not_a_beginner_roll() -> None:
    song = beginner_with_warped_singles()
    assert all("roll" not in i.message for i in issues_of(song, "beginner"))


def test_the_context_computes_the_judged_notes_once() -> None:
    song = warp_gimmick_song()
    ctx = CheckContext(song, song.charts[0])
    assert ctx.judged is ctx.judged
    assert ctx.judged == judged_notes(song.charts[0].notes, song.timing)
    assert 0 < len(ctx.judged) < len(song.charts[0].notes)
