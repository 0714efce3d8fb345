"""The Song panel's romanised title and artist (#TITLETRANSLIT/#ARTISTTRANSLIT, osu!'s Title/Artist): shown and
edited there, one undo step each; renaming the title carries a romanised name that was the old title itself, and
keeps (and shows, and says) one that differs. Before, the panel had no such fields: a renamed song kept its old
name in the .osu Title and the .ssc #TITLETRANSLIT without a word."""

from __future__ import annotations

import pytest

from chart.formats.registry import dumps, load

pytestmark = pytest.mark.qt


def _open_with(window, song_files, qtbot, tags: str, title: str = "クリック", subtitle: str | None = None):
    text = song_files.chart.read_text().replace("#TITLE:Clicks;", f"#TITLE:{title};\n{tags}")
    if subtitle is not None:
        text = text.replace("#SUBTITLE:;", f"#SUBTITLE:{subtitle};")
    song_files.chart.write_text(text)
    assert window.open_path(song_files.chart)
    return window.properties_panel


def _type(edit, text: str) -> None:
    edit.setText(text)
    edit.editingFinished.emit()


def test_romanised_fields_show_and_edit_the_tags(window, song_files, qtbot):
    panel = _open_with(window, song_files, qtbot, "#TITLETRANSLIT:Kurikku;")
    doc = window.session.doc
    assert panel.translit["title"].text() == "Kurikku"
    assert panel.translit["artist"].text() == ""
    _type(panel.translit["title"], "Kurikku: Remix")
    _type(panel.translit["artist"], "Tesuto")
    extra = dict(doc.song.extra)
    assert (extra["TITLETRANSLIT"], extra["ARTISTTRANSLIT"]) == ("Kurikku\\: Remix", "Tesuto")  # escaped as read
    assert "Title:Kurikku: Remix" in dumps(_one_chart(doc.song), "osu").splitlines()
    doc.history.undo()  # the artist's step alone
    assert "ARTISTTRANSLIT" not in dict(doc.song.extra)
    assert dict(doc.song.extra)["TITLETRANSLIT"] == "Kurikku\\: Remix"
    _type(panel.translit["title"], "")  # empty: no tag, the games show the title
    assert "TITLETRANSLIT" not in dict(doc.song.extra)


def test_renaming_keeps_a_real_romanisation_visible(window, song_files, qtbot):
    panel = _open_with(window, song_files, qtbot, "#TITLETRANSLIT:Kurikku;")
    _type(panel.edits["title"], "New Name")
    song = window.session.doc.song
    assert song.title == "New Name"
    assert dict(song.extra)["TITLETRANSLIT"] == "Kurikku"
    assert panel.translit["title"].text() == "Kurikku"
    assert "Kurikku" in window.statusBar().currentMessage()


def test_renaming_carries_a_romanised_name_equal_to_the_old_title(window, song_files, qtbot, tmp_path):
    panel = _open_with(window, song_files, qtbot, "#TITLETRANSLIT:クリック;")
    _type(panel.edits["title"], "New Name")
    assert panel.translit["title"].text() == "New Name"
    out = tmp_path / "out.ssc"
    assert window.files._save_to(out)
    assert load(out).title == "New Name"
    assert "#TITLETRANSLIT:New Name;" in out.read_text()
    window.session.doc.history.undo()  # title and romanised name: one step
    assert window.session.doc.song.title == "クリック"
    assert dict(window.session.doc.song.extra)["TITLETRANSLIT"] == "クリック"


def _one_chart(song):
    import copy

    single = copy.deepcopy(song)
    single.charts = single.charts[:1]
    return single
