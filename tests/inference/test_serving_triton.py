"""export-triton writes a model repository Triton accepts: config.pbtxt parsed with Triton's own schema."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from inference.manifest import Manifest, file_sha256
from inference.serving.triton import ExportError, config_pbtxt, export_triton
from tests.inference.tiny_models import build_onset_model

_PARSE = """
import json, sys
from google.protobuf import json_format, text_format
from tritonclient.grpc import model_config_pb2 as pb  # Triton's ModelConfig protobuf, shipped with tritonclient
config = text_format.Parse(sys.stdin.read(), pb.ModelConfig())
print(json.dumps(json_format.MessageToDict(config, preserving_proto_field_name=True)))
"""


def parse(text: str):
    """config.pbtxt parsed with Triton's schema, as nested namespaces.

    In a fresh interpreter: tritonclient's gRPC protos and MLServer's (imported by other tests) register the same
    ``inference.*`` symbols, and protobuf refuses the second set in one process.
    """
    done = subprocess.run([sys.executable, "-c", _PARSE], input=text, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout, object_hook=lambda d: SimpleNamespace(**d, _keys=list(d)))


def test_repository_layout_and_config(tmp_path):
    manifest = build_onset_model(tmp_path / "models", n_channels=8, n_guide=3)
    export_triton(tmp_path / "repo", [manifest], max_batch_size=8, gpu_instances=2)
    folder = tmp_path / "repo" / "onset"
    assert file_sha256(folder / "1" / "model.onnx") == manifest.sha256
    copy = Manifest.load(folder / "onset.manifest.json")  # verifies the copied model against its sha
    assert copy.model_id == manifest.model_id

    config = parse((folder / "config.pbtxt").read_text())
    assert config.name == "onset"
    assert config.platform == "onnxruntime_onnx"
    assert int(config.max_batch_size) == 8
    inputs = {i.name: i for i in config.input}
    assert set(inputs) == {s.name for s in manifest.inputs}
    dims = {name: [int(d) for d in spec.dims] for name, spec in inputs.items()}
    assert dims["features"] == [-1, 8]  # batch axis implicit, time axis dynamic
    assert dims["beat_guide"] == [-1, 3]
    assert inputs["features"].data_type == "TYPE_FP32"
    assert inputs["difficulty"].data_type == "TYPE_INT64"
    assert dims["difficulty"] == [1]
    assert "reshape" in inputs["difficulty"]._keys  # reshaped to [] per item: the model sees [B]
    assert getattr(inputs["difficulty"].reshape, "shape", []) == []
    (output,) = config.output
    assert output.name == "onset_prob"
    assert [int(d) for d in output.dims] == [-1]
    (group,) = config.instance_group
    assert group.kind == "KIND_GPU"
    assert int(group.count) == 2
    assert config.parameters.sha256.string_value == manifest.sha256


def test_a_model_not_batched_on_axis_0_gets_full_shapes_and_no_batching(tmp_path):
    manifest = build_onset_model(tmp_path)
    manifest.inputs[0].shape = [1, -1, 8]
    config = parse(config_pbtxt(manifest, "onset"))
    assert int(getattr(config, "max_batch_size", 0)) == 0
    dims = {i.name: [int(d) for d in i.dims] for i in config.input}
    assert dims[manifest.inputs[0].name] == [1, -1, 8]
    assert dims["difficulty"] == [-1]  # the batch axis is written out, no reshape
    assert "dynamic_batching" not in config._keys
    manifest.inputs[1].shape = []
    with pytest.raises(ExportError, match="no axes"):
        config_pbtxt(manifest, "onset")


def test_the_shipped_models_export(tmp_path):
    """``main.py export-triton DIR`` refused the shipped lane model (its recurrent state is [layers, B, hidden])
    and wrote nothing: the repository holds both models now, the onset model batched by Triton."""
    from cli.infer_cmds import cmd_export_triton
    from inference.manifest import default_models_dir

    args = SimpleNamespace(dir=tmp_path / "repo", models=None, max_batch=8, instances=1)
    assert cmd_export_triton(args) == 0
    shipped = {Manifest.load(p).kind: Manifest.load(p) for p in default_models_dir().glob("*.manifest.json")}
    onset = parse((tmp_path / "repo" / "onset" / "config.pbtxt").read_text())
    assert int(onset.max_batch_size) == 8
    assert "dynamic_batching" in onset._keys
    lane = parse((tmp_path / "repo" / "lane" / "config.pbtxt").read_text())
    assert int(getattr(lane, "max_batch_size", 0)) == 0
    state = next(i for i in lane.input if i.name == "state")
    assert [int(d) for d in state.dims] == shipped["lane"].inputs[[s.name for s in shipped["lane"].inputs].index(
        "state")].shape
    assert file_sha256(tmp_path / "repo" / "lane" / "1" / "model.onnx") == shipped["lane"].sha256


def test_reexport_replaces_the_version_folder(tmp_path):
    manifest = build_onset_model(tmp_path / "a")
    export_triton(tmp_path / "repo", [manifest])
    (tmp_path / "repo" / "onset" / "1" / "stale.bin").write_bytes(b"x")
    export_triton(tmp_path / "repo", [manifest])
    assert not (tmp_path / "repo" / "onset" / "1" / "stale.bin").exists()
