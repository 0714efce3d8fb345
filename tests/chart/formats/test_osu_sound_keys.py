"""osu! kept sounds and beat tokens stay with their notes: the lost-sound count is linear work, and the keys and
``@beat`` tokens are re-beated by a timing edit that keeps notes in time (chart/formats/osu_hitsounds.py,
chart/retime.py)."""

from __future__ import annotations

from fractions import Fraction as F

from chart.formats import osu_hitsounds as hs
from chart.formats import osu_mania
from chart.notes import Note


class CountingList(list):
    """A list that counts how often it is walked through."""

    walks = 0

    def __iter__(self):
        CountingList.walks += 1
        return super().__iter__()


def test_lost_sounds_walks_the_written_notes_once_not_once_per_kept_sound():
    notes = [Note(F(i), i % 4) for i in range(300)]
    extra = [(hs.HITSOUNDS, "\n".join(f"{n.beat},{n.lane},2,0:0:0:0:" for n in notes))]
    written = CountingList(notes[1:])
    CountingList.walks = 0
    lost = hs.lost_sounds("c", extra, written)
    assert CountingList.walks == 1  # was 300: saving a 10k-object hitsounded map took 40 s
    assert "hitsounds of 1 note edited away" in lost[0].reason


OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Editor]\nBookmarks: 2000,4000\n\n"
       "[Metadata]\nTitle:T\nCreator:C\nVersion:Hard Lv.7\n\n[Difficulty]\nCircleSize:4\n\n"
       "[Events]\n//Break Periods\n2,2200,3800\n\n[TimingPoints]\n0,500,4,1,0,100,1,0\n2000,-50,4,1,0,100,0,0\n\n"
       "[HitObjects]\n64,192,1000,1,0,0:0:0:0:\n64,192,2000,1,4,0:0:0:0:finish.wav\n64,192,4000,1,0,0:0:0:0:\n")


def test_a_bpm_correction_keeping_notes_in_time_keeps_sounds_green_lines_bookmarks_and_breaks_on_them():
    from chart.retime import retime_notes, retime_osu_extra

    song = osu_mania.loads(OSU)
    chart, old = song.charts[0], song.timing
    new = old.with_changes(bpms=((F(0), F(240)),))
    chart.notes, _ = retime_notes(chart.notes, old, new)
    chart.extra = retime_osu_extra(chart.extra, osu_mania.loads(OSU).charts[0].notes, old, new)
    song.extra = retime_osu_extra(song.extra, (), old, new)
    song.timing = new
    out = osu_mania.dumps(song)
    for name in ("HitObjects", "Events"):
        assert out.split(f"[{name}]")[1].split("\n\n")[0] == OSU.split(f"[{name}]")[1].split("\n\n")[0]
    assert "Bookmarks: 2000,4000\n" in out
    assert "\n2000,-50,4,1,0,100,0,0\n" in out


def test_a_sound_whose_note_is_dropped_on_a_taken_cell_is_not_handed_to_the_note_kept_there():
    from chart.retime import retime_notes_counted, retime_osu_extra
    from chart.timing import TimingData

    old = TimingData.constant(120)
    paused = old.with_changes(stops=((F(2), F(1, 2)),))  # times 1.0-1.5 s all map to the stop's beat
    notes = [Note(F(2), 0), Note(F(9, 4), 0), Note(F(5, 2), 1)]
    extra = [(hs.HITSOUNDS, "9/4,0,8,0:0:0:0:\n5/2,1,2,0:0:0:0:")]  # the note at 2 has none; 9/4's is dropped
    moved, dropped, _, _ = retime_notes_counted(notes, old, paused)
    assert dropped == 1
    assert moved == [Note(F(2), 0), Note(F(2), 1)]
    assert hs.kept_sounds(retime_osu_extra(extra, notes, old, paused)) == {(F(2), 1): ("2", "0:0:0:0:")}


def test_the_status_counts_every_note_given_a_new_beat():
    from chart.retime import retime_notes_counted
    from chart.timing import TimingData

    old = TimingData.constant(120, "0")
    notes = [Note(F(b, 4), 0) for b in range(4, 20)]  # a stream: a shift by one row lands each on the next one's
    # beat (from beat 1: a note on beat 0 would go before it, where it is pulled up to beat 0 and gives way)
    moved, _, _, changed = retime_notes_counted(notes, old, old.with_changes(offset=F(-1, 8)))
    assert changed == 16
    assert len(set(moved) - set(notes)) == 1


def test_a_drag_carries_a_sound_and_undo_brings_it_back():
    from chart.commands import move_onto
    from chart.document import Document
    from chart.song import Chart, Song

    notes = [Note(F(1), 0), Note(F(2), 0)]
    chart = Chart(lanes=4, notes=list(notes), extra=[(hs.HITSOUNDS, "1,0,2,0:0:0:0:")])
    doc = Document(Song(charts=[chart]))
    doc.push(move_onto(chart, list(chart.notes), [notes[0]], 1, 1))  # beat 1 lane 0 -> beat 2 lane 1
    assert hs.kept_sounds(chart.extra) == {(F(2), 1): ("2", "0:0:0:0:")}
    doc.push(move_onto(chart, list(chart.notes), [Note(F(2), 1)], 0, -1))  # onto beat 2 lane 0's plain note
    assert hs.kept_sounds(chart.extra) == {(F(2), 0): ("2", "0:0:0:0:")}  # its own sound, not dropped
    doc.undo()
    doc.undo()
    assert hs.kept_sounds(chart.extra) == {(F(1), 0): ("2", "0:0:0:0:")}
