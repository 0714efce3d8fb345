"""No code path deserialises pickles or evaluates input (issue 8 item 4), checked on the syntax tree of every
module the editor, the CLI and the server run (training excluded: it loads its own checkpoints, see below).

Flagged: importing pickle-family modules; calling the builtins ``eval``/``exec``/``compile``/``__import__``;
``yaml.load``/``yaml.unsafe_load``; ``numpy.load`` with ``allow_pickle`` set to anything but False (its default is
False since numpy 1.16.3); ``torch.load`` without ``weights_only=True`` (training only, a known and accepted case:
checkpoints the user trained).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVED = ["chart", "audio", "inference", "editor", "cli", "main.py"]
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib", "jsonpickle"}
UNSAFE_BUILTINS = {"eval", "exec", "compile", "__import__"}


def python_files(names: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in names:
        path = REPO / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _keyword_is(call: ast.Call, name: str, value: object) -> bool:
    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value == value for k in call.keywords)


def findings(path: Path) -> list[str]:
    """Unsafe constructs in one file, as ``file:line what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{where} imports {n}" for n in names if n.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in UNSAFE_BUILTINS:
                found.append(f"{where} calls {func.id}()")
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                qual = f"{func.value.id}.{func.attr}"
                if qual in ("yaml.load", "yaml.unsafe_load", "yaml.full_load"):
                    found.append(f"{where} calls {qual}")
                pickles = [k for k in node.keywords if k.arg == "allow_pickle"]
                if qual in ("np.load", "numpy.load") and pickles and not _keyword_is(node, "allow_pickle", False):
                    found.append(f"{where} calls {qual} with allow_pickle")
                if qual == "torch.load" and not _keyword_is(node, "weights_only", True):
                    found.append(f"{where} calls torch.load without weights_only=True")
    return found


def test_editor_cli_and_server_code_never_unpickles_or_evaluates() -> None:
    files = python_files(SERVED)
    assert len(files) > 50  # the scan really covers the packages
    problems = [f for path in files for f in findings(path)]
    assert problems == []


@pytest.mark.parametrize(("source", "expected"), [
    ("import pickle\n", "imports pickle"),
    ("from joblib import load\n", "imports joblib"),
    ("x = eval(text)\n", "calls eval()"),
    ("import yaml\nyaml.load(s)\n", "calls yaml.load"),
    ("import numpy as np\nnp.load(p, allow_pickle=True)\n", "calls np.load with allow_pickle"),
    ("import numpy as np\nnp.load(p, allow_pickle=flag)\n", "calls np.load with allow_pickle"),
    ("import torch\ntorch.load(p)\n", "calls torch.load without weights_only=True"),
])
def test_the_scan_catches_each_construct(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source, expected) -> None:
    monkeypatch.setattr(__import__(__name__, fromlist=["REPO"]), "REPO", tmp_path)
    path = tmp_path / "m.py"
    path.write_text(source)
    assert [f.split(" ", 1)[1] for f in findings(path)] == [expected]


def test_the_scan_ignores_method_calls_named_eval_or_exec(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(__import__(__name__, fromlist=["REPO"]), "REPO", tmp_path)
    path = tmp_path / "m.py"
    path.write_text("model.eval()\ndialog.exec()\nimport numpy as np\nnp.load(p)\nnp.load(p, allow_pickle=False)\n")
    assert findings(path) == []


def test_training_only_loads_its_own_checkpoints_with_pickle() -> None:
    """Known and accepted: training resumes/exports checkpoints it wrote itself (dataclass configs need full
    pickle). Listed here so a new torch.load elsewhere in training is a conscious change."""
    problems = sorted({f.split(":")[0] for path in python_files(["training"]) for f in findings(path)})
    assert set(problems) <= {"training/export.py", "training/lane_ensemble.py", "training/lane_train.py",
                             "training/train.py"}
