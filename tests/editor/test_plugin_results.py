"""A plugin's result goes to the chart it ran on: looking at another difficulty meanwhile does not drop it, and a
result that comes back during a recording take waits for the take instead of being lost. A plugin NAME with "&"
reads as written in the menu and in Undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from chart.song import Slot

pytestmark = pytest.mark.qt

SLOW_MIRROR = ('NAME = "Slow Mirror"\nimport time\ndef run(ctx):\n    time.sleep(1.0)\n'
               '    return [n.replace(lane=ctx.lanes - 1 - n.lane) for n in ctx.notes]\n')


def add_plugin(win, file: str, source: str) -> None:
    from editor.controllers.plugins import user_folder

    folder = user_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file).write_text(source)
    win.plugins.reload()


def trigger(win, text: str) -> None:
    next(a for a in win.plugins.menu.actions() if a.text() == text).trigger()
    assert win.plugins.running


def mirrored(notes, lanes=4):
    return sorted(n.replace(lane=lanes - 1 - n.lane) for n in notes)


def test_looking_at_another_difficulty_while_it_runs_applies_it_to_its_chart(opened, qtbot):
    win = opened
    s = win.session
    add_plugin(win, "slow.py", SLOW_MIRROR)
    beginner = s.doc.song.chart(Slot.BEGINNER)
    s.set_chart(beginner)
    before = list(beginner.notes)
    trigger(win, "Slow Mirror")
    win.step_chart(1)  # F6: another difficulty on screen, nothing edited
    assert s.chart is not beginner
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)
    assert list(beginner.notes) == mirrored(before)
    assert s.doc.history.undo_stack_names() == ["Plugin: Slow Mirror"]
    assert "Beginner" in win.statusBar().currentMessage()
    assert "not the one shown" in win.statusBar().currentMessage()


def test_a_result_during_a_recording_take_waits_for_the_take_to_end(opened, qtbot):
    win = opened
    s = win.session
    add_plugin(win, "slow.py", SLOW_MIRROR)
    chart = s.chart
    before = list(chart.notes)
    trigger(win, "Slow Mirror")
    assert win.record.start()
    assert s.doc.history.in_stroke
    qtbot.waitUntil(lambda: win.plugins.job is None, timeout=20000)  # the plugin has answered
    assert win.plugins.running  # its result waits
    assert "goes in when the recording take ends" in win.statusBar().currentMessage()
    assert list(chart.notes) == before
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)  # the take ends, nothing recorded
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=5000)
    assert list(chart.notes) == mirrored(before)
    assert s.doc.history.undo_stack_names() == ["Plugin: Slow Mirror"]


def test_an_ampersand_in_a_plugin_name_is_shown_as_written(opened, qtbot):
    win = opened
    add_plugin(win, "amp.py", 'NAME = "Jumps & Holds"\ndef run(ctx):\n'
                              '    return [n.replace(lane=ctx.lanes - 1 - n.lane) for n in ctx.notes]\n')
    trigger(win, "Jumps && Holds")  # '&&' is how a menu shows one '&' (a single one marks a mnemonic)
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)
    assert win.actions["edit.undo"].text() == "&Undo Plugin: Jumps && Holds"


def test_a_result_during_a_test_play_waits_for_it_to_end(fake, qtbot):
    """Applied during a test play, the result was shown but the run judged the old notes: playing what was shown
    perfectly was all Miss."""
    win, _clock = fake
    s = win.session
    add_plugin(win, "slow.py", SLOW_MIRROR)
    chart = s.chart
    before = list(chart.notes)
    trigger(win, "Slow Mirror")
    win.seek(0.0)
    assert win.test_play.start()
    qtbot.waitUntil(lambda: win.plugins.job is None, timeout=20000)  # the plugin has answered
    assert win.plugins.running  # its result waits
    assert win.statusBar().currentMessage() == "Slow Mirror: done; its result goes in when the test play ends"
    assert list(chart.notes) == before
    qtbot.keyClick(win.timeline, Qt.Key.Key_Escape)  # the test play ends
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=5000)
    assert list(chart.notes) == mirrored(before)
    assert s.doc.history.undo_stack_names() == ["Plugin: Slow Mirror"]


def test_a_plugin_picked_during_a_take_names_the_take(fake):
    win, _clock = fake
    add_plugin(win, "slow.py", SLOW_MIRROR)
    assert win.record.start()
    next(a for a in win.plugins.menu.actions() if a.text() == "Slow Mirror").trigger()
    assert not win.plugins.running
    assert win.statusBar().currentMessage() == "Slow Mirror: finish the recording take first (Esc ends it)"


def test_a_failed_plugin_leaves_its_outcome_in_the_status_bar(opened, qtbot, boxes):
    """After the dialog, "Running Raiser... (Plugins > Stop Running Plugin)" stayed in the status bar."""
    win = opened
    add_plugin(win, "raiser.py", 'NAME = "Raiser"\ndef run(ctx):\n    raise ValueError("no\\nway")\n')
    trigger(win, "Raiser")
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)
    assert win.statusBar().currentMessage() == "Raiser failed: ValueError: no (line 3); nothing was changed"
    assert [(kind, title) for kind, title, _ in boxes] == [("critical", "Plugin: Raiser")]


def test_a_note_sent_far_past_the_song_is_refused_and_save_still_works(opened, qtbot, boxes):
    """The note at beat 10**9 went in, and the next Save to .ssc was killed for its memory."""
    win = opened
    s = win.session
    add_plugin(win, "far.py", 'NAME = "Far Note"\nfrom fractions import Fraction\ndef run(ctx):\n'
                              '    return [n.replace(beat=Fraction(10**9)) for n in ctx.notes[:1]]\n')
    before = list(s.chart.notes)
    s.select([before[0]])
    trigger(win, "Far Note")
    qtbot.waitUntil(lambda: not win.plugins.running, timeout=20000)
    assert list(s.chart.notes) == before
    assert len(boxes) == 1
    assert "is past beat 100000, further than any song goes" in boxes[0][2]
    assert win.files.save()
