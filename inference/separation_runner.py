"""Running a :class:`inference.separation_model.SeparationModel` on audio: windows, STFT packing, overlap-add.

:class:`ModelSeparator` is an :class:`audio.separation.Separator`, so files get the same chunking, progress,
cancel and cache as the built-in separator.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING

import numpy as np

from inference.backends import Backend, BackendError

if TYPE_CHECKING:
    from inference.manifest import Manifest
    from inference.separation_model import SeparationModel

_FILE_HASHES: dict[tuple, str] = {}  # (path, inode, size, mtime, ctime) -> sha256: a model is hashed once per process
_FILE_HASHES_LOCK = threading.Lock()


def _hann(n: int) -> np.ndarray:
    """Periodic Hann window: copies shifted by ``n / 2`` sum to exactly one."""
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)).astype(np.float32)


class ModelSeparator:
    """Separator that runs an ONNX separation model through a backend (local ONNX, CUDA, or remote V2).

    Parameters
    ----------
    model : SeparationModel
        The loaded model and its layout.
    backend : Backend
        Where to run it.
    sr : int
        Sample rate in Hz of the audio that will be passed in (resampled to the model's rate inside).
    channels : int
        1 or 2; mono is fed to the model as two equal channels and averaged back.
    """

    def __init__(self, model: SeparationModel, backend: Backend, sr: int, channels: int) -> None:
        self.model, self.backend, self.sr, self.channels = model, backend, sr, channels
        self.layout = model.layout
        self.stems = self.layout.stems
        window_s = self.layout.window_frames / self.layout.sample_rate
        self.chunk_frames = int(sr * window_s * 8)  # 8 model windows per outer chunk
        self.context_frames = int(sr * window_s / 4)
        self.fade_frames = int(sr * 0.5)

    @property
    def name(self) -> str:
        """Asked when the stems are stored, after the run: the backend then says where it really ran (CPU or
        CUDA, the server's name), not "no model loaded yet"."""
        manifest = self.model.manifest
        return f"ONNX model {manifest.model_id} (sha256:{model_sha256(manifest)[:12]}) ({self.layout.layout} " \
               f"layout) on {self.backend.describe()}"

    def cache_key(self) -> str:
        """What the cached stems depend on, the backend included: a server's stems (it may run another build, or
        misbehave) are not a local run's, so a later local run does not reuse them (nor report them as its own)."""
        layout = {k: getattr(self.layout, k) for k in self.layout.__dataclass_fields__}
        return json.dumps({"separator": "onnx", "sha256": model_sha256(self.model.manifest), "layout": layout,
                           "chunk": self.chunk_frames, "context": self.context_frames,
                           "backend": backend_identity(self.backend)}, sort_keys=True, default=list)

    def __call__(self, x: np.ndarray, sr: int) -> dict[str, np.ndarray]:
        """``x`` ``[channels, n]`` at ``sr`` Hz -> each stem ``[channels, n]`` float32."""
        n = x.shape[1]
        stereo = np.repeat(x[:1], 2, axis=0) if x.shape[0] == 1 else x[:2]
        model_sr = self.layout.sample_rate
        if sr != model_sr:
            import soxr

            stereo = soxr.resample(stereo.T, sr, model_sr, quality="HQ").T
        stems = self._tiled(np.ascontiguousarray(stereo, dtype=np.float32))
        out = {}
        for name, y in stems.items():
            if sr != model_sr:
                import soxr

                y = soxr.resample(y.T, model_sr, sr, quality="HQ").T
            y = _fit(y, n)
            out[name] = (y.mean(axis=0, keepdims=True) if x.shape[0] == 1 else y).astype(np.float32)
        out["accompaniment"] = (x - out["vocals"]).astype(np.float32)  # the two stems add up to the input
        return out

    # ------------------------------------------------------------------ windows
    def _tiled(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Model output over half-overlapping Hann-weighted windows covering ``x`` ``[2, n]``."""
        size = self.layout.window_frames
        step = size // 2
        n = x.shape[1]
        count = max(1, -(-(n + step) // step))
        padded = np.zeros((2, (count + 1) * step), np.float32)
        padded[:, step:step + n] = x  # half a window of silence first, so sample 0 gets full weight
        starts = list(range(0, padded.shape[1] - size + 1, step))
        weight = _hann(size)
        acc: dict[str, np.ndarray] = {}
        batch = max(1, self.layout.batch_size)
        for i in range(0, len(starts), batch):
            group = starts[i:i + batch]
            windows = np.stack([padded[:, s:s + size] for s in group])
            for name, y in self._run(windows).items():
                dst = acc.setdefault(name, np.zeros_like(padded))
                for j, s in enumerate(group):
                    dst[:, s:s + size] += y[j] * weight
        return {k: v[:, step:step + n] for k, v in acc.items()}

    def _run(self, windows: np.ndarray) -> dict[str, np.ndarray]:
        """Windows ``[b, 2, size]`` -> named stems ``[b, 2, size]`` (``vocals`` always, ``drums`` if given)."""
        if self.layout.layout == "mdx":
            spec = self._mdx_pack(windows)
            out = self._call(spec, spec.shape)
            target = self._mdx_unpack(out * self.layout.compensate, windows.shape[-1])
            if self.layout.target == "vocals":
                return {"vocals": target}
            return {"vocals": windows - target}
        out = self._call(windows, None)
        if out.ndim == 3:
            target = out * self.layout.compensate
            return {"vocals": target if self.layout.target == "vocals" else windows - target}
        sources = {name: out[:, k] * self.layout.compensate for k, name in enumerate(self.layout.sources)}
        if "vocals" not in sources:
            raise BackendError(f"{self.model.manifest.model_id}: no 'vocals' among the sources {self.layout.sources}")
        result = {"vocals": sources["vocals"]}
        if "drums" in sources:
            result["drums"] = sources["drums"]
        return result

    def _call(self, tensor: np.ndarray, want_shape: tuple[int, ...] | None) -> np.ndarray:
        m = self.model
        result = self.backend.run(m.manifest, {m.input_name: tensor})[m.output_name]
        expected_ok = (result.shape == tuple(want_shape)) if want_shape is not None else (
            result.shape[0] == tensor.shape[0] and result.shape[-1] == tensor.shape[-1]
            and result.shape[-2] == 2 and result.ndim in (3, 4))
        if not expected_ok:
            raise BackendError(f"{m.manifest.model_id}: output {m.output_name!r} has shape {list(result.shape)}, "
                               f"expected {list(want_shape) if want_shape else 'the input layout'}")
        if not np.all(np.isfinite(result)):  # NaN stems would be written, cached, and reused
            raise BackendError(f"{m.manifest.model_id} on {self.backend.describe()}: output {m.output_name!r} "
                               "holds NaN or infinite values")
        return np.asarray(result, dtype=np.float32)

    def _mdx_pack(self, windows: np.ndarray) -> np.ndarray:
        """``[b, 2, size]`` -> ``[b, 4, dim_f, dim_t]`` (L re, L im, R re, R im; lowest ``dim_f`` bins)."""
        import librosa

        lay = self.layout
        spec = librosa.stft(windows, n_fft=lay.n_fft, hop_length=lay.hop_length, window="hann", center=True,
                            pad_mode="reflect")  # torch.stft's default, which MDX-Net models were trained with
        spec = spec[:, :, :lay.dim_f, :lay.dim_t]  # [b, 2, dim_f, dim_t]
        packed = np.stack([spec.real, spec.imag], axis=2)  # [b, 2, 2, dim_f, dim_t]
        return packed.reshape(windows.shape[0], 4, lay.dim_f, lay.dim_t).astype(np.float32)

    def _mdx_unpack(self, packed: np.ndarray, size: int) -> np.ndarray:
        """Inverse of :meth:`_mdx_pack`; the bins above ``dim_f`` are zero."""
        import librosa

        lay = self.layout
        b = packed.shape[0]
        parts = packed.reshape(b, 2, 2, lay.dim_f, lay.dim_t)
        spec = np.zeros((b, 2, lay.n_fft // 2 + 1, lay.dim_t), np.complex64)
        spec[:, :, :lay.dim_f] = parts[:, :, 0] + 1j * parts[:, :, 1]
        return librosa.istft(spec, n_fft=lay.n_fft, hop_length=lay.hop_length, window="hann", center=True,
                             length=size).astype(np.float32)


def model_sha256(manifest: Manifest) -> str:
    """The sha256 that keys a model's cached stems: the manifest's, or, where it has none (the docs' UVR example
    leaves it empty, which skips the check), the model file's own. Keyed by the empty string, another model
    swapped in under the same name got the old one's stems from the cache. The file's hash is computed once per
    process and file version (path, inode, size, mtime and ctime: any rewrite or copy over it changes one)."""
    if manifest.sha256:
        return manifest.sha256
    from inference.manifest import file_sha256

    path = manifest.model_path
    st = os.stat(path)
    key = (str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    with _FILE_HASHES_LOCK:
        if key not in _FILE_HASHES:
            _FILE_HASHES[key] = file_sha256(path)
        return _FILE_HASHES[key]


def backend_identity(backend: Backend) -> str:
    """``"local"`` for in-process ONNX (CPU or CUDA run the same model file), ``"remote URL"`` for a server (also
    behind a fallback: its stems may come from either)."""
    url = getattr(getattr(backend, "remote", backend), "url", None)
    return f"remote {url}" if isinstance(url, str) else "local"


def _fit(y: np.ndarray, n: int) -> np.ndarray:
    """Cut or zero-pad ``[c, m]`` to ``[c, n]`` (resampling may be off by a frame)."""
    if y.shape[1] >= n:
        return y[:, :n]
    return np.pad(y, ((0, 0), (0, n - y.shape[1])))
