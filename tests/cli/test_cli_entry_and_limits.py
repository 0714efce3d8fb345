"""``main.py SONG [options]`` opens the editor as main.py's docstring says (argparse refused it as an invalid
command), while a mistyped command is still one; ``train --max-minutes`` takes a time above 0 only (-1 and nan
made a run folder and ended on a missing last.pt; 0 meant no limit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chart.formats.registry import save
from main import main
from tests.cli.test_chart_cmds import song_for_tests


def test_a_song_path_as_first_argument_opens_it(tmp_path, capsys) -> None:
    ssc = save(song_for_tests(), tmp_path / "song.ssc")
    # the open command's own check answers (nothing is shown: the screenshot's folder is missing)
    assert main([str(ssc), "--screenshot", str(tmp_path / "none" / "x.png")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'none'}: folder does not exist"
    assert main([str(tmp_path / "missing.ssc")]) == 2
    assert "missing.ssc: no such file or folder" in capsys.readouterr().err


def test_a_mistyped_command_is_still_an_invalid_choice(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["darft", "song.ogg"])
    assert exit_.value.code == 2
    assert "invalid choice: 'darft'" in capsys.readouterr().err


@pytest.mark.parametrize("minutes", ["-1", "0", "nan", "inf"])
def test_train_refuses_a_time_limit_that_is_no_limit(tmp_path: Path, capsys, minutes: str) -> None:
    (tmp_path / "songs").mkdir()
    out = tmp_path / "run"
    assert main(["train", "--songs", str(tmp_path / "songs"), "--out", str(out), "--max-minutes", minutes]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --max-minutes takes a number of minutes above 0")
    assert "\n" not in err
    assert not out.exists()  # refused before any work: no run folder left behind
