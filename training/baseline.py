"""``main.py eval --baseline librosa``: a non-learned onset baseline scored by the same code as the model.

librosa's onset detector (spectral-flux onset strength + its tuned peak picking) gives candidate onsets with a
strength each. They become a sparse "probability" curve (the normalised strength on detected frames, 0
elsewhere) that goes through the production decoder :func:`inference.decode.decode_onsets` with its per-slot
defaults: minimum gap, snapping to the chart's authored beat grid with coarse divisors preferred at low slots,
collision resolution, and a density target -- the slot's typical notes per second measured on the *training*
songs (``baseline_density.json``) -- which keeps the strongest onsets. No reference notes or counts are used.

Regenerate the density table with ``python -m training.baseline --songs ../shared/data/charts``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DENSITY_FILE = Path(__file__).resolve().parent / "baseline_density.json"
SAMPLE_RATE = 22050
HOP = 220  # 100.2 frames/s, the onset model's frame rate


@dataclass
class LibrosaBaseline:
    """Typical density per slot (notes/s over the whole audio, index 0..4) and the detector's frame grid."""

    nps: dict[int, float]
    sample_rate: int = SAMPLE_RATE
    hop_length: int = HOP

    @property
    def frame_rate(self) -> float:
        return self.sample_rate / self.hop_length

    @classmethod
    def from_training_stats(cls, path: Path = DENSITY_FILE) -> LibrosaBaseline:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({int(k): float(v) for k, v in data["nps_by_slot"].items()})

    def curve(self, samples: np.ndarray, sr: int) -> np.ndarray:
        """Sparse onset curve [T] at :attr:`frame_rate`: normalised strength at librosa's detected onsets."""
        import librosa

        y = np.asarray(samples, dtype=np.float32)
        if sr != self.sample_rate:
            import soxr

            y = soxr.resample(y, sr, self.sample_rate).astype(np.float32)
        env = librosa.onset.onset_strength(y=y, sr=self.sample_rate, hop_length=self.hop_length)
        peaks = librosa.onset.onset_detect(onset_envelope=env, sr=self.sample_rate, hop_length=self.hop_length,
                                           units="frames")
        prob = np.zeros(len(env), dtype=np.float64)
        prob[peaks] = env[peaks] / max(float(env.max()), 1e-9)
        return prob

    def chart_onsets(self, prob: np.ndarray, timing: Any, slot: int, duration_s: float) -> np.ndarray:
        """Onset seconds of one slot: the production decoder with the slot's defaults and typical density."""
        from inference.decode import DEFAULT_DECODE, SLOT_NAMES, decode_onsets

        return decode_onsets(prob, self.frame_rate, timing, DEFAULT_DECODE[SLOT_NAMES[slot]],
                             rows_target=self.nps[slot] * duration_s).seconds

    def song_onsets(self, song: Any) -> tuple[dict[int, np.ndarray], None]:
        """Onset seconds for every chart of an evaluate ``_Song`` (each with its own timing)."""
        from audio.decode import load_audio

        samples, sr = load_audio(song.audio, sr=self.sample_rate)
        prob = self.curve(samples, sr)
        duration_s = len(samples) / float(sr)
        out = {slot: self.chart_onsets(prob, song.song.timing_for(chart), slot, duration_s)
               for slot, chart in song.charts.items()}
        return out, None


def measure_slot_density(songs: Path) -> dict[int, float]:
    """Median over the training songs' charts of onset rows per second of audio, per slot."""
    from audio.decode import audio_info
    from chart.notes import onset_beats
    from training.data import chart_file, load_song, song_folders, split_keys, usable_charts

    folders = song_folders(songs)
    train, _ = split_keys([f.name for f in folders])
    values: dict[int, list[float]] = {}
    for folder in (f for f in folders if f.name in set(train)):
        song = load_song(chart_file(folder))
        audio = song.audio_path()
        if audio is None:
            continue
        info = audio_info(audio)
        duration_s = info.frames / float(info.sr)
        for slot, chart in usable_charts(song).items():
            values.setdefault(slot, []).append(len(onset_beats(chart.notes)) / duration_s)
    return {slot: round(float(np.median(v)), 4) for slot, v in sorted(values.items())}


def main(argv: list[str] | None = None) -> int:
    from chart.fileio import atomic_write_text

    parser = argparse.ArgumentParser(description="measure the librosa baseline's per-slot density")
    parser.add_argument("--songs", type=Path, required=True)
    args = parser.parse_args(argv)
    nps = measure_slot_density(args.songs)
    text = json.dumps({"source": "median onset rows per second of audio, training songs of "
                                 f"{args.songs.name} (validation list excluded)",
                       "nps_by_slot": {str(k): v for k, v in nps.items()}}, indent=2) + "\n"
    atomic_write_text(DENSITY_FILE, text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
