"""Editor benchmarks: launch to an interactive window (3-minute song), frame time while scrolling a 10 k-note
chart, RSS with a 10-minute song open, and the playhead against the audio clock through the editor's own timer.

Launch and RSS run in fresh processes (``python -m benchmarks.bench_editor PROBE ...``) so imports and memory
are counted as a user would see them. Audio is synthesised (clicks and chords), never taken from shared data.
Run alone: ``python -m benchmarks.run --only editor``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from benchmarks.common import BenchContext, Section

SR_HZ = 44100


def synth_song(folder: Path, minutes: float, bpm: float = 150.0, notes_per_beat: int = 2) -> Path:
    """A stereo 16-bit FLAC of clicks over a chord, and an .ssc with one chart following it."""
    import soundfile as sf

    from chart.formats.registry import save
    from chart.notes import Note
    from chart.song import Chart, Slot, Song
    from chart.timing import TimingData

    folder.mkdir(parents=True, exist_ok=True)
    n = int(minutes * 60 * SR_HZ)
    t = np.arange(n, dtype=np.float32) / SR_HZ
    y = 0.1 * np.sin(2 * np.pi * 220 * t) + 0.05 * np.sin(2 * np.pi * 330 * t)
    beat_frames = (np.arange(0, minutes * 60, 60 / bpm) * SR_HZ).astype(np.int64)
    click = np.exp(-np.arange(800) / 120.0) * np.sin(2 * np.pi * 1500 * np.arange(800) / SR_HZ)
    for f in beat_frames[beat_frames + 800 < n]:
        y[f:f + 800] += 0.5 * click
    sf.write(str(folder / "song.flac"), np.stack([y, y], axis=1), SR_HZ, subtype="PCM_16")
    beats = int(minutes * bpm)
    notes = [Note(Fraction(k, notes_per_beat), k % 4) for k in range(beats * notes_per_beat)]
    song = Song(title=f"{minutes:g} min", music="song.flac", timing=TimingData.constant(bpm),
                charts=[Chart(slot=Slot.HARD, meter=9, notes=notes)])
    save(song, folder / "song.ssc")
    return folder / "song.ssc"


def _rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB from /proc (Linux)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024.0, int(fields["VmHWM"].split()[0]) / 1024.0


def _child(args: list[str], timeout_s: float = 300.0) -> tuple[dict, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_editor", *args], capture_output=True, text=True,
                         timeout=timeout_s, env=env, cwd=Path(__file__).resolve().parent.parent)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "probe failed")
    return json.loads(out.stdout.strip().splitlines()[-1]), t0


# ---------------------------------------------------------------------------------------------- probes (child)
def _open_window(chart: str, spectrogram: bool):
    import tempfile

    from editor.app import create_window, ensure_app
    from editor.settings import EditorSettings, use_ini_file

    use_ini_file(Path(tempfile.mkdtemp(prefix="bench-editor-")) / "editor.ini")
    app = ensure_app()
    settings = EditorSettings()
    settings.set("view/spectrogram", spectrogram)
    import editor.controllers.playback as playback
    from audio.player import Player

    playback.open_player = lambda s, sr: Player.open(s, sr, output="null")
    win = create_window(chart, settings=settings, recover=False)
    return app, win


def _wait(app, predicate, timeout_s: float = 300.0) -> None:
    end = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)


def probe_launch(chart: str) -> dict:
    """Times (monotonic) when the window was interactive, the waveform drawn, the visible spectrogram in."""
    app, win = _open_window(chart, spectrogram=True)
    app.processEvents()
    win.repaint()
    marks = {"interactive": time.monotonic(), "interactive_cpu": time.process_time()}
    _wait(app, lambda: win.session.audio is not None)
    win.timeline.viewport().repaint()
    marks["waveform"] = time.monotonic()
    spectro = win.spectrogram
    _wait(app, lambda: spectro.tiler is not None)
    view = win.timeline.vb.viewRange()[1]
    visible = set(spectro.tiler.tiles_for(view[0], view[1]))
    _wait(app, lambda: visible <= set(spectro.item.tiles))
    marks["spectrogram"] = time.monotonic()
    win.skip_close_prompt = True
    win.close()
    return marks


def probe_rss(chart: str) -> dict:
    """RSS after the long song is open (waveform, player), and after its whole spectrogram is computed."""
    app, win = _open_window(chart, spectrogram=False)
    _wait(app, lambda: win.session.audio is not None and win.playback.player is not None)
    win.timeline.viewport().repaint()
    opened = _rss_mb()
    win.actions["view.spectrogram"].setChecked(True)
    _wait(app, lambda: win.spectrogram.tiler is not None
          and len(win.spectrogram.item.tiles) == win.spectrogram.tiler.n_tiles)
    win.playback.play_from(30.0)
    _wait(app, lambda: False, timeout_s=1.0)
    with_spectro = _rss_mb()
    duration = win.session.audio.duration_s
    win.skip_close_prompt = True
    win.close()
    return {"opened_mb": opened[0], "spectro_mb": with_spectro[0], "peak_mb": with_spectro[1],
            "duration_s": duration, "tiles": win.spectrogram.tiler.n_tiles}


# ---------------------------------------------------------------------------------------------- sections
def launch_section(ctx: BenchContext) -> Section:
    sec = Section("Editor: launch to interactive window (3-minute song)")
    chart = synth_song(ctx.work / "three", 3.0)
    runs = []
    for _ in range(1 if ctx.quick else 3):
        marks, t0 = _child(["launch", str(chart)])
        runs.append({k: v if k.endswith("_cpu") else v - t0 for k, v in marks.items()})
    med = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
    sec.add("process start -> interactive window, CPU time", med["interactive_cpu"], "s", "<= 1 s",
            "CPU seconds of the process (Python and Qt start-up, imports, window, chart, first paint): what an "
            "idle machine's wall time approaches")
    sec.add("process start -> interactive window, wall time", med["interactive"], "s", "<= 1 s",
            f"median of {len(runs)} fresh processes on this shared machine (load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    sec.add("-> waveform drawn (audio decoded, peak pyramid built off the GUI thread)", med["waveform"], "s")
    sec.add("-> visible spectrogram tiles streamed in", med["spectrogram"], "s", "", "background job, nearest first")
    return sec


def frame_section(ctx: BenchContext) -> Section:
    """Scroll the notefield of the main window over a 10 k-note chart; one synchronous repaint per step."""
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_chart_domain import big_song
    from chart.document import Document
    from editor.app import ensure_app
    from editor.main_window import MainWindow
    from editor.settings import EditorSettings, use_ini_file

    sec = Section("Editor: frame time while scrolling a 10 k-note chart")
    use_ini_file(ctx.work / "frame" / "editor.ini")
    ensure_app()
    win = MainWindow(EditorSettings())
    win.resize(1280, 860)
    win.show()
    song = big_song()
    win.files.adopt(Document(song), audio=_silent_audio(song, ctx.work))
    QApplication.processEvents()
    index = win.timeline.index
    steps = 120 if ctx.quick else 600
    span_s = float(index.end_s[-1])
    wall, cpu = [], []
    for k in range(steps):  # like holding the wheel: many small steps, plus jumps across the song
        t_s = (k * 0.37) % span_s if k % 50 else (k / steps) * span_s
        t0, c0 = time.perf_counter(), time.thread_time()
        win.timeline.set_cursor(t_s)
        win.on_playhead(t_s)
        win.timeline.viewport().repaint()
        win.minimap.repaint()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    wall_ms, cpu_ms = np.array(wall) * 1000.0, np.array(cpu) * 1000.0
    visible = len(index.visible(*win.timeline.visible_times()))
    note = f"{len(index)} notes, {steps} scroll steps at 1280x860, waveform on; ~{visible} notes on screen"
    sec.add("frame CPU time (GUI thread), median", float(np.median(cpu_ms)), "ms", "<= 16 ms", note)
    sec.add("frame CPU time (GUI thread), 95th percentile", float(np.percentile(cpu_ms, 95)), "ms", "<= 16 ms")
    sec.add("frame wall time, median / 95th percentile",
            f"{np.median(wall_ms):.1f} / {np.percentile(wall_ms, 95):.1f}", "ms", "",
            f"wall time on this shared machine (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    _spectrogram_frames(win, sec, steps // 2, span_s)
    _beat_spaced_frames(win, sec, steps // 2, span_s)
    t0, c0 = time.perf_counter(), time.thread_time()
    win.editing.toggle_at_cursor(1)
    win.sync._flush()
    win.timeline.viewport().repaint()
    sec.add("edit to repainted frame (index update + paint), CPU / wall",
            f"{(time.thread_time() - c0) * 1000:.0f} / {(time.perf_counter() - t0) * 1000:.0f}", "ms")
    win.skip_close_prompt = True
    win.close()
    return sec


def _spectrogram_frames(win, sec: Section, steps: int, span_s: float) -> None:
    """Frame CPU time once the spectrogram lane is on and its tiles are in."""
    from PySide6.QtWidgets import QApplication

    win.actions["view.spectrogram"].setChecked(True)
    tiler = win.spectrogram.tiler
    end = time.monotonic() + 120.0
    while len(win.spectrogram.item.tiles) < tiler.n_tiles and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.005)
    cpu = []
    for k in range(steps):
        c0 = time.thread_time()
        win.timeline.set_cursor((k * 0.37) % span_s)
        win.timeline.viewport().repaint()
        cpu.append(time.thread_time() - c0)
    sec.add("frame CPU time with the spectrogram lane, median", float(np.median(cpu) * 1000.0), "ms", "<= 16 ms",
            f"{len(win.spectrogram.item.tiles)} of {tiler.n_tiles} tiles ready")


def _beat_spaced_frames(win, sec: Section, steps: int, span_s: float) -> None:
    """Frame CPU time in View > Beat-Spaced (X-mod: every item maps its times through the beat axis, the waveform
    and spectrogram are cut at the tempo change and the stop), spectrogram on, against C-mod in the same run."""
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for k in range(steps):
        for spaced in (False, True):  # interleaved, so machine noise hits both alike
            win.timeline.set_beat_spaced(spaced)
            c0 = time.thread_time()
            win.timeline.set_cursor((k * 0.37) % span_s)
            win.timeline.viewport().repaint()
            cpu[spaced].append(time.thread_time() - c0)
    c_mod, x_mod = (float(np.median(cpu[s]) * 1000.0) for s in (False, True))
    sec.add("frame CPU time beat-spaced (X-mod), spectrogram on, median", x_mod, "ms", "<= 16 ms",
            f"{x_mod / c_mod:.2f}x C-mod in the same interleaved run ({c_mod:.2f} ms); 150 -> 170 BPM and a stop")
    win.timeline.set_beat_spaced(False)


def _silent_audio(song, work: Path):
    from editor.session import AudioState

    seconds = float(song.timing.beat_to_seconds(song.charts[0].notes[-1].end_beat)) + 5.0
    n = int(seconds * 22050)
    rng = np.random.default_rng(0)
    y = (0.2 * rng.standard_normal(n) * (0.5 + 0.5 * np.sin(np.arange(n) / 2000.0))).astype(np.float32)
    return AudioState(path=work / "noise.wav", samples=y[None, :], sample_rate_hz=22050)


def rss_section(ctx: BenchContext) -> Section:
    sec = Section("Editor: memory with a 10-minute song")
    chart = synth_song(ctx.work / "ten", 10.0, notes_per_beat=1)
    res, _t0 = _child(["rss", str(chart)])
    note = f"{res['duration_s']:.0f} s stereo 44.1 kHz; fresh process, null audio output"
    sec.add("RSS with the song open (audio, waveform, player)", res["opened_mb"], "MB", "<= 400 MB", note)
    sec.add("RSS with the whole spectrogram computed and playing", res["spectro_mb"], "MB", "<= 400 MB",
            f"{res['tiles']} tiles")
    sec.add("peak RSS", res["peak_mb"], "MB")
    return sec


def playhead_section(ctx: BenchContext) -> Section:
    """The editor's 16 ms timer reading the null output's clock: error against the captured ramp's truth."""
    sec = Section("Editor: playhead vs audio clock (null output, editor timer)")
    seconds = 3.0 if ctx.quick else 10.0
    for report_dac, label in ((True, "host reports DAC times"), (False, "host reports none (currentTime + latency)")):
        err_ms, period_ms, n = _playhead_run(ctx, seconds, report_dac)
        sec.add(f"|playhead - audible position| p99, {label}", float(np.percentile(err_ms, 99)), "ms", "<= 2 ms",
                f"{n} readings of the editor's timer over {seconds:g} s; max {err_ms.max():.3f} ms")
    sec.add("timer period median / p95", f"{np.median(period_ms):.1f} / {np.percentile(period_ms, 95):.1f}", "ms",
            "~16 ms", "a late tick lowers the frame rate but reads the clock when it runs, so it adds no error")
    sec.text = ("Truth: the null output captures the ramp it played with each block's DAC time "
                "(benchmarks.playback_probe.truth_from_capture). The editor reads Player.position_s() in its "
                "QTimer tick and draws that value; this measures what it draws against what is heard at that "
                "moment. Real devices (JACK) are measured in the Playback section.")
    return sec


def _playhead_run(ctx: BenchContext, seconds: float, report_dac: bool):
    from PySide6.QtWidgets import QApplication

    from audio.player import Player
    from benchmarks.playback_probe import RAMP_STEP, truth_from_capture
    from chart.document import Document
    from chart.song import Song
    from editor.app import ensure_app
    from editor.main_window import MainWindow
    from editor.session import AudioState
    from editor.settings import EditorSettings, use_ini_file

    use_ini_file(ctx.work / f"playhead-{report_dac}" / "editor.ini")
    ensure_app()
    settings = EditorSettings()
    settings.set("audio/music_volume", 1.0)
    win = MainWindow(settings)
    ramp = (np.arange(int((seconds + 4.0) * SR_HZ)) * RAMP_STEP).astype(np.float32)
    players = []
    win.playback.player_factory = lambda s, sr: players.append(Player.open(
        s, sr, output="null", capture_s=seconds + 2, report_dac=report_dac)) or players[-1]
    win.files.adopt(Document(Song()), audio=AudioState(Path("ramp"), ramp[None, :], SR_HZ))
    player = players[-1]
    readings = []
    original = player.position_s

    def recording(now_s=None):
        now = player.now() if now_s is None else now_s
        readings.append((now, original(now)))
        return readings[-1][1]
    player.position_s = recording
    win.playback.play_from(1.0)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.001)
    win.playback.toggle()
    audio, dacs = player.output.captured()
    data = np.array(readings[1:-1])
    truth = truth_from_capture(audio, dacs, 512, SR_HZ, 1.0, data[:, 0])
    ok = np.isfinite(truth) & (truth > 1.05)
    win.skip_close_prompt = True
    win.close()
    return np.abs(data[ok, 1] - truth[ok]) * 1000.0, np.diff(data[:, 0]) * 1000.0, int(ok.sum())


def run(ctx: BenchContext) -> list[Section]:
    return [launch_section(ctx), frame_section(ctx), rss_section(ctx), playhead_section(ctx)]


def main(argv: list[str]) -> int:
    probes = {"launch": probe_launch, "rss": probe_rss}
    print(json.dumps(probes[argv[0]](*argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
