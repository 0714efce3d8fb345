"""``serve`` refuses to start in one line, exit 2 (a 2026 audit): a model that matches its sha256 but does not load
(it exited 0 after a traceback), one that fails in MLServer all the same, a model name no route reaches, a port
another server takes between the check and the bind; it warns about a token file others can read; the load test's
token file is read like serve's."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from inference.serving import loadtest, server
from main import main
from tests.inference.server_helpers import free_port
from tests.inference.tiny_models import build_onset_model

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("startup"))


def broken_copy(tiny, folder: Path) -> Path:
    """The tiny model's manifest beside a file that is no ONNX graph, with that file's sha256."""
    folder.mkdir()
    blob = b"this is not an onnx graph"
    (folder / "onset.onnx").write_bytes(blob)
    manifest = json.loads(tiny.path.read_text())
    manifest["sha256"] = hashlib.sha256(blob).hexdigest()
    (folder / "onset.manifest.json").write_text(json.dumps(manifest))
    return folder


def serve_process(code: str, timeout_s: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout_s)


def test_a_model_that_does_not_load_is_one_line_exit_2(tiny, tmp_path):
    folder = broken_copy(tiny, tmp_path / "models")
    proc = serve_process("import sys; from main import main; "
                         f"sys.exit(main(['serve', '--port', '{free_port()}', '--models', {str(folder)!r}]))")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr[-2000:]
    assert proc.stderr.startswith("error: cannot load model onset.onnx")


@pytest.mark.network
def test_a_model_that_fails_in_mlserver_is_an_error_not_exit_0(tiny, tmp_path):
    """Past the load check (skipped here), MLServer's own start logged the failure and returned: exit 0."""
    folder = broken_copy(tiny, tmp_path / "models")
    proc = serve_process("import sys; import inference.serving.server as s; s.check_models_load = lambda m: None; "
                         "from main import main; "
                         f"sys.exit(main(['serve', '--port', '{free_port()}', '--models', {str(folder)!r}]))")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.splitlines()[-1].startswith("error: a model failed to load: cannot load model onset.onnx")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("stem", ["onset v2", "onset+v2", "onsét"])
def test_a_model_name_no_route_reaches_is_refused(tiny, tmp_path, capsys, monkeypatch, stem):
    """Before, it was loaded and reported ready, and every /v2/models/<name> route answered 404."""
    shutil.copy(tiny.model_path, tmp_path)
    shutil.copy(tiny.path, tmp_path / f"{stem}.manifest.json")
    with pytest.raises(server.ServeError, match="may hold only letters A-Z a-z, digits and _ . -"):
        server.check_config(server.ServeConfig(port=free_port(), models_dir=tmp_path))

    def never(cfg):
        raise AssertionError("would serve")

    monkeypatch.setattr(server, "serve", never)
    assert main(["serve", "--port", str(free_port()), "--models", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{stem}.manifest.json" in err


def test_the_port_is_held_from_the_check_on(tiny, capsys, monkeypatch):
    """Two servers started at once both passed a check-then-bind probe; the loser loaded its models, then uvicorn
    logged the bind error and it exited 3. Now the socket that passed the check is the one served."""
    port = free_port()
    seen: dict[str, object] = {}

    def fake_serve(cfg):
        with socket.socket() as other:  # a second server, binding now
            try:
                other.bind(("127.0.0.1", port))
                other.listen()
                seen["other"] = "bound"
            except OSError:
                seen["other"] = "refused"
        seen["sockets"] = sockets = getattr(cfg, "sockets", None)
        seen["ports"] = [s.getsockname()[1] for s in sockets or []]

    monkeypatch.setattr(server, "serve", fake_serve)
    assert main(["serve", "--port", str(port), "--models", str(tiny.path.parent)]) == 0
    assert seen["other"] == "refused"
    sockets = seen["sockets"]
    assert isinstance(sockets, list)
    assert seen["ports"] == [port]
    assert all(s.fileno() == -1 for s in sockets)  # closed when serve returned
    capsys.readouterr()


def test_a_port_in_use_is_one_line_from_listen(tiny):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(server.ServeError, match=r"cannot listen on 127\.0\.0\.1:\d+: Address already in use"):
            server.listen("127.0.0.1", busy.getsockname()[1])


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o666, True), (0o660, True), (0o640, False),
                                             (0o600, False)])
def test_a_token_file_others_can_read_is_warned_about(tiny, tmp_path, capsys, monkeypatch, mode, warned):
    token = tmp_path / "token.txt"
    token.write_text("studio-secret-token\n")
    token.chmod(mode)
    monkeypatch.setattr(server, "serve", lambda cfg: None)
    assert main(["serve", "--host", "0.0.0.0", "--port", str(free_port()), "--token-file", str(token),
                 "--models", str(tiny.path.parent)]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert lines == ([f"warning: token file {token} is readable or writable by other users (mode {mode:03o}); "
                      f"chmod 600 {token}"] if warned else [])


def test_loadtest_reads_its_token_file_like_serve(tmp_path, capsys):
    """Before: a FileNotFoundError traceback, exit 1."""
    assert loadtest.main(["http://127.0.0.1:9", "--token-file", str(tmp_path / "missing.txt"), "--seconds", "1"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: cannot read token file {tmp_path / 'missing.txt'}: No such file or directory\n"
