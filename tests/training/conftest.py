"""Fixtures shared by the training tests."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(autouse=True)
def _one_thread():
    """Two torch threads on a busy 2-core machine spin-wait and run ~15x slower; training tests use one."""
    if importlib.util.find_spec("torch") is None:  # tests that need torch skip themselves
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
