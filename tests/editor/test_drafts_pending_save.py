"""AI drafts in other charts (audit 24): after "Draft all difficulties", Ctrl+Return accepted the chart on screen
only, nothing said that four more charts held drafts, and Save wrote them empty without asking. Now the menu says
"in This Chart", the status names the charts with drafts, and Save and Export ask first (Yes: without them, No:
cancel), once, and not again after closing's own question. Also New Song from Audio names the song from its tags.
No model needed: drafts are put in the store directly."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from chart.commands import AddNotes
from chart.formats.registry import load
from chart.notes import Note

pytestmark = pytest.mark.qt
YES, NO, SAVE = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No, QMessageBox.StandardButton.Save


def _draft_both(win):
    from editor.controllers.ghosts import GhostDraft

    song = win.session.doc.song
    for chart in song.charts:  # Beginner and Easy, as "Draft all difficulties" leaves them
        win.drafting.ghosts.put(GhostDraft(chart, [Note(Fraction(40), 1), Note(Fraction(41), 2)], {}, {"seed": 0},
                                           regions=[(Fraction(40), Fraction(44))], timing=song.timing_for(chart)))
    win.session.set_chart(song.charts[0])
    return song


def test_accept_all_says_it_is_this_charts_and_names_the_charts_still_drafted(opened):
    win = opened
    song = _draft_both(win)
    action = win.actions.actions["ai.accept_all"]
    assert action.text() == "Accept All Drafts in This Chart"
    action.trigger()
    status = win.statusBar().currentMessage()
    assert status.startswith("Accepted 2 drafted note(s)"), status
    assert "1 more chart has drafts: Easy (F5/F6)" in status, status
    assert win.drafting.ghosts.get(song.charts[1]) is not None  # Easy's drafts still pending


def test_save_with_drafts_pending_asks_and_no_cancels(opened, boxes, song_files):
    win = opened
    song = _draft_both(win)
    win.actions.actions["ai.accept_all"].trigger()  # Beginner's: Easy's still pending
    boxes.clear()
    boxes.answers[:] = [NO]
    assert not win.files.save()
    assert [b[1] for b in boxes] == ["AI drafts not accepted"]
    assert "2 drafted note(s) not accepted (Easy)" in boxes[0][2]
    assert "Not saved: AI drafts pending" in win.statusBar().currentMessage()
    assert len(load(song_files.chart).charts[0].notes) == len(song_files.song.charts[0].notes)  # not written
    boxes.answers[:] = [YES]
    assert win.files.save()
    assert len(load(song_files.chart).charts[0].notes) == len(song.charts[0].notes)  # Beginner's accepted ones
    boxes.clear()
    assert win.files.save()  # asked once for these drafts
    assert boxes == []


def test_export_asks_too(opened, boxes, tmp_path):
    win = opened
    _draft_both(win)
    boxes.answers[:] = [NO]
    from editor.controllers.export import ExportController

    target = tmp_path / "out.ssc"
    assert not ExportController(win).export(target)
    assert [b[1] for b in boxes] == ["AI drafts not accepted"]
    assert not target.exists()


def test_closing_with_save_asks_about_the_drafts_once(opened, boxes):
    win = opened
    song = _draft_both(win)
    win.actions.actions["ai.accept_all"].trigger()  # an unsaved change, and Easy's drafts pending
    boxes.clear()
    boxes.answers[:] = [SAVE]
    assert win.files.maybe_save_changes()
    assert [b[1] for b in boxes] == ["Unsaved changes"]  # "... will be discarded either way": not asked again
    assert "(Easy)" in boxes[0][2]
    assert win.session.doc.is_clean
    assert song.charts[0].notes


def test_new_song_from_audio_takes_the_tags_as_the_cli_does(window, tmp_path):
    import soundfile as sf

    from chart.timing import TimingData

    tagged, plain = tmp_path / "coral_crown.ogg", tmp_path / "my_song.wav"
    with sf.SoundFile(str(tagged), "w", 8000, 1) as f:
        f.title, f.artist = 'Coral Crown (From "Hades II")', "FalKKonE/Rena"
        f.write(np.zeros(8000, np.float32))
    sf.write(str(plain), np.zeros(8000, np.float32), 8000)
    doc = window.files.new_document_from_audio(tagged, TimingData.constant(120, "0"))
    assert (doc.song.title, doc.song.artist) == ('Coral Crown (From "Hades II")', "FalKKonE/Rena")
    doc = window.files.new_document_from_audio(plain, TimingData.constant(120, "0"))
    assert (doc.song.title, doc.song.artist) == ("my song", "")


def test_exports_yes_is_no_answer_for_save(opened, boxes, song_files, tmp_path):
    """Review of audit 24: Yes to Export's question (a quick test copy may lack the drafts) was remembered for
    Save too, which then wrote the song file without them and asked nothing."""
    win = opened
    _draft_both(win)
    from editor.controllers.export import ExportController

    boxes.answers[:] = [YES] * 4  # the drafts, then whatever Export asks of the copy
    ExportController(win).export(tmp_path / "quick-test.ssc")
    assert boxes[0][1] == "AI drafts not accepted"
    boxes.clear()
    boxes.answers[:] = [NO]
    assert not win.files.save()
    assert [b[1] for b in boxes] == ["AI drafts not accepted"]  # asked, not taken from Export's answer
    boxes.clear()
    boxes.answers[:] = [YES]
    assert win.files.save()
    boxes.clear()
    boxes.answers[:] = [YES] * 3
    ExportController(win).export(tmp_path / "again.ssc")
    assert "AI drafts not accepted" not in [b[1] for b in boxes]  # Export's own Yes still stands: asked once


def test_a_close_whose_save_did_not_happen_leaves_save_asking(opened, boxes, song_files):
    """Review of audit 24: closing's Save took the drafts as said before saving; when that save did not happen
    (here "File changed on disk" answered No) the window stayed open and no later Save asked about the drafts."""
    import os
    import time

    win = opened
    _draft_both(win)
    win.actions.actions["ai.accept_all"].trigger()  # an unsaved change, and Easy's drafts pending
    later = time.time() + 5
    os.utime(song_files.chart, (later, later))  # changed on disk meanwhile
    boxes.clear()
    boxes.answers[:] = [SAVE, NO]
    assert not win.files.maybe_save_changes()
    assert [b[1] for b in boxes] == ["Unsaved changes", "File changed on disk"]
    boxes.clear()
    boxes.answers[:] = [NO]
    assert not win.files.save()
    assert [b[1] for b in boxes] == ["AI drafts not accepted"]  # was: nothing asked, the song saved without them


def test_a_close_that_saved_but_kept_the_song_leaves_save_asking(opened, boxes, tmp_path):
    """Closing's Save saved, then the open failed (a recent file moved away): the song stayed with its drafts, and
    a later Save wrote without them unasked (closing's "discarded either way" no longer held)."""
    win = opened
    _draft_both(win)
    win.actions.actions["ai.accept_all"].trigger()  # an unsaved change, and Easy's drafts pending
    boxes.clear()
    boxes.answers[:] = [SAVE]
    assert not win.open_path(tmp_path / "gone.ssc")
    assert win.drafting.pending_text()
    win.session.push(AddNotes(win.session.chart, [Note(Fraction(200), 1)]))
    boxes.clear()
    boxes.answers[:] = [NO]
    assert not win.files.save()
    assert [b[1] for b in boxes] == ["AI drafts not accepted"]
