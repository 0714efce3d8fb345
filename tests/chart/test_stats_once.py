"""Stats count each note once: a couple chart's whole-chart figures (kind counts, steps, first and last time) come
from its two players' (``chart_stats`` ran the whole statistics three times: the chart and each player, 60k
notes ~170 -> ~290 ms on the Stats panel's GUI thread), and ``shown_counts`` reuses the judged counts of
``chart_stats`` (``info`` and the Stats panel picked the judged notes out again). The figures are unchanged."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

import chart.stats as stats_mod
from chart.formats.display_segments import judged_notes
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot
from chart.stats import chart_stats, kind_counts, shown_counts
from chart.timing import TimingData

WARPED = TimingData(bpms=((Fraction(0), Fraction(140)),), stops=((Fraction(6), Fraction(1, 10)),),
                    warps=((Fraction(8), Fraction(3)), (Fraction(30), Fraction(1, 2))))
KINDS = (NoteKind.TAP, NoteKind.TAP, NoteKind.TAP, NoteKind.HOLD, NoteKind.ROLL, NoteKind.MINE, NoteKind.FAKE,
         NoteKind.LIFT)


def _notes(seed: int, lanes: range, n: int) -> list[Note]:
    rng = random.Random(seed)
    out = {}
    for _ in range(n):
        beat, lane, kind = Fraction(rng.randrange(0, 200), 4), rng.choice(lanes), rng.choice(KINDS)
        out[(beat, lane)] = Note(beat, lane, kind, Fraction(rng.randrange(1, 8), 4) if kind.has_length else 0)
    return sorted(out.values(), key=lambda x: (x.beat, x.lane))


def _old_shown(chart: Chart, timing: TimingData) -> tuple[dict[str, int], int]:
    every, judged = kind_counts(chart.notes), kind_counts(judged_notes(chart.notes, timing))
    steps = [k.value for k in NoteKind if k.is_onset]
    return {k: judged[k] if k in steps else v for k, v in every.items()}, sum(every[k] - judged[k] for k in steps)


CASES = [(s, r) for s in range(6) for r in ((0, 8), (0, 4), (4, 8))] + [(0, (0, 0))]  # both, one, other, none


@pytest.mark.parametrize(("seed", "lanes"), CASES)
@pytest.mark.parametrize("timing", [WARPED, TimingData.constant(120)])
def test_the_figures_are_those_of_the_whole_chart(seed: int, lanes: tuple[int, int], timing: TimingData) -> None:
    mode, n = ("dance-couple", 8) if seed % 2 == 0 else ("pump-couple", 10)
    notes = _notes(seed, range(lanes[0] * n // 8, lanes[1] * n // 8), 150) if lanes[1] else []
    chart = Chart(slot=Slot.HARD, meter=8, mode=mode, lanes=n, notes=notes)
    st = chart_stats(chart, timing)
    whole = stats_mod._stats(chart.notes, judged_notes(chart.notes, timing), timing)  # what it was taken from
    assert (st.counts, st.onsets, st.first_s, st.last_s) == (whole.counts, whole.onsets, whole.first_s, whole.last_s)
    assert sum(p.onsets for p in st.players) == st.onsets
    assert shown_counts(chart, timing, st) == shown_counts(chart, timing) == _old_shown(chart, timing)
    single = Chart(slot=Slot.HARD, meter=8, notes=[x for x in notes if x.lane < 4])
    assert shown_counts(single, timing, chart_stats(single, timing)) == _old_shown(single, timing)


def test_nothing_is_counted_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"judged": 0, "times": 0}
    real_judged, real_times = stats_mod.judged_notes, stats_mod.onset_times_s

    def judged(notes, timing):
        calls["judged"] += 1
        return real_judged(notes, timing)

    def times(notes, timing):
        calls["times"] += 1
        return real_times(notes, timing)

    monkeypatch.setattr(stats_mod, "judged_notes", judged)
    monkeypatch.setattr(stats_mod, "onset_times_s", times)
    chart = Chart(slot=Slot.HARD, meter=8, mode="dance-couple", lanes=8, notes=_notes(1, range(8), 200))
    st = chart_stats(chart, WARPED)
    shown_counts(chart, WARPED, st)
    assert calls == {"judged": 1, "times": 2}  # was: the whole chart's times too, and the judged notes again
