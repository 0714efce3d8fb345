"""``draft --backend URL`` against servers that fail in ways the fallback must see, or that need a request split
along time (session-21 remote audit): a NaN answer or a 521 fell through ``--fallback`` (exit 2, the server not
named); a draft split along time said so nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inference.manifest import Manifest
from main import main
from tests.inference.fake_v2 import FakeV2
from tests.inference.model_v2 import ModelV2
from tests.inference.tiny_models import click_track, drafting_model

pytestmark = pytest.mark.network
SR = 22050


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("remote-cli-faults")
    drafting_model(folder / "models")
    sf.write(folder / "song.wav", click_track(128, 0.3, 12.0, SR), SR)
    return folder


def run(argv, capsys) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def nan_answer(h):
    """onset_prob of the right shape, all NaN, as raw FP32 (JSON cannot carry NaN)."""
    header = json.loads(h.body[:int(h.headers["Inference-Header-Content-Length"])])
    shapes = {t["name"]: t["shape"] for t in header["inputs"]}
    blob = np.full((shapes["difficulty"][0], shapes["cond_onsets"][1]), np.nan, "<f4").tobytes()
    head = json.dumps({"outputs": [{"name": "onset_prob", "datatype": "FP32", "parameters": {"binary_data_size":
                       len(blob)}, "shape": [shapes["difficulty"][0], shapes["cond_onsets"][1]]}]}).encode()
    h.send_response(200)
    h.send_header("Inference-Header-Content-Length", str(len(head)))
    h.send_header("Content-Length", str(len(head) + len(blob)))
    h.end_headers()
    h.wfile.write(head + blob)


@pytest.mark.parametrize("failure", ["NaN", "HTTP 521"])
def test_fallback_drafts_locally_when_the_server_answers_nan_or_a_5xx(work, capsys, tmp_path, failure):
    fake = FakeV2(Manifest.load(work / "models" / "onset.manifest.json"))
    fake.raw_post = nan_answer if failure == "NaN" else (lambda h: h.send_body(521, b"error code: 521", "text/plain"))
    argv = ["draft", work / "song.wav", "--bpm", 128, "--slots", "easy", "--backend", fake.url,
            "--models", work / "models"]
    try:
        code, err = run([*argv, "--fallback", "-o", tmp_path / "x.ssc"], capsys)
        assert code == 0, err
        assert f"warning: server {fake.url}" in err
        assert "running on local ONNX instead" in err
        code, err = run([*argv, "-o", tmp_path / "y.ssc"], capsys)
        assert code == 2
        assert fake.url in err
        assert "RuntimeWarning" not in err
    finally:
        fake.close()


def test_a_draft_split_along_time_says_so(work, capsys, tmp_path):
    manifest = Manifest.load(work / "models" / "onset.manifest.json")
    server = ModelV2(manifest, limit=100_000)  # one slot of the 12-s song is ~180 KB
    try:
        code, err = run(["draft", work / "song.wav", "--bpm", 128, "--slots", "easy,hard", "--backend", server.url,
                         "--models", work / "models", "-o", tmp_path / "x.ssc"], capsys)
    finally:
        server.close()
    assert code == 0, err
    assert max(server.sizes) <= 100_000
    assert err.count("pieces along time") == 1  # said once, and in each draft's provenance
    assert err.count("; chunked in time") == 2
    assert "warning: one row of the onset model's input is over the server's request limit" in err
