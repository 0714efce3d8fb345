"""Limits a server puts on requests, and the lines that say what to do about them (session-25 remote audit).

* Triton's ``max_batch_size`` (``export-triton --max-batch N``): the client sent all five slots of a draft in one
  request, and Triton answered 400 ("batch-size must be <= 4") for every draft, also with ``--fallback``. The client
  now reads it from the model's config and sends at most that many rows a request.
* A request limit under one window of the model's context: no split can go under it. ``serve`` started with such a
  limit, and the client said the server "refuses requests this large even when split" though it had sent nothing.
* A missing token read as "refused the token"; an unknown model name did not say where the served names are.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference.backends import OnnxBackend
from inference.manifest import Manifest, default_models_dir
from inference.remote import AuthError, ModelMismatchError, RemoteBackend, RemoteRejected
from inference.remote_split import min_request_bytes, split_run
from inference.serving.server import ServeConfig, ServeError, check_config, check_request_limit
from inference.serving.triton import config_pbtxt
from tests.inference.fake_v2 import FakeV2
from tests.inference.model_v2 import ModelV2
from tests.inference.test_serving_triton import parse
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("limits"))


def _triton_config(manifest: Manifest, max_batch: int) -> dict:
    namespace = parse(config_pbtxt(manifest, "onset", max_batch_size=max_batch))
    return json.loads(json.dumps(namespace, default=lambda ns: {k: v for k, v in vars(ns).items() if k != "_keys"}))


def test_rows_go_in_groups_of_tritons_max_batch_size(tiny):
    server = ModelV2(tiny, triton={"config": _triton_config(tiny, 2)})
    try:
        inputs = onset_inputs(tiny, 5, 200, seed=4)
        out = RemoteBackend(server.url).run(tiny, inputs)["onset_prob"]
    finally:
        server.close()
    assert [s["features"][0] for s in server.shapes] == [1, 2, 2]  # Triton refused 5 rows with a 400
    np.testing.assert_allclose(out, OnnxBackend().run(tiny, inputs)["onset_prob"], atol=1e-6)


def test_split_run_caps_rows_without_a_byte_limit(tiny):
    inputs = onset_inputs(tiny, 5, 50)
    seen: list[int | None] = []

    def infer(part, rows, frames):
        seen.append(rows)
        return {"onset_prob": np.zeros((rows, frames), np.float32)}

    out = split_run(tiny, inputs, None, [], 5, True, infer, lambda *a: None, max_rows=4)
    assert seen == [2, 3]
    assert out["onset_prob"].shape == (5, 50)
    seen.clear()
    split_run(tiny, inputs, None, [], 5, True, infer, lambda *a: None, max_rows=8)
    assert seen == [5]


def test_a_limit_under_one_window_names_what_the_model_needs_and_sends_nothing(tiny):
    need = min_request_bytes(tiny)
    server = ModelV2(tiny, limit=need - 100)  # advertised by the server, as serve does
    try:
        sent: list[int] = []
        with pytest.raises(RemoteRejected, match=r"limits requests to [\d.]+ KiB, below the [\d.]+ KiB one window of "
                                                 r"the onset model needs; restart it with a larger --max-request-mb"):
            RemoteBackend(server.url, on_request=sent.append).run(tiny, onset_inputs(tiny, 5, 3000))
        assert sent == []
        server.meta["parameters"]["max_request_bytes"] = need  # at the bound: a time split goes through
        out = RemoteBackend(server.url).run(tiny, onset_inputs(tiny, 1, 100))["onset_prob"]
        assert out.shape == (1, 100)
    finally:
        server.close()


def test_a_limit_learnt_from_413s_under_one_window_says_so(tiny):
    server = ModelV2(tiny, refuse_over=min_request_bytes(tiny) // 2)  # a proxy's limit: no metadata says it
    try:
        with pytest.raises(RemoteRejected, match=r"refused a request of [\d.]+ KiB as too large \(HTTP 413\), and "
                                                 r"the [\d.]+ KiB one window of the onset model needs"):
            RemoteBackend(server.url).run(tiny, onset_inputs(tiny, 5, 3000))
    finally:
        server.close()


def test_serve_refuses_a_limit_under_what_its_models_need(tiny):
    with pytest.raises(ServeError, match=r"--max-request-mb 1 is below the 1\.09 MiB one request of the onset model "
                                         r"needs .*pass at least 1\.09"):
        check_config(ServeConfig(models_dir=default_models_dir(), max_request_bytes=1 << 20))
    check_config(ServeConfig(models_dir=default_models_dir(), max_request_bytes=int(1.09 * (1 << 20))))
    with pytest.raises(ServeError, match="one request of the onset model"):
        check_request_limit(min_request_bytes(tiny) - 1, [tiny])
    check_request_limit(min_request_bytes(tiny), [tiny])


def test_no_token_against_a_token_server_says_one_is_required(tiny):
    server = FakeV2(tiny)

    def unauthorised(handler):
        handler.send_json(401, {"error": "missing or wrong bearer token"})

    server.raw = unauthorised
    try:
        with pytest.raises(AuthError, match=r"requires a bearer token and none was given \(HTTP 401\): pass "
                                            r"--token-file"):
            RemoteBackend(server.url).connect(tiny)
        with pytest.raises(AuthError, match=r"refused the token \(HTTP 401\)"):
            RemoteBackend(server.url, "wrong").connect(tiny)
    finally:
        server.close()


def test_an_unknown_model_name_says_where_the_served_names_are(tiny, tmp_path):
    other = build_onset_model(tmp_path, name="onset-v1")  # served as onset-v1, asked for as onset
    server = FakeV2(other)
    try:
        with pytest.raises(ModelMismatchError, match=r"serves no model named onset \(HTTP 404: no /v2/models/onset\);"
                                                     r" the names it serves are on its start line"):
            RemoteBackend(server.url).connect(tiny)
    finally:
        server.close()
