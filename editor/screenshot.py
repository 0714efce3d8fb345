"""Headless screenshots (``main.py open PATH --screenshot OUT.png [--after-draft] [--stems]``).

The view shows the chart with the most notes (but the compared one, with ``--compare``: edited, it would be compared
with itself), placed on the song's preview (``#SAMPLESTART``) so a screenshot shows music and notes rather than the
silent intro; with ``after_draft`` the AI panel drafts the first empty difficulty (or regenerates a region of the
current one) and the screenshot is taken once the ghost notes are in; with ``stems`` the song is separated first and
the Playback panel (Stems box) and the vocals waveform are shown. Every screenshot waits (at most
:data:`PANELS_TIMEOUT_S`) for the AI panel's model warm-up and the Verify panel's first run, which the pictures'
captions show (:func:`panels_settled`); a grab before them showed "model not loaded yet" and an empty Verify list.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from chart.song import MODEL_SLOTS, Slot

PANELS_TIMEOUT_S = 30.0  # longest wait for the AI warm-up and the first Verify run before a screenshot
NOT_LOADED = "model not loaded yet"  # DraftController.describe() before the warm-up


@contextmanager
def docs_window(width: int = 1280, height: int = 860) -> Iterator:
    """A shown main window with fresh default settings (neither reading nor changing the user's), for the
    scripts that render the pictures in docs/; shut down without a prompt when the block ends."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from editor.main_window import MainWindow
    from editor.settings import EditorSettings, use_ini_file

    folder = Path(tempfile.mkdtemp(prefix="genelive-docs-"))
    use_ini_file(folder / "editor.ini")
    win = MainWindow(EditorSettings())
    win.resize(width, height)
    win.show()
    try:
        yield win
    finally:
        win.skip_close_prompt = True
        win.shutdown()
        use_ini_file(None)
        shutil.rmtree(folder, ignore_errors=True)
        del app


def open_and_wait(win, path: Path) -> bool:
    """Open ``path`` in ``win`` and wait (up to 30 s) for the waveform, whose decode runs in a background job."""
    from PySide6.QtTest import QTest

    if not win.open_path(path):
        return False
    for _ in range(1500):
        if win.timeline.waveform_item.peaks is not None:
            break
        QTest.qWait(20)
    return True


def panels_settled(win) -> bool:
    """Whether the AI warm-up has ended (the backend line shows CUDA or CPU, an error, or that no model is shipped)
    and Verify has checked the chart (its first automatic run is on a timer, then a background job)."""
    drafting, ai, verify = (getattr(win, name, None) for name in ("drafting", "ai_panel", "verify_panel"))
    ai_done = drafting is None or ai is None or (
        not drafting.busy and (drafting.job is not None or drafting.last_error is not None
                               or ai.device.text() != NOT_LOADED))
    verify_done = verify is None or (bool(verify.summary.text()) and not verify._timer.isActive()
                                     and verify._job is None)
    return ai_done and verify_done


def prepare_for_screenshot(win, after_draft: bool, wait: Callable[[Callable[[], bool]], bool],
                           stems: bool = False) -> None:
    """Position the view, draft when asked, separate stems when asked (waiting for the jobs)."""
    song = win.session.doc.song
    reference = win.session.reference  # --compare's chart (already set, or None)
    others = [c for c in song.charts if c is not reference]
    same_mode = [c for c in others if reference is not None and c.mode == reference.mode]
    if song.charts:  # the busiest chart shows the most of the editor
        win.session.set_chart(max(same_mode or others or song.charts, key=lambda c: len(c.notes)))
    start_s = float(song.sample_start) if song.sample_start else 0.0
    if start_s <= 0 and win.session.chart is not None and win.session.chart.notes:
        start_s = float(win.session.timing().beat_to_seconds(win.session.chart.notes[0].beat))
    win.seek(start_s + 0.5)
    drafting = getattr(win, "drafting", None)
    if after_draft and drafting is not None:
        wait(lambda: not drafting.busy)  # the model warm-up may still be running
        started = _start_draft(win, drafting)
        if started:
            wait(lambda: not drafting.busy)
        if drafting.last_error:
            win.session.status.emit(f"Draft failed: {drafting.last_error}")
    if stems and win.session.audio is not None and win.stems.separate() is not None:
        wait(lambda: not win.stems.busy)
        if win.stems.stems is not None:
            win.stems.set_waveform("vocals")
        win.panels.setCurrentWidget(win.playback_panel)
        box = getattr(win.playback_panel, "stems_box", None)
        if box is not None:
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()  # the page just shown takes its size
            box.show_whole()
    win.timeline.setFocus()


def _start_draft(win, drafting) -> bool:
    """Draft the first model slot the song has no chart for (else regenerate 8 measures of the current)."""
    session = win.session
    if session.audio is None:
        drafting.last_error = "no audio"
        return False
    mode = session.chart.mode if session.chart is not None else "dance-single"
    missing = [s for s in MODEL_SLOTS if session.doc.song.chart(s, mode) is None]
    try:
        drafting.ensure_drafter()
    except (ValueError, OSError) as exc:
        drafting.last_error = str(exc)
        return False
    if missing:
        return drafting.draft_slots([missing[-1] if Slot.HARD not in missing else Slot.HARD], {}) is not None
    start = win.timeline.cursor_beat()
    return drafting.regenerate((start, start + 32), 3) is not None


def png_bytes(win) -> bytes:
    """The window rendered to PNG bytes."""
    pixmap = win.grab()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())
