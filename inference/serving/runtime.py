"""MLServer inference runtime that serves one manifest's ONNX model through :class:`OnnxBackend`.

MLServer implements the KServe V2 protocol (routing, JSON parsing, health, metadata, errors); this class only
loads the model named by ``parameters.uri`` (a ``*.manifest.json``), advertises the manifest in the model
metadata (``parameters``: model id, sha256, manifest version) so clients can check they talk to the same model,
decodes and checks tensors with :mod:`inference.serving.v2`, and runs the model on a thread pool (onnxruntime
releases the GIL) so the event loop keeps answering health checks while a song is being drafted.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import numpy as np
from mlserver import MLModel
from mlserver.errors import MLServerError
from mlserver.types import (
    InferenceRequest,
    InferenceResponse,
    MetadataModelResponse,
    MetadataTensor,
    Parameters,
    ResponseOutput,
)

from inference.backends import BackendError, InputError, OnnxBackend
from inference.manifest import Manifest, ManifestError
from inference.serving import binary
from inference.serving.v2 import V2FormatError, datatype_of, decode_tensor

PLATFORM = "genelive_onnx"
MODEL_VERSION = "1"


class GeneLiveOnnxRuntime(MLModel):
    """``implementation`` of every model our ``serve`` command loads (see :mod:`inference.serving.server`)."""

    _executor: concurrent.futures.ThreadPoolExecutor | None = None

    async def load(self) -> bool:
        params = self.settings.parameters
        extra: dict[str, Any] = dict((params.extra if params is not None else None) or {})
        uri = params.uri if params is not None else None
        if not uri:
            raise MLServerError(f"model {self.name}: parameters.uri must name a .manifest.json")
        try:
            self.manifest = Manifest.load(uri)  # verifies the ONNX file's sha256
        except ManifestError as exc:
            raise MLServerError(str(exc), status_code=500) from exc
        # a server keeps onnxruntime's memory arena between requests (throughput over resident memory)
        self.backend = OnnxBackend(intra_op_threads=extra.get("intra_op_threads") or None, release_memory=False)
        self.backend.session(self.manifest)  # load now: fail at startup, not on the first request
        self.max_request_bytes = int(extra.get("max_request_bytes") or 0)
        workers = max(1, int(extra.get("workers") or 1))
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix=f"infer-{self.name}")
        self._dtypes = {spec.name: np.dtype(spec.dtype) for spec in self.manifest.inputs}
        return True

    async def unload(self) -> bool:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        return True

    async def metadata(self) -> MetadataModelResponse:
        m = self.manifest
        return MetadataModelResponse(
            name=self.name, versions=[MODEL_VERSION], platform=PLATFORM,
            inputs=[_meta(s.name, s.dtype, s.shape) for s in m.inputs],
            outputs=[_meta(s.name, s.dtype, s.shape) for s in m.outputs],
            parameters=Parameters(model_id=m.model_id, sha256=m.sha256, manifest_version=m.version,
                                  kind=m.kind, backend=self.backend.describe(),
                                  max_request_bytes=self.max_request_bytes, binary_tensors=True,
                                  batch_broadcast=True),
        )

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        inputs = self._decode(payload)
        wanted = [o.name for o in payload.outputs or []]
        if twice := sorted({n for n in wanted if wanted.count(n) > 1}):
            # answered twice, the response is one that V2 decoders (ours included) refuse
            raise MLServerError(f"output {twice[0]!r} requested twice")
        known = {s.name for s in self.manifest.outputs}
        if unknown := sorted(set(wanted) - known):
            raise MLServerError(f"unknown outputs {unknown}; model {self.name} has {sorted(known)}")
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(self._executor, self.backend.run, self.manifest, inputs)
        except InputError as exc:
            raise MLServerError(str(exc), status_code=400) from exc
        except (BackendError, ManifestError) as exc:
            raise MLServerError(f"inference failed: {exc}", status_code=500) from exc
        names = wanted or list(result)
        ref = self._ref(payload)
        # Through the guard: leave the arrays with it and answer MLServer with placeholders (see .binary).
        handed = ref is not None and binary.put_outputs(ref, {n: (result[n], _wants_binary(payload, n)) for n in names})
        return InferenceResponse(
            model_name=self.name, model_version=MODEL_VERSION, id=payload.id,
            outputs=[_output(n, result[n], placeholder=handed) for n in names],
        )

    @staticmethod
    def _ref(payload: InferenceRequest) -> str | None:
        params = payload.parameters
        headers = (params.headers if params is not None else None) or {}
        return headers.get(binary.TENSOR_REF_HEADER)

    def _decode(self, payload: InferenceRequest) -> dict[str, np.ndarray]:
        params = payload.parameters
        raw = binary.take(self._ref(payload)) or {}
        inputs: dict[str, np.ndarray] = {}
        for tensor in payload.inputs:
            if tensor.name not in self._dtypes:
                raise MLServerError(f"unknown input {tensor.name!r}; model {self.name} takes "
                                    f"{sorted(self._dtypes)}")
            if tensor.name in inputs:
                raise MLServerError(f"input {tensor.name!r} given twice")
            want = self._dtypes[tensor.name]
            if tensor.name in raw:
                if raw[tensor.name].dtype != want:
                    raise MLServerError(f"tensor {tensor.name!r}: datatype must be {datatype_of(want)}")
                inputs[tensor.name] = raw[tensor.name]
                continue
            try:
                name, array = decode_tensor(tensor, want)
            except V2FormatError as exc:
                raise MLServerError(str(exc)) from exc
            inputs[name] = array
        try:
            return binary.broadcast_batch(inputs, getattr(params, binary.BROADCAST_PARAMETER, None))
        except V2FormatError as exc:
            raise MLServerError(str(exc)) from exc


def _meta(name: str, dtype: str, shape: list[int]) -> MetadataTensor:
    return MetadataTensor(name=name, datatype=datatype_of(dtype), shape=list(shape))


def _output(name: str, array: np.ndarray, placeholder: bool = False) -> ResponseOutput:
    array = np.ascontiguousarray(array)
    return ResponseOutput(name=name, shape=list(array.shape), datatype=datatype_of(array.dtype),
                          data=[] if placeholder else array.reshape(-1).tolist())


def _wants_binary(payload: InferenceRequest, name: str) -> bool:
    """Binary output requested for ``name`` (per output ``binary_data``, else request ``binary_data_output``)."""
    for out in payload.outputs or []:
        if out.name == name and out.parameters is not None and getattr(out.parameters, "binary_data", None) is not None:
            return bool(out.parameters.binary_data)
    return bool(getattr(payload.parameters, "binary_data_output", False))
