"""Starting the editor: the QApplication, the window, the demo song, crash recovery, headless screenshots.

``run_editor(path)`` is what ``python main.py`` and ``python main.py open PATH`` call. With ``screenshot`` it
renders the window offscreen once the song (and, with ``after_draft``, an AI draft) is ready, saves the PNG and
exits — the hook the docs and the tests use; exit 2 without a PNG when the song could not be opened or what the
flags asked for could not be done (as every command's bad input).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_SONG = REPO / "resources" / "demo" / "first-light.ssc"  # opened as an untitled copy (editor.demo)
SCREENSHOT_TIMEOUT_S = 300.0


#: Allocations at least this large get pages of their own from the OS, returned when freed (glibc's default).
MMAP_THRESHOLD_BYTES = 128 * 1024
#: How long a thread waiting for the GIL lets the holder run before asking for it (Python's default 5 ms). The GUI
#: thread gives the GIL up at every blocking call into Qt and waits up to this long to get it back while a worker
#: runs Python (Verify's checks, the foot parse): with 5 ms, placing a note took 3-5x as long while Verify ran.
GIL_SWITCH_INTERVAL_S = 0.0005


def fixed_mmap_threshold() -> bool:
    """Keep glibc's mmap threshold at :data:`MMAP_THRESHOLD_BYTES` instead of letting it rise to the largest
    block freed so far (up to 32 MB). The editor frees many large numpy temporaries (spectrogram tiles, features,
    drafts) on worker threads; with the rising threshold they land in the heap arenas and stay in RSS after they
    are freed (the benchmark's probe with the whole spectrogram of a 10-minute song: 410-418 MB without, 398.5-398.9
    MB with; docs/decisions.md). True when set; False off glibc (macOS, Windows, musl), where nothing changes."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_mmap_threshold = -3  # malloc.h
        return bool(libc.mallopt(m_mmap_threshold, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):  # not glibc
        return False


def ensure_app():
    """The QApplication (created once, with our name so QSettings and AppDataLocation are per-app)."""
    from PySide6.QtWidgets import QApplication

    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL_S))
    app = QApplication.instance()
    if app is None:
        fixed_mmap_threshold()
        app = QApplication(sys.argv[:1])
        app.setOrganizationName("GeneLive")
        app.setApplicationName("GeneLive Studio")
        app.setApplicationDisplayName("GenéLive Studio")
    return app


def create_window(path: str | Path | None = None, settings=None, recover: bool = True):
    """A shown main window with ``path`` (or the demo song) open; offers crash recovery first when asked."""
    from editor.demo import open_demo
    from editor.main_window import MainWindow

    win = MainWindow(settings)
    win.show()
    restored = False
    autosave = getattr(win, "autosave", None)
    if recover and autosave is not None:
        try:
            restored = autosave.offer_recovery(Path(path) if path is not None else None)
        except Exception as exc:  # last resort: a damaged recovery session must not stop the editor from starting
            import logging

            from editor import messages

            logging.getLogger(__name__).warning("crash recovery failed", exc_info=True)  # the trace, for a bug report

            messages.error(win, "Cannot restore", f"Crash recovery failed: {messages.one_line(exc)}\n"
                                                  f"The autosaves are kept in {autosave.root}.")
    if not restored and path is not None:
        win.files.open_path(Path(path), check_unsaved=False)
    elif not restored:  # an untitled copy: Save never writes the bundled file (editor.demo)
        open_demo(win)
    if autosave is not None:
        autosave.start_session()
    win.timeline.setFocus()  # keys (1-4, arrows, Space) act on the notefield from the start
    from PySide6.QtCore import QTimer

    QTimer.singleShot(1500, win.start_ai)  # after the window is interactive: model loading is not urgent
    return win


def wait_until(app, predicate, timeout_s: float) -> bool:
    """Process events until ``predicate()`` holds or the timeout passes."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def take_screenshot(win, out: Path, after_draft: bool = False, stems: bool = False) -> str | None:
    """Wait for the audio (and a draft when asked), then render the window to ``out`` (PNG). Returns the error line
    when there is no picture of what was asked for, and writes nothing then: an error was printed (the song did not
    open, its audio did not decode), the draft or the stems asked for were not made, or ``out`` cannot be
    written ("" when the error is printed already)."""
    from PySide6.QtWidgets import QApplication

    from chart.fileio import atomic_write_bytes
    from editor import messages
    from editor.screenshot import PANELS_TIMEOUT_S, panels_settled, png_bytes, prepare_for_screenshot

    app = QApplication.instance()
    assert app is not None  # ``win`` exists, so the application does
    # the decode result is delivered by a queued signal: wait for the session to have it (or its error); a bare
    # audio file is decoded and its tempo detected by a "new-song" job, which stays registered until its result
    # has been handled
    def audio_settled() -> bool:
        if win.session.audio is not None or win.session.audio_error is not None:
            return True
        return win.files.audio_job is None and not any(j.name == "new-song" for j in win.jobs.jobs)

    wait_until(app, audio_settled, SCREENSHOT_TIMEOUT_S)
    if messages.errors_printed():  # the song or its audio could not be opened: no picture of an empty editor
        return ""
    wait_until(app, lambda: panels_settled(win), PANELS_TIMEOUT_S)  # the AI and Verify panels the pictures show
    statuses: list[str] = []
    win.session.status.connect(statuses.append)  # why the stems failed is said in the status bar only
    prepare_for_screenshot(win, after_draft, lambda pred: wait_until(app, pred, SCREENSHOT_TIMEOUT_S), stems)
    wait_until(app, lambda: panels_settled(win), PANELS_TIMEOUT_S)  # Verify again, on the chart now shown
    spectro = win.spectrogram
    if spectro.enabled and spectro.tiler is not None:  # the visible tiles, streamed in by the background job
        visible = set(spectro.tiler.tiles_for(*win.timeline.visible_times()))
        wait_until(app, lambda: visible <= set(spectro.item.tiles), 60.0)
    for _ in range(3):
        app.processEvents()
    if messages.errors_printed():
        return ""
    if problem := _not_done(win, after_draft, stems, statuses):
        return problem
    try:
        atomic_write_bytes(out, png_bytes(win))
    except OSError as err:  # named: not the hidden temporary file, not a bare "No space left on device"
        return f"cannot write {out}: {err.strerror or err}"
    return None


def _not_done(win, after_draft: bool, stems: bool, statuses: list[str]) -> str | None:
    """The error line when ``--after-draft`` or ``--stems`` did not happen (:func:`editor.screenshot.
    prepare_for_screenshot` gives up on them silently: no audio, a failed job), else None."""
    session = win.session
    no_audio = f"the song's audio is not loaded ({session.audio_error or 'none named'})" if session.audio is None \
        else ""
    drafting = getattr(win, "drafting", None)
    if after_draft and (drafting is None or drafting.last_error):
        why = no_audio or (drafting.last_error if drafting is not None else "the AI is not available")
        return f"--after-draft: no draft: {why}"
    if stems and win.stems.stems is None:
        said = [s for s in statuses if s.startswith("Stems:")]
        return f"--stems: no stems: {no_audio or (said[-1].removeprefix('Stems: ') if said else 'not separated')}"
    return None


def compare_with_slot(win, slot) -> str | None:
    """Set the compared difficulty (View > Compare) to a chart of ``slot`` other than the edited one (of the edited
    chart's mode when there are several); the error line when there is none to compare with.

    A chart is never compared with itself (that shows nothing, silently): when the edited chart is the slot's only
    chart, the busiest other chart (of the compared chart's mode first) is edited instead. The screenshot's own
    choice of chart (:func:`editor.screenshot.prepare_for_screenshot`) leaves the compared chart out, so the
    picture shows the comparison asked for whichever runs first."""
    session = win.session
    song = session.doc.song
    charts = [c for c in song.charts if c.slot == slot]
    if not charts:
        return f"--compare: the song has no {slot.sm_name} chart"
    others = [c for c in charts if c is not session.chart]
    if not others:  # the slot's only chart is the one open: edit another one and compare with it
        rest = [c for c in song.charts if c is not session.chart]
        if not rest:
            return f"--compare: the song's only chart is the {slot.sm_name} chart, nothing to compare it with"
        same = [c for c in rest if c.mode == charts[0].mode]
        session.set_chart(max(same or rest, key=lambda c: len(c.notes)))
        others = charts
    current = session.chart
    same_mode = [c for c in others if current is not None and c.mode == current.mode]
    session.set_reference((same_mode or others)[0])
    return None


def run_editor(path: str | Path | None = None, screenshot: str | Path | None = None,
               after_draft: bool = False, stems: bool = False, compare=None, feet: bool = False,
               beat_spaced: bool = False) -> int:
    """Open the editor; returns the process exit code. ``compare``: a Slot to show behind the edited chart;
    ``feet``: switch View > Foot Labels on; ``beat_spaced``: View > Beat-Spaced (X-mod)."""
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from editor import messages

    messages.set_headless(screenshot is not None)
    app = ensure_app()
    settings, folder = None, None
    if screenshot is not None:  # fresh default settings: screenshots neither depend on nor change the user's
        import shutil
        import tempfile

        from editor.settings import EditorSettings, use_ini_file

        folder = Path(tempfile.mkdtemp(prefix="genelive-shot-"))
        use_ini_file(folder / "editor.ini")
        settings = EditorSettings()
        settings.set("view/spectrogram", True)
        settings.set("view/curve", bool(after_draft))
    try:
        win = create_window(path, settings=settings, recover=screenshot is None)
        error = compare_with_slot(win, compare) if compare is not None else None
        if feet:
            win.actions["view.feet"].setChecked(True)
        if beat_spaced:
            win.actions["view.beat_spaced"].setChecked(True)
        if error and screenshot is not None:
            print(f"error: {error}", file=sys.stderr)
            win.skip_close_prompt = True
            win.close()
            return 2
        if error:
            win.session.status.emit(error)
        if screenshot is not None:
            try:
                problem = take_screenshot(win, Path(screenshot), after_draft, stems)
            finally:
                win.skip_close_prompt = True
                win.close()
            if problem:
                print(f"error: {problem}", file=sys.stderr)
            return 0 if problem is None else 2  # as the CLI: what could not be done is exit 2, never 0
        return app.exec()
    finally:
        if folder is not None:  # the screenshot's settings and recovery files (one folder was left per shot)
            use_ini_file(None)
            shutil.rmtree(folder, ignore_errors=True)
