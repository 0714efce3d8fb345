"""Bring-your-own ONNX separation models (e.g. UVR's MDX-Net vocal models), run through ``inference.backends``.

Two layouts are supported (``layout`` in the manifest's ``extra``, or detected from the graph's I/O):

``mdx`` (MDX-Net, "complex as channels")
    input ``[batch, 4, dim_f, dim_t]`` float32: the STFT of a stereo chunk of ``hop * (dim_t - 1)`` samples
    (periodic Hann window of ``n_fft``, centred frames), channels ``[L real, L imag, R real, R imag]``, keeping the
    lowest ``dim_f`` of the ``n_fft / 2 + 1`` bins; output the same layout for the target stem (``target``:
    "vocals" or "accompaniment"; the other stem is the mixture minus it). ``n_fft`` cannot be read from the graph:
    give it in the manifest (UVR's vocal models use 6144 or 7680 with ``dim_f`` 3072); default ``2 * dim_f``.
``waveform``
    input ``[batch, 2, samples]``; output ``[batch, 2, samples]`` (the target stem) or
    ``[batch, sources, 2, samples]`` with ``sources`` named in the manifest (default Demucs's order
    drums, bass, other, vocals); then ``drums`` comes from the model too.

Audio is resampled to the model's ``sample_rate`` (default 44100 Hz) and back, mono files are fed as two equal
channels. Each call tiles its audio into model-sized windows overlapping by half, weighted by a periodic Hann
window (the weights sum to one), and :func:`audio.separation.separate_stream` chunks the song around that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.backends import Backend, OnnxBackend
from inference.manifest import MANIFEST_SUFFIX, Manifest, ManifestError, TensorSpec, file_sha256

DEFAULT_SR_HZ = 44100
DEFAULT_HOP = 1024
DEFAULT_WAVEFORM_FRAMES = 44100 * 8  # window for waveform models whose sample axis is dynamic
DEMUCS_SOURCES = ("drums", "bass", "other", "vocals")


class SeparationModelError(ManifestError):
    """A model file this app cannot use as a separator (wrong I/O, bad manifest); the message is one line."""


@dataclass(frozen=True)
class ModelLayout:
    """How to feed one separation model: see the module docstring for the meaning of each field."""

    layout: str  # "mdx" | "waveform"
    sample_rate: int = DEFAULT_SR_HZ
    n_fft: int = 6144
    hop_length: int = DEFAULT_HOP
    dim_f: int = 3072
    dim_t: int = 256
    segment_frames: int = DEFAULT_WAVEFORM_FRAMES
    target: str = "vocals"
    sources: tuple[str, ...] = ()
    compensate: float = 1.0  # output gain some MDX models need (UVR's "compensate")
    batch_size: int = 1

    @property
    def window_frames(self) -> int:
        """Samples (at ``sample_rate``) per model call."""
        return self.hop_length * (self.dim_t - 1) if self.layout == "mdx" else self.segment_frames

    @property
    def stems(self) -> tuple[str, ...]:
        if self.layout == "waveform" and "drums" in self.sources:
            return ("vocals", "accompaniment", "drums")
        return ("vocals", "accompaniment")


def _dim(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else -1


def _describe_io(session: Any) -> str:
    ins = ", ".join(f"{i.name}{list(i.shape)}" for i in session.get_inputs())
    outs = ", ".join(f"{o.name}{list(o.shape)}" for o in session.get_outputs())
    return f"inputs {ins}; outputs {outs}"


def detect_layout(session: Any, extra: dict[str, Any], name: str) -> ModelLayout:
    """Work out the layout from an onnxruntime session's I/O plus any manifest ``extra`` overrides.

    Raises
    ------
    SeparationModelError
        The graph is neither an MDX-Net nor a waveform separator.
    """
    inputs, outputs = session.get_inputs(), session.get_outputs()
    bad = SeparationModelError(
        f"model {name} is not a supported separator: want one float input [batch, 4, dim_f, dim_t] (MDX-Net) or "
        f"[batch, 2, samples] (waveform) and one output of the same layout; got {_describe_io(session)}")
    if len(inputs) != 1 or not outputs or "float" not in inputs[0].type:
        raise bad
    shape_in, shape_out = [_dim(d) for d in inputs[0].shape], [_dim(d) for d in outputs[0].shape]
    known = {k: v for k, v in extra.items() if k in ModelLayout.__dataclass_fields__}
    if "sources" in known:
        known["sources"] = tuple(known["sources"])
    try:
        if len(shape_in) == 4 and shape_in[1] == 4 and shape_out[:2] in ([-1, 4], [shape_in[0], 4]) \
                and len(shape_out) == 4:
            dim_f = known.pop("dim_f", shape_in[2])
            dim_t = known.pop("dim_t", shape_in[3])
            if dim_f <= 0 or dim_t <= 1:
                raise SeparationModelError(f"model {name}: dim_f/dim_t are dynamic; give them in the manifest")
            n_fft = known.pop("n_fft", 2 * dim_f)
            if dim_f > n_fft // 2 + 1:
                raise SeparationModelError(f"model {name}: dim_f {dim_f} exceeds n_fft/2+1 ({n_fft // 2 + 1})")
            known.pop("layout", None)
            return ModelLayout("mdx", dim_f=dim_f, dim_t=dim_t, n_fft=n_fft, **known)
        if len(shape_in) == 3 and shape_in[1] == 2 and len(shape_out) in (3, 4) and shape_out[-2] in (2, -1):
            segment = known.pop("segment_frames", shape_in[2] if shape_in[2] > 0 else DEFAULT_WAVEFORM_FRAMES)
            sources = known.pop("sources", DEMUCS_SOURCES if len(shape_out) == 4 else ())
            if len(shape_out) == 4 and shape_out[1] > 0 and shape_out[1] != len(sources):
                raise SeparationModelError(f"model {name} returns {shape_out[1]} sources but the manifest names "
                                           f"{len(sources)}")
            known.pop("layout", None)
            return ModelLayout("waveform", segment_frames=segment, sources=tuple(sources), **known)
    except TypeError as exc:
        raise SeparationModelError(f"model {name}: bad manifest extra ({exc})") from exc
    raise bad


class SeparationModel:
    """A loaded separation model: its manifest (given or synthesised) and layout.

    Use :func:`load_separation_model`; run with :meth:`separator` (any :class:`inference.backends.Backend`).
    """

    def __init__(self, manifest: Manifest, layout: ModelLayout) -> None:
        self.manifest, self.layout = manifest, layout

    @property
    def input_name(self) -> str:
        return self.manifest.inputs[0].name

    @property
    def output_name(self) -> str:
        return self.manifest.outputs[0].name

    def save_manifest(self) -> Path:
        """Write ``<model>.manifest.json`` beside the model with the detected I/O and layout (what a server needs).

        An existing manifest is kept as ``.bak``.
        """
        from dataclasses import asdict

        extra = {**asdict(self.layout), **self.manifest.extra}
        extra["sources"] = list(extra.get("sources", ()))
        self.manifest.extra = extra
        path = self.manifest.model_path.with_name(Path(self.manifest.file).stem + MANIFEST_SUFFIX)
        return self.manifest.save(path)

    def separator(self, backend: Backend | None = None, sr: int = DEFAULT_SR_HZ, channels: int = 2):
        """An :class:`audio.separation.Separator` for a file at ``sr`` Hz with ``channels`` channels."""
        from inference.separation_runner import ModelSeparator

        return ModelSeparator(self, backend or OnnxBackend(), sr, channels)


def load_separation_model(path: str | Path) -> SeparationModel:
    """Load ``FILE.onnx`` (with ``FILE.manifest.json`` beside it if present) or a manifest of kind "separation".

    Parameters
    ----------
    path : str or Path
        The ONNX file or its manifest.

    Returns
    -------
    SeparationModel

    Raises
    ------
    SeparationModelError
        Missing or unloadable file, a manifest of another kind, or I/O that is not a supported layout.
    """
    path = Path(path)
    if not path.is_file():
        raise SeparationModelError(f"model file not found: {path}")
    manifest_path = path if path.name.endswith(MANIFEST_SUFFIX) else path.with_name(path.stem + MANIFEST_SUFFIX)
    try:
        if manifest_path.is_file():
            manifest = Manifest.load(manifest_path)
            if manifest.kind != "separation":
                raise SeparationModelError(f"{manifest_path.name} describes a {manifest.kind!r} model, "
                                           "not a separation model")
        else:
            manifest = Manifest(kind="separation", model_id=path.stem, file=path.name, sha256=file_sha256(path))
            manifest.path = manifest_path
        session = _introspect(manifest.model_path)
    except SeparationModelError:
        raise
    except ManifestError as exc:
        raise SeparationModelError(str(exc)) from exc
    layout = detect_layout(session, manifest.extra, manifest.file)
    if not manifest.inputs:
        manifest.inputs = [_spec(session.get_inputs()[0])]
        manifest.outputs = [_spec(session.get_outputs()[0])]
    return SeparationModel(manifest, layout)


def _introspect(model_path: Path) -> Any:
    """A CPU session, only to read the graph's I/O (the backend makes its own for running)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # load fast, never run
    try:
        return ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime has its own exception types; a non-ONNX file lands here
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise SeparationModelError(f"cannot load model {model_path.name}: {first}") from exc


def _spec(node: Any) -> TensorSpec:
    return TensorSpec(node.name, "float32", [_dim(d) for d in node.shape])
