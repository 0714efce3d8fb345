"""Random command sequences: every undo lands on the snapshot taken before the step, every redo on the one after.

A hypothesis state machine pushes random commands (notes, holds, timing, metadata, charts, AI regions,
transactions), undoes, redoes and saves; the oracle is a list of deep-copied songs.
"""

from __future__ import annotations

import copy
from fractions import Fraction

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chart.commands import (
    AddChart,
    AddNotes,
    MoveNotes,
    RemoveChart,
    RemoveNotes,
    ReplaceRegion,
    SetChartMeta,
    SetHoldLength,
    SetSongMeta,
    SetTiming,
)
from chart.document import Document
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot
from chart.timing import TimingData
from tests.chart.helpers import FakeClock, converted, make_song

beats = st.integers(0, 64).map(lambda q: Fraction(q, 4))
notes = st.builds(
    lambda b, lane, kind, q: Note(b, lane, kind, Fraction(q, 4) if kind.has_length else 0),
    beats, st.integers(0, 3), st.sampled_from(list(NoteKind)), st.integers(1, 8),
)
timings = st.builds(
    lambda bpm, stop_beat, stop_s: TimingData(bpms=((0, bpm),), stops=((stop_beat, stop_s),)),
    st.integers(60, 240), beats, st.sampled_from([Fraction(0), Fraction(1, 4), Fraction(1, 2)]),
)


def _chart_notes(doc: Document, chart: Chart, data: st.DataObject, max_size: int = 4) -> list[Note]:
    if not chart.notes:
        return []
    picks = data.draw(st.sets(st.integers(0, len(chart.notes) - 1), max_size=max_size))
    return [chart.notes[i] for i in sorted(picks)]


class HistoryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.doc = Document(make_song(notes_per_chart=8), clock=self.clock, merge_window_s=1.0)
        self.states = [copy.deepcopy(self.doc.song)]  # states[i]: the song after i undo steps
        self.position = 0
        self.saved: int | None = 0

    def _commit_step(self) -> None:
        del self.states[self.position + 1:]
        if self.saved is not None and self.saved > self.position:
            self.saved = None
        self.states.append(copy.deepcopy(self.doc.song))
        self.position += 1

    def _command(self, data: st.DataObject):
        charts = self.doc.song.charts
        chart = data.draw(st.sampled_from(charts)) if charts else None
        kinds = ["meta", "timing", "add_chart"]
        if chart is not None:
            kinds += ["add", "remove", "move", "kind", "hold", "region", "chart_meta", "chart_timing"]
            kinds += ["remove_chart"] if len(charts) > 1 else []
        kind = data.draw(st.sampled_from(kinds))
        if kind == "meta":
            return SetSongMeta(title=data.draw(st.text(max_size=5)), sample_start=data.draw(beats))
        if kind == "timing":
            return SetTiming(data.draw(timings))
        if kind == "add_chart":
            slot = data.draw(st.sampled_from(list(Slot)))
            return AddChart(Chart(slot=slot, notes=data.draw(st.lists(notes, max_size=4))))
        if kind == "chart_timing":
            return SetTiming(data.draw(st.none() | timings), chart=chart)
        if kind == "chart_meta":
            meter = data.draw(st.integers(1, 20))
            return SetChartMeta(chart, meter=meter, slot=data.draw(st.sampled_from(list(Slot))))
        if kind == "remove_chart":
            return RemoveChart(chart)
        if kind == "add":
            return AddNotes(chart, data.draw(st.lists(notes, min_size=1, max_size=3)))
        if kind == "region":
            b0 = data.draw(beats)
            b1 = b0 + data.draw(st.integers(1, 16)) * Fraction(1, 4)
            draft = [n for n in data.draw(st.lists(notes, max_size=4)) if b0 <= n.beat < b1]
            return ReplaceRegion(chart, b0, b1, draft, provenance={"model_id": "m", "seed": 1})
        picked = _chart_notes(self.doc, chart, data)
        if kind == "remove":
            return RemoveNotes(chart, picked)
        if kind == "move":
            beat_delta = data.draw(st.integers(-4, 4)) * Fraction(1, 4)
            return MoveNotes(chart, picked, beat_delta, data.draw(st.integers(0, 1)))
        if kind == "kind":
            return converted(chart, picked, data.draw(st.sampled_from(list(NoteKind))), Fraction(1, 2))
        holds = [n for n in picked if n.kind.has_length]
        if holds:
            return SetHoldLength(chart, holds[0], data.draw(st.integers(1, 8)) * Fraction(1, 4))
        return AddNotes(chart, [Note(Fraction(100), 0)])

    def _try_push(self, command) -> bool:
        before = copy.deepcopy(self.doc.song)
        try:
            self.doc.push(command)
        except (ValueError, KeyError):  # invalid edit (lane out of range...): nothing may have changed
            assert self.doc.song == before
            return False
        return True

    @rule(data=st.data())
    def push(self, data: st.DataObject) -> None:
        self.clock.advance(10)  # outside the merge window: one step per push
        if self._try_push(self._command(data)):
            self._commit_step()

    @rule(data=st.data())
    def transaction(self, data: st.DataObject) -> None:
        self.clock.advance(10)
        pushed = 0
        with self.doc.transaction("Batch"):
            for _ in range(data.draw(st.integers(1, 3))):
                pushed += self._try_push(self._command(data))
        if pushed:
            self._commit_step()

    @precondition(lambda self: self.position > 0)
    @rule()
    def undo(self) -> None:
        assert self.doc.undo()
        self.position -= 1

    @precondition(lambda self: self.position < len(self.states) - 1)
    @rule()
    def redo(self) -> None:
        assert self.doc.redo()
        self.position += 1

    @rule()
    def save(self) -> None:
        self.doc.mark_clean()
        self.saved = self.position

    @invariant()
    def matches_snapshot(self) -> None:
        assert self.doc.song == self.states[self.position]
        assert self.doc.is_clean == (self.saved == self.position)
        for chart in self.doc.song.charts:
            assert chart.notes == sorted(chart.notes)

    def teardown(self) -> None:
        # Undo everything: back to the start; redo everything: the newest state.
        while self.doc.undo():
            pass
        assert self.doc.song == self.states[0]
        while self.doc.redo():
            pass
        assert self.doc.song == self.states[-1]


HistoryMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestHistoryProperty = HistoryMachine.TestCase
