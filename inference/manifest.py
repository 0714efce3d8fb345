"""Model manifest: what an exported ONNX model expects and how its output is decoded.

The manifest is the contract between training (which writes it), the app and the server (which read it). It
lives beside the ONNX file as ``<name>.manifest.json``. Loading verifies the model file's sha256 so that a model
that does not match its manifest is refused with a clear error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_VERSION = 1
MANIFEST_SUFFIX = ".manifest.json"


class ManifestError(ValueError):
    """A manifest that is missing, malformed, or does not match its model file."""


@dataclass
class TensorSpec:
    """One model input or output. ``shape`` uses -1 for dynamic axes (batch, time, rows)."""

    name: str
    dtype: str  # "float32" | "int64"
    shape: list[int]
    doc: str = ""


@dataclass
class FeatureParams:
    """Parameters of :func:`inference.features.compute_features` and the per-band normalisation."""

    sample_rate: int = 22050
    hop_length: int = 220
    n_mels: int = 80
    n_ffts: list[int] = field(default_factory=lambda: [512, 1024, 2048])
    fmin: float = 27.5
    fmax: float = 11025.0
    norm_mean: list[float] = field(default_factory=list)  # one per feature channel (n_ffts x n_mels)
    norm_std: list[float] = field(default_factory=list)

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sample_rate / self.hop_length

    @property
    def n_channels(self) -> int:
        return self.n_mels * len(self.n_ffts)


@dataclass
class SlotDecode:
    """Per-slot decoding settings tuned on the validation songs."""

    threshold: float = 0.5
    #: threshold when a lower chart conditions the draft (refine): conditioned probabilities are sharper and
    #: calibrated differently, so they get their own value; None: ``threshold``
    refine_threshold: float | None = None
    #: refine density prior: median ratio of this slot's onset rows to a lower slot's rows in the same song, per
    #: lower slot name, over the training charts; a refine's row count is the geometric mean of its threshold's
    #: count and ``lower rows x ratio`` (:func:`inference.decode.decode_onsets`). None: threshold only
    refine_ratio: dict[str, float] | None = None
    min_gap_s: float = 0.08
    smooth_frames: int = 1
    nps_target: float | None = None  # typical notes/s of this slot in the training data
    divisors: list[int] = field(default_factory=lambda: [4, 8, 12, 16, 24, 32, 48, 64, 96, 192])
    snap_tolerance_s: float = 0.03  # coarsest divisor whose grid point is this close wins (chart.snap)
    min_gap_beats: float = 0.0  # after snapping, rows closer than this many beats keep the most probable


@dataclass
class Manifest:
    """Everything needed to run and decode one exported model."""

    kind: str  # "onset" | "lane" | "separation"
    model_id: str  # e.g. "onset-v1"
    file: str  # ONNX file name, relative to the manifest
    sha256: str = ""
    version: int = MANIFEST_VERSION
    inputs: list[TensorSpec] = field(default_factory=list)
    outputs: list[TensorSpec] = field(default_factory=list)
    features: FeatureParams | None = None
    slots: list[str] = field(default_factory=lambda: ["beginner", "easy", "medium", "hard", "challenge"])
    beat_guide_channels: list[str] = field(default_factory=list)
    conditioning: bool = False
    decode: dict[str, SlotDecode] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False, repr=False)

    # ------------------------------------------------------------------ I/O
    @property
    def model_path(self) -> Path:
        base = self.path.parent if self.path is not None else Path(".")
        return base / self.file

    def display_id(self) -> str:
        """``model_id (sha256:abcdef123456)`` as reports print it."""
        return f"{self.model_id} (sha256:{self.sha256[:12]})"

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data.pop("path", None)
        return json.dumps(data, indent=2, sort_keys=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        try:
            data = dict(data)
            data["inputs"] = [TensorSpec(**t) for t in data.get("inputs", [])]
            data["outputs"] = [TensorSpec(**t) for t in data.get("outputs", [])]
            if data.get("features") is not None:
                data["features"] = FeatureParams(**data["features"])
            data["decode"] = {k: SlotDecode(**v) for k, v in data.get("decode", {}).items()}
            data.pop("path", None)
            return cls(**data)
        except (TypeError, KeyError, ValueError) as exc:
            raise ManifestError(f"malformed manifest: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path, verify: bool = True) -> Manifest:
        """Read a manifest; with ``verify`` check that the model file exists and matches ``sha256``."""
        path = Path(path)
        if path.suffix == ".onnx":
            path = path.with_name(path.stem + MANIFEST_SUFFIX)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ManifestError(f"model manifest not found: {path}") from exc
        except (OSError, json.JSONDecodeError, RecursionError) as exc:
            raise ManifestError(f"cannot read model manifest {path}: {exc}") from exc
        except UnicodeDecodeError as exc:  # e.g. a PyTorch checkpoint given where a manifest belongs
            raise ManifestError(f"{path} is not a model manifest (a JSON file, e.g. onset.manifest.json)") from exc
        if not isinstance(data, dict):
            raise ManifestError(f"malformed manifest {path}: not a JSON object")
        manifest = cls.from_dict(data)
        manifest.path = path
        if verify:
            manifest.verify()
        return manifest

    def verify(self) -> None:
        """Raise :class:`ManifestError` unless the model file exists and its sha256 matches."""
        if not self.model_path.is_file():
            raise ManifestError(f"model file missing: {self.model_path}")
        digest = file_sha256(self.model_path)
        if self.sha256 and digest != self.sha256:
            raise ManifestError(
                f"model file {self.model_path.name} does not match its manifest (sha256 {digest[:12]} != "
                f"{self.sha256[:12]})"
            )

    def save(self, path: str | Path) -> Path:
        """Write atomically next to the model (temp file, fsync, rename)."""
        from chart.fileio import atomic_write_text

        path = Path(path)
        atomic_write_text(path, self.to_json())
        self.path = path
        return path


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_models_dir() -> Path:
    """The shipped models folder, ``resources/models`` at the repository root."""
    return Path(__file__).resolve().parent.parent / "resources" / "models"
