"""What the README, the Makefile's help and the help texts say of training, evaluation and serving agrees with what
they do: ``make train`` ships nothing (the README said it retrained the shipped models) and its duration was ~2 h in
one help and ~1 h in the other; ``make eval`` was missing from the README's targets; the evaluation protocol was cited
as EVALUATION.md, a file outside the repository; ``serve --max-request-mb`` alone gave no default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inference.serving.server import DEFAULT_MAX_REQUEST_BYTES
from main import main

ROOT = Path(__file__).resolve().parents[2]


def _help(argv, capsys) -> str:
    with pytest.raises(SystemExit):
        main(argv)
    return " ".join(capsys.readouterr().out.split())


def test_make_train_and_eval_are_described_as_they_run(capsys):
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    train = re.search(r"^train:.*\n\t(.*)$", makefile, re.M).group(1)
    assert "--ship" not in train
    assert "retrain the shipped models" not in readme
    assert "--tune-only --ship resources/models" in readme  # how a run is shipped
    assert "`make eval`" in readme
    assert "\neval:" in makefile
    make_help = re.search(r'"make train +- (.*)"', makefile).group(1)
    durations = {re.search(r"~(\d+ h)", make_help).group(1), re.search(r"~(\d+ h)", _help(["--help"], capsys)).group(1)}
    assert durations == {"2 h"}  # MODEL_CARD: about 105 min for the onset-v1 recipe


def test_the_evaluation_protocol_is_a_file_of_the_repository(capsys):
    assert (ROOT / "docs" / "evaluation.md").is_file()
    texts = [(ROOT / "README.md").read_text(encoding="utf-8"), _help(["--help"], capsys), _help(["eval", "--help"],
                                                                                                 capsys)]
    assert not any("EVALUATION.md" in t for t in texts)
    assert all("docs/evaluation.md" in t for t in texts[:2])


def test_serve_help_gives_the_request_limits_default(capsys):
    text = _help(["serve", "--help"], capsys)
    assert f"default {DEFAULT_MAX_REQUEST_BYTES >> 20}" in text.split("--max-request-mb MAX_REQUEST_MB", 2)[-1]
