"""Save As into another folder relinks the file tags of the charts history steps keep, not only of the song's own
charts: before, an undo of Remove Chart after Save As put back a chart whose own #MUSIC named its file from the old
folder (``easy.ogg``, not beside the new file), which the next Save wrote."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt


def test_undo_of_remove_chart_after_save_as_keeps_its_music_relinked(window, song_files, tmp_path):
    from chart.commands import RemoveChart

    (song_files.folder / "easy.ogg").write_bytes(b"ogg")
    text = song_files.chart.read_text()
    easy = text.index("#DIFFICULTY:Easy;")
    song_files.chart.write_text(text[:easy] + "#MUSIC:easy.ogg;\n" + text[easy:])
    assert window.open_path(song_files.chart)
    doc = window.session.doc
    removed = next(c for c in doc.song.charts if dict(c.extra).get("MUSIC"))
    doc.push(RemoveChart(removed))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = elsewhere / "out.ssc"
    assert window.files._save_to(out)
    doc.history.undo()
    assert dict(removed.extra)["MUSIC"] == "../song/easy.ogg"
    assert window.files._save_to(out)
    assert "#MUSIC:../song/easy.ogg;" in out.read_text()
    assert "#MUSIC:easy.ogg;" not in out.read_text()
