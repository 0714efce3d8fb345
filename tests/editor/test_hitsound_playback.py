"""Playback > Hitsounds (osu! Maps) (editor/controllers/hitsound_playback.py): an osu! map's notes play their
hitsounds instead of the note tick, a StepMania chart keeps its note tick, the option is remembered, and an edit of
the sounds is heard at once."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from tests.editor.conftest import SR_HZ, click_track

pytestmark = pytest.mark.qt

OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
       "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,2,1,60,1,0\n\n[HitObjects]\n"
       "64,192,0,1,0,0:0:0:0:\n192,192,500,1,10,0:0:0:0:\n320,192,1000,1,8,0:0:0:80:\n")


def write_map(folder, extra_files: dict[str, np.ndarray | bytes] | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    sf.write(str(folder / "a.wav"), click_track(6.0), SR_HZ)
    for name, data in (extra_files or {}).items():
        if isinstance(data, bytes):
            (folder / name).write_bytes(data)
        else:
            sf.write(str(folder / name), data, SR_HZ)
    path = folder / "song [Hard].osu"
    path.write_text(OSU)
    return path


@pytest.fixture
def fake_osu(window, tmp_path, qtbot):
    """The window with the osu! map open on a FakePlayer."""
    from tests.editor.fakes import FakeClock, FakePlayer

    clock = FakeClock()
    window.playback.player_factory = lambda samples, sr: FakePlayer(clock, samples.shape[-1] / sr)
    assert window.open_path(write_map(tmp_path / "set"))
    qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
    window.timeline.setFocus()
    return window


def sound_times(player) -> list[float]:
    return sorted(float(t) for times, _gains, _sample in player.hitsounds or () for t in times)


def test_an_osu_map_plays_its_hitsounds_instead_of_the_note_tick(fake_osu):
    win = fake_osu
    player = win.playback.player
    assert win.actions["play.hitsounds"].isChecked()  # on by default
    win.playback.set_ticks_enabled(notes=True)
    assert player.ticks[1] is None  # the notes sound once: with their hitsounds
    # soft normal at 0, soft whistle + clap at 0.5, soft clap at 1.0
    assert sound_times(player) == pytest.approx([0.0, 0.5, 0.5, 1.0])
    gains = sorted(float(g) for _t, gains, _s in player.hitsounds for g in gains)
    assert gains == pytest.approx([0.6, 0.6, 0.6, 0.8])  # the red line's 60 %, the last note's own 80 %
    win.actions["play.hitsounds"].trigger()  # off: the note tick comes back
    assert player.hitsounds is None
    assert player.ticks[1] == pytest.approx([0.0, 0.5, 1.0])


def test_a_stepmania_chart_plays_the_plain_note_tick(fake):
    win, _clock = fake
    assert win.settings.get("audio/hitsounds")
    win.playback.set_ticks_enabled(notes=True)
    player = win.playback.player
    assert player.hitsounds is None
    win.actions["play.hitsounds"].trigger()
    win.actions["play.hitsounds"].trigger()  # on again: the status line says this chart keeps its tick
    assert "this chart is not one" in win.statusBar().currentMessage()
    assert player.hitsounds is None
    assert player.ticks[1] is not None
    assert len(player.ticks[1]) > 0


def test_the_menu_toggle_is_remembered_and_sits_beside_the_note_ticks(fake_osu, settings):
    from editor.settings import EditorSettings

    win = fake_osu
    playback_menu = next(m for m in win.menuBar().findChildren(type(win.menuBar().actions()[0].menu()))
                         if "Playback" in m.title())
    names = [a.objectName() for a in playback_menu.actions()]
    assert names.index("play.hitsounds") == names.index("play.note_ticks") + 1
    assert win.actions["play.hitsounds"].shortcut().toString() == "Shift+F4"
    win.actions["play.hitsounds"].trigger()
    assert EditorSettings().get("audio/hitsounds") is False  # read back from the INI file
    assert not win.playback_panel.hitsounds.isChecked()  # the panel's box follows
    win.playback_panel.hitsounds.setChecked(True)
    assert EditorSettings().get("audio/hitsounds") is True
    assert win.playback.player.hitsounds is not None


def test_an_edit_of_the_sounds_or_the_notes_is_heard_at_once(fake_osu, qtbot):
    win = fake_osu
    s = win.session
    s.select([n for n in s.chart.notes if n.beat == 0])
    qtbot.keyClick(win.timeline, Qt.Key.Key_E)  # finish on the first note (Edit > Hitsounds)
    assert sound_times(win.playback.player) == pytest.approx([0.0, 0.5, 0.5, 1.0])
    finish = [t for t, _g, sample in win.playback.player.hitsounds if sample.size > 0.5 * 44100]
    assert [float(x) for times in finish for x in times] == pytest.approx([0.0])
    qtbot.keyClick(win.timeline, Qt.Key.Key_Delete)
    assert sound_times(win.playback.player) == pytest.approx([0.5, 0.5, 1.0])


def test_the_real_player_mixes_the_set_s_own_samples(window, tmp_path, qtbot):
    whistle = np.full(200, 0.3, np.float32)
    path = write_map(tmp_path / "set", {"soft-hitwhistle.wav": whistle, "soft-hitclap.wav": b"RIFF broken"})
    messages: list[str] = []
    window.session.status.connect(messages.append)
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
    player = window.playback.player
    tracks = [t for t in player.renderer.ticks if t.gains is not None]
    assert len(tracks) == 3  # soft normal (built in), the folder's whistle, the built-in clap for the broken file
    rate = player.sample_rate_hz
    own = next(t for t in tracks if t.sample.size == round(200 * rate / SR_HZ))
    assert own.frames.tolist() == [round(0.5 * rate)]
    assert any(m.startswith("Hitsounds: cannot play soft-hitclap.wav") and "built-in" in m for m in messages)
    assert window.session.chart.notes[0].beat == F(0)
