"""Lane model: a small GRU over a chart's onset rows (DDC step-selection style), and its ONNX export.

Input per row: the row features of :func:`inference.lane_features.row_features` (timing, pooled audio, slot)
concatenated with the autoregressive history (previous arrows, previous holds, held lanes, and the chart
memories of its :class:`inference.lane_memory.HistoryLayout`: exact and permuted copy hints, rows whole beats
back, in-chart counts, foot state, rhythm ahead) and the n-gram's log-probabilities for the row, which also
start the arrow logits (the model learns corrections); every hint group adds a learned bonus to the class it
names. Teacher forcing in
training (the history comes from the reference chart); at inference :func:`inference.lanes.decode_rows` feeds
back its own choices one row at a time.

A GRU rather than DDC's LSTM: one state tensor instead of two makes the single-step ONNX graph simpler. One
recurrent layer (128) instead of DDC's two: on a 2-core CPU a second layer more than doubled the training time
per batch (measured), while the explicit history inputs (four previous rows, copy hints) already give the
model what a deeper recurrence would have to learn; an MLP over [GRU output, row embedding] adds capacity that
runs in parallel over the rows. The export is a single-step graph with the recurrent
state as an explicit input and output, so decoding costs one tiny graph call per row (batched over charts).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

from inference.lane_features import (
    COPY_CONTEXTS,
    HISTORY_DIM,
    HOLD_LENGTHS_BEAT,
    N_ARROW_CLASSES,
    N_LANES,
    ROW_DIM,
)
from inference.lane_memory import HINT, HINT_OFFSET

if TYPE_CHECKING:
    from training.lane_ensemble import LaneEnsemble

ONNX_OPSET = 17
NGRAM_SCALE = 5.0  # n-gram log-probabilities (about -10..0) scaled into the embedding's input range


@dataclass
class LaneModelConfig:
    """Sizes of :class:`LaneModel` (the defaults are the shipped model's)."""

    row_dim: int = ROW_DIM
    history_dim: int = HISTORY_DIM
    ngram_dim: int = N_ARROW_CLASSES
    embed: int = 96
    hidden: int = 128
    layers: int = 1
    head: int = 128
    dropout: float = 0.1
    n_lengths: int = len(HOLD_LENGTHS_BEAT)
    hint_groups: int = len(COPY_CONTEXTS)  # copy hints (exact, then permuted) from HINT_OFFSET of the history

    def to_dict(self) -> dict:
        return asdict(self)


class LaneModel(nn.Module):
    """Rows (B, T, row_dim) + history (B, T, history_dim) -> arrow, hold and length logits per row."""

    lane_values: torch.Tensor  # buffers (register_buffer), declared for the type checker
    class_masks: torch.Tensor

    def __init__(self, config: LaneModelConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or LaneModelConfig()
        self.embed = nn.Sequential(nn.Linear(cfg.row_dim + cfg.history_dim + cfg.ngram_dim, cfg.embed), nn.ReLU(),
                                   nn.Dropout(cfg.dropout))
        self.gru = nn.GRU(cfg.embed, cfg.hidden, cfg.layers, batch_first=True,
                          dropout=cfg.dropout if cfg.layers > 1 else 0.0)
        # The recurrent part stays small (its time loop is the CPU cost); a parallel MLP on [GRU state, row
        # embedding] carries the rest of the capacity.
        self.mix = nn.Sequential(nn.Linear(cfg.hidden + cfg.embed, cfg.head), nn.ReLU(), nn.Dropout(cfg.dropout))
        self.arrow_head = nn.Linear(cfg.head, N_ARROW_CLASSES)
        self.hold_head = nn.Linear(cfg.head, N_LANES)
        self.length_head = nn.Linear(cfg.head, cfg.n_lengths)
        # The arrow logits start from the n-gram's log-probabilities (a learned weight, 1 at first) and the
        # network learns corrections: it never has to re-learn the count table from a few hundred updates.
        self.ngram_weight = nn.Parameter(torch.ones(()))
        # Likewise each copy hint (the arrows that followed the same context earlier in the chart) adds a
        # learned bonus to its class, so "n-gram, overridden by a long exact repeat" is there from the start.
        self.copy_weight = nn.Parameter(torch.full((cfg.hint_groups,), 1.0))
        self.register_buffer("lane_values", 2 ** torch.arange(N_LANES, dtype=torch.float32), persistent=False)
        self.register_buffer("class_masks", torch.arange(1, N_ARROW_CLASSES + 1, dtype=torch.float32),
                             persistent=False)

    def forward(self, rows: torch.Tensor, history: torch.Tensor, ngram: torch.Tensor,
                state: torch.Tensor | None = None):
        """Logits for every row.

        Parameters
        ----------
        rows : Tensor, float32, shape (B, T, row_dim)
        history : Tensor, float32, shape (B, T, history_dim)
        ngram : Tensor, float32, shape (B, T, 15)
            Log-probabilities of the next arrow set from the n-gram (:class:`inference.lane_rules.NgramStepper`).
        state : Tensor, float32, shape (layers, B, hidden), optional
            Recurrent state before the first row (zeros when omitted).

        Returns
        -------
        arrow (B, T, 15), hold (B, T, 4), length (B, T, n_lengths) logits and the state after the last row.
        """
        x = self.embed(torch.cat([rows, history, ngram / NGRAM_SCALE], dim=-1))
        y, state_out = self.gru(x, state)
        y = self.mix(torch.cat([y, x], dim=-1))
        arrow = self.arrow_head(y) + self.ngram_weight * ngram + self._copy_bonus(history)
        return arrow, self.hold_head(y), self.length_head(y), state_out

    def _copy_bonus(self, history: torch.Tensor) -> torch.Tensor:
        """(B, T, 15): sum over copy hints of ``copy_weight[k]`` on the class each hint names (0 if none)."""
        k = self.config.hint_groups
        hints = history[..., HINT_OFFSET:HINT_OFFSET + k * HINT].reshape(*history.shape[:-1], k, HINT)
        mask = (hints[..., :N_LANES] * self.lane_values).sum(-1)  # (B, T, k) lane mask as a float
        onehot = (mask[..., None] == self.class_masks).float() * hints[..., N_LANES:]  # found flag
        return (onehot * self.copy_weight[:, None]).sum(-2)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())


class LaneStep(nn.Module):
    """One row for a batch of charts, with the recurrent state in and out: the graph that ships as ONNX."""

    def __init__(self, model: LaneModel | LaneEnsemble) -> None:
        super().__init__()
        self.model = model

    def forward(self, row: torch.Tensor, history: torch.Tensor, ngram: torch.Tensor, state: torch.Tensor):
        arrow, hold, length, state_out = self.model(row[:, None, :], history[:, None, :], ngram[:, None, :], state)
        return arrow[:, 0], hold[:, 0], length[:, 0], state_out


STEP_INPUTS = ("row", "history", "ngram", "state")
STEP_OUTPUTS = ("arrow_logits", "hold_logits", "length_logits", "state_out")


def export_step_onnx(model: LaneModel | LaneEnsemble, path: str | Path) -> Path:
    """Write the single-step graph (dynamic batch) to ``path`` atomically and return it.

    Inputs ``row`` (B, row_dim), ``history`` (B, history_dim), ``state`` (layers, B, hidden); outputs
    ``arrow_logits`` (B, 15), ``hold_logits`` (B, 4), ``length_logits`` (B, K), ``state_out`` like ``state``.
    """
    import io

    from chart.fileio import atomic_write_bytes

    cfg = model.config
    step = LaneStep(model).eval()
    example = (torch.zeros(2, cfg.row_dim), torch.zeros(2, cfg.history_dim), torch.zeros(2, cfg.ngram_dim),
               torch.zeros(cfg.layers, 2, cfg.hidden))
    buffer = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter warns that GRUs exported with batch > 1 need explicit initial states: ours
        # has them (``state``), and the parity tests run batch 1 and 5. Its deprecation notices are noise here.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(  # the stub omits the file-like targets the exporter takes
            step, example, buffer,  # type: ignore[arg-type]
            input_names=list(STEP_INPUTS), output_names=list(STEP_OUTPUTS),
            dynamic_axes={"row": {0: "B"}, "history": {0: "B"}, "ngram": {0: "B"}, "state": {1: "B"}, "arrow_logits": {0: "B"},
                          "hold_logits": {0: "B"}, "length_logits": {0: "B"}, "state_out": {1: "B"}},
            opset_version=ONNX_OPSET, dynamo=False,
        )
    return atomic_write_bytes(path, buffer.getvalue())


def step_tensor_specs(config: LaneModelConfig) -> tuple[list[dict], list[dict]]:
    """Manifest ``inputs`` and ``outputs`` of the step graph (``-1`` = dynamic batch)."""
    f = "float32"
    inputs = [
        {"name": "row", "dtype": f, "shape": [-1, config.row_dim],
         "doc": "inference.lane_features.row_features of the row"},
        {"name": "history", "dtype": f, "shape": [-1, config.history_dim],
         "doc": "inference.lane_features.history_features: previous rows, holds, held lanes, copy hints"},
        {"name": "ngram", "dtype": f, "shape": [-1, config.ngram_dim],
         "doc": "log-probabilities of the next arrow set from the shipped n-gram (extra.ngram)"},
        {"name": "state", "dtype": f, "shape": [config.layers, -1, config.hidden],
         "doc": "GRU state before the row (zeros at the first row)"},
    ]
    outputs = [
        {"name": "arrow_logits", "dtype": f, "shape": [-1, N_ARROW_CLASSES], "doc": "class c = lane mask c+1"},
        {"name": "hold_logits", "dtype": f, "shape": [-1, N_LANES], "doc": "hold head per lane (> 0: hold)"},
        {"name": "length_logits", "dtype": f, "shape": [-1, config.n_lengths],
         "doc": "hold length class, see extra.hold_lengths_beat"},
        {"name": "state_out", "dtype": f, "shape": [config.layers, -1, config.hidden], "doc": "state after"},
    ]
    return inputs, outputs
