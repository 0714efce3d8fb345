"""Child process for test_autosave_crash.py: the real editor start-up (crash recovery included), then a stream of
edits, the autosave timer at a short interval and periodic saves, until the parent SIGKILLs it.

Usage: ``python autosave_child.py REPO INI CHART INTERVAL_MS EDIT_MS SAVE_MS [--recover-only]``
(``--recover-only``: start up, report, save what was restored, quit).
Lines on stdout (flushed, so they survive the kill): ``start <json notes>`` once the window is up,
``edit K T`` after edit K was applied, ``autosave K T`` after a generation holding edits 0..K-1 was written,
``save K T`` after the chart file was saved holding edits 0..K-1 (T: ``time.monotonic()``, the same clock
in every process on Linux).
"""

from __future__ import annotations

import json
import os
import sys
import time
from fractions import Fraction

EDIT_BASE_BEAT = 64  # edits go after the fixture's notes, one per 16th, lanes cycling


def edit_note(k: int):
    from chart.notes import Note

    return Note(EDIT_BASE_BEAT + Fraction(k, 4), k % 4)


def main(argv: list[str]) -> int:
    repo, ini, chart_path = argv[1], argv[2], argv[3]
    interval_ms, edit_ms, save_ms = (int(a) for a in argv[4:7])
    sys.path.insert(0, repo)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QTimer

    from chart.notes import NoteKind
    from editor import messages
    from editor.app import create_window, ensure_app
    from editor.settings import EditorSettings, use_ini_file

    messages.set_headless(True)  # the recovery question takes its default: restore
    use_ini_file(ini)
    app = ensure_app()
    win = create_window(chart_path, settings=EditorSettings(), recover=True)
    win.drafting.start = lambda *_a: None  # no model warm-up competing for the 2 CPUs
    notes = sorted((str(n.beat), n.lane) for n in win.session.chart.notes)
    print("start", json.dumps(notes), flush=True)
    if "--recover-only" in argv:  # what the designer does next: save the restored work, quit
        if not win.session.doc.is_clean and not win.files.save():
            return 1
        win.skip_close_prompt = True
        win.shutdown()
        return 0
    done = {"k": sum(1 for n in win.session.chart.notes if n.beat >= EDIT_BASE_BEAT)}
    win.autosave.timer.setInterval(interval_ms)  # the real timer and code path, a shorter interval
    win.autosave.saved.connect(lambda _p: print("autosave", done["k"], time.monotonic(), flush=True))

    def edit() -> None:
        note = edit_note(done["k"])
        win.editing.place(note.beat, note.lane, NoteKind.TAP)
        done["k"] += 1
        print("edit", done["k"] - 1, time.monotonic(), flush=True)

    def save() -> None:
        if win.files.save():
            print("save", done["k"], time.monotonic(), flush=True)

    edits, saves = QTimer(), QTimer()
    edits.timeout.connect(edit)
    saves.timeout.connect(save)
    edits.start(edit_ms)
    saves.start(save_ms)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
