"""Background jobs (:mod:`editor.workers`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt


def test_a_finished_job_lets_go_of_its_arguments(qtbot):
    """A finished job kept by its controller (the band waveform's, the last draft's) held a closed song's whole
    decoded audio (184 MB for an 8-minute song) for the rest of the session: it kept its function's arguments."""
    import gc
    import weakref

    import numpy as np

    from editor.workers import Job

    class Samples(np.ndarray):
        pass

    samples = np.zeros(1000, dtype=np.float32).view(Samples)
    alive = weakref.ref(samples)
    job = Job("t", lambda _ctx, a: float(a.sum()), samples)
    results = []
    job.finished.connect(results.append)
    with qtbot.waitSignal(job.done, timeout=5000):
        job.start()
    assert job.wait(5)
    del samples
    gc.collect()
    assert results == [0.0]
    assert alive() is None  # the job object lives on; the array does not
