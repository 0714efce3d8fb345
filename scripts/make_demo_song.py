"""Synthesise the bundled demo song and write its hand-made charts (resources/demo/).

Everything here is made by the project, so the demo is license-clean (MIT like the code): a 128 BPM track in
A minor with drums, bass, a chord pad and a lead, about 68 s long, written as a small Ogg Vorbis file, plus a
``.ssc`` file with an Easy and a Medium chart that a person designed against the arrangement below (the lanes
and rhythms are chosen by hand; nothing is drafted by the model, so the AI assist has a clean Hard slot to fill).

Run ``python scripts/make_demo_song.py [--out resources/demo]``. The output is deterministic (seeded noise).
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction as F
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chart.fileio import atomic_write_bytes, atomic_write_text  # noqa: E402

SR_HZ = 44100
BPM = 128
SPB_S = 60.0 / BPM  # seconds per beat
LEAD_IN_S = 0.25  # beat 0 sounds here, so #OFFSET is -0.25
# Sections in measures of 4 beats: (name, first measure, measure count).
SECTIONS = [("intro", 0, 4), ("verse", 4, 8), ("chorus", 12, 8), ("break", 20, 4), ("drop", 24, 8), ("outro", 32, 4)]
N_MEASURES = 36
CHORDS = [(57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62)]  # Am F C G (MIDI), one per measure
# Lead phrase over 8 measures: (beat in phrase, MIDI note, length in beats). A minor pentatonic, by hand.
LEAD = [
    (0, 69, 1), (1, 72, 0.5), (1.5, 74, 0.5), (2, 76, 1.5), (3.5, 74, 0.5),
    (4, 72, 1), (5, 69, 1), (6, 67, 2),
    (8, 69, 0.5), (8.5, 72, 0.5), (9, 74, 1), (10, 76, 0.5), (10.5, 79, 0.5), (11, 76, 1),
    (12, 74, 2), (14, 72, 1), (15, 74, 1),
    (16, 76, 1), (17, 79, 0.5), (17.5, 81, 0.5), (18, 79, 1), (19, 76, 1),
    (20, 74, 0.5), (20.5, 72, 0.5), (21, 69, 1), (22, 72, 2),
    (24, 69, 0.5), (24.5, 69, 0.5), (25, 72, 0.5), (25.5, 74, 0.5), (26, 76, 1), (27, 74, 1),
    (28, 72, 1), (29, 74, 0.5), (29.5, 72, 0.5), (30, 69, 2),
]


def section_of(measure: int) -> str:
    for name, first, count in SECTIONS:
        if first <= measure < first + count:
            return name
    return "outro"


def beat_s(beat: float) -> float:
    return LEAD_IN_S + beat * SPB_S


def hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12)


def one_pole_lowpass(x: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """One-pole low-pass: enough to tame saw and noise partials without a filter design step."""
    from scipy.signal import lfilter

    a = np.exp(-2 * np.pi * cutoff_hz / SR_HZ)
    return lfilter([1 - a], [1, -a], x).astype(np.float32)


def add(buf: np.ndarray, start_s: float, sound: np.ndarray) -> None:
    i = int(round(start_s * SR_HZ))
    n = min(len(sound), buf.shape[-1] - i)
    if n > 0:
        buf[..., i:i + n] += sound[:n]


def kick() -> np.ndarray:
    t = np.arange(int(0.35 * SR_HZ)) / SR_HZ
    freq = 45 + 90 * np.exp(-t * 30)
    phase = 2 * np.pi * np.cumsum(freq) / SR_HZ
    return (np.sin(phase) * np.exp(-t * 9)).astype(np.float32)


def snare(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.22 * SR_HZ)) / SR_HZ
    noise = rng.standard_normal(len(t)).astype(np.float32)
    noise = noise - one_pole_lowpass(noise, 1500)  # keep the bright part
    tone = np.sin(2 * np.pi * 185 * t) * np.exp(-t * 25)
    return (0.55 * noise * np.exp(-t * 18) + 0.5 * tone).astype(np.float32)


def hat(rng: np.random.Generator, open_: bool = False) -> np.ndarray:
    t = np.arange(int((0.18 if open_ else 0.05) * SR_HZ)) / SR_HZ
    noise = rng.standard_normal(len(t)).astype(np.float32)
    noise = noise - one_pole_lowpass(noise, 6000)
    return (0.25 * noise * np.exp(-t * (12 if open_ else 70))).astype(np.float32)


def saw(freq_hz: float, dur_s: float, detune: float = 0.0) -> np.ndarray:
    t = np.arange(int(dur_s * SR_HZ)) / SR_HZ
    f = freq_hz * (1 + detune)
    return (2 * ((t * f) % 1.0) - 1).astype(np.float32)


def envelope(n: int, attack_s: float, release_s: float) -> np.ndarray:
    env = np.ones(n, dtype=np.float32)
    a = min(n, max(1, int(attack_s * SR_HZ)))
    r = min(n, max(1, int(release_s * SR_HZ)))
    env[:a] = np.linspace(0, 1, a)
    env[n - r:] *= np.linspace(1, 0, r)
    return env


def drums(buf: np.ndarray, rng: np.random.Generator) -> None:
    k, s = kick(), snare(rng)
    for m in range(N_MEASURES):
        sec = section_of(m)
        for b in range(4):
            beat = 4 * m + b
            if sec != "break" and (sec != "outro" or m < 34):
                add(buf, beat_s(beat), 0.9 * k)
            if sec in ("verse", "chorus", "drop") and b in (1, 3):
                add(buf, beat_s(beat), 0.7 * s)
            if sec != "break":
                add(buf, beat_s(beat + 0.5), hat(rng, open_=(sec == "drop" and b == 3)))
            if sec in ("chorus", "drop"):
                add(buf, beat_s(beat + 0.25), 0.6 * hat(rng))
                add(buf, beat_s(beat + 0.75), 0.6 * hat(rng))
        if sec == "chorus" and m % 4 == 3:  # fill into the next phrase
            for x in (3.25, 3.5, 3.75):
                add(buf, beat_s(4 * m + x), 0.5 * s)


def bass(buf: np.ndarray) -> None:
    for m in range(4, 32):
        if section_of(m) == "break":
            continue
        root = CHORDS[m % 4][0] - 24
        for e in range(8):
            midi = root + (12 if e in (3, 7) else 0)
            dur = SPB_S * 0.45
            tone = 0.6 * saw(hz(midi), dur) + 0.4 * saw(hz(midi), dur, 0.004)
            add(buf, beat_s(4 * m + e / 2), 0.35 * one_pole_lowpass(tone, 500) * envelope(len(tone), 0.003, 0.03))


def pad(buf: np.ndarray) -> None:
    for m in range(N_MEASURES):
        dur = 4 * SPB_S
        chord = CHORDS[m % 4]
        tone = sum(saw(hz(n), dur, d) for n in chord for d in (-0.003, 0.003))
        tone = one_pole_lowpass(tone / 6, 1200 if section_of(m) != "intro" else 600)
        gain = 0.22 if section_of(m) in ("break", "intro", "outro") else 0.14
        sound = gain * tone * envelope(len(tone), 0.25, 0.3)
        add(buf[0], beat_s(4 * m), 1.1 * sound)
        add(buf[1], beat_s(4 * m), 0.9 * sound)


def lead(buf: np.ndarray) -> None:
    for start, sec_len in ((12, 8), (20, 4), (24, 8)):
        for beat, midi, length in LEAD:
            if beat >= 4 * sec_len:
                continue
            dur = length * SPB_S * 0.95
            t = np.arange(int(dur * SR_HZ)) / SR_HZ
            vib = 1 + 0.004 * np.sin(2 * np.pi * 5.5 * t) * np.clip(t * 4, 0, 1)
            phase = 2 * np.pi * np.cumsum(hz(midi + (12 if start == 24 and beat >= 16 else 0)) * vib) / SR_HZ
            tone = np.where(np.sin(phase) >= 0.3, 1.0, -1.0).astype(np.float32)  # pulse wave
            tone = one_pole_lowpass(tone, 2800) * envelope(len(tone), 0.01, 0.06)
            gain = 0.12 if start == 20 else 0.16
            add(buf[0], beat_s(4 * start + beat), 0.9 * gain * tone)
            add(buf[1], beat_s(4 * start + beat), 1.1 * gain * tone)


def render() -> np.ndarray:
    """Stereo mix, shape [2, n], float32 in [-1, 1]."""
    rng = np.random.default_rng(128)
    total_s = beat_s(4 * N_MEASURES) + 1.5
    buf = np.zeros((2, int(total_s * SR_HZ)), dtype=np.float32)
    mono = np.zeros(buf.shape[1], dtype=np.float32)
    drums(mono, rng)
    bass(mono)
    buf += mono
    pad(buf)
    lead(buf)
    buf = np.tanh(1.2 * buf)  # gentle glue; keeps peaks under full scale
    return (0.89 * buf / np.max(np.abs(buf))).astype(np.float32)


# ---------------------------------------------------------------------------------------------- charts
Step = tuple[F, int, str, F]  # (beat, lane, kind "tap"|"hold"|"mine", length in beats)
LEAD_LANE = {67: 0, 69: 0, 72: 1, 74: 2, 76: 3, 79: 2, 81: 3}


def lead_steps(first_measure: int, measures: int, min_hold_beats: float, onbeat_only: bool) -> list[Step]:
    """Steps following the lead: the pitch contour picks the lane, long notes become holds."""
    out: list[Step] = []
    prev: tuple[float, int, int] | None = None
    for beat, midi, length in LEAD:
        if beat >= 4 * measures or (onbeat_only and beat != int(beat)):
            continue
        lane = LEAD_LANE[midi]
        if prev and prev[1] == midi and beat - prev[0] <= 0.5:
            lane = 3 - lane  # a repeated pitch becomes a trill, not a jack
        at = F(4 * first_measure) + F(beat).limit_denominator(4)
        hold = length >= min_hold_beats
        out.append((at, lane, "hold" if hold else "tap", F(length).limit_denominator(4) - F(1, 2) if hold else F(0)))
        prev = (beat, midi, lane)
    return out


def easy_chart() -> list[Step]:
    steps: list[Step] = []
    walk = [0, 1, 2, 3, 2, 1, 3, 0]
    for m in range(4):  # intro: kicks on 1 and 3
        steps += [(F(4 * m + b), walk[(2 * m + b // 2) % 8], "tap", F(0)) for b in (0, 2)]
    for m in range(4, 12):  # verse: every beat, a walking pattern
        steps += [(F(4 * m + b), walk[(4 * m + b) % 8], "tap", F(0)) for b in range(4)]
    steps += lead_steps(12, 8, 1.5, onbeat_only=True)
    for m in range(20, 24):  # break: one chord hold per measure
        steps.append((F(4 * m), (0, 3, 1, 2)[m % 4], "hold", F(2)))
    for m in range(24, 32):  # drop: quarters, a jump every two measures
        for b in range(4):
            lane = walk[(4 * m + b + 3) % 8]
            steps.append((F(4 * m + b), lane, "tap", F(0)))
            if b == 0 and m % 2 == 0:
                steps.append((F(4 * m), 3 - lane if 3 - lane != lane else 0, "tap", F(0)))
    for m in range(32, 35):  # outro: half notes, then a final jump
        steps += [(F(4 * m + b), (1, 2)[b // 2], "tap", F(0)) for b in (0, 2)]
    steps += [(F(140), 0, "tap", F(0)), (F(140), 3, "tap", F(0))]
    return steps


def medium_chart() -> list[Step]:
    steps: list[Step] = []
    for m in range(4):
        steps += [(F(4 * m + b), (0, 2, 1, 3)[b], "tap", F(0)) for b in range(4)]
    for m in range(4, 12):  # verse: beats plus the bass octave on the "and" of 2 and 4
        steps += [(F(4 * m + b), (0, 1, 3, 2)[(m + b) % 4], "tap", F(0)) for b in range(4)]
        steps += [(F(4 * m) + F(3, 2), 3 if m % 2 else 0, "tap", F(0)),
                  (F(4 * m) + F(7, 2), 2 if m % 2 else 1, "tap", F(0))]
    steps += lead_steps(12, 8, 1.0, onbeat_only=False)
    for m in range(20, 24):  # break: chord holds with mines on the offbeats beside them
        lane = (0, 3, 1, 2)[m % 4]
        steps.append((F(4 * m), lane, "hold", F(3)))
        steps += [(F(4 * m) + F(2 * k + 1, 2), (lane + 2) % 4, "mine", F(0)) for k in range(3)]
    drop = lead_steps(24, 8, 1.0, onbeat_only=False)
    taken = {(s[0], s[1]) for s in drop}
    for m in range(24, 32, 2):  # jumps on the downbeats of the drop
        lane = next(s[1] for s in drop if s[0] >= 4 * m)
        if (F(4 * m), 3 - lane) not in taken:
            drop.append((F(4 * m), 3 - lane, "tap", F(0)))
    steps += drop
    for m in range(32, 35):
        steps += [(F(4 * m + b), (3, 1, 2, 0)[b], "tap", F(0)) for b in range(4)]
    steps += [(F(140), 1, "tap", F(0)), (F(140), 2, "tap", F(0))]
    return steps


def measure_lines(rows: dict[F, str]) -> list[str]:
    """One measure of note rows at the coarsest line count that holds every row (.sm/.ssc rule)."""
    for n in (4, 8, 12, 16, 24, 32, 48, 64, 192):
        if all((pos * n / 4).denominator == 1 for pos in rows):
            return [rows.get(F(4 * i, n), "0000") for i in range(n)]
    raise ValueError("row finer than 1/48 beat")


def note_data(steps: list[Step]) -> str:
    cells: dict[F, list[str]] = {}
    for beat, lane, kind, length in steps:
        head = {"tap": "1", "hold": "2", "mine": "M"}[kind]
        for at, ch in [(beat, head)] + ([(beat + length, "3")] if kind == "hold" else []):
            row = cells.setdefault(at, list("0000"))
            if row[lane] != "0":
                raise ValueError(f"two steps at beat {at} lane {lane}")
            row[lane] = ch
    last = max(cells)
    measures = []
    for m in range(int(last // 4) + 1):
        rows = {b - 4 * m: "".join(r) for b, r in cells.items() if 4 * m <= b < 4 * m + 4}
        measures.append("\n".join(measure_lines(rows)))
    return "\n,\n".join(measures) + "\n;"


def ssc_text(music: str) -> str:
    head = [
        "#VERSION:0.83;", "#TITLE:First Light;", "#SUBTITLE:(GenéLive Studio demo);",
        "#ARTIST:GenéLive Studio;", "#GENRE:Synth;", "#CREDIT:GenéLive Studio team;",
        f"#MUSIC:{music};", f"#OFFSET:{-LEAD_IN_S:.6f};", f"#SAMPLESTART:{beat_s(48):.6f};",
        "#SAMPLELENGTH:15.000000;", "#SELECTABLE:YES;", f"#BPMS:0.000000={BPM:.6f};", "#STOPS:;",
        "#TIMESIGNATURES:0.000000=4=4;",
    ]
    out = "\n".join(head) + "\n"
    for slot, meter, steps in (("Easy", 3, easy_chart()), ("Medium", 6, medium_chart())):
        out += ("\n//---------------dance-single - " + slot + "----------------\n"
                "#NOTEDATA:;\n#CHARTNAME:;\n#STEPSTYPE:dance-single;\n#DESCRIPTION:hand-made;\n"
                f"#CHARTSTYLE:;\n#DIFFICULTY:{slot};\n#METER:{meter};\n#RADARVALUES:;\n"
                "#CREDIT:GenéLive Studio team (hand-made);\n#NOTES:\n" + note_data(steps) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "resources" / "demo")
    ap.add_argument("--quality", type=float, default=0.5, help="Vorbis compression level 0 (best) .. 1")
    args = ap.parse_args(argv)
    import io

    import soundfile as sf

    args.out.mkdir(parents=True, exist_ok=True)
    audio = render()
    blob = io.BytesIO()
    with sf.SoundFile(blob, "w", SR_HZ, 2, format="OGG", subtype="VORBIS", compression_level=args.quality) as f:
        # libsndfile's Vorbis encoder crashes on very large single writes; feed it in blocks
        for i in range(0, audio.shape[1], 8192):
            f.write(audio[:, i:i + 8192].T)
    atomic_write_bytes(args.out / "first-light.ogg", blob.getvalue())
    atomic_write_text(args.out / "first-light.ssc", ssc_text("first-light.ogg"))
    print(f"wrote {args.out} ({len(blob.getvalue()) / 1e6:.2f} MB audio, {audio.shape[1] / SR_HZ:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
