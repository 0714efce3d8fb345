"""serve / export-triton / token files from the command line (session-25 remote audit): a start line that names
models by the names clients use, a request limit below what the models need refused at start, a warning for a
Triton ``--max-batch`` under a draft's five slots, and token files written with a UTF-8 byte order mark."""

from __future__ import annotations

from pathlib import Path

import pytest

import inference.serving.server as server_module
from cli.common import UserError
from cli.infer_cmds import read_token
from main import main
from tests.inference.tiny_models import build_onset_model


def run(argv, capsys) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Path:
    """A model served from ``onset-v1.manifest.json``: its route is /v2/models/onset-v1."""
    folder = tmp_path_factory.mktemp("models")
    build_onset_model(folder, name="onset-v1")
    return folder


def test_the_start_line_names_each_model_by_its_route(renamed, capsys, monkeypatch):
    monkeypatch.setattr(server_module, "listen", lambda host, port: [])
    monkeypatch.setattr(server_module, "serve", lambda cfg: None)
    code, err = run(["serve", "--port", 18999, "--models", renamed], capsys)
    assert code == 0, err
    assert err.startswith("serving onset-v1 (onset-v1-tiny, sha256:"), err  # was "serving onset-v1-tiny (sha256:"


def test_serve_refuses_a_request_limit_no_draft_fits(capsys, monkeypatch):
    monkeypatch.setattr(server_module, "listen", lambda host, port: [])  # the old code started serving
    monkeypatch.setattr(server_module, "serve", lambda cfg: None)
    code, err = run(["serve", "--port", 18999, "--max-request-mb", 1], capsys)
    assert code == 2
    assert err.strip() == ("error: --max-request-mb 1 is below the 1.09 MiB one request of the onset model needs "
                           "(one window of its context); pass at least 1.09")


def test_export_triton_warns_below_the_five_slots_of_a_draft(capsys, tmp_path):
    code, err = run(["export-triton", tmp_path / "repo", "--max-batch", 4], capsys)
    assert code == 0, err
    assert "warning: --max-batch 4 is under the 5 slots a draft asks for: clients send each draft in 2 requests" in err
    assert "max_batch_size: 4" in (tmp_path / "repo" / "onset" / "config.pbtxt").read_text()
    code, err = run(["export-triton", tmp_path / "repo5", "--max-batch", 5], capsys)
    assert code == 0, err
    assert "warning" not in err


@pytest.mark.parametrize("data", [b"\xef\xbb\xbfabc-DEF_123\r\n", b"\xef\xbb\xbfabc-DEF_123", b"abc-DEF_123\n"])
def test_a_token_file_with_a_byte_order_mark_is_read(tmp_path, data):
    (tmp_path / "token.txt").write_bytes(data)  # Notepad's / PowerShell 5's "UTF-8" starts with EF BB BF
    assert read_token(tmp_path / "token.txt") == "abc-DEF_123"


def test_a_token_with_other_characters_is_still_refused(tmp_path):
    (tmp_path / "token.txt").write_bytes("abc\u00e9".encode())
    with pytest.raises(UserError, match="visible ASCII"):
        read_token(tmp_path / "token.txt")
