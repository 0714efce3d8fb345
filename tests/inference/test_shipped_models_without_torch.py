"""The shipped models load and draft with onnxruntime alone: torch (and onnx) made unimportable in a fresh
interpreter, as on a designer's machine without the ``[train]`` extra."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
class Block:  # any import of these now raises ImportError, as if they were not installed
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "onnx", "onnxscript"):
            raise ImportError(f"{name} is blocked for this test")
sys.meta_path.insert(0, Block())
from chart.formats.registry import load
from inference.drafter import Drafter
song = load("resources/demo/first-light.ssc")
drafter = Drafter.from_models_dir()
chart = song.charts[0]
[easy] = drafter.draft("resources/demo/first-light.ogg", song.timing_for(chart), ["easy"])
refined = drafter.refine("resources/demo/first-light.ogg", song.timing_for(chart), easy.notes, "easy", ["hard"])
print(json.dumps({"easy": len(easy.notes), "hard": len(refined[0].notes), "lanes": drafter.lanes is not None,
                  "torch": [m for m in sys.modules if m.split(".")[0] in ("torch", "onnx")]}))
"""


def test_shipped_models_draft_and_refine_without_torch() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["lanes"]  # the lane model loaded too
    assert result["torch"] == []
    assert 0 < result["easy"] < result["hard"]
