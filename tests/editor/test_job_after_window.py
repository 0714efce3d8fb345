"""A job whose Qt object is gone (its window closed while it ran) ends quietly: no traceback from its thread."""

from __future__ import annotations

import threading

import shiboken6

from editor.workers import Job


def test_a_job_deleted_while_it_runs_ends_without_a_thread_traceback(qtbot, monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    go = threading.Event()

    def work(ctx):
        go.wait(5)
        return 1

    job = Job("late", work).start()
    shiboken6.delete(job)  # what closing the window does to a job it owns
    go.set()
    assert job.wait(5)
    assert errors == []
