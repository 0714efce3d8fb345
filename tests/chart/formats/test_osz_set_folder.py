"""An .osz whose .osu files lie below a second top folder, or one folder deeper, is refused naming where they are
and where a set is read from: it said "holds no osu!mania difficulty" while naming a mania file it never read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chart.formats.test_osz import make_zip, osu_text, refused


@pytest.mark.parametrize(("members", "where"), [
    (["Set/S [Hard].osu", "Set/audio.ogg", "Extras/readme.txt"], "in Set/ (Set/S [Hard].osu)"),
    (["Pack/Set/S [Hard].osu", "Pack/Set/audio.ogg"], "in Pack/Set/ (Pack/Set/S [Hard].osu)"),
])
def test_osu_files_outside_the_set_folder_are_named_where_they_are(tmp_path: Path, members, where):
    archive = make_zip(tmp_path / "a.osz", [(m, osu_text("Hard").encode() if m.endswith(".osu") else b"x")
                                            for m in members])
    text = refused(archive, "its .osu files are")
    assert where in text
    assert "only from the top of the archive or its one top folder" in text
    assert "holds no osu!mania difficulty" not in text
