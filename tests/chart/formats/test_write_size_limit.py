"""No writer writes a file that ``registry.load`` refuses as too large: a 24-chart song of 219k notes saved as a
21.1 MB .json without a word, and reopening it failed ("file too large"). Save, Export and the CLI write through
``registry.encode``, which now refuses first (one line, nothing written); the editor's autosaves (JSON written
with ``registry.dumps``, read back without the limit) are not limited."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from chart.formats import game_json, registry
from chart.formats.errors import MAX_INPUT_BYTES, WriteError
from chart.formats.registry import dumps, load, save, save_split
from chart.notes import Note
from chart.song import Chart, Slot, Song
from chart.timing import TimingData


def _song(charts: int, notes: int) -> Song:
    return Song(title="Big", artist="Audit", timing=TimingData.constant(170), charts=[
        Chart(slot=Slot.EDIT, description=f"edit {k}", meter=10,
              notes=[Note(F(i // 2, 4), (i * 3 + i // 2 + k) % 4) for i in range(notes)]) for k in range(charts)])


def test_a_json_over_the_read_limit_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "MAX_INPUT_BYTES", 200_000)  # the limit load() applies, lowered to a test size
    song = _song(4, 600)  # ~270 KB as .json, ~13 KB as .ssc
    target = tmp_path / "big.json"
    target.write_text("the old file")
    with pytest.raises(WriteError) as refused:  # what Save, Export and the CLI already report as one line
        save(song, target, keep_backup=True)
    assert str(refused.value).startswith("cannot write .json: the file would be 0.")
    assert "over the 0 MB a reader accepts; save as .ssc" in str(refused.value)
    assert "\n" not in str(refused.value)
    with pytest.raises(WriteError):
        save_split(song, tmp_path / "other.json")
    assert target.read_text() == "the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json"]  # no .bak, no temporary, no other.json
    save(song, tmp_path / "big.ssc")
    assert [len(c.notes) for c in load(tmp_path / "big.ssc").charts] == [600] * 4
    small = _song(1, 600)
    save(small, tmp_path / "small.json")  # under the limit: written, and it reads back
    assert [len(c.notes) for c in load(tmp_path / "small.json").charts] == [600]


def test_autosaves_of_a_song_over_the_limit_still_write_and_read_back(monkeypatch):
    monkeypatch.setattr(registry, "MAX_INPUT_BYTES", 200_000)
    song = _song(4, 600)
    text = dumps(song, "json")  # the autosave job's writer
    assert len(text) > 200_000
    assert [len(c.notes) for c in game_json.loads(text, max_bytes=None).charts] == [600] * 4


@pytest.mark.slow
def test_the_auditors_song_at_the_real_limit(tmp_path):
    """24 charts of 9,116 notes: 21.1 MB of JSON against the 20 MB limit (several seconds of JSON writing)."""
    song = _song(24, 9116)
    with pytest.raises(WriteError, match=r"the file would be 21\.\d MB, over the 20 MB a reader accepts"):
        save(song, tmp_path / "big.json")
    assert not list(tmp_path.iterdir())
    assert len(dumps(song, "json").encode()) > MAX_INPUT_BYTES


@pytest.mark.parametrize("ext", [".ssc", ".sm"])
def test_a_far_note_is_refused_before_its_empty_measures_are_built(tmp_path, monkeypatch, ext):
    """A .sm/.ssc writes every measure up to the last note: a note at beat 10**9 (a plugin's, a hand-edited JSON's)
    was 250 million empty measures, which Save built until the editor was killed for its memory (beat 10**7: 52 MB
    built, then refused). The size is now estimated from the last measure first, and no text is built."""
    from chart.formats import stepmania

    def built(*_args, **_kwargs):
        raise AssertionError("the note data was built")

    monkeypatch.setattr(stepmania, "format_notes", built)
    song = _song(1, 8)
    song.charts[0].notes.append(Note(F(10**7), 1))
    with pytest.raises(WriteError, match=rf"^cannot write \{ext}: the file would be 52\.5 MB, over the 20 MB"):
        save(song, tmp_path / f"far{ext}")
    song.charts[0].notes[-1] = Note(F(10**9), 1)
    with pytest.raises(WriteError, match=r"the file would be 5245\.2 MB") as refused:
        save(song, tmp_path / f"far{ext}")
    assert str(refused.value).endswith(f"a {ext} writes every measure up to a chart's last note: delete notes far "
                                       "past the song's end, or split its charts between files")
    assert not list(tmp_path.iterdir())


def test_the_estimate_never_exceeds_the_note_data_written():
    """:func:`text_floor` refuses nothing that would fit: it is at most the text :func:`format_notes` writes."""
    from chart.formats.notedata import format_notes, text_floor
    from chart.notes import NoteKind

    for lanes in (4, 6, 8):
        for last in (0, 3, 4, 15, 63):
            notes = [Note(F(i, 3), i % lanes) for i in range(0, 3 * last, 5)]
            notes.append(Note(F(last), 0, NoteKind.HOLD, F(9, 4)) if last % 2 else Note(F(last, 1), lanes - 1))
            notes = sorted(set(notes))
            assert text_floor(notes, lanes) <= len(format_notes(notes, lanes).encode())
        assert text_floor([], lanes) == len(format_notes([], lanes))
