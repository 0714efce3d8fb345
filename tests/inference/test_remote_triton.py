"""RemoteBackend against Triton serving ``export-triton``'s repository (session-21 remote audit).

``export-triton`` writes per-item inputs (``difficulty``, ``cond_difficulty``, ``cond_present``: [B] in the manifest)
as ``dims: [ 1 ]`` with ``reshape: { shape: [ ] }``, as Triton's docs require for a batched model (each item needs a
non-empty shape). Triton's metadata then lists them as [-1, 1] (the config's dims, not the reshape; seen on Triton
2.51) and it refuses [B]-shaped data for them. The client refused the server ("has shape [-1, 1], the local
manifest says [-1]"), and would have sent [B] had it connected. The stand-in here answers metadata and checks inputs
by those rules, from the exported config parsed with Triton's own schema, and runs the model after the reshape.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference.backends import OnnxBackend
from inference.remote import ModelMismatchError, RemoteBackend, check_metadata
from inference.serving.triton import config_pbtxt
from tests.inference.model_v2 import ModelV2
from tests.inference.test_serving_triton import parse
from tests.inference.tiny_models import build_onset_model, onset_inputs

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("triton"))


@pytest.fixture(scope="module")
def config(tiny):
    """The exported config.pbtxt as Triton's ``GET /v2/models/onset/config`` returns it (JSON of ModelConfig)."""
    namespace = parse(config_pbtxt(tiny, "onset"))
    return json.loads(json.dumps(namespace, default=lambda ns: {k: v for k, v in vars(ns).items() if k != "_keys"}))


@pytest.fixture
def triton(tiny, config):
    server = ModelV2(tiny, triton={"config": config})
    yield server
    server.close()


def test_triton_metadata_of_the_exported_config_is_accepted(tiny, triton):
    shapes = {t["name"]: t["shape"] for t in triton.meta["inputs"]}
    assert shapes["difficulty"] == [-1, 1]  # what Triton reports for dims [1] + reshape []
    remote = RemoteBackend(triton.url)
    remote.connect(tiny)
    assert "not reported" not in remote.describe()  # the sha256 came from the config's parameters


def test_per_item_inputs_go_as_b_by_1_and_the_answer_is_the_local_one(tiny, triton):
    inputs = onset_inputs(tiny, 5, 300, seed=3)
    out = RemoteBackend(triton.url).run(tiny, inputs)["onset_prob"]
    (shapes,) = triton.shapes
    assert shapes["difficulty"] == [5, 1]
    assert shapes["cond_present"] == [5, 1]
    assert shapes["features"] == [5, 300, 8]
    np.testing.assert_allclose(out, OnnxBackend().run(tiny, inputs)["onset_prob"], atol=1e-6)


def test_a_trailing_axis_is_accepted_only_where_it_is_one(tiny, triton):
    from inference.remote_validate import trailing_axes

    meta = json.loads(json.dumps(triton.meta))
    assert trailing_axes(tiny, meta) == ({"difficulty", "cond_difficulty", "cond_present"}, frozenset())
    check_metadata(tiny, meta)
    shapes = {t["name"]: t for t in meta["inputs"]}
    shapes["difficulty"]["shape"] = [-1, 2]
    with pytest.raises(ModelMismatchError, match=r"difficulty has shape \[-1, 2\], the local manifest says \[-1\]"):
        check_metadata(tiny, meta)
