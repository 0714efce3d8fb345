"""The Backend contract, run against every backend (local ONNX here; remote via the real server)."""

from __future__ import annotations

import numpy as np
import pytest

from inference.backends import Backend, InputError, OnnxBackend
from inference.remote import RemoteBackend
from tests.inference.server_helpers import running_server
from tests.inference.tiny_models import build_onset_model, onset_inputs


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_onset_model(tmp_path_factory.mktemp("contract"))


@pytest.fixture(scope="module")
def server(tiny, tmp_path_factory):
    with running_server(tiny.path.parent, tmp_path_factory.mktemp("srv"), "contract-token") as srv:
        yield srv


@pytest.fixture(scope="module", params=["local", pytest.param("remote", marks=pytest.mark.network),
                                        pytest.param("remote-json", marks=pytest.mark.network)])
def backend(request) -> Backend:
    if request.param == "local":
        return OnnxBackend()
    srv = request.getfixturevalue("server")
    return RemoteBackend(srv.url, srv.token, timeout_s=30, binary=request.param == "remote")


def reference(manifest, inputs):
    """The same tiny model computed with the local backend, run one batch row at a time."""
    rows = []
    local = OnnxBackend()
    for b in range(len(inputs["difficulty"])):
        row = {k: v[b:b + 1] for k, v in inputs.items()}
        rows.append(local.run(manifest, row)["onset_prob"])
    return np.concatenate(rows, axis=0)


def test_is_a_backend(backend):
    assert isinstance(backend, Backend)
    assert backend.describe()


@pytest.mark.parametrize("frames", [1, 37, 1200])
def test_output_names_shape_dtype_range(backend, tiny, frames):
    out = backend.run(tiny, onset_inputs(tiny, batch=5, frames=frames))
    assert set(out) == {"onset_prob"}
    prob = out["onset_prob"]
    assert prob.shape == (5, frames)
    assert prob.dtype == np.float32
    assert np.all((prob >= 0) & (prob <= 1))


def test_batch_rows_are_independent(backend, tiny):
    inputs = onset_inputs(tiny, batch=5, frames=200, seed=3)
    np.testing.assert_allclose(backend.run(tiny, inputs)["onset_prob"], reference(tiny, inputs), atol=1e-5)


def test_deterministic(backend, tiny):
    inputs = onset_inputs(tiny, batch=2, frames=64)
    a, b = backend.run(tiny, inputs)["onset_prob"], backend.run(tiny, inputs)["onset_prob"]
    np.testing.assert_array_equal(a, b)


def test_every_input_matters(backend, tiny):
    inputs = onset_inputs(tiny, batch=2, frames=64)
    base = backend.run(tiny, inputs)["onset_prob"]
    for name in ("features", "beat_guide", "difficulty"):
        changed = dict(inputs)
        changed[name] = inputs[name] + 1 if name == "difficulty" else inputs[name] * 2
        assert not np.allclose(backend.run(tiny, changed)["onset_prob"], base), name
    # conditioning only counts where cond_present is 1 (row 1)
    changed = dict(inputs, cond_onsets=1 - inputs["cond_onsets"])
    out = backend.run(tiny, changed)["onset_prob"]
    np.testing.assert_allclose(out[0], base[0], atol=1e-6)
    assert not np.allclose(out[1], base[1])


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.pop("beat_guide"), "missing"),
    (lambda d: d.update(extra=np.zeros(3, np.float32)), "unknown"),
    (lambda d: d.update(difficulty=np.zeros(5, np.float32)), "int64"),
    (lambda d: d.update(features=np.zeros((5, 10), np.float32)), "rank"),
    (lambda d: d.update(features=np.zeros((5, 10, 3), np.float32)), "axis 2"),
    (lambda d: d.update(features=np.full((5, 10, 8), np.nan, np.float32)), "NaN"),
    (lambda d: d.update(difficulty=np.array([0, 1, 2, 3, 7])), "slot index 7"),  # the graph would clamp it
    (lambda d: d.update(difficulty=np.array([0, -1, 2, 3, 4])), "slot index -1"),
    (lambda d: d.update(cond_difficulty=np.full(5, 9)), "slot index 9"),
])
def test_bad_inputs_raise_input_error(backend, tiny, mutate, message):
    inputs = onset_inputs(tiny, batch=5, frames=10)
    mutate(inputs)
    with pytest.raises(InputError, match=message):
        backend.run(tiny, inputs)


def test_mismatched_time_axes_raise_input_error(backend, tiny):
    inputs = onset_inputs(tiny, batch=5, frames=10)
    inputs["beat_guide"] = inputs["beat_guide"][:, :7]
    with pytest.raises(InputError):
        backend.run(tiny, inputs)
