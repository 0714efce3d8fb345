"""The GPU sections replayed on a machine without CUDA say when they measured an onset model other than the
shipped one (they once replayed a run of an earlier onset.onnx as if it were current)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_gpu import RESULTS, shipped_sha256, stored
from benchmarks.common import Row, Section, save_sections

REPO = Path(__file__).resolve().parent.parent
OLD, NEW = "51f0b1a71b39" + "0" * 52, "e74e43bbcd7d" + "1" * 52


def _store(path: Path, extra: dict | None = None) -> None:
    save_sections(path, [Section("GPU: models", [Row("t", 1.0, "s")], f"shipped onset-v1 (sha256:{OLD[:12]})"),
                         Section("GPU: drafts", [Row("draft", 2.5, "s", goal="<= 0.3 s")])], "an H100", extra)


def test_a_replay_of_an_earlier_model_says_so_in_every_section(tmp_path):
    _store(tmp_path / "gpu.json")  # a run from before model_sha256 was stored: the hash comes from the text
    first, second = stored(tmp_path / "gpu.json", "No CUDA here", NEW)
    for s in (first, second):
        assert f"measured on an earlier model, sha256 {OLD[:12]}; the shipped model is {NEW[:12]}" in s.text.lower()
        assert "re-run on a GPU machine" in s.text
    assert first.text.startswith("No CUDA here; the rows above are the last measurement on a GPU machine (an H100)")
    assert first.text.endswith(f"shipped onset-v1 (sha256:{OLD[:12]})")


def test_a_replay_of_the_shipped_model_has_no_note(tmp_path):
    _store(tmp_path / "gpu.json", {"model_sha256": NEW})  # the stored hash wins over the text's
    first, second = stored(tmp_path / "gpu.json", "No CUDA here", NEW)
    assert "earlier model" not in first.text + second.text
    assert second.text == ""
    _store(tmp_path / "gpu.json")
    assert "earlier model" not in "".join(s.text for s in stored(tmp_path / "gpu.json", "No CUDA here", ""))


def test_the_committed_gpu_sections_match_the_shipped_model_or_say_they_do_not():
    first = stored(REPO / RESULTS, "No CUDA here", shipped_sha256(REPO))[0]
    measured = first.text.split("sha256:", 1)[1][:12]
    assert shipped_sha256(REPO)
    assert ("measured on an earlier model" in first.text.lower()) == (not shipped_sha256(REPO).startswith(measured))
