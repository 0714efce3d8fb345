"""The sound of each osu! hitsound sample: the map's own file from the set's folder, else a built-in one.

:func:`chart.hitsound_play.hitsound_plan` says which samples the notes play and where osu! looks for each
(:class:`chart.formats.osu_samples.HitSample`: osu!'s names and fallbacks, shared with the export that carries
the files). :class:`SampleBank` answers each with samples at the output rate:

* a file of the set's folder that answers the sample's lookup (:func:`chart.formats.osu_samples.found_files`,
  ``.wav`` before ``.ogg`` before ``.mp3``), decoded by :mod:`audio.decode` (mixed to mono, resampled to the output
  rate), its first ``MAX_SAMPLE_S`` seconds (a keysound longer than that is cut: every note that plays it is mixed
  for its whole length in the audio callback);
* else the built-in sample of its set and sound (:func:`audio.hitsound_synth.default_sample`): osu! plays its
  skin's sound there. A file that does not decode plays the built-in sound too, and is named once in
  :meth:`SampleBank.new_failures` for the status bar.

Decoded files are kept per file (its path, size, modification time and the rate), and a lookup's answer per folder
state (the folder's modification time), so an edit of the notes re-reads nothing, while a sample file dropped
into the folder is heard at the next change.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from audio.decode import iter_blocks
from audio.decoders import AudioError
from audio.hitsound_synth import default_sample
from chart.formats.osu_samples import HitSample, Lookup, found_files
from chart.hitsound_play import HitsoundPlan

MAX_SAMPLE_S = 10.0
_MAX_CACHED = 512  # decoded files and lookups kept; a keysounded map can have hundreds of files

#: (song seconds, gain 0-1, sample at the output rate) of one distinct sound: what ``Player.set_ticks`` mixes.
Sound = tuple[np.ndarray, np.ndarray, np.ndarray]


class SampleBank:
    """Samples for :class:`~chart.formats.osu_samples.HitSample` at an output rate (module docstring); one per
    window, used from the GUI thread."""

    def __init__(self) -> None:
        self._defaults: dict[tuple[str, str, int], np.ndarray] = {}
        self._files: dict[tuple[str, int, int, int], np.ndarray | None] = {}
        self._found: dict[tuple[str, int, Lookup], Path | None] = {}
        self._failures: dict[str, str] = {}
        self._reported: set[str] = set()

    def sample(self, hit: HitSample, folder: Path | None, sample_rate_hz: int) -> np.ndarray:
        """The samples ``hit`` plays from ``folder`` (None: no folder, the built-in sound) at ``sample_rate_hz``."""
        path = self.find(folder, hit.lookup) if folder is not None and hit.lookup else None
        if path is not None:
            decoded = self._file(path, sample_rate_hz)
            if decoded is not None:
                return decoded
        return self.builtin(hit.sample_set, hit.sound, sample_rate_hz)

    def builtin(self, sample_set: str, sound: str, sample_rate_hz: int) -> np.ndarray:
        key = (sample_set, sound, int(sample_rate_hz))
        if key not in self._defaults:
            self._defaults[key] = default_sample(sample_set, sound, int(sample_rate_hz))
        return self._defaults[key]

    def find(self, folder: Path, lookup: Lookup) -> Path | None:
        """The file of ``folder`` that plays for ``lookup`` (its first group's first file found), or None."""
        try:
            stamp = os.stat(folder).st_mtime_ns
        except OSError:
            return None
        key = (os.fspath(folder), stamp, lookup)
        if key not in self._found:
            if len(self._found) >= _MAX_CACHED:
                self._found.clear()
            files = found_files(folder, lookup)
            self._found[key] = files[0] if files else None
        return self._found[key]

    def _file(self, path: Path, sample_rate_hz: int) -> np.ndarray | None:
        try:
            st = os.stat(path)
        except OSError as exc:
            self._failures[path.name] = f"cannot read it ({exc.strerror or exc})"
            return None
        key = (os.path.realpath(path), st.st_size, st.st_mtime_ns, int(sample_rate_hz))
        if key not in self._files:
            if len(self._files) >= _MAX_CACHED:
                self._files.clear()
            self._files[key] = self._decode(path, int(sample_rate_hz))
        return self._files[key]

    def _decode(self, path: Path, sample_rate_hz: int) -> np.ndarray | None:
        """The first ``MAX_SAMPLE_S`` of ``path`` (mono, at ``sample_rate_hz``), or None when it does not decode."""
        limit = int(MAX_SAMPLE_S * sample_rate_hz)
        blocks, n = [], 0
        try:
            for block in iter_blocks(path, sr=sample_rate_hz, on_warning=lambda _message, _short_s: None):
                blocks.append(block[:limit - n])
                n += blocks[-1].size
                if n >= limit:
                    break
        except (AudioError, OSError, ValueError, RuntimeError) as exc:
            self._failures[path.name] = " ".join(str(exc).split()) or type(exc).__name__
            return None
        if n == 0:
            self._failures[path.name] = "it holds no samples"
            return None
        return np.ascontiguousarray(np.concatenate(blocks), dtype=np.float32)

    def new_failures(self) -> list[str]:
        """``"NAME: why"`` for each sample file that did not decode and was not named before."""
        out = [f"{name}: {why}" for name, why in self._failures.items() if name not in self._reported]
        self._reported.update(self._failures)
        return out


def plan_sounds(plan: HitsoundPlan, folder: Path | None, sample_rate_hz: int, bank: SampleBank) -> list[Sound]:
    """One :data:`Sound` per distinct sample array of ``plan``: samples that come out the same (two lookups no
    file answers, both playing the built-in sound) are one track, so the callback walks fewer of them."""
    merged: dict[int, tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]] = {}
    for hit, (times, gains) in plan.items():
        sample = bank.sample(hit, folder, sample_rate_hz)
        entry = merged.setdefault(id(sample), (sample, [], []))
        entry[1].append(times)
        entry[2].append(gains)
    out = []
    for sample, times_list, gains_list in merged.values():
        times, gains = _joined(times_list, gains_list)
        out.append((times, gains, sample))
    return out


def _joined(times: Sequence[np.ndarray], gains: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    if len(times) == 1:
        return times[0], gains[0]
    t, g = np.concatenate(times), np.concatenate(gains)
    order = np.argsort(t, kind="stable")
    return t[order], g[order]
