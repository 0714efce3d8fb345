"""A KServe V2 server for client tests that really runs the model (local onnxruntime), with knobs a test sets:
an advertised request limit, a 413 above a size, and Triton's shape rules for a repository written by
``export-triton``. Lighter than starting ``main.py serve`` and it records every request's input shapes.

Also :func:`build_gru_onset_model`: a tiny onset model with a bidirectional GRU whose state barely decays, so that
every output frame depends on the whole song, as with the shipped model (a request split along time changes its
answer; one split by rows does not).
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import numpy as np

from inference.backends import OnnxBackend
from inference.manifest import Manifest
from inference.serving.binary import BROADCAST_PARAMETER, broadcast_batch, split_binary_request
from inference.serving.server import model_name
from inference.serving.v2 import decode_tensor, loads
from tests.inference.fake_v2 import metadata, tensor
from tests.inference.server_helpers import LoopbackServer
from tests.inference.tiny_models import save_onset_model


class ModelV2(LoopbackServer):
    """The server. ``limit``: advertised ``max_request_bytes``; ``refuse_over``: answer 413 to larger bodies;
    ``triton``: Triton's view of an exported config (``{"config": parsed config.pbtxt}``: metadata shapes are
    ``[-1] + dims``, inputs of other shapes get Triton's 400, ``reshape`` is applied before the model runs).
    ``shapes`` records each infer request's input shapes, ``sizes`` its body size."""

    def __init__(self, manifest: Manifest, limit: int | None = None, refuse_over: int | None = None,
                 triton: dict[str, Any] | None = None) -> None:
        self.manifest, self.refuse_over, self.triton = manifest, refuse_over, triton
        self.meta = metadata(manifest)
        if limit is not None:
            self.meta["parameters"]["max_request_bytes"] = limit
        if triton is not None:
            config = triton["config"]
            batch = [-1] if int(config.get("max_batch_size", 0)) > 0 else []
            self.meta = {"name": model_name(manifest), "versions": ["1"], "platform": "onnxruntime_onnx",
                         "inputs": [_triton_io(t, batch) for t in config["input"]],
                         "outputs": [_triton_io(t, batch) for t in config["output"]]}
        self.shapes: list[dict[str, list[int]]] = []
        self.sizes: list[int] = []
        self.backend = OnnxBackend(providers=["CPUExecutionProvider"])
        super().__init__(_Handler)


def _triton_io(t: dict[str, Any], batch: list[int]) -> dict[str, Any]:
    """Triton's metadata for one config tensor: the batch axis and the config's ``dims``, never its reshape."""
    return {"name": t["name"], "datatype": t["data_type"].removeprefix("TYPE_"),
            "shape": batch + [int(d) for d in t["dims"]]}


class _Handler(BaseHTTPRequestHandler):
    server: ModelV2
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def send_json(self, code: int, obj: Any) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        name = model_name(self.server.manifest)
        triton = self.server.triton
        answers = {"/v2/health/ready": {}, "/v2": {"name": "model-v2", "version": "1"},
                   f"/v2/models/{name}": self.server.meta}
        if triton is not None:
            answers[f"/v2/models/{name}/config"] = triton["config"]
        if self.path in answers:
            self.send_json(200, answers[self.path])
        else:
            self.send_json(404, {"error": f"no {self.path}"})

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.sizes.append(len(body))
        if self.server.refuse_over is not None and len(body) > self.server.refuse_over:
            self.send_json(413, {"error": "request too large"})
            return
        length = self.headers.get("Inference-Header-Content-Length")
        if length:
            message, arrays = split_binary_request(body, int(length))
        else:
            message = loads(body)
            arrays = dict(decode_tensor(t) for t in message["inputs"])
        self.server.shapes.append({k: list(v.shape) for k, v in arrays.items()})
        if (triton := self.server.triton) is not None:
            if problem := _triton_shape_problem(triton["config"], arrays):
                self.send_json(400, {"error": problem})
                return
            arrays = {k: v.reshape(v.shape[:1]) if _reshaped(triton["config"], k) else v for k, v in arrays.items()}
        arrays = broadcast_batch(arrays, (message.get("parameters") or {}).get(BROADCAST_PARAMETER))
        out = self.server.backend.run(self.server.manifest, arrays)
        self.send_json(200, {"model_name": "onset", "outputs": [tensor(k, v) for k, v in out.items()]})


def _reshaped(config: dict[str, Any], name: str) -> bool:
    return any(t["name"] == name and "reshape" in t for t in config["input"])


def _triton_shape_problem(config: dict[str, Any], arrays: dict[str, np.ndarray]) -> str | None:
    """Triton's check of a request: each input is ``[batch] + dims`` (-1 matches any size), the batch at most
    ``max_batch_size``."""
    most = int(config.get("max_batch_size", 0))
    if most > 0 and any(v.ndim and v.shape[0] > most for v in arrays.values()):
        return f"[request id: <id_unknown>] inference request batch-size must be <= {most} for 'onset'"
    for t in config["input"]:
        want = [-1] + [int(d) for d in t["dims"]]
        got = list(arrays[t["name"]].shape)
        if len(got) != len(want) or any(w != -1 and w != g for w, g in zip(want, got)):
            return (f"[request id: <id_unknown>] unexpected shape for input '{t['name']}' for model 'onset'. "
                    f"Expected {want}, got {got}")
    return None


def build_gru_onset_model(folder: Path, n_channels: int = 8, n_guide: int = 3, hidden: int = 4,
                          seed: int = 0) -> Manifest:
    """``onset_prob = sigmoid(sum(BiGRU(features, guide)) + emb[difficulty] + cond_present * cond_onsets)``.

    The update gates' bias is large, so the state keeps most of itself each frame (a memory of ~400 frames): a
    window with 512 frames of context on each side does not give the answer of one pass."""
    from onnx import helper
    from onnx import numpy_helper as nph

    rng = np.random.default_rng(seed)
    c_in = n_channels + n_guide
    weights = (rng.standard_normal((2, 3 * hidden, c_in)) * 2.0).astype(np.float32)
    weights[:, :hidden] = 0.0  # the update gate z ignores the input ...
    bias = np.zeros((2, 6 * hidden), np.float32)
    bias[:, :hidden] = 6.0  # ... and is ~0.9975: h_t = z * h_(t-1) + (1 - z) * candidate keeps ~400 frames
    inits = [nph.from_array(weights, "W"),
             nph.from_array((rng.standard_normal((2, 3 * hidden, hidden)) * 0.3).astype(np.float32), "R"),
             nph.from_array(bias, "Bias"), nph.from_array(np.linspace(-1.5, 1.0, 5).astype(np.float32), "emb"),
             nph.from_array(np.array([1, 3], np.int64), "sum_axes"), nph.from_array(np.array([-1], np.int64), "last")]
    n = helper.make_node
    nodes = [n("Concat", ["features", "beat_guide"], ["x"], axis=2),
             n("Transpose", ["x"], ["x_tbc"], perm=[1, 0, 2]),
             n("GRU", ["x_tbc", "W", "R", "Bias"], ["y"], hidden_size=hidden, direction="bidirectional"),
             n("ReduceSum", ["y", "sum_axes"], ["y_tb"], keepdims=0),
             n("Transpose", ["y_tb"], ["y_bt"], perm=[1, 0]),
             n("Gather", ["emb", "difficulty"], ["d"]), n("Unsqueeze", ["d", "last"], ["d_b1"]),
             n("Unsqueeze", ["cond_present", "last"], ["cp_b1"]), n("Mul", ["cond_onsets", "cp_b1"], ["cond"]),
             n("Add", ["y_bt", "d_b1"], ["yd"]), n("Add", ["yd", "cond"], ["logit"]),
             n("Sigmoid", ["logit"], ["onset_prob"])]
    return save_onset_model(folder, "onset", nodes, inits, n_channels, n_guide, model_id="onset-gru-tiny",
                            graph_name="onset_gru")
