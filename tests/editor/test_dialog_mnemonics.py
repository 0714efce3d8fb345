"""Buttons of the tap dialogs never take the focus (Space taps there), so their Alt+letter is the keyboard's way
to press them: Latency Calibration's Start and Apply, the tempo dialog's Play / Pause, Use BPM, Use first beat."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton


class FakePlayback:
    player = None
    playing = False
    settings = None


def _press_alt(qtbot, dialog, key) -> None:
    qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(400)  # a mnemonic animates its click


def test_calibration_start_and_apply_have_distinct_mnemonics(qtbot):
    from editor.dialogs.calibration import CalibrationDialog

    dialog = CalibrationDialog(None, FakePlayback())
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    started = []
    dialog.start_button.clicked.disconnect()
    dialog.start_button.clicked.connect(lambda: started.append(True))
    _press_alt(qtbot, dialog, Qt.Key.Key_S)
    assert started
    texts = [b.text() for b in dialog.findChildren(QPushButton) if "&" in b.text()]
    assert {"&Start", "&Apply"} <= set(texts)
    letters = [t[t.index("&") + 1].lower() for t in texts]
    assert len(letters) == len(set(letters))


def test_tempo_dialog_buttons_answer_their_alt_letter(qtbot):
    from editor.dialogs.tempo import TempoDialog

    played = []
    dialog = TempoDialog(None, [], "song.ogg", play=lambda: played.append(True))
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    _press_alt(qtbot, dialog, Qt.Key.Key_P)
    assert played
    pad = dialog.tap_pad
    for t in (0.0, 0.5, 1.0, 1.5, 2.0):
        pad.record(t, on_audio=True, real_s=t)
    chosen = []
    pad.bpm_chosen.connect(chosen.append)
    pad.beat_chosen.connect(chosen.append)
    _press_alt(qtbot, dialog, Qt.Key.Key_B)
    _press_alt(qtbot, dialog, Qt.Key.Key_F)
    assert len(chosen) == 2
    assert round(chosen[0]) == 120
    texts = [b.text() for b in dialog.findChildren(QPushButton) if "&" in b.text()]
    letters = [t[t.index("&") + 1].lower() for t in texts]
    assert len(letters) == len(set(letters))


def test_new_song_tempo_dialog_does_not_ask_to_play_what_it_cannot_play(qtbot):
    """New Song from Audio's tempo dialog has no play control (the song is not open yet): its hint once said
    "Play the song first" and showed a Use first beat button that could never be enabled."""
    from editor.dialogs.tempo import TempoDialog

    dialog = TempoDialog(None, [], "song.ogg")
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Play the song first" not in dialog.tap_pad.label.text()
    assert "Timing > Tap Tempo" in dialog.tap_pad.label.text()
    visible = [b.text() for b in dialog.findChildren(QPushButton) if b.isVisibleTo(dialog)]
    assert "Use &first beat" not in visible
