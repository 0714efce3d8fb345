"""Our packages share names with PyPI distributions (chart, editor, inference, resources): make sure the
repository's own packages are the ones imported."""

import importlib

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("name", ["chart", "audio", "inference", "training", "editor", "cli"])
def test_package_is_ours(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert module.__file__.startswith(str(REPO))
