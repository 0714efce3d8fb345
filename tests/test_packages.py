"""Our packages share names with PyPI distributions (chart, editor, inference, resources): make sure the
repository's own packages are the ones imported."""

import importlib
import os

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("name", ["chart", "audio", "inference", "training", "editor", "cli"])
def test_package_is_ours(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert module.__file__.startswith(str(REPO))


# ---------------------------------------------------------------------- what `pip install .` puts in the wheel
#: The top-level packages of the project (tests, scripts and benchmarks stay in the repository).
TOP_LEVEL = ("chart", "audio", "inference", "training", "editor", "cli", "resources")


def _setuptools_config():
    """The packages and package data setuptools builds the wheel from, read from pyproject.toml by setuptools."""
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    return apply_configuration(Distribution(), REPO / "pyproject.toml")


def _code_folders() -> set[str]:
    """Every folder of Python code under the project's packages, as a dotted package name."""
    found = set()
    for top in TOP_LEVEL:
        for source in (REPO / top).rglob("*.py"):
            if "__pycache__" not in source.parts:
                found.add(".".join(source.parent.relative_to(REPO).parts))
    return found


def _runtime_files() -> set[str]:
    """The files the code loads at run time from beside its packages: everything under resources/ (models, demo
    song, keymap, icon, plugins) and the training package's data (baseline density, validation split)."""
    files = {p for p in (REPO / "resources").rglob("*") if p.is_file()}
    files |= {p for p in (REPO / "training").rglob("*") if p.is_file() and p.suffix != ".py"}
    return {p.relative_to(REPO).as_posix() for p in files if "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_every_package_of_the_project_is_in_the_wheel() -> None:
    """A hand-written package list left editor.controllers, .dialogs, .panels and .timeline out: the installed
    editor could not import."""
    packages = set(_setuptools_config().packages)
    assert {"editor.controllers", "editor.dialogs", "editor.panels", "editor.timeline"} <= packages
    assert _code_folders() <= packages
    assert not {p for p in packages if p.split(".")[0] not in TOP_LEVEL}  # no tests, scripts or build folders


def test_the_files_loaded_at_run_time_are_package_data() -> None:
    config = _setuptools_config()
    shipped = set()
    for package, patterns in config.package_data.items():
        folder = REPO / package.replace(".", "/")
        shipped |= {p.relative_to(REPO).as_posix() for pattern in patterns for p in folder.glob(pattern)}
    runtime = _runtime_files()
    assert {"resources/demo/first-light.ssc", "resources/models/onset.onnx", "resources/keymap.json",
            "training/baseline_density.json", "training/splits/validation.txt"} <= runtime
    assert runtime - shipped == set()


@pytest.mark.slow
def test_the_built_wheel_runs_the_editor_without_the_repository(tmp_path) -> None:
    """Build the wheel as ``pip wheel .`` does (setuptools' PEP 517 backend, offline), install it into a folder
    and import the editor and its bundled files from there alone."""
    import shutil
    import subprocess
    import sys
    import sysconfig
    import zipfile

    source = tmp_path / "source"
    for top in TOP_LEVEL:
        shutil.copytree(REPO / top, source / top, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = subprocess.run([sys.executable, "-c", "from setuptools.build_meta import build_wheel; "
                            "print(build_wheel('dist'))"], cwd=source, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = source / "dist" / built.stdout.strip().splitlines()[-1]
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"{package.replace('.', '/')}/__init__.py" for package in _code_folders()
            if (REPO / package.replace(".", "/") / "__init__.py").exists()} <= names
    assert _runtime_files() <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "genelive-studio = cli.common:console_main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = "\n".join([
        f"import sys; sys.path[:0] = [{str(site)!r}, {sysconfig.get_paths()['purelib']!r}]",
        "import editor.main_window, editor.app",
        "from editor.actions import DEFAULT_KEYMAP; from editor.demo import DEMO_SONG",
        "from inference.manifest import default_models_dir; from training.baseline import DENSITY_FILE",
        f"assert editor.main_window.__file__.startswith({str(site)!r}), editor.main_window.__file__",
        "for path in (DEMO_SONG, DEFAULT_KEYMAP, default_models_dir() / 'onset.onnx', DENSITY_FILE):",
        "    assert path.is_file(), path",
        "from cli.common import console_main",
        "sys.argv = ['genelive-studio', '--help']",
        "try:\n    console_main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code",
        "print('ok')",
    ])
    # -S: the dependencies from this environment's site-packages, without the repository's editable-install hook
    result = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.stdout.strip().splitlines()[-1] == "ok", result.stderr[-2000:]
    assert result.stdout.startswith("usage: genelive-studio"), result.stdout[:200]


def test_the_console_script_is_main_py_under_its_own_name(capsys, monkeypatch) -> None:
    """[project.scripts] names a function that exists and runs the CLI: usage and errors under the command's name,
    bad input exit 2 as ``python main.py`` gives."""
    import sys
    import tomllib

    target = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]["genelive-studio"]
    module, _, function = target.partition(":")
    console_main = getattr(importlib.import_module(module), function)
    monkeypatch.setattr(sys, "argv", ["genelive-studio", "no-such-command"])
    with pytest.raises(SystemExit) as exit_info:
        console_main()
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("genelive-studio: error: ")
