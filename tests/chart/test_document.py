"""Document: range queries against brute force, range-scoped signals, coalescing, chart ids and mutator checks."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chart.commands import (
    AddChart,
    AddNotes,
    MoveNotes,
    RemoveChart,
    SetChartMeta,
    SetSongMeta,
    SetTiming,
)
from chart.document import Document
from chart.notes import Note, NoteKind
from chart.signals import Signal
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import FakeClock, hold, make_song, tap

quarter_beats = st.integers(-8, 80).map(lambda q: Fraction(q, 4))
any_notes = st.builds(
    lambda b, lane, kind, q: Note(b, lane, kind, Fraction(q, 4) if kind.has_length else 0),
    quarter_beats, st.integers(0, 3), st.sampled_from(list(NoteKind)), st.integers(1, 40),
)


class Recorder:
    def __init__(self, doc: Document) -> None:
        self.events: list[tuple] = []
        doc.notes_changed.connect(lambda *a: self.events.append(("notes", *a)))
        doc.timing_changed.connect(lambda: self.events.append(("timing",)))
        doc.charts_changed.connect(lambda: self.events.append(("charts",)))
        doc.meta_changed.connect(lambda: self.events.append(("meta",)))


@pytest.fixture
def doc() -> Document:
    return Document(make_song(), clock=FakeClock())


@settings(max_examples=150, deadline=None)
@given(st.lists(any_notes, max_size=60), quarter_beats, st.integers(0, 40).map(lambda q: Fraction(q, 4)))
def test_range_queries_match_brute_force(notes, beat0, span) -> None:
    doc = Document(Song(charts=[Chart(notes=list(reversed(notes)))]))
    chart = doc.song.charts[0]
    beat1 = beat0 + span
    assert chart.notes == sorted(notes)
    assert doc.notes_in_range(chart, beat0, beat1) == sorted(n for n in notes if beat0 <= n.beat < beat1)
    overlapping = sorted(n for n in notes if n.beat < beat1 and (n.beat >= beat0 or n.end_beat > beat0))
    assert doc.notes_overlapping(chart, beat0, beat1) == overlapping


def brute_overlapping(notes, beat0, beat1):
    return sorted(n for n in notes if n.beat < beat1 and (n.beat >= beat0 or n.end_beat > beat0))


@settings(max_examples=80, deadline=None)
@given(st.lists(any_notes, max_size=80), st.lists(any_notes, max_size=80), quarter_beats, st.booleans())
def test_insert_then_delete_keeps_order_and_multiset(first, second, beat0, query_first) -> None:
    doc = Document(Song(charts=[Chart(notes=first)]))
    chart = doc.song.charts[0]
    beat1 = beat0 + 2
    if query_first:  # the hold-length cache exists before the edits, or is built after them
        assert doc.notes_overlapping(chart, beat0, beat1) == brute_overlapping(first, beat0, beat1)
    doc.insert_notes(chart, second)  # bulk path when > 32 notes, insort otherwise
    assert chart.notes == sorted(first + second)
    assert doc.notes_overlapping(chart, beat0, beat1) == brute_overlapping(first + second, beat0, beat1)
    doc.delete_notes(chart, second)
    assert chart.notes == sorted(first)
    assert doc.notes_overlapping(chart, beat0, beat1) == brute_overlapping(first, beat0, beat1)


def test_overlap_query_sees_long_hold_after_edits(doc: Document) -> None:
    chart = doc.chart("dance-single/Hard")
    doc.insert_notes(chart, [hold(10, 0, 30)])
    assert hold(10, 0, 30) in doc.notes_overlapping(chart, Fraction(35), Fraction(36))
    doc.delete_notes(chart, [hold(10, 0, 30)])
    assert doc.notes_overlapping(chart, Fraction(35), Fraction(36)) == []


def test_note_at_and_contains(doc: Document) -> None:
    chart = doc.chart("dance-single/Easy")
    assert doc.note_at(chart, Fraction(1, 2), 1) == tap(Fraction(1, 2), 1)
    assert doc.note_at(chart, Fraction(1, 2), 2) is None
    assert doc.contains(chart, tap(0, 0))
    assert not doc.contains(chart, tap(0, 1))


def test_notes_changed_is_range_scoped(doc: Document) -> None:
    rec = Recorder(doc)
    chart = doc.chart("dance-single/Hard")
    doc.push(MoveNotes(chart, [tap(1, 2)], 3))
    assert rec.events == [("notes", "dance-single/Hard", Fraction(1), Fraction(4))]
    rec.events.clear()
    doc.push(AddNotes(chart, [hold(10, 1, Fraction(3, 2))]))
    assert rec.events == [("notes", "dance-single/Hard", Fraction(10), Fraction(23, 2))]
    rec.events.clear()
    doc.undo()
    assert rec.events == [("notes", "dance-single/Hard", Fraction(10), Fraction(23, 2))]


def test_transaction_coalesces_signals_per_chart(doc: Document) -> None:
    rec = Recorder(doc)
    easy, hard = doc.chart("dance-single/Easy"), doc.chart("dance-single/Hard")
    with doc.transaction("Several"):
        doc.push(AddNotes(hard, [tap(20, 0)]))
        doc.push(AddNotes(hard, [tap(5, 0)]))
        doc.push(AddNotes(easy, [tap(7, 3)]))
        doc.push(SetSongMeta(artist="Someone"))
        assert rec.events == []  # nothing until the outermost block ends
    assert sorted(rec.events, key=str) == sorted([
        ("meta",),
        ("notes", "dance-single/Hard", Fraction(5), Fraction(20)),
        ("notes", "dance-single/Easy", Fraction(7), Fraction(7)),
    ], key=str)


def test_timing_charts_and_meta_signals(doc: Document) -> None:
    rec = Recorder(doc)
    hard = doc.chart("dance-single/Hard")
    doc.push(SetTiming(TimingData.constant(150)))
    doc.push(SetTiming(TimingData.constant(75), chart=hard))
    assert hard.timing == TimingData.constant(75)
    doc.push(SetChartMeta(hard, slot=Slot.CHALLENGE, meter=11))
    doc.push(SetSongMeta(title="New"))
    assert rec.events == [("timing",), ("timing",), ("charts",), ("meta",)]
    assert doc.chart("dance-single/Challenge") is hard


def test_chart_ids_disambiguate_duplicates() -> None:
    a, b, c = Chart(slot=Slot.HARD), Chart(slot=Slot.HARD), Chart(slot=Slot.EDIT, description="Mine")
    doc = Document(Song(charts=[a, b, c]))
    assert [doc.chart_id(x) for x in (a, b, c)] == [
        "dance-single/Hard", "dance-single/Hard#2", "dance-single/Edit/Mine"]
    assert doc.chart("dance-single/Hard#2") is b
    with pytest.raises(KeyError):
        doc.chart("dance-single/Beginner")
    with pytest.raises(KeyError):
        doc.chart_id(Chart())


def test_command_pins_chart_across_renames(doc: Document) -> None:
    hard = doc.chart("dance-single/Hard")
    doc.push(AddNotes("dance-single/Hard", [tap(40, 0)]))
    doc.push(SetChartMeta(hard, slot=Slot.EASY))  # now two charts share the id "dance-single/Easy"
    doc.undo()
    doc.undo()
    doc.redo()
    assert doc.contains(hard, tap(40, 0))


def test_add_and_remove_chart_keep_position(doc: Document) -> None:
    rec = Recorder(doc)
    extra = Chart(slot=Slot.BEGINNER, notes=[tap(3, 0), tap(1, 1)])
    doc.push(AddChart(extra, index=0))
    assert doc.song.charts[0] is extra
    assert extra.notes == [tap(1, 1), tap(3, 0)]
    easy = doc.chart("dance-single/Easy")
    doc.push(RemoveChart(easy))
    doc.undo()
    assert doc.song.charts[1] is easy
    assert rec.events == [("charts",)] * 3


def test_mutators_validate(doc: Document) -> None:
    hard = doc.chart("dance-single/Hard")
    with pytest.raises(ValueError, match="lanes"):
        doc.set_chart_fields(hard, lanes=2)
    with pytest.raises(ValueError, match="unknown"):
        doc.set_song_fields(colour="red")
    with pytest.raises(ValueError, match="lane 4"):
        doc.insert_notes(hard, [tap(0, 4)])
    with pytest.raises(ValueError, match="already"):
        doc.insert_chart(0, hard)
    with pytest.raises(ValueError, match="colour"):
        SetSongMeta(colour="red")
    with pytest.raises(ValueError, match="timing"):
        doc.set_timing(None, None)


def test_signal_disconnect_and_reentrancy() -> None:
    sig = Signal("s")
    seen: list[int] = []

    def once(x: int) -> None:
        seen.append(x)
        sig.disconnect(once)

    sig.connect(once)
    sig.connect(lambda x: seen.append(x * 10))
    sig.emit(1)
    sig.emit(2)
    assert seen == [1, 10, 20]
    assert len(sig) == 1


def test_open_save_round_trip_marks_clean_and_keeps_backup(tmp_path) -> None:
    from chart.formats.errors import WriteError
    from chart.formats.registry import loads

    path = tmp_path / "song.ssc"
    doc = Document(make_song(), clock=FakeClock())
    doc.push(SetSongMeta(title="Saved once"))
    assert doc.save(path) == path
    assert doc.is_clean
    assert doc.path == path
    doc.push(AddNotes(doc.chart("dance-single/Hard"), [tap(40, 2)]))
    doc.save()
    reopened = Document.open(path)
    assert reopened.song == doc.song
    assert reopened.is_clean
    backup = loads((tmp_path / "song.ssc.bak").read_bytes(), "ssc")  # the first save
    assert backup.title == "Saved once"
    assert backup.charts[1].notes == make_song().charts[1].notes
    doc.push(AddNotes(doc.chart("dance-single/Hard"), [tap(Fraction(1, 5), 2)]))  # off the 1/192 grid
    with pytest.raises(WriteError):
        doc.save()
    assert not doc.is_clean  # a refused save keeps the changes unsaved
    assert Document.open(path).song.charts[1].notes == reopened.song.charts[1].notes


few_long_holds = st.builds(  # few distinct lengths, so removed and kept holds often share one
    lambda b, lane, length: Note(b, lane, NoteKind.HOLD, length),
    quarter_beats, st.integers(0, 3), st.sampled_from([Fraction(1, 4), Fraction(16)]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(few_long_holds | any_notes, min_size=1, max_size=60), st.data(), quarter_beats)
def test_delete_before_any_query_keeps_overlap_index_right(notes, data, beat0) -> None:
    doc = Document(Song(charts=[Chart(notes=notes)]))
    chart = doc.song.charts[0]
    gone = data.draw(st.lists(st.sampled_from(sorted(notes)), max_size=len(notes), unique_by=id))
    remaining = list(chart.notes)
    for n in gone:
        remaining.remove(n)
    doc.delete_notes(chart, gone)  # the first edit: the hold-length index is built here
    assert doc.notes_overlapping(chart, beat0, beat0 + 2) == brute_overlapping(remaining, beat0, beat0 + 2)


@pytest.mark.parametrize("count", [3, 40])  # one bisection per note / one pass over the span
def test_delete_missing_note_changes_nothing(count: int) -> None:
    notes = [tap(Fraction(i, 2), i % 4) for i in range(100)]
    doc = Document(Song(charts=[Chart(notes=notes)]))
    chart = doc.song.charts[0]
    gone = notes[10:10 + count] + [tap(Fraction(1, 2), 3)]  # the last one is not in the chart
    with pytest.raises(KeyError, match="beat 1/2 lane 3"):
        doc.delete_notes(chart, gone)
    assert chart.notes == notes
    with pytest.raises(KeyError):  # deleting a note twice needs it twice
        doc.delete_notes(chart, notes[10:10 + count] * 2)
    assert chart.notes == notes


def test_audio_path_falls_back_only_to_the_one_audio_file_of_the_folder(tmp_path):
    """#MUSIC names a missing file: StepMania's fallback (the folder's audio file) is taken only when there is one;
    with several (a stem, a preview, another song), guessing drafted and checked against the wrong audio."""
    chart_file = tmp_path / "song.ssc"
    song = Song(music="Song.OGG", source_path=chart_file)
    (tmp_path / "song.ogg").write_bytes(b"x")
    assert song.audio_path() == tmp_path / "song.ogg"  # case-insensitive match
    song = Song(music="gone.ogg", source_path=chart_file)
    assert song.audio_path() == tmp_path / "song.ogg"  # the only audio file
    (tmp_path / "empty.ogg").write_bytes(b"")
    assert song.audio_path() is None  # two: no guess
    assert Song(music="song.ogg", source_path=chart_file).audio_path() == tmp_path / "song.ogg"
