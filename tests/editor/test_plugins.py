"""The Plugins menu: bundled and user plugins listed, run on the selection (or the chart) as one undo step,
broken ones listed greyed out, a failing plugin reported in a dialog with nothing changed, Reload."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.notes import Note
from chart.song import Slot

pytestmark = pytest.mark.qt


def menu_texts(win):
    return [a.text() for a in win.plugins.menu.actions() if not a.isSeparator()]


def action(win, text):
    return next(a for a in win.plugins.menu.actions() if a.text() == text)


def run(win, qtbot, text):
    """Trigger a plugin's menu entry and wait for its process to answer (it runs as a background job)."""
    action(win, text).trigger()
    assert win.plugins.running
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)


def test_bundled_plugin_runs_on_the_selection_as_one_step(opened, qtbot):
    win = opened
    easy = next(c for c in win.session.doc.song.charts if c.slot == Slot.EASY)  # a note every half beat, 0-7.5
    win.session.set_chart(easy)
    texts = menu_texts(win)
    assert {"Keep Notes on Beats", "Split Jumps into Single Arrows", "Staircase Arrows"} <= set(texts)
    assert texts[-2:] == ["&Reload Plugins", "Open Plugins &Folder..."]
    assert action(win, "Keep Notes on Beats").toolTip().startswith("Keep only the notes on whole beats")
    before = list(easy.notes)
    win.session.select([n for n in easy.notes if n.beat < 2])  # beats 0, 0.5, 1, 1.5
    run(win, qtbot, "Keep Notes on Beats")
    assert [n.beat for n in easy.notes] == [0, 1] + [Fraction(k, 2) for k in range(4, 16)]
    assert win.session.doc.history.undo_stack_names()[-1] == "Plugin: Keep Notes on Beats"
    assert win.session.selection == {Note(Fraction(0), 0), Note(Fraction(1), 2)}
    win.session.doc.undo()
    assert list(easy.notes) == before
    win.session.clear_selection()  # nothing selected: the whole chart
    run(win, qtbot, "Keep Notes on Beats")
    assert [n.beat for n in easy.notes] == list(range(8))


def test_user_plugins_broken_failing_and_reloaded(opened, boxes, monkeypatch, qtbot):
    from PySide6.QtGui import QDesktopServices

    win = opened
    opened_urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened_urls.append(url.toLocalFile())))
    action(win, "Open Plugins &Folder...").trigger()
    from editor.controllers.plugins import user_folder

    folder = user_folder()
    assert folder.is_dir()
    assert opened_urls == [str(folder)]
    (folder / "reverse.py").write_text('"""Lanes right to left."""\nNAME = "Reverse Lanes"\n'
                                       "def run(ctx):\n    return [n.replace(lane=ctx.lanes - 1 - n.lane)"
                                       " for n in ctx.notes]\n")
    (folder / "crash.py").write_text('NAME = "Crash"\ndef run(ctx):\n    return ctx.notes[99]\n')
    (folder / "broken.py").write_text("NAME = \n")
    assert "Reverse Lanes" not in menu_texts(win)
    action(win, "&Reload Plugins").trigger()
    assert "2 plugins could not" not in win.statusBar().currentMessage()
    assert "1 could not be loaded: broken.py: SyntaxError" in win.statusBar().currentMessage()
    assert {"Reverse Lanes", "Crash", "broken.py (not loaded)"} <= set(menu_texts(win))
    assert not action(win, "broken.py (not loaded)").isEnabled()
    chart = win.session.chart
    before = list(chart.notes)
    run(win, qtbot, "Crash")
    assert list(chart.notes) == before
    assert boxes[-1][0] == "critical"
    assert "crash.py: IndexError: tuple index out of range (line 3). Nothing was changed." in boxes[-1][2]
    run(win, qtbot, "Reverse Lanes")
    assert sorted((n.beat, 3 - n.lane) for n in chart.notes) == sorted((n.beat, n.lane) for n in before)
    assert win.session.doc.history.undo_stack_names()[-1] == "Plugin: Reverse Lanes"


def test_a_hanging_plugin_is_stopped_and_the_editor_keeps_working(opened, qtbot):
    from editor.controllers.plugins import user_folder

    win = opened
    folder = user_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hang.py").write_text('NAME = "Hang"\ndef run(ctx):\n    while True:\n        pass\n')
    (folder / "slow.py").write_text('NAME = "Slow Reverse"\nimport time\ndef run(ctx):\n    time.sleep(1.0)\n'
                                    '    return [n.replace(lane=ctx.lanes - 1 - n.lane) for n in ctx.notes]\n')
    action(win, "&Reload Plugins").trigger()
    chart = win.session.chart
    before = list(chart.notes)
    assert not action(win, "&Stop Running Plugin").isEnabled()
    action(win, "Hang").trigger()
    assert win.plugins.running
    assert action(win, "&Stop Running Plugin").isEnabled()
    assert not win.plugins.run(win.plugins.plugins[0])  # one at a time
    assert "still running" in win.statusBar().currentMessage()
    win.editing.place(Fraction(99), 0, win.session.place_kind)  # the editor is responsive meanwhile
    assert Note(Fraction(99), 0) in chart.notes
    action(win, "&Stop Running Plugin").trigger()
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=10000)
    assert "Hang: stopped; nothing was changed" in win.statusBar().currentMessage()
    assert not action(win, "&Stop Running Plugin").isEnabled()
    # a result computed from notes that changed meanwhile is dropped, not applied over the edit
    now = list(chart.notes)
    action(win, "Slow Reverse").trigger()
    win.editing.place(Fraction(98), 1, win.session.place_kind)
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)
    assert "the chart changed while it ran" in win.statusBar().currentMessage()
    assert list(chart.notes) == sorted([*now, Note(Fraction(98), 1)])
    assert before != now


def test_a_selected_range_without_notes_is_the_scope_not_the_whole_chart(opened, qtbot):
    from editor.controllers.plugins import user_folder

    win = opened
    folder = user_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fill.py").write_text('NAME = "Fill Range"\nfrom chart.notes import Note\ndef run(ctx):\n'
                                    '    a, b = ctx.range_beats\n    return [*ctx.notes, Note(a, 0), Note(b, 1)]\n')
    action(win, "&Reload Plugins").trigger()
    chart = win.session.chart
    before = list(chart.notes)
    empty = next(b for b in range(200) if not any(b <= n.end_beat and n.beat <= b + 3 for n in before))
    win.session.set_range((Fraction(empty + 3), Fraction(empty)))
    assert not win.session.selection
    run(win, qtbot, "Keep Notes on Beats")
    assert list(chart.notes) == before  # it had the range's notes (none), not the whole chart
    assert "nothing to change" in win.statusBar().currentMessage()
    win.session.set_range((Fraction(empty + 3), Fraction(empty)))
    run(win, qtbot, "Fill Range")
    assert list(chart.notes) == sorted([*before, Note(Fraction(empty), 0), Note(Fraction(empty + 3), 1)])


def test_a_result_made_with_the_old_timing_is_dropped(opened, qtbot):
    from chart.commands import SetTiming
    from chart.timing import TimingData
    from editor.controllers.plugins import user_folder

    win = opened
    folder = user_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secs.py").write_text('NAME = "On Seconds"\nimport time\nfrom fractions import Fraction\n'
                                    'from chart.notes import Note\ndef run(ctx):\n    time.sleep(1.0)\n'
                                    '    return [*ctx.notes, Note(Fraction(round(ctx.timing.seconds_to_beat(40) * 48),'
                                    ' 48), 0)]\n')
    action(win, "&Reload Plugins").trigger()
    chart = win.session.chart
    before = list(chart.notes)
    action(win, "On Seconds").trigger()
    win.session.push(SetTiming(TimingData.constant(97, "-0.1")))  # the notes stay; the grid under them moves
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)
    assert "the chart changed while it ran" in win.statusBar().currentMessage()
    assert list(chart.notes) == before
