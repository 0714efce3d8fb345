"""A player driven by a fake clock, for playback and test-play tests (no sound device, no real time)."""

from __future__ import annotations

from contextlib import contextmanager


class FakeClock:
    def __init__(self):
        self.now_s = 100.0

    def advance(self, dt_s: float) -> None:
        self.now_s += dt_s


class FakePlayer:
    """The parts of audio.player.Player the editor uses, driven by a FakeClock instead of a sound card."""

    has_device = False
    backend_description = "fake output"

    def __init__(self, clock: FakeClock, duration_s: float):
        self.fake = clock
        self.duration_s = duration_s
        self.rate = 1.0
        self.keep_pitch = False
        self.music_volume = self.tick_volume = 1.0
        self.output_latency_s = self.visual_offset_s = 0.0
        self.playing_since: tuple[float, float] | None = None  # (clock time, song position)
        self.held_s = 0.0
        self.loop = None
        self.ticks = (None, None)
        self.hitsounds = None
        self.sample_rate_hz = 44100
        self.closed = False
        self.clock = self

    def now(self) -> float:
        return self.fake.now_s

    def audible_seconds(self, now_s: float) -> float:
        return self.position_s(now_s)

    @property
    def is_playing(self) -> bool:
        return self.playing_since is not None and self.position_s() < self.duration_s

    def position_s(self, now_s: float | None = None) -> float:
        now = self.fake.now_s if now_s is None else now_s
        if self.playing_since is None:
            return self.held_s
        t0, pos = self.playing_since
        return pos + (now - t0) * self.rate - self.output_latency_s + self.visual_offset_s

    def play(self, from_s=None):
        self.playing_since = (self.fake.now_s, self.held_s if from_s is None else from_s)

    def pause(self):
        self.held_s = self.position_s()
        self.playing_since = None

    def seek(self, s):
        self.held_s = s
        if self.playing_since is not None:
            self.playing_since = (self.fake.now_s, s)

    def set_loop(self, a, b):
        self.loop = (a, b)

    def clear_loop(self):
        self.loop = None

    def set_ticks(self, beat_s=None, note_s=None, hitsounds=None):
        self.ticks = (beat_s, note_s)
        self.hitsounds = hitsounds

    def close(self):
        self.closed = True


@contextmanager
def song_on_fake_clock(path):
    """For the docs screenshot scripts: a docs window (``editor.screenshot.docs_window``) with the song at
    ``path`` open on a FakePlayer, its player ready; yields ``(window, clock)``. RuntimeError when it does not
    open."""
    from PySide6.QtTest import QTest

    from editor.screenshot import docs_window

    with docs_window() as win:
        clock = FakeClock()
        win.playback.player_factory = lambda samples, sr: FakePlayer(clock, samples.shape[-1] / sr)
        if not win.open_path(path):
            raise RuntimeError(f"cannot open {path}")
        for _ in range(1500):
            if win.playback.player is not None:
                break
            QTest.qWait(20)
        yield win, clock
