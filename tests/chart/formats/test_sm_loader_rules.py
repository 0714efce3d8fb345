"""What StepMania's .sm/.ssc loaders do with entries a clean file never has, read the same here and said in the
read report: a measure of more than 192 lines (two lines on one row), two stops or delays on one beat, an old
Hard chart described SMANIAC, a stop before beat 0 in a .sm file, a BPM of 0."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import sm, ssc
from chart.formats.notedata import _nearest, parse_notes
from chart.formats.timing_tags import timing_tag_values
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData

HEAD = "#TITLE:t;\n#OFFSET:0;\n"
CHART = "#NOTES:\n dance-single:\n {desc}:\n {slot}:\n 5:\n :\n{data}\n;\n"
NOTES = "1000\n0000\n0000\n0000\n,\n1000\n0000\n0000\n0000\n,\n1000\n0000\n0000\n0000"


def sm_text(timing: str, data: str = NOTES, desc: str = "d", slot: str = "Hard") -> str:
    return HEAD + timing + CHART.format(desc=desc, slot=slot, data=data)


def reasons(report: list) -> str:
    return "\n".join(r.reason for r in report)


# ------------------------------------------------------------------------ 1. more than 192 lines per measure
def test_a_200_line_measure_keeps_one_note_per_lane_and_row_and_saves():
    report: list = []
    song = sm.loads(sm_text("#BPMS:0=120;\n", "\n".join(["1000"] * 200)), report)
    notes = song.charts[0].notes
    assert len(notes) == 192 == len({(n.beat, n.lane) for n in notes})
    assert "8 note(s) on a lane and 1/48-beat row that a later note line also filled" in reasons(report)
    again = sm.loads(sm.dumps(song))  # no longer refused: "note on the same lane and row as another note"
    assert again.charts[0].notes == notes
    assert ssc.loads(ssc.dumps(song)).charts[0].notes == notes


def test_on_a_shared_row_the_later_line_wins_over_heads_and_taps():
    lines = ["0000"] * 200
    first = next(i for i in range(1, 200) if _nearest(192 * i, 200) == _nearest(192 * (i - 1), 200))
    lines[first - 1], lines[first] = "2100", "1200"  # lane 0: a head, then a tap; lane 1: a tap, then a head
    lines[first + 4] = "3300"
    notes, ignored = parse_notes("\n".join(lines), 4)
    row = F(_nearest(192 * first, 200), 48)
    assert [(n.beat, n.lane, n.kind) for n in notes] == [(row, 0, NoteKind.TAP), (row, 1, NoteKind.HOLD)]
    assert notes[1].end_beat == F(_nearest(192 * (first + 4), 200), 48)
    assert ignored["shared row"] == 2
    assert ignored["orphan tail"] == 1  # lane 0's tail lost its head


def test_a_clean_file_reads_as_before():
    notes, ignored = parse_notes("\n".join(["1000", "2000", "3000", "0100"] * 48), 4)
    assert "shared row" not in ignored
    assert len(notes) == 144  # 48 times: a tap, a hold, a tap


def measure_256(lines: dict[int, str]) -> str:
    """A 256-line measure (lines 2 and 3 are both on row 2; line 1 on row 1, line 8 on row 6)."""
    return "\n".join(lines.get(i, "0000") for i in range(256))


@pytest.mark.parametrize("order", [{0: "2000", 2: "3000", 3: "1000"}, {0: "2000", 2: "1000", 3: "3000"}])
def test_a_tail_on_a_shared_row_neither_replaces_nor_is_replaced(order):
    # StepMania's 3 writes nothing (a hold lives at its head's row): the hold and the tap stay, in either order
    notes, ignored = parse_notes(measure_256(order), 4)
    assert [(n.beat, n.kind, n.length) for n in notes] == [(0, NoteKind.HOLD, F(1, 24)), (F(1, 24), NoteKind.TAP, 0)]
    assert ignored == {}  # nothing replaced, and a tap on the tail's row is not inside the hold


def test_a_tail_on_its_heads_own_row_is_ignored_and_the_hold_stays_open():
    notes, ignored = parse_notes(measure_256({2: "2000", 3: "3000", 8: "3000"}), 4)
    assert [(n.beat, n.kind, n.length) for n in notes] == [(F(2, 48), NoteKind.HOLD, F(4, 48))]
    assert ignored == {"orphan tail": 1}  # StepMania looks for the head on earlier rows only


def test_a_note_inside_a_hold_before_a_shared_tail_row_is_still_counted():
    notes, ignored = parse_notes(measure_256({0: "2000", 1: "1000", 2: "1000", 3: "3000"}), 4)
    assert [n.kind for n in notes] == [NoteKind.HOLD, NoteKind.TAP, NoteKind.TAP]
    assert ignored == {"note inside hold": 1}


# ------------------------------------------------------------------------ 2. two stops or delays on one beat
@pytest.mark.parametrize("fmt", [sm, ssc])
def test_two_stops_on_one_beat_keep_the_last_as_stepmania_does(fmt):
    report: list = []
    text = sm_text("#BPMS:0=60;\n#STOPS:4=0.5,4=0.25;\n")
    if fmt is ssc:
        text = ("#VERSION:0.83;\n#OFFSET:0;\n#BPMS:0=60;\n#STOPS:4=0.5,4=0.25;\n#DELAYS:4=0.1,4=0.2;\n"
                "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:5;\n#NOTES:\n" + NOTES + "\n;\n")
    song = fmt.loads(text, report)
    assert song.timing.stops == ((F(4), F(1, 4)),)
    delay = F(1, 5) if fmt is ssc else 0
    assert song.timing.beat_to_seconds(8) == F(8) + F(1, 4) + delay  # StepMania: 8.25 s (+ the delay)
    assert "stop(s) listed again at the beat of another" in reasons(report)
    back = fmt.loads(fmt.dumps(song)).timing
    assert back.stops == song.timing.stops
    assert back.delays == song.timing.delays


def test_a_stop_and_a_delay_on_one_beat_both_stay():
    text = ("#VERSION:0.83;\n#OFFSET:0;\n#BPMS:0=60;\n#STOPS:4=0.5;\n#DELAYS:4=0.25;\n"
            "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:5;\n#NOTES:\n" + NOTES + "\n;\n")
    timing = ssc.loads(text).timing
    assert timing.stops == ((F(4), F(1, 2)),)
    assert timing.delays == ((F(4), F(1, 4)),)


def test_pauses_a_timing_holds_twice_on_one_beat_are_written_as_their_sum():
    timing = TimingData(bpms=((F(0), F(60)),), stops=((F(4), F(1, 2)), (F(4), F(1, 4))))
    values = dict(timing_tag_values(timing))
    assert values["STOPS"] == "4.000=0.750"  # StepMania would play only the last of two entries


# ------------------------------------------------------------------------ 3. old SMANIAC/CHALLENGE Hard charts
@pytest.mark.parametrize("desc", ["SMANIAC", "challenge", "Smaniac"])
def test_an_old_hard_chart_described_smaniac_is_challenge(desc):
    report: list = []
    text = sm_text("#BPMS:0=120;\n") + CHART.format(desc=desc, slot="Hard", data=NOTES)
    song = sm.loads(text, report)
    assert [(c.slot, c.description) for c in song.charts] == [(Slot.HARD, "d"), (Slot.CHALLENGE, desc)]
    assert "read as Challenge" in reasons(report)


def test_other_descriptions_stay_hard():
    song = sm.loads(sm_text("#BPMS:0=120;\n", desc="Challenge mode"))
    assert song.charts[0].slot is Slot.HARD


@pytest.mark.parametrize("desc", ["Challenge", " smaniac "])
def test_a_hard_chart_described_challenge_is_saved_so_that_it_reopens_as_hard(desc):
    song = Song(timing=TimingData(bpms=((F(0), F(120)),)), charts=[
        Chart(mode="dance-single", slot=Slot.HARD, meter=9, description=desc, notes=[Note(F(0), 0)]),
        Chart(mode="dance-single", slot=Slot.CHALLENGE, meter=11, notes=[Note(F(1), 1)])])
    listed = [p for p in sm.problems(song) if "written as" in p.reason]
    assert [(p.chart_id, p.fatal) for p in listed] == [("dance-single/Hard", False)]
    assert f"description {desc.strip()!r} written as '{desc.strip()} (Hard)'" in listed[0].reason
    back = sm.loads(sm.dumps(song))
    assert [(c.slot, c.description) for c in back.charts] == [(Slot.HARD, f"{desc.strip()} (Hard)"),
                                                              (Slot.CHALLENGE, "")]
    assert not [p for p in sm.problems(back) if "written as" in p.reason]  # stable from then on


# ------------------------------------------------------------------------ 4. a stop before beat 0, a BPM of 0
def test_a_stop_before_beat_0_in_a_sm_file_moves_the_chart():
    report: list = []
    timing = sm.loads(sm_text("#BPMS:0=120;\n#STOPS:-1=0.5;\n"), report).timing
    assert (timing.beat_to_seconds(0), timing.beat_to_seconds(4)) == (F(1, 2), F(5, 2))  # StepMania's times
    assert timing.stops == ()
    assert timing.offset == F(-1, 2)
    assert "before beat 0 taken into #OFFSET" in reasons(report)


def test_the_sm_writer_leaves_out_pauses_before_beat_0_and_keeps_a_delay_at_beat_0_exact():
    chart = Chart(mode="dance-single", slot=Slot.HARD, meter=5, notes=[Note(F(0), 0), Note(F(4), 1)])
    early = Song(timing=TimingData(bpms=((F(0), F(120)),), stops=((F(-1), F(1, 2)),)), charts=[chart])
    assert any("before beat 0 not written" in p.reason and not p.fatal for p in sm.problems(early))
    assert sm.loads(sm.dumps(early)).timing.beat_to_seconds(0) == 0  # as early times it: beat 0 at -offset
    delayed = Song(timing=TimingData(bpms=((F(0), F(120)),), delays=((F(0), F(1, 4)),)), charts=[chart])
    assert not [p for p in sm.problems(delayed) if "reads back" in p.reason]
    back = sm.loads(sm.dumps(delayed)).timing
    for beat in (F(0), F(4)):
        assert back.beat_to_seconds(beat) == delayed.timing.beat_to_seconds(beat)


@pytest.mark.parametrize(("bpms", "expect"), [
    ("0=120,8=0,9=120", ((F(0), F(120)), (F(9), F(120)))),
    ("0=0,8=120", ((F(8), F(120)),)),  # the next BPM applies from the start
])
def test_a_bpm_of_0_is_ignored_as_stepmania_ignores_it(bpms, expect):
    report: list = []
    timing = sm.loads(sm_text(f"#BPMS:{bpms};\n"), report).timing
    assert timing.bpms == expect
    assert timing.beat_to_seconds(4) == 2
    assert "BPM(s) of 0" in reasons(report)
