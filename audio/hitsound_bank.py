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

Decoded files are kept per file and rate, with its size and modification time (a file written again is decoded
again, and its old samples dropped), and a lookup's answer with the folder's modification time, so an edit of the
notes re-reads nothing, while a sample file dropped into the folder is heard at the next change. The decoded
samples are held up to :data:`MAX_CACHED_BYTES`: a keysounded map of 520 files re-decoded all of them on every
edit (0.4 s) when the cache held 512 files and was emptied whole when full, and 60 saves of one sample kept 60
decoded copies. A file makes room only by dropping files the last two builds of the sounds (:func:`plan_sounds`,
one per change) did not use, least recently used first, else it is not kept: a map whose samples do not all fit
keeps a fixed part of them decoded, where a plain least-recently-used cache, walked in the same order at every
change, would drop each file just before it is needed again and decode every one on every edit.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from audio.decode import iter_blocks
from audio.decoders import AudioError
from audio.hitsound_synth import default_sample
from chart.formats.osu_samples import HitSample, Lookup, found_files
from chart.hitsound_play import HitsoundPlan

MAX_SAMPLE_S = 10.0
MAX_CACHED_BYTES = 384 * 2**20  # decoded samples kept: ~2,000 one-second keysounds at 48 kHz (maps have 500-1,500)
_MAX_LOOKUPS = 50_000  # lookups answered (a few hundred bytes each)

#: (song seconds, gain 0-1, sample at the output rate) of one distinct sound: what ``Player.set_ticks`` mixes.
Sound = tuple[np.ndarray, np.ndarray, np.ndarray]


class SampleBank:
    """Samples for :class:`~chart.formats.osu_samples.HitSample` at an output rate (module docstring); one per
    window, used from the GUI thread."""

    def __init__(self) -> None:
        self._defaults: dict[tuple[str, str, int], np.ndarray] = {}
        self._files: OrderedDict[tuple[str, int], tuple[tuple[int, int], np.ndarray | None]] = OrderedDict()
        self._used: dict[tuple[str, int], int] = {}  # file -> the build that last used it
        self._build = 0  # plan_sounds counts its builds here
        self._bytes = 0  # held in _files
        self._found: OrderedDict[tuple[str, Lookup], tuple[int, Path | None]] = OrderedDict()
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
        key = (os.fspath(folder), lookup)
        kept = self._found.get(key)
        if kept is not None and kept[0] == stamp:
            self._found.move_to_end(key)
            return kept[1]
        files = found_files(folder, lookup)
        self._found[key] = (stamp, files[0] if files else None)
        self._found.move_to_end(key)
        while len(self._found) > _MAX_LOOKUPS:
            self._found.popitem(last=False)
        return self._found[key][1]

    def _file(self, path: Path, sample_rate_hz: int) -> np.ndarray | None:
        try:
            st = os.stat(path)
        except OSError as exc:
            self._failures[path.name] = f"cannot read it ({exc.strerror or exc})"
            return None
        key, stamp = (os.path.realpath(path), int(sample_rate_hz)), (st.st_size, st.st_mtime_ns)
        kept = self._files.get(key)
        if kept is not None and kept[0] == stamp:
            self._files.move_to_end(key)
            self._used[key] = self._build
            return kept[1]
        if kept is not None:  # the file was written again: its old samples go
            self._drop(key)
        decoded = self._decode(path, int(sample_rate_hz))
        size = decoded.nbytes if decoded is not None else 0
        for old in [k for k in self._files if self._used.get(k, 0) < self._build - 1]:  # least recently used first
            if self._bytes + size <= MAX_CACHED_BYTES:
                break
            self._drop(old)
        if self._bytes + size <= MAX_CACHED_BYTES:
            self._files[key] = (stamp, decoded)
            self._used[key] = self._build
            self._bytes += size
        return decoded

    def begin_build(self) -> None:
        """A new build of a map's sounds starts (:func:`plan_sounds`): the files the last two used keep their room."""
        self._build += 1

    def _drop(self, key: tuple[str, int]) -> None:
        _stamp, samples = self._files.pop(key)
        self._used.pop(key, None)
        self._bytes -= samples.nbytes if samples is not None else 0

    @property
    def cached_bytes(self) -> int:
        """Bytes of decoded samples held."""
        return self._bytes

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
    bank.begin_build()
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
