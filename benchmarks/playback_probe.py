"""Playhead-vs-audio-clock measurement, shared by ``bench_playback`` and the JACK test.

The probe plays through a real :class:`audio.player.Player`, reads the playhead the way the editor's GUI timer does
(every 16 ms), and compares each reading with an independent truth:

* null output: the music is a ramp (sample value = frame index), the null output captures what it "played" with
  the true DAC time of every block, so the truth is read back from the audio itself;
* sound device (JACK dummy): every clock entry the callback wrote is logged; the truth at time ``t`` is the block
  really sounding at ``t`` according to the full log (entries published after the reading included).

Run ``python -m benchmarks.playback_probe --output sounddevice`` to measure the default device; it prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from audio.clock import PlaybackClock

SR = 44100
RAMP_STEP = 2.0 ** -20  # ramp music: exact frame indices in float32 up to 2**24 frames (6 min at 44.1 kHz)
GUI_PERIOD_S = 0.016


class RecordingClock(PlaybackClock):
    """A PlaybackClock that also keeps every entry (dac, src_frame, rate, device_frame) for an offline truth."""

    def __init__(self, sample_rate_hz: float, max_entries: int = 200_000) -> None:
        super().__init__(sample_rate_hz)
        self.log = np.zeros((max_entries, 5), np.float64)
        self.logged = 0

    def record(self, dac_time_s: float, device_frame: float, src_frame: float, rate: float,
               segment: int, request: int, timebase: int = 0) -> None:
        super().record(dac_time_s, device_frame, src_frame, rate, segment, request, timebase)
        if self.logged < self.log.shape[0]:
            self.log[self.logged] = (dac_time_s, src_frame, rate, device_frame, timebase)
            self.logged += 1


def device_timeline(log: np.ndarray) -> np.ndarray:
    """De-jittered DAC times of logged entries: per time base, a line fitted to (device_frame, dac), moved to its
    lower edge.

    Host times (JACK's included: frame time estimated when the callback runs) come late by the scheduling
    delay, never early, while the device consumes frames at a steady rate; so the device's real timeline is the
    straight line under the reported points. The 2nd percentile of the residuals sets the line's height. An
    underrun starts a new time base (a new line); time bases with fewer than 8 entries keep the host times.
    """
    out = log[:, 0].copy()
    for tb in np.unique(log[:, 4]):
        sel = log[:, 4] == tb
        if sel.sum() < 8:
            continue
        slope, intercept = np.polyfit(log[sel, 3], log[sel, 0], 1)
        line = slope * log[sel, 3] + intercept
        out[sel] = line + np.percentile(log[sel, 0] - line, 2)
    return out


def truth_from_log(log: np.ndarray, sample_rate_hz: float, times_s: np.ndarray,
                   dejitter: bool = True) -> np.ndarray:
    """Song seconds sounding at each time, from a complete entry log of one request (NaN before it starts)."""
    if dejitter and log.shape[0] >= 8:
        log = log.copy()
        log[:, 0] = device_timeline(log)
    idx = np.searchsorted(log[:, 0], times_s, side="right") - 1
    ok = idx >= 0
    i = np.clip(idx, 0, None)
    out = log[i, 1] / sample_rate_hz + (times_s - log[i, 0]) * log[i, 2]
    return np.where(ok, out, np.nan)


def truth_from_capture(audio: np.ndarray, block_dac_s: np.ndarray, blocksize: int, sample_rate_hz: float,
                       rate: float, times_s: np.ndarray) -> np.ndarray:
    """Song seconds sounding at each time, read back from captured ramp audio (NaN where silent or unknown)."""
    b = np.searchsorted(block_dac_s, times_s, side="right") - 1
    k_f = (times_s - block_dac_s[np.clip(b, 0, None)]) * sample_rate_hz
    k = np.floor(k_f).astype(np.int64)
    frame = b * blocksize + k
    ok = (b >= 0) & (k < blocksize) & (frame < audio.shape[0])
    value = audio[np.clip(frame, 0, audio.shape[0] - 1), 0] / RAMP_STEP
    ok &= value > 0  # silence before the first block
    return np.where(ok, (value + (k_f - k) * rate) / sample_rate_hz, np.nan)


def probe(output: str, seconds: float = 5.0, rate: float = 1.0, report_dac: bool = True,
          start_s: float = 1.0) -> dict:
    """Play ``seconds`` of ramp music and measure the playhead error; returns a JSON-able dict (ms).

    ``err_*`` leave out readings from 0.1 s before to 0.5 s after an underrun (the device itself glitched, and
    the truth is ill-defined while JACK's time estimate settles); ``all_err_abs_p99_ms`` keeps them.
    """
    from audio.player import Player

    n = int((start_s + seconds * rate + 2.0) * SR)
    music = (np.arange(n) * RAMP_STEP).astype(np.float32)
    clock = RecordingClock(SR)
    player = Player.open(music, SR, output=output, clock=clock, report_dac=report_dac,
                         capture_s=seconds + 1.0)
    player.rate = rate
    output_used = player.output
    backend, has_device = player.backend_description, player.has_device
    try:
        readings, t_play_wall = _play_and_read(player, start_s, seconds)
    finally:
        player.close()
    times = readings[:, 0]
    log = clock.log[:clock.logged]
    extra: dict = {"vs_host_times_abs_p99_ms": None, "host_time_jitter_ms": None}
    if has_device:
        truth = truth_from_log(log, SR, times)
        raw = truth_from_log(log, SR, times, dejitter=False)
        ok_raw = np.isfinite(raw) & (raw > start_s)
        extra["vs_host_times_abs_p99_ms"] = _p99((readings[ok_raw, 1] - raw[ok_raw]) * 1000.0)
        extra["host_time_jitter_ms"] = float(np.ptp(log[:, 0] - device_timeline(log)) * 1000.0)
    else:
        audio, dacs = output_used.captured()  # type: ignore[union-attr]  # kept after close
        truth = truth_from_capture(audio, dacs, 512, SR, rate, times)
    valid = np.isfinite(truth) & (truth > start_s)
    ok = valid & ~_near_underruns(log, times)
    err_ms = (readings[ok, 1] - truth[ok]) * 1000.0
    wall_ms = ((start_s + (readings[ok, 2] - t_play_wall) * rate) - truth[ok]) * 1000.0  # ArrowVortex-style
    return {
        "backend": backend, "has_device": has_device, "rate": rate, "report_dac": report_dac,
        "readings": int(ok.sum()), "readings_near_underruns": int((valid & ~ok).sum()),
        "underflows": player.renderer.underflows, "monotonic": bool(np.all(np.diff(readings[:, 1]) >= 0.0)),
        "err_mean_ms": float(err_ms.mean()), "err_abs_p50_ms": float(np.percentile(np.abs(err_ms), 50)),
        "err_abs_p99_ms": _p99(err_ms), "err_abs_max_ms": float(np.abs(err_ms).max()),
        "all_err_abs_p99_ms": _p99((readings[valid, 1] - truth[valid]) * 1000.0),
        "wall_clock_err_mean_ms": float(wall_ms.mean()), **extra,
    }


def _play_and_read(player, start_s: float, seconds: float) -> tuple[np.ndarray, float]:
    """Play and read the playhead like a 16 ms GUI timer: rows (stream time, playhead s, monotonic time)."""
    samples = []
    player.play(start_s)
    t_play_wall = time.monotonic()
    t_end = t_play_wall + seconds
    while time.monotonic() < t_end:
        now = player.now()
        samples.append((now, player.position_s(now), time.monotonic()))
        time.sleep(GUI_PERIOD_S)
    return np.array(samples), t_play_wall


def _near_underruns(log: np.ndarray, times_s: np.ndarray, before_s: float = 0.1,
                    after_s: float = 0.5) -> np.ndarray:
    """Readings close to the first entry of each new time base (an underrun)."""
    starts = log[1:, 0][np.diff(log[:, 4]) != 0]
    near = np.zeros(times_s.shape, bool)
    for t in starts:
        near |= (times_s > t - before_s) & (times_s < t + after_s)
    return near


def _p99(err_ms: np.ndarray) -> float:
    return float(np.percentile(np.abs(err_ms), 99)) if err_ms.size else float("nan")


@contextlib.contextmanager
def jack_dummy_server(rate_hz: int = SR, period: int = 512) -> Iterator[dict[str, str] | None]:
    """Start ``jackd --no-realtime -d dummy`` under a private name; yields the env for clients (None: no jackd)."""
    jackd = shutil.which("jackd")
    if jackd is None:
        yield None
        return
    name = f"genelive-{os.getpid()}-{time.monotonic_ns() % 100000}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")
    proc = subprocess.Popen([jackd, "-n", name, "--no-realtime", "-d", "dummy", "-r", str(rate_hz),
                             "-p", str(period)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        waiter = shutil.which("jack_wait")
        if waiter:
            subprocess.run([waiter, "-s", name, "-w", "-t", "10"], env=env, capture_output=True, timeout=15)
        else:
            time.sleep(2.0)
        if proc.poll() is not None:
            raise RuntimeError(f"jackd exited: {proc.stderr.read().decode(errors='replace')[-300:] if proc.stderr else ''}")
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def probe_in_subprocess(env: dict[str, str], seconds: float, rate: float = 1.0) -> dict:
    """Run :func:`probe` on the sound device in a fresh process (PortAudio lists host APIs once per process)."""
    repo = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "benchmarks.playback_probe", "--output", "sounddevice", "--seconds",
           str(seconds), "--rate", str(rate)]
    done = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"probe failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--output", default="sounddevice", choices=["auto", "sounddevice", "null"])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rate", type=float, default=1.0)
    ap.add_argument("--no-dac", action="store_true", help="null output: imitate a host without DAC times")
    args = ap.parse_args(argv)
    print(json.dumps(probe(args.output, args.seconds, args.rate, report_dac=not args.no_dac)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
