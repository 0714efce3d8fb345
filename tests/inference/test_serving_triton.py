"""export-triton writes a model repository Triton accepts: config.pbtxt parsed with Triton's own schema."""

from __future__ import annotations

import pytest
from google.protobuf import text_format

from inference.manifest import Manifest, file_sha256
from inference.serving.triton import ExportError, config_pbtxt, export_triton
from tests.inference.tiny_models import build_onset_model


def parse(text: str):
    from tritonclient.grpc import model_config_pb2  # Triton's ModelConfig protobuf, shipped with tritonclient

    return text_format.Parse(text, model_config_pb2.ModelConfig())


def test_repository_layout_and_config(tmp_path):
    manifest = build_onset_model(tmp_path / "models", n_channels=8, n_guide=3)
    export_triton(tmp_path / "repo", [manifest], max_batch_size=8, gpu_instances=2)
    folder = tmp_path / "repo" / "onset"
    assert file_sha256(folder / "1" / "model.onnx") == manifest.sha256
    copy = Manifest.load(folder / "onset.manifest.json")  # verifies the copied model against its sha
    assert copy.model_id == manifest.model_id

    from tritonclient.grpc import model_config_pb2 as pb

    config = parse((folder / "config.pbtxt").read_text())
    assert config.name == "onset"
    assert config.platform == "onnxruntime_onnx"
    assert config.max_batch_size == 8
    inputs = {i.name: i for i in config.input}
    assert set(inputs) == {s.name for s in manifest.inputs}
    assert list(inputs["features"].dims) == [-1, 8]  # batch axis implicit, time axis dynamic
    assert list(inputs["beat_guide"].dims) == [-1, 3]
    assert inputs["features"].data_type == pb.TYPE_FP32
    assert inputs["difficulty"].data_type == pb.TYPE_INT64
    assert list(inputs["difficulty"].dims) == [1]
    assert list(inputs["difficulty"].reshape.shape) == []  # the model sees [B]
    (output,) = config.output
    assert output.name == "onset_prob"
    assert list(output.dims) == [-1]
    (group,) = config.instance_group
    assert group.kind == pb.ModelInstanceGroup.KIND_GPU
    assert group.count == 2
    assert config.parameters["sha256"].string_value == manifest.sha256


def test_export_refuses_an_unbatched_input(tmp_path):
    manifest = build_onset_model(tmp_path)
    manifest.inputs[0].shape = [1, -1, 8]
    with pytest.raises(ExportError, match="batch"):
        config_pbtxt(manifest, "onset")


def test_reexport_replaces_the_version_folder(tmp_path):
    manifest = build_onset_model(tmp_path / "a")
    export_triton(tmp_path / "repo", [manifest])
    (tmp_path / "repo" / "onset" / "1" / "stale.bin").write_bytes(b"x")
    export_triton(tmp_path / "repo", [manifest])
    assert not (tmp_path / "repo" / "onset" / "1" / "stale.bin").exists()
