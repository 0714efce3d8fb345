"""Make stereo test mixtures whose true stems are known, for the source-separation benchmark.

Usage: ``python scripts/make_separation_bench.py OUT_DIR [--seconds 30] [--seed 0] [--voice auto|espeak|synth]``
writes ``mix.wav``, ``vocals.wav``, ``accompaniment.wav`` and ``drums.wav`` (44.1 kHz stereo float WAV).

The band is panned as pop mixes usually are: kick, snare and bass in the centre, hi-hat a little right, two
chord instruments (a pad and a plucked "guitar") panned left and right with some width, the voice in the centre.
The accompaniment repeats every 4 bars with small variations (velocity, hi-hat ghost notes); the voice does not
repeat. The voice is espeak-ng singing-by-speaking (pitch set per phrase) where espeak-ng is installed, else a
synthesised voice: a glottal-pulse source with vibrato through vowel formant filters, following a random melody.
Vocal and accompaniment have equal RMS (0 dB), so the mixture's SI-SDR is about 0 dB for both.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

SR_HZ = 44100
BPM = 120.0
ROOTS_HZ = (110.0, 87.31, 130.81, 98.0)  # A2 F2 C3 G2: a vi-IV-I-V loop, one chord per bar
CHORD_STEPS = ((0, 3, 7), (0, 4, 7), (0, 4, 7), (0, 4, 7))  # minor, major, major, major (semitones)
WORDS = ("light", "over", "the", "river", "we", "are", "dancing", "all", "night", "long", "never", "let", "go",
         "shining", "stars", "above", "hold", "my", "hand", "tonight", "feel", "the", "rhythm", "calling")


def _pan(mono: np.ndarray, pan: float) -> np.ndarray:
    """Constant-power pan, ``pan`` in [-1 (left), 1 (right)] -> ``[2, n]``."""
    angle = (pan + 1.0) * np.pi / 4.0
    return np.stack([np.cos(angle) * mono, np.sin(angle) * mono]) * np.sqrt(2.0)


def _env(n: int, attack_s: float, decay_s: float, sr: int) -> np.ndarray:
    t = np.arange(n) / sr
    return np.minimum(1.0, t / max(attack_s, 1e-4)) * np.exp(-t / decay_s)


def _add(out: np.ndarray, start: int, sig: np.ndarray) -> None:
    end = min(out.shape[-1], start + sig.shape[-1])
    if end > start:
        out[..., start:end] += sig[..., :end - start]


def drums(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Kick on 1 and 3, snare on 2 and 4, hi-hat on eighths; ``[2, n]``."""
    out = np.zeros((2, n))
    beat = int(sr * 60.0 / BPM)
    k = int(0.4 * sr)
    t = np.arange(k) / sr
    kick = np.sin(2 * np.pi * (50 * t + 100 * 0.04 * (1 - np.exp(-t / 0.04)))) * _env(k, 0.002, 0.15, sr)
    snare_tone = np.sin(2 * np.pi * 190 * t) * _env(k, 0.001, 0.05, sr)
    for i, start in enumerate(range(0, n, beat)):
        vel = 0.85 + 0.15 * rng.random()
        if i % 2 == 0:
            _add(out, start, _pan(vel * kick, 0.0))
        else:
            noise = rng.standard_normal(k) * _env(k, 0.001, 0.08, sr)
            _add(out, start, _pan(vel * 0.6 * (noise + snare_tone), 0.05))
        for half in (0, beat // 2):
            hat = np.diff(rng.standard_normal(int(0.06 * sr) + 1)) * _env(int(0.06 * sr), 0.0005, 0.015, sr)
            _add(out, start + half, _pan((0.25 + 0.1 * rng.random()) * hat, 0.35))
    return out


def _tone(freq_hz: float, n: int, sr: int, harmonics: int, rolloff: float, phase: float = 0.0) -> np.ndarray:
    t = np.arange(n) / sr
    return sum(np.sin(2 * np.pi * h * freq_hz * t + phase * h) / h ** rolloff
               for h in range(1, harmonics + 1) if h * freq_hz < sr / 2.2)


def band(n: int, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Bass (centre) and chords (pad left, plucks right), each ``[2, n]``."""
    bass, chords = np.zeros((2, n)), np.zeros((2, n))
    bar = int(4 * sr * 60.0 / BPM)
    eighth = bar // 8
    for b, start in enumerate(range(0, n, bar)):
        root, steps = ROOTS_HZ[b % 4], CHORD_STEPS[b % 4]
        for e in range(8):
            note = _tone(root, eighth, sr, 8, 1.2) * _env(eighth, 0.005, 0.25, sr) * (0.9 + 0.1 * rng.random())
            _add(bass, start + e * eighth, _pan(note, 0.0))
        pad = sum(_tone(2 * root * 2 ** (s / 12), bar, sr, 6, 1.5, phase=rng.random()) for s in steps)
        fade = np.minimum(1.0, np.minimum(np.arange(bar), bar - np.arange(bar)) / (0.05 * sr))
        pad_st = np.stack([pad * fade, np.roll(pad, int(0.012 * sr)) * fade * 0.6])  # left, with a little width
        _add(chords, start, 0.35 * pad_st)
        for e in (0, 3, 6):
            pluck = sum(_tone(4 * root * 2 ** (s / 12), eighth * 2, sr, 10, 1.0) for s in steps)
            pluck = pluck * _env(eighth * 2, 0.002, 0.12, sr)
            _add(chords, start + e * eighth, 0.3 * _pan(pluck, 0.7))
    return bass, chords


def synth_voice(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A sung line: glottal pulses with vibrato through two vowel formants, random melody, phrases with rests."""
    formants = ((730, 1090), (270, 2290), (530, 1840), (300, 870), (660, 1720))  # a i e u ae (Hz)
    scale = np.array([0, 2, 3, 5, 7, 8, 10, 12])
    out = np.zeros(n)
    note_s = 60.0 / BPM
    pos = int(0.5 * sr)
    from scipy.signal import lfilter

    while pos < n:
        for _ in range(int(rng.integers(3, 7))):  # a phrase
            m = int(note_s * sr * rng.choice([0.5, 1.0, 1.5]))
            f0 = 220.0 * 2 ** (rng.choice(scale) / 12)
            t = np.arange(m) / sr
            phase = np.cumsum(f0 * (1 + 0.012 * np.sin(2 * np.pi * 5.5 * t)) / sr)
            src = 2 * (phase % 1.0) - 1.0  # sawtooth glottal source
            sig = np.zeros(m)
            for fc in formants[int(rng.integers(len(formants)))]:
                r = np.exp(-np.pi * 80 / sr)
                a = [1, -2 * r * np.cos(2 * np.pi * fc / sr), r * r]
                sig += lfilter([1 - r], a, src)
            _add(out, pos, sig * _env(m, 0.03, note_s * 2, sr))
            pos += m
        pos += int(note_s * sr * rng.integers(2, 5))
    return out


def espeak_voice(n: int, sr: int, rng: np.random.Generator) -> np.ndarray | None:
    """Phrases spoken by espeak-ng at varying pitch, placed with rests; None where espeak-ng is missing."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    import soundfile as sf
    import soxr

    out = np.zeros(n)
    pos = int(0.5 * sr)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "v.wav"
        while pos < n:
            text = " ".join(rng.choice(WORDS, size=int(rng.integers(3, 7))))
            cmd = [exe, "-v", str(rng.choice(["en+f3", "en+m3", "en+f2"])), "-p", str(int(rng.integers(30, 80))),
                   "-s", str(int(rng.integers(120, 170))), "-w", str(wav), text]
            subprocess.run(cmd, check=True, capture_output=True)
            speech, voice_sr = sf.read(wav, dtype="float64")
            speech = soxr.resample(speech, voice_sr, sr) if voice_sr != sr else speech
            _add(out, pos, speech)
            pos += len(speech) + int(sr * rng.uniform(0.3, 1.5))
    return out


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x ** 2)) + 1e-12)


def make_mixture(seconds: float = 30.0, sr: int = SR_HZ, seed: int = 0,
                 voice: str = "auto") -> tuple[dict[str, np.ndarray], str]:
    """Stems ``mix``, ``vocals``, ``accompaniment``, ``drums`` (each ``[2, n]`` float32) and the voice used.

    ``voice``: "espeak", "synth" or "auto" (espeak-ng when installed). The mix peaks at 0.9.
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    drum = drums(n, sr, rng)
    bass, chords = band(n, sr, rng)
    drum *= 1.2 * _rms(bass + chords) / _rms(drum)
    accompaniment = drum + bass + chords
    sung = espeak_voice(n, sr, rng) if voice in ("auto", "espeak") else None
    if sung is None and voice == "espeak":
        raise RuntimeError("espeak-ng is not installed")
    used = "espeak-ng" if sung is not None else "synth"
    if sung is None:
        sung = synth_voice(n, sr, rng)
    vocals = _pan(sung, 0.0)
    vocals *= _rms(accompaniment) / _rms(vocals)
    mix = vocals + accompaniment
    scale = 0.9 / np.max(np.abs(mix))
    stems = {"mix": mix, "vocals": vocals, "accompaniment": accompaniment, "drums": drum}
    return {k: (v * scale).astype(np.float32) for k, v in stems.items()}, used


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--voice", choices=("auto", "espeak", "synth"), default="auto")
    args = ap.parse_args(argv)
    import io

    import soundfile as sf

    from chart.fileio import atomic_write_bytes

    stems, used = make_mixture(args.seconds, seed=args.seed, voice=args.voice)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in stems.items():
        buf = io.BytesIO()
        sf.write(buf, data.T, SR_HZ, subtype="FLOAT", format="WAV")
        atomic_write_bytes(args.out / f"{name}.wav", buf.getvalue())
    print(f"wrote {len(stems)} files to {args.out} (voice: {used})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
