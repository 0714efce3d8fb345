"""The drafter runs the onset model inside its backend's cancel scope, so Cancel ends a wait on a remote server
that never answers (it did nothing for the 60 s read timeout: the token was only checked between stages)."""

from __future__ import annotations

import contextlib
from fractions import Fraction

import pytest

from chart.notes import Note
from chart.timing import TimingData
from inference.drafter import Drafter
from tests.inference.tiny_models import click_track, drafting_model

TIMING = TimingData.constant(120, Fraction(-1, 2))


class ScopedBackend:
    """The drafter's own backend, with a cancel scope that records whether the model ran inside it."""

    def __init__(self, inner):
        self.inner = inner
        self.inside = False
        self.runs_inside: list[bool] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @contextlib.contextmanager
    def cancel_scope(self, check):
        check()  # the drafter's CancelToken.check, callable
        self.inside = True
        try:
            yield
        finally:
            self.inside = False

    def run(self, *args, **kwargs):
        self.runs_inside.append(self.inside)
        return self.inner.run(*args, **kwargs)


@pytest.fixture(scope="module")
def drafter(tmp_path_factory):
    pytest.importorskip("onnx")
    return Drafter(drafting_model(tmp_path_factory.mktemp("cancel_scope")))


def test_drafts_and_simplify_run_the_model_inside_the_cancel_scope(drafter):
    audio = (click_track(120, 0.5, 8.0), 22050)
    scoped = ScopedBackend(drafter.backend)
    drafter.backend = scoped
    try:
        drafter.draft(audio, TIMING, ["easy"])
        higher = [Note(Fraction(b), b % 4) for b in range(2, 14)]
        drafter.simplify(audio, TIMING, higher, "hard", ["easy"])
    finally:
        drafter.backend = scoped.inner
    assert scoped.runs_inside
    assert all(scoped.runs_inside), scoped.runs_inside
