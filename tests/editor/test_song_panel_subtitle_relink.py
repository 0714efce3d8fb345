"""The Song panel's romanised subtitle (#SUBTITLETRANSLIT) follows a subtitle rename as the title's does (before, it
stayed on the old subtitle without a word), and an undo or redo of a romanised-name edit made before Save As into
another folder keeps #BANNER relinked (before, it put back the old path, which the next Save wrote)."""

from __future__ import annotations

import pytest

from tests.editor.test_song_panel_translit import _open_with as open_with
from tests.editor.test_song_panel_translit import _type

pytestmark = pytest.mark.qt


def _open_with(window, song_files, tags: str, subtitle: str = ""):
    return open_with(window, song_files, None, tags, title="Clicks", subtitle=subtitle)


def test_renaming_the_subtitle_carries_its_romanised_copy(window, song_files, tmp_path):
    panel = _open_with(window, song_files, "#SUBTITLETRANSLIT:Demo;", "Demo")
    assert panel.translit["subtitle"].text() == "Demo"
    _type(panel.edits["subtitle"], "Extended Mix")
    assert panel.translit["subtitle"].text() == "Extended Mix"
    out = tmp_path / "out.ssc"
    assert window.files._save_to(out)
    assert "#SUBTITLETRANSLIT:Extended Mix;" in out.read_text()
    window.session.doc.history.undo()  # subtitle and its romanised name: one step
    assert dict(window.session.doc.song.extra)["SUBTITLETRANSLIT"] == "Demo"


def test_renaming_the_subtitle_keeps_and_says_a_real_romanisation(window, song_files):
    panel = _open_with(window, song_files, "#SUBTITLETRANSLIT:Demo;", "デモ")
    _type(panel.edits["subtitle"], "Extended")
    assert dict(window.session.doc.song.extra)["SUBTITLETRANSLIT"] == "Demo"
    assert "Demo" in window.statusBar().currentMessage()
    _type(panel.translit["subtitle"], "Ekusutendo")
    assert window.session.doc.history.undo_commands()[-1].name == "Change subtitle (romanised)"


def test_undo_after_save_as_keeps_the_banner_relinked(window, song_files, tmp_path):
    (song_files.folder / "bn.png").write_bytes(b"png")
    panel = _open_with(window, song_files, "#BANNER:bn.png;")
    _type(panel.translit["title"], "Kurikku")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = elsewhere / "out.ssc"
    assert window.files._save_to(out)
    assert "#BANNER:../song/bn.png;" in out.read_text()
    history = window.session.doc.history
    for step in (history.undo, history.redo):
        step()
        assert window.files._save_to(out)
        assert "#BANNER:../song/bn.png;" in out.read_text()
