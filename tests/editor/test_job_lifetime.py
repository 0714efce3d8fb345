"""A finished background job is let go: a Job made with a Qt parent (decode, drafts, stems, plugins, timing tools)
lived as long as its parent, the window, and its connected handlers kept what they captured alive: every song
ever opened stayed in memory, its whole Document and undo history included."""

from __future__ import annotations

import gc
import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject

from editor.workers import Job, JobRegistry
from tests.editor.conftest import write_song

pytestmark = pytest.mark.qt


def settle() -> None:
    """What the event loop does between two user actions: run the deferred deletes, then collect."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def jobs_under(obj: QObject) -> list[Job]:
    return [o for o in obj.findChildren(QObject) if isinstance(o, Job)]


def test_a_done_job_of_the_registry_is_deleted_with_what_its_handlers_hold(qtbot):
    owner = QObject()
    registry = JobRegistry(owner)

    class Held:
        pass

    for outcome in ("finished", "failed", "cancelled"):
        held = Held()
        alive = weakref.ref(held)

        def work(ctx, outcome=outcome):
            if outcome == "failed":
                raise ValueError("no")
            if outcome == "cancelled":
                ctx.cancel_event.set()
            return 1

        job = Job(outcome, work, parent=owner)
        getattr(job, outcome).connect(lambda *_a, h=held: h)  # a handler capturing something big (a Document)
        with qtbot.waitSignal(job.done, timeout=5000):
            registry.start(job)
        del held, job

        def let_go(alive=alive) -> bool:  # the registry's own `done` handler and the deferred delete come a turn later
            settle()
            return registry.jobs == [] and jobs_under(owner) == [] and alive() is None

        qtbot.waitUntil(let_go, timeout=5000)  # the parent used to keep every Job ever started, and what it held


def test_opening_songs_keeps_no_closed_document_or_finished_job(window, qtbot, tmp_path):
    songs = [write_song(tmp_path / f"song{k}", duration_s=4.0).chart for k in range(2)]
    docs = []
    for i in range(6):
        assert window.files.open_path(songs[i % 2], check_unsaved=False)
        docs.append(weakref.ref(window.session.doc))
        qtbot.waitUntil(lambda: window.session.audio is not None and not window.jobs.running("decode"),
                        timeout=10000)
    qtbot.waitUntil(lambda: not window.jobs.jobs, timeout=20000)  # spectrogram tiles and the like, too
    settle()
    alive = [ref() for ref in docs if ref() is not None]
    assert alive == [window.session.doc]  # one per song opened before: each decode Job's handlers held its doc
    assert jobs_under(window) == []
