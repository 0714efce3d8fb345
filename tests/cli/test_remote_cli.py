"""The remote options of the CLI (session-19 remote audit): ``--fallback`` means what --help says, ``serve``
refuses non-finite sizes and takes a bracketed IPv6 host, tokens HTTP cannot carry are refused up front."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inference.manifest import Manifest
from main import main
from tests.inference.fake_v2 import FakeV2, tensor
from tests.inference.server_helpers import free_port
from tests.inference.tiny_models import click_track, drafting_model

SR = 22050


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("remote-cli")
    drafting_model(folder / "models")
    sf.write(folder / "song.wav", click_track(128, 0.3, 12.0, SR), SR)
    return folder


def run(argv, capsys) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


FAILURES = {
    "HTTP 500": lambda h: h.send_json(500, {"error": "model crashed"}),
    "a wrong answer": None,  # FakeV2.answer below
}


@pytest.mark.network
@pytest.mark.parametrize("failure", list(FAILURES))
def test_without_fallback_a_server_failing_mid_draft_fails_the_draft(work, capsys, tmp_path, failure):
    """The metadata check passed, then every infer failed: the CLI drafted locally anyway (exit 0, a warning),
    though --help says --fallback is what makes it run locally."""
    fake = FakeV2(Manifest.load(work / "models" / "onset.manifest.json"))
    fake.raw_post = FAILURES[failure]
    fake.answer = lambda b, t: [tensor("onset_prob", np.zeros((1, t), np.float32))]  # one row for all slots
    argv = ["draft", work / "song.wav", "--bpm", 128, "--slots", "easy,hard", "--backend", fake.url,
            "--models", work / "models"]
    try:
        out = tmp_path / "strict.ssc"
        code, err = run([*argv, "-o", out], capsys)
        assert code == 2, err
        assert err.count("error:") == 1
        assert "Traceback" not in err
        assert fake.url in err
        assert not out.exists()
        out = tmp_path / "fallback.ssc"
        code, err = run([*argv, "--fallback", "-o", out], capsys)
        assert code == 0, err
        assert "running on local ONNX instead" in err
        assert out.exists()
    finally:
        fake.close()


@pytest.mark.parametrize("flags", [["--max-request-mb", "nan"], ["--max-request-mb", "inf"],
                                   ["--body-timeout", "inf"], ["--body-timeout", "nan"]])
def test_serve_refuses_non_finite_numbers_with_one_line(work, capsys, flags):
    code, err = run(["serve", "--port", free_port(), *flags, "--models", work / "models"], capsys)
    assert code == 2
    assert err.startswith("error: ")
    assert err.strip().count("\n") == 0


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_serve_on_ipv6_prints_a_url_clients_accept(work, capsys, monkeypatch, host):
    import inference.serving.server as server
    from inference.remote import normalise_url

    started = []
    monkeypatch.setattr(server, "serve", started.append)
    port = free_port()
    code, err = run(["serve", "--host", host, "--port", port, "--models", work / "models"], capsys)
    assert code == 0, err
    assert started[0].host == "::1"
    assert f" on http://[::1]:{port} " in err
    assert normalise_url(f"http://[::1]:{port}") == f"http://[::1]:{port}"


@pytest.mark.parametrize("token", ["tök€n", "naïve"])
def test_a_token_http_headers_cannot_carry_is_refused_when_read(work, capsys, tmp_path, token):
    """It failed with a codec error at the first request."""
    (tmp_path / "token").write_text(token + "\n", encoding="utf-8")
    out = tmp_path / "x.ssc"
    code, err = run(["draft", work / "song.wav", "--bpm", 128, "--backend", "http://127.0.0.1:9", "--token-file",
                     tmp_path / "token", "--models", work / "models", "-o", out], capsys)
    assert code == 2
    assert "visible ASCII" in err
    assert err.strip().count("\n") == 0
    assert not out.exists()


def test_credentials_in_the_backend_url_are_refused(work, capsys, tmp_path):
    code, err = run(["draft", work / "song.wav", "--bpm", 128, "--backend", "http://alice:hunter2@127.0.0.1:9",
                     "--models", work / "models", "-o", tmp_path / "x.ssc"], capsys)
    assert code == 2
    assert "not in the URL" in err
    assert "hunter2" not in err


@pytest.mark.parametrize(("extra", "message"), [
    (["--fallback"], "--fallback goes with --backend URL"),
    (["--token-file", "tok.txt"], "--token-file goes with --backend URL"),
    (["--slots", "hard", "--nps", "beginner=2"], "--nps for Beginner, which --slots does not draft"),
])
def test_options_that_would_do_nothing_are_refused(work, capsys, tmp_path, extra, message):
    """--fallback or --token-file without --backend, and an --nps for a slot not drafted, were accepted and
    ignored (exit 0), while --offset without --bpm is refused: now all of them are, before any work."""
    (tmp_path / "tok.txt").write_text("secret")
    extra = [str(tmp_path / a) if a == "tok.txt" else a for a in extra]
    out = tmp_path / "x.ssc"
    code, err = run(["draft", work / "song.wav", "--bpm", "128", "--models", work / "models", *extra, "-o", out],
                    capsys)
    assert code == 2
    assert message in err
    assert err.strip().count("\n") == 0
    assert not out.exists()


def test_separate_save_manifest_without_a_model_is_refused(tmp_path, capsys):
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(SR, np.float32), SR)
    code, err = run(["separate", wav, "-o", tmp_path / "stems", "--save-manifest"], capsys)
    assert code == 2
    assert "--save-manifest goes with --model" in err
    assert not (tmp_path / "stems").exists()
