"""Drafting through the real server: same notes as local; a server killed mid-draft loses or duplicates none."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.timing import TimingData
from inference.backends import OnnxBackend
from inference.drafter import Drafter
from inference.remote import FallbackBackend, RemoteBackend
from tests.inference.server_helpers import running_server
from tests.inference.tiny_models import click_track, drafting_model

pytestmark = pytest.mark.network
SR = 22050
TIMING = TimingData.constant(120, Fraction(-1, 2))
TOKEN = "drafter-remote-token"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return drafting_model(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def audio():
    return (click_track(120, 0.5, 20.0, SR), SR)


@pytest.fixture(scope="module")
def local_drafts(model, audio):
    return Drafter(model).draft(audio, TIMING, seed=3)


def test_remote_draft_equals_local(model, audio, local_drafts, tmp_path):
    with running_server(model.path.parent, tmp_path, TOKEN, "--max-request-mb", "0.1") as srv:
        sizes: list[int] = []
        remote = RemoteBackend(srv.url, TOKEN, on_request=sizes.append)
        drafts = Drafter(model, backend=remote).draft(audio, TIMING, seed=3)
    assert len(sizes) > 1  # the 20 s song went in chunks
    assert [d.notes for d in drafts] == [d.notes for d in local_drafts]
    assert drafts[0].provenance.backend.startswith(f"remote KServe V2 {srv.url}")


def test_server_killed_mid_draft_falls_back_with_the_same_notes(model, audio, local_drafts, tmp_path):
    with running_server(model.path.parent, tmp_path, TOKEN, "--max-request-mb", "0.05") as srv:
        calls: list[int] = []

        def on_request(size):
            calls.append(size)
            if len(calls) == 2:
                srv.kill()

        messages: list[str] = []
        remote = RemoteBackend(srv.url, TOKEN, retries=2, backoff_s=0.05, on_request=on_request)
        backend = FallbackBackend(remote, OnnxBackend(), on_status=messages.append)
        drafts = Drafter(model, backend=backend).draft(audio, TIMING, seed=3)
    assert [d.notes for d in drafts] == [d.notes for d in local_drafts]  # nothing lost, nothing doubled
    assert len(messages) == 1
    assert "unavailable" in messages[0]
    assert "fallback" in drafts[0].provenance.backend
