"""Fixtures for the editor tests: a synthetic song on disk, settings in a temp INI, a main window, Qt warnings
turned into failures, and message boxes captured instead of shown.

Everything runs offscreen without a sound device; audio is synthesised clicks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QtMsgType  # noqa: E402

from chart.notes import Note, NoteKind  # noqa: E402
from chart.song import Chart, Slot, Song  # noqa: E402
from chart.timing import TimingData  # noqa: E402

SR_HZ = 22050
BPM = 120
IGNORED_QT_MESSAGES = (
    "This plugin does not support propagateSizeHints()",  # offscreen platform plugin, harmless
    "This plugin does not support raise()",
)


def click_track(duration_s: float, bpm: float = BPM, first_beat_s: float = 0.1, sr: int = SR_HZ) -> np.ndarray:
    """Mono clicks on every beat (a short decaying 1 kHz burst), float32."""
    y = np.zeros(int(duration_s * sr), dtype=np.float32)
    burst = (np.sin(2 * np.pi * 1000 * np.arange(int(0.02 * sr)) / sr) * np.exp(-np.arange(int(0.02 * sr)) / 80.0))
    t = first_beat_s
    while t < duration_s - 0.05:
        i = int(t * sr)
        y[i:i + len(burst)] += 0.6 * burst.astype(np.float32)
        t += 60.0 / bpm
    return y


def demo_notes() -> list[Note]:
    return [
        Note(Fraction(0), 0), Note(Fraction(1), 1), Note(Fraction(2), 2), Note(Fraction(3), 3),
        Note(Fraction(4), 0, NoteKind.HOLD, Fraction(2)), Note(Fraction(5), 2, NoteKind.MINE),
        Note(Fraction(6), 1), Note(Fraction(13, 2), 2), Note(Fraction(8), 3, NoteKind.ROLL, Fraction(1)),
    ]


@dataclass
class SongFiles:
    folder: Path
    chart: Path
    audio: Path
    song: Song = field(repr=False, default=None)


def write_song(folder: Path, audio: bool = True, duration_s: float = 20.0) -> SongFiles:
    """A .ssc song (120 BPM, beat 0 at 0.1 s) with a Beginner and an Easy chart, plus its click audio."""
    import soundfile as sf

    from chart.formats.registry import save

    folder.mkdir(parents=True, exist_ok=True)
    audio_path = folder / "clicks.wav"
    if audio:
        sf.write(str(audio_path), click_track(duration_s), SR_HZ)
    song = Song(title="Clicks", artist="Test", music="clicks.wav", timing=TimingData.constant(BPM, "-0.1"),
                charts=[Chart(slot=Slot.BEGINNER, meter=2, notes=demo_notes()),
                        Chart(slot=Slot.EASY, meter=4, notes=[Note(Fraction(k, 2), k % 4) for k in range(16)])])
    chart_path = folder / "clicks.ssc"
    save(song, chart_path)
    return SongFiles(folder, chart_path, audio_path, song)


def open_with_audio(win, qtbot, folder: Path, song: Song, samples, sr: int, name: str = "clicks") -> Song:
    """Write ``samples`` as ``folder/NAME.wav`` and ``song`` (its ``music`` naming that file) as ``NAME.ssc``,
    open it in ``win`` and wait until its audio is decoded; the song as the window holds it."""
    import soundfile as sf

    from chart.formats.registry import save

    folder.mkdir(parents=True, exist_ok=True)
    sf.write(str(folder / f"{name}.wav"), samples, sr)
    save(song, folder / f"{name}.ssc")
    assert win.open_path(folder / f"{name}.ssc")
    qtbot.waitUntil(lambda: win.session.audio is not None, timeout=10000)
    return win.session.doc.song


@pytest.fixture
def make_timeline(qtbot):
    """A function making a shown 500x700 notefield (4 lanes, 60 s) with the given timing."""
    from editor.timeline.view import TimelineWidget

    def make(timing: TimingData):
        w = TimelineWidget()
        qtbot.addWidget(w)
        w.resize(500, 700)
        w.show()
        qtbot.waitExposed(w)
        w.set_song(timing, 4, 60.0)
        return w

    return make


@pytest.fixture
def song_files(tmp_path: Path) -> SongFiles:
    return write_song(tmp_path / "song")


@pytest.fixture
def settings(tmp_path: Path):
    """Editor settings in a temporary INI file (and recovery files under its folder)."""
    from editor.settings import EditorSettings, use_ini_file

    use_ini_file(tmp_path / "settings" / "editor.ini")
    yield EditorSettings()
    use_ini_file(None)


@pytest.fixture
def boxes(monkeypatch):
    """Capture QMessageBox calls: a list of (kind, title, text); questions answer from ``boxes.answers``."""
    from PySide6.QtWidgets import QMessageBox

    class Boxes(list):
        answers: list = []
        details = ""  # the last box's detailed text (Show Details...)

    captured = Boxes()

    def record(kind):
        def box(_parent, title, text, *args, **kwargs):
            captured.append((kind, title, text))
            if kind == "question":
                return captured.answers.pop(0) if captured.answers else QMessageBox.StandardButton.Cancel
            return QMessageBox.StandardButton.Ok
        return box

    def run_box(box):  # a box built with Show Details... (messages.confirm or messages.error with details=...)
        captured.details = box.detailedText()
        kind = {QMessageBox.Icon.Critical: "critical", QMessageBox.Icon.Warning: "warning",
                QMessageBox.Icon.Information: "information"}.get(box.icon(), "question")
        return record(kind)(box.parent(), box.windowTitle(), box.text())

    for kind in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind)))
    monkeypatch.setattr(QMessageBox, "exec", run_box)
    return captured


def null_player(samples, sample_rate_hz):
    from audio.player import Player

    return Player.open(samples, sample_rate_hz, output="null")


@pytest.fixture(autouse=True)
def no_sound_device(monkeypatch):
    """Every window plays on the null output (what runs without a sound card): tests never open a real device,
    even on machines that have one."""
    import editor.controllers.playback as playback

    monkeypatch.setattr(playback, "open_player", null_player)


@pytest.fixture
def window(qtbot, settings, boxes):
    """A shown main window with nothing but the blank song open; closed without prompts afterwards."""
    from editor.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.skip_close_prompt = True
    win.shutdown()


@pytest.fixture
def opened(window, song_files, qtbot):
    """The window with the synthetic song open and its audio decoded."""
    assert window.open_path(song_files.chart)
    qtbot.waitUntil(lambda: window.session.audio is not None, timeout=10000)
    window.timeline.setFocus()
    return window


@pytest.fixture(autouse=True)
def fail_on_qt_warnings(qtlog):
    """Qt warnings (and worse) logged during a test fail it, as ARCHITECTURE §10 asks."""
    yield
    bad = [r.message for r in qtlog.records
           if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
           and not any(r.message.startswith(m) for m in IGNORED_QT_MESSAGES)]
    assert not bad, f"Qt warnings: {bad}"


@pytest.fixture
def fake(window, song_files, qtbot):
    """The window with the synthetic song open on a FakePlayer: ``(window, clock)``; time moves only when the
    test advances the clock."""
    from tests.editor.fakes import FakeClock, FakePlayer

    clock = FakeClock()
    window.playback.player_factory = lambda samples, sr: FakePlayer(clock, samples.shape[-1] / sr)
    assert window.open_path(song_files.chart)
    qtbot.waitUntil(lambda: window.playback.player is not None, timeout=10000)
    window.timeline.setFocus()
    return window, clock


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    """A tiny real onset + lane model (tests.inference.tiny_models), built once per test module."""
    pytest.importorskip("onnx")
    from tests.inference.tiny_models import drafting_model

    folder = tmp_path_factory.mktemp("models")
    drafting_model(folder)
    return folder


@pytest.fixture
def ai(opened, models_dir):
    """The opened window drafting with the tiny models."""
    opened.drafting.models_dir = models_dir
    return opened


def wait_job(qtbot, win, timeout_ms: int = 60000) -> None:
    """Until the AI's background job has ended."""
    qtbot.waitUntil(lambda: not win.drafting.busy, timeout=timeout_ms)
