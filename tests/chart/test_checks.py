"""Verify checks: each fires on a crafted chart and stays quiet on a clean one; the runner survives crashes."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from fractions import Fraction

import pytest

from chart.checks.base import Check, CheckContext, CheckMeta, Issue, Severity, describe_beat
from chart.checks.registry import all_checks, check_song, register, run_checks, unregister, worst
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.timing import TimingData
from tests.chart.helpers import hold, tap

AUDIO_S = 80.0


def clean_song(slot: Slot = Slot.MEDIUM) -> Song:
    """About 3 notes/s at 120 BPM for 60 s: quarters and eighths, a jump per measure, a hold every 4 measures."""
    notes: list[Note] = []
    for measure in range(30):
        base = 4 * measure + 4  # start at beat 4 (2 s in)
        if measure % 4 == 3:
            notes += [hold(base, 0, 2), tap(base + 2, 1), tap(base + 3, 2)]
            continue
        notes += [tap(base, 0), tap(base, 3), tap(base + 1, 1), tap(base + Fraction(3, 2), 2),
                  tap(base + 2, 1), tap(base + Fraction(5, 2), 0), tap(base + 3, 3)]
    if slot == Slot.BEGINNER:
        notes = [n for n in notes if n.beat.denominator == 1 and n.lane != 3]
    return Song(title="Clean", timing=TimingData.constant(120), charts=[Chart(slot=slot, meter=5, notes=notes)])


def issues_of(song: Song, check_id: str, **ctx) -> list[Issue]:
    return [i for i in check_song(song, **ctx) if i.check_id == check_id]


def add(song: Song, *notes: Note) -> Song:
    song = copy.deepcopy(song)
    song.charts[0].notes = sorted(song.charts[0].notes + list(notes))
    return song


@pytest.mark.parametrize("slot", [Slot.BEGINNER, Slot.MEDIUM])
def test_clean_chart_has_no_issue(slot: Slot) -> None:
    assert check_song(clean_song(slot), audio_length_s=AUDIO_S, target_format="ssc") == []
    assert check_song(clean_song(slot), audio_length_s=AUDIO_S, target_format="sm") == []


def test_every_check_has_distinct_meta() -> None:
    checks = all_checks()
    assert len({c.meta.id for c in checks}) == len(checks) >= 8
    for c in checks:
        assert isinstance(c, Check)
        assert c.meta.category
        assert c.meta.description


def test_unsnapped_off_grid_problem_with_ms() -> None:
    song = add(clean_song(), tap(Fraction(21, 5), 2))  # 1/5 beat: not on the 1/192 grid
    (issue,) = issues_of(song, "unsnapped")
    assert issue.severity == Severity.PROBLEM
    assert issue.beat == Fraction(21, 5)
    assert "off the 1/192 grid" in issue.message
    assert "-4.2 ms from beat 101/24" in issue.message  # nearest row 4 + 10/48: 1/120 beat later at 0.5 s/beat


def test_unsnapped_hold_end_and_unusual_snaps() -> None:
    song = add(clean_song(), hold(9, 3, Fraction(1, 7)), tap(Fraction(4 * 48 + 1, 48), 3))
    found = issues_of(song, "unsnapped")
    messages = [i.message for i in found]
    assert any("hold end at beat" in m for m in messages)
    (unusual,) = [i for i in found if i.severity == Severity.WARNING]
    assert "1/192 snap" in unusual.message


def test_fine_snap_at_easy_is_info() -> None:
    song = clean_song(Slot.EASY)
    song = add(song, tap(Fraction(17, 4), 3))  # a 16th at Easy: fine; a 32nd is not
    assert issues_of(song, "unsnapped") == []
    song = add(song, tap(Fraction(33, 8), 3))
    (info,) = issues_of(song, "unsnapped")
    assert info.severity == Severity.INFO
    assert "1/32" in info.message


def test_duplicates() -> None:
    song = add(clean_song(), tap(5, 1), Note(Fraction(5), 1, NoteKind.MINE))
    (issue,) = issues_of(song, "duplicates")
    assert issue.severity == Severity.PROBLEM
    assert len(issue.notes) == 3
    assert "lane 2" in issue.message


def test_note_inside_hold() -> None:
    song = add(clean_song(), tap(17, 0), Note(Fraction(18), 0, NoteKind.MINE))  # hold 16..18 on lane 0
    found = issues_of(song, "note-in-hold")
    assert [i.beat for i in found] == [17, 18]
    assert all(i.severity == Severity.PROBLEM for i in found)
    assert hold(16, 0, 2) in found[0].notes


def test_holds_without_length_overlapping_and_short() -> None:
    song = add(
        clean_song(),
        Note(Fraction(33), 2, NoteKind.HOLD, Fraction(0)),   # no length
        Note(Fraction(34), 2, NoteKind.TAP, Fraction(1)),    # a tap with a length
        hold(Fraction(33, 2), 0, Fraction(1, 32)),           # tiny hold, starting inside the hold 16..18
        hold(49, 1, 4), hold(51, 1, 1, NoteKind.ROLL),       # roll starts inside the hold
    )
    found = issues_of(song, "holds")
    kinds = sorted((i.severity.name, i.message.split(" at ")[0]) for i in found)
    assert ("PROBLEM", "hold without length") in kinds
    assert ("PROBLEM", "tap with a length (1 beats)") in kinds
    assert ("WARNING", "hold of 1/32 beat") in kinds
    overlap = [i for i in found if "overlaps" in i.message]
    assert [i.beat for i in overlap] == [Fraction(33, 2), 51]


def test_notes_outside_audio() -> None:
    song = clean_song()
    song.timing = TimingData.constant(120, offset="1.5")  # beat 0 at -1.5 s: beat 4 at 0.5 s
    song = add(song, tap(1, 2), Note(Fraction(2), 3, NoteKind.MINE))
    found = issues_of(song, "audio-range", audio_length_s=55.0)
    before = [i for i in found if "before the audio" in i.message]
    # games play a note before 0 s after a lead-in of silence (chart.checks.audio_range): a WARNING, mine or tap
    assert [(i.beat, i.severity) for i in before] == [(1, Severity.WARNING), (2, Severity.WARNING)]
    after = [i for i in found if "after the audio" in i.message]
    late = [n for n in song.charts[0].notes if song.timing.beat_to_seconds(n.end_beat) > 55]
    assert [n for i in after for n in i.notes] == late  # a row's notes in one issue (one per row and kind)
    assert len(late) == 17  # the hold at beat 112 (ends at 55.5 s) and every note after beat 113
    assert after[0].severity == Severity.WARNING  # the hold's head (54.5 s) is within the audio, only its tail not
    assert all(i.severity == Severity.PROBLEM for i in after[1:])
    assert issues_of(song, "audio-range") == before  # without audio length: only the start is checked


def test_hold_ending_after_audio() -> None:
    song = add(clean_song(), hold(150, 0, 8))  # 75 s .. 79 s
    (issue,) = issues_of(song, "audio-range", audio_length_s=77.0)
    assert "ends 2.000 s after" in issue.message


def test_beginner_jumps_and_rolls() -> None:
    song = add(clean_song(Slot.BEGINNER), tap(6, 3), hold(7, 3, 1, NoteKind.ROLL), hold(11, 3, 1, NoteKind.ROLL))
    found = {i.message.split(" in a ")[0]: i for i in issues_of(song, "beginner")}
    assert set(found) == {"1 jump", "2 rolls"}
    assert found["1 jump"].severity == Severity.INFO  # a few jumps are common in human Beginner charts
    assert found["1 jump"].beat == 6
    assert found["2 rolls"].severity == Severity.WARNING
    assert found["2 rolls"].beat == 7
    assert len(found["2 rolls"].notes) == 2
    harder = copy.deepcopy(song)
    harder.charts[0].slot = Slot.EASY
    assert issues_of(harder, "beginner") == []


def test_beginner_many_jumps_warn() -> None:
    song = clean_song(Slot.BEGINNER)
    jumps = [tap(b, 3) for b in range(4, 124, 4)]  # a jump on every downbeat: 25 % of rows
    song = add(song, *jumps)
    (summary,) = issues_of(song, "beginner")
    assert "jumps" in summary.message
    assert summary.severity == Severity.WARNING
    assert len(summary.notes) == 2 * len(jumps)


def test_hands_warn_at_low_slots_and_are_counted_once_at_high_ones() -> None:
    song = clean_song(Slot.MEDIUM)  # lanes 0..3 on every beat from 4 (see clean_song)
    song.charts[0].notes = [n for n in song.charts[0].notes if not 5 <= n.beat <= 9]
    song = add(song, hold(5, 0, 3), tap(6, 1), tap(6, 3),  # a jump while lane 0 is held: three panels
               tap(7, 2),  # one arrow while held: fine
               tap(8, 1), tap(8, 2),  # the hold ends at 8: released as the jump lands, fine
               tap(9, 0), tap(9, 1), tap(9, 2))  # a 3-panel hand without holds
    found = issues_of(song, "hands")
    assert [(i.severity, i.beat) for i in found] == [(Severity.WARNING, 6), (Severity.WARNING, 9)]
    assert found[0].message.startswith("a jump while 1 hold is down at beat 6")
    assert set(found[0].notes) == {hold(5, 0, 3), tap(6, 1), tap(6, 3)}
    assert found[1].message.startswith("3-panel hand at beat 9")
    song.charts[0].slot = Slot.CHALLENGE  # a known device at high slots: one summary
    (summary,) = issues_of(song, "hands")
    assert summary.severity == Severity.INFO
    assert summary.message == "2 rows need hands (3+ panels at once), first at beat 6"
    song.charts[0].mode = "kb7-single"  # fingers, not feet
    song.charts[0].lanes = 7
    assert issues_of(song, "hands") == []


def test_density_far_above_and_below() -> None:
    dense = clean_song(Slot.BEGINNER)
    dense.charts[0].notes = [tap(Fraction(i, 4), i % 4) for i in range(16, 400)]  # 8 notes/s
    (issue,) = issues_of(dense, "density")
    assert issue.severity == Severity.WARNING
    assert "far above Beginner" in issue.message
    sparse = clean_song(Slot.CHALLENGE)
    sparse.charts[0].notes = [tap(4 * i, 0) for i in range(1, 40)]  # 0.5 notes/s
    (issue,) = issues_of(sparse, "density")
    assert "far below Challenge" in issue.message
    edit = copy.deepcopy(sparse)
    edit.charts[0].slot = Slot.EDIT
    assert issues_of(edit, "density") == []


def test_representable_in_sm() -> None:
    song = clean_song()
    song.charts[0].timing = TimingData.constant(150)  # .sm has one timing per song
    found = issues_of(song, "representable", target_format="sm")
    assert any(i.severity == Severity.PROBLEM and "one timing per song" in i.message for i in found)
    assert issues_of(song, "representable", target_format="ssc") == []
    assert issues_of(song, "representable") == []  # no target format: nothing to say


def test_representable_off_grid_note() -> None:
    """An off-grid note is the unsnapped check's PROBLEM, once (representable reported it too)."""
    song = add(clean_song(), tap(Fraction(21, 5), 2))
    assert issues_of(song, "representable", target_format="ssc") == []
    (found,) = [i for i in issues_of(song, "unsnapped", target_format="ssc") if i.severity == Severity.PROBLEM]
    assert found.notes == (tap(Fraction(21, 5), 2),)


def test_crashing_check_becomes_a_problem_issue() -> None:
    class CheckBoom:
        meta = CheckMeta("boom", "Test", "always fails")

        def run(self, ctx: CheckContext) -> Iterator[Issue]:
            yield Issue(Severity.INFO, "before failing")
            raise ZeroDivisionError("division by zero\nsecond line")

    register(CheckBoom())
    try:
        with pytest.raises(ValueError, match="already"):
            register(CheckBoom())
        found = check_song(clean_song(), audio_length_s=AUDIO_S)
    finally:
        unregister("boom")
    assert [(i.severity, i.message, i.check_id) for i in found] == [
        (Severity.PROBLEM, "check boom failed: ZeroDivisionError: division by zero", "boom")]
    assert worst(found) == Severity.PROBLEM
    assert worst([]) is None


def test_issues_sorted_and_labelled_with_chart_ids() -> None:
    song = add(clean_song(), tap(Fraction(21, 5), 2), tap(5, 1))
    twin = copy.deepcopy(song.charts[0])
    song.charts.append(twin)
    ctx = CheckContext(song, twin, audio_length_s=AUDIO_S)
    found = run_checks(ctx)
    assert {i.chart_id for i in found} == {"dance-single/Medium#2"}
    beats = [i.beat for i in found if i.beat is not None]
    assert beats == sorted(beats)


def test_describe_beat() -> None:
    assert describe_beat(Fraction(51, 4)) == "12.75"
    assert describe_beat(Fraction(25, 3)) == "25/3"
    assert describe_beat(Fraction(-1, 2)) == "-0.5"


def _mp3_head(lame: bool, id3: bool = True, delay: int = 576, mono: bool = False) -> bytes:
    """The first bytes of an MPEG-1 Layer III file at 44.1 kHz: an optional ID3v2 tag, a frame header, side
    information, an Info tag and (optionally) its LAME extension with ``delay``."""
    tag = b"ID3\x04\x00\x00\x00\x00\x01\x00" + bytes(128) if id3 else b""  # syncsafe size 128
    frame = bytes([0xFF, 0xFB, 0x90, 0xC4 if mono else 0x44]) + bytes(17 if mono else 32)
    info = b"Info" + bytes(116)
    ext = b"LAME3.100" + bytes(12) + bytes([delay >> 4, (delay & 0xF) << 4 | 0x0, 0x00]) if lame else b""
    return tag + frame + info + ext + bytes(400)


def test_lame_delay_reads_the_gapless_header(tmp_path) -> None:
    from chart.mp3_header import lame_delay

    path = tmp_path / "m.mp3"
    path.write_bytes(_mp3_head(lame=True))
    assert lame_delay(path) == (576 + 529, 44100)
    path.write_bytes(_mp3_head(lame=True, id3=False, delay=1152, mono=True))
    assert lame_delay(path) == (1152 + 529, 44100)
    path.write_bytes(_mp3_head(lame=False))
    assert lame_delay(path) is None  # an Info tag without LAME's extension: no delay on record
    path.write_bytes(b"OggS" + bytes(500))
    assert lame_delay(path) is None
    assert lame_delay(tmp_path / "missing.mp3") is None


def test_mp3_with_a_lame_header_is_reported_once_per_chart(tmp_path) -> None:
    song = clean_song()
    song.music = "song.mp3"
    song.source_path = tmp_path / "song.ssc"
    (tmp_path / "song.mp3").write_bytes(_mp3_head(lame=True))
    (issue,) = issues_of(song, "mp3-delay")
    assert issue.severity == Severity.INFO
    assert issue.beat is None
    assert "skips its first 1105 samples (25 ms)" in issue.message
    (tmp_path / "song.mp3").write_bytes(_mp3_head(lame=False))
    assert issues_of(song, "mp3-delay") == []
    song.music = "song.ogg"
    (tmp_path / "song.ogg").write_bytes(b"OggS" + bytes(500))  # a real Ogg: nothing to say
    assert issues_of(song, "mp3-delay") == []
    (tmp_path / "song.ogg").write_bytes(_mp3_head(lame=True))  # an MP3 named .ogg (audit 25): decoded, and its
    (issue,) = issues_of(song, "mp3-delay")                      # start skipped, as an MP3 all the same
    assert issue.message.startswith("song.ogg is an MP3 with a LAME header")


def test_notes_in_warps_and_fake_segments_and_unreadable_tags_are_reported() -> None:
    from chart.formats.display_segments import with_entries

    song = clean_song()
    assert issues_of(song, "unjudged") == []
    timing = song.timing.with_changes(warps=((Fraction(2), Fraction(1)),),
                                      extra=(("SCROLLS", "0=fast"),))
    song.timing = with_entries(timing, "FAKES", [(Fraction(4), Fraction(2))])
    song.charts[0].notes = sorted([Note(Fraction(2), 0), Note(Fraction(5, 2), 1), Note(Fraction(3), 2),
                                   Note(Fraction(9, 2), 3), Note(Fraction(5), 0, NoteKind.MINE)])
    issues = issues_of(song, "unjudged")
    tag, warp, fake = issues
    assert (tag.severity, tag.beat) == (Severity.WARNING, None)
    assert "#SCROLLS entry '0=fast' cannot be read" in tag.message
    assert (warp.severity, warp.beat, len(warp.notes)) == (Severity.WARNING, Fraction(2), 2)
    assert warp.message == "2 notes inside the warp at beat 2 are passed over"
    assert (fake.severity, fake.beat, fake.notes) == (Severity.INFO, Fraction(4), (Note(Fraction(9, 2), 3),))
    assert "drawn but never judged" in fake.message
    song.timing = song.timing.with_changes(stops=((Fraction(2), Fraction(1, 2)),))  # a stop on the warp's row
    (_tag, warp, _fake) = issues_of(song, "unjudged")
    assert len(warp.notes) == 1  # ... keeps its note judged, as in StepMania


def test_notes_in_overlapping_warps_are_listed_once() -> None:
    song = clean_song()
    song.timing = song.timing.with_changes(warps=((Fraction(8), Fraction(4)), (Fraction(10), Fraction(4))))
    song.charts[0].notes = [Note(Fraction(b, 2), b % 4) for b in range(16, 29)]  # beats 8..14
    warps = issues_of(song, "unjudged")
    listed = [n for issue in warps for n in issue.notes]
    assert len(listed) == len(set(listed)) == 12  # beats 8 to 13.5; 14 is the second warp's end
    assert [len(i.notes) for i in warps] == [8, 4]
