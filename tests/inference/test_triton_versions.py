"""export-triton into an existing repository (session-19 remote audit): the whole model folder is replaced, and the
config serves version 1 only. An ``onset/2/`` from an older export stayed, and Triton serves the highest version,
while the new config.pbtxt named the new sha256 that the client checks: the stale model passed for the new one."""

from __future__ import annotations

import pytest

from inference.manifest import file_sha256
from inference.serving import triton
from inference.serving.triton import export_triton
from tests.inference.test_serving_triton import parse
from tests.inference.tiny_models import build_onset_model


def test_reexport_removes_every_other_version_and_pins_version_1(tmp_path):
    manifest = build_onset_model(tmp_path / "models")
    repo = tmp_path / "repo"
    (repo / "onset" / "2").mkdir(parents=True)
    (repo / "onset" / "2" / "model.onnx").write_bytes(b"a stale model from an older export")
    (repo / "onset" / "notes.txt").write_text("left by hand")
    (repo / "other-model" / "1").mkdir(parents=True)
    export_triton(repo, [manifest])
    assert sorted(p.name for p in (repo / "onset").iterdir()) == ["1", "config.pbtxt", "onset.manifest.json"]
    assert file_sha256(repo / "onset" / "1" / "model.onnx") == manifest.sha256
    assert (repo / "other-model" / "1").is_dir()  # other models are left alone
    assert sorted(p.name for p in repo.iterdir()) == ["onset", "other-model"]  # no staging folder left
    config = parse((repo / "onset" / "config.pbtxt").read_text())
    assert [int(v) for v in config.version_policy.specific.versions] == [1]


def test_a_failed_export_keeps_the_old_model(tmp_path, monkeypatch):
    manifest = build_onset_model(tmp_path / "models")
    repo = tmp_path / "repo"
    export_triton(repo, [manifest])
    before = (repo / "onset" / "config.pbtxt").read_text()

    def broken(new, final):
        raise OSError("disk full")

    monkeypatch.setattr(triton, "_replace_folder", broken)
    with pytest.raises(OSError, match="disk full"):
        export_triton(repo, [manifest], max_batch_size=4)
    assert (repo / "onset" / "config.pbtxt").read_text() == before
    assert sorted(p.name for p in repo.iterdir()) == ["onset"]
