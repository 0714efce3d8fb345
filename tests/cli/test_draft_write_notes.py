"""What the chart commands say about what they wrote: a refine's kept rows counted (393 of 394 was printed as
"100%"), and a designer's chart named as replaced only where a file's chart really is (an .osu output holds the
new slots only: "replaces the Hard chart" was printed though the source was untouched)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import soundfile as sf

from chart.formats.registry import save
from chart.notes import Note
from chart.song import Slot
from cli._draft_write import _kept_text
from inference.draft_types import Provenance, SlotDraft
from inference.lane_context import finish_refine
from main import main
from tests.cli.test_chart_cmds import song_for_tests
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


def test_a_refine_counts_the_lower_rows_it_keeps() -> None:
    lower = [Note(Fraction(b), b % 4) for b in range(394)]
    kept = [n for n in lower if n.beat != 233]  # one row of 394 left out: 99.7 %, "100%" as a percentage
    prov = Provenance("m", 1, "0" * 64, "lanes", "cpu", 0, {"refined_from": "Medium"})
    draft = SlotDraft(Slot.HARD, kept, Fraction(0), Fraction(1000), 0.5, prov)
    params = finish_refine([draft], lower, [n.beat for n in lower], keep_arrows=False)[0].provenance.parameters
    assert params["lower_rows_kept"] == 0.9975
    assert (params["lower_rows_kept_count"], params["lower_rows_in_range"]) == (393, 394)
    assert _kept_text(params) == ", keeps 393 of the 394 Medium rows"
    assert _kept_text({**params, "lower_rows_kept_count": 394}) == ", keeps all 394 Medium rows"
    assert _kept_text({"refined_from": "Easy", "lower_rows_kept": 0.9975}) == ", keeps 99.8% of the Easy rows"
    assert _kept_text({}) == ""


def test_an_osu_output_names_a_replaced_chart_only_where_its_file_is_written_over(tmp_path: Path, capsys) -> None:
    drafting_model(tmp_path / "models")
    sf.write(tmp_path / "song.wav", click_track(120, 0.0, 40.0, SR), SR)
    chart = save(dataclasses.replace(song_for_tests(), music="song.wav"), tmp_path / "song.ssc")
    out = tmp_path / "easy.osu"
    argv = ["simplify", str(chart), "--from", "hard", "--to", "easy", "--models", str(tmp_path / "models"),
            "-o", str(out)]
    assert main(argv) == 0
    first = capsys.readouterr().err
    assert "replaces the" not in first  # the song's Easy (60 notes) is not in easy.osu, and song.ssc is untouched
    assert main(argv) == 0
    second = capsys.readouterr().err
    replaced = [line for line in second.splitlines() if line.startswith("note: replaces the Easy chart by AI")]
    assert len(replaced) == 1  # the first run's draft, read from the file written over
    assert replaced[0].endswith(f" in {out}")
    assert "(60 notes)" not in second
    assert f"note: the old {out} is kept as easy.osu.bak" in second
