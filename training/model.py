"""Onset model: a GenéLive-style multi-scale conv stack, beat guide, slot embedding and refine conditioning.

Shape of the network (``B`` rows, ``T`` frames at ~100 frames/s):

1. **Audio encoder** (slot-independent, so training runs it once per crop and shares it across the crop's
   difficulty slots): a 1-D conv trunk over the log-mel channels, then parallel branches that max-pool time
   by 1x, 16x, 64x and 128x (~10 ms, 0.16 s, 0.64 s, 1.3 s per step; with two k=3 convs the 128x branch
   sees ~6 s of context), are upsampled back to ``T`` and concatenated.
2. **Head** (per row): encoder output + beat-guide channels + learned difficulty-slot embedding + refine
   conditioning (the lower chart's onset train through a small conv, a learned embedding of its slot, its
   density in notes/s, and the presence flag, all multiplied by ``cond_present`` so that absent conditioning
   is exactly zero) ->
   bidirectional GRU -> linear -> one logit per frame.

The ONNX graph (:class:`OnsetExportWrapper`) takes the fixed contract inputs and returns sigmoid
probabilities. Ablation switches in :class:`OnsetModelConfig` turn off the beat guide, the pooled branches,
or the conditioning while keeping every input of the contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

ABLATIONS = ("none", "no-beat-guide", "no-multiscale", "no-cond")


@dataclass
class OnsetModelConfig:
    """Hyperparameters and ablation switches of :class:`OnsetModel`."""

    n_features: int = 240
    n_guide: int = 6
    n_slots: int = 5
    trunk_channels: int = 96
    branch_channels: int = 48
    scales: list[int] = field(default_factory=lambda: [1, 16, 64, 128])
    slot_dim: int = 8
    cond_channels: int = 4
    rnn_hidden: int = 80
    rnn_layers: int = 2
    rnn_stride: int = 2
    out_hidden: int = 32
    dropout: float = 0.2
    use_beat_guide: bool = True
    multiscale: bool = True
    conditioning: bool = True
    cond_density: bool = True  # feed the lower chart's notes/s (whole input) as a per-row feature

    @classmethod
    def for_ablation(cls, ablation: str, **overrides) -> OnsetModelConfig:
        """Config with one component switched off (``none`` = the full model)."""
        if ablation not in ABLATIONS:
            raise ValueError(f"unknown ablation {ablation!r} (choose from {', '.join(ABLATIONS)})")
        cfg = cls(**overrides)
        cfg.use_beat_guide = ablation != "no-beat-guide"
        cfg.multiscale = ablation != "no-multiscale"
        cfg.conditioning = ablation != "no-cond"
        return cfg

    def to_dict(self) -> dict:
        return asdict(self)


def _conv(c_in: int, c_out: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, kernel_size=3, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm1d(c_out),
        nn.ReLU(inplace=True),
    )


class _Branch(nn.Module):
    """Max-pool time by ``scale``, two convs at the pooled rate, repeat each step back to frame rate."""

    def __init__(self, c_in: int, c_out: int, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.body = nn.Sequential(_conv(c_in, c_out), _conv(c_out, c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [B, C, T] -> [B, C_out, T]
        if self.scale == 1:
            return self.body(x)
        t = x.shape[-1]
        pooled = F.max_pool1d(x, kernel_size=self.scale, stride=self.scale, ceil_mode=True)
        y = self.body(pooled)
        # Gather instead of interpolate: exact nearest-step upsampling that exports with a dynamic T.
        idx = torch.div(torch.arange(t, device=x.device), self.scale, rounding_mode="floor")
        return y.index_select(2, idx)


class OnsetModel(nn.Module):
    """Per-frame onset logits for (audio, beat guide, slot, optional lower chart)."""

    def __init__(self, config: OnsetModelConfig | None = None) -> None:
        super().__init__()
        cfg = config or OnsetModelConfig()
        self.config = cfg
        c = cfg.trunk_channels
        self.trunk = nn.Sequential(
            _conv(cfg.n_features, c), _conv(c, c), _conv(c, c, dilation=2),
        )
        scales = cfg.scales if cfg.multiscale else [1]
        # Without multi-scale, one branch gets the width of all branches so the ablation keeps capacity.
        width = cfg.branch_channels if cfg.multiscale else cfg.branch_channels * len(cfg.scales)
        self.branches = nn.ModuleList([_Branch(c, width, s) for s in scales])
        self.encoder_channels = width * len(scales)
        self.slot_embedding = nn.Embedding(cfg.n_slots, cfg.slot_dim)
        self.cond_slot_embedding = nn.Embedding(cfg.n_slots, cfg.slot_dim)
        self.cond_conv = nn.Conv1d(1, cfg.cond_channels, kernel_size=5, padding=2)
        head_in = (self.encoder_channels + cfg.n_guide + cfg.cond_channels + 2 * cfg.slot_dim + 1
                   + int(cfg.cond_density))
        self.head_in = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(head_in, 2 * cfg.rnn_hidden),
                                     nn.ReLU(inplace=True))
        self.rnn = nn.GRU(2 * cfg.rnn_hidden, cfg.rnn_hidden, num_layers=cfg.rnn_layers, batch_first=True,
                          bidirectional=True, dropout=cfg.dropout if cfg.rnn_layers > 1 else 0.0)
        # The GRU runs at frame_rate / rnn_stride (the costly part on CPU); the output layer sees the GRU
        # state next to the full-rate encoding so onsets keep 10 ms resolution.
        self.out = nn.Sequential(
            nn.Dropout(cfg.dropout), nn.Linear(2 * cfg.rnn_hidden + head_in, cfg.out_hidden),
            nn.ReLU(inplace=True), nn.Linear(cfg.out_hidden, 1),
        )

    def encode(self, features: torch.Tensor) -> torch.Tensor:
        """Slot-independent audio encoding: features [B, T, C] -> [B, T, encoder_channels]."""
        x = self.trunk(features.transpose(1, 2))
        return torch.cat([b(x) for b in self.branches], dim=1).transpose(1, 2)

    def head(
        self,
        encoded: torch.Tensor,
        beat_guide: torch.Tensor,
        difficulty: torch.Tensor,
        cond_onsets: torch.Tensor,
        cond_difficulty: torch.Tensor,
        cond_present: torch.Tensor,
    ) -> torch.Tensor:
        """Per-row logits [B, T] from an encoding [B, T, E] and the row's other inputs (contract shapes)."""
        cfg = self.config
        b, t, _ = encoded.shape
        if not cfg.use_beat_guide:
            beat_guide = beat_guide * 0.0
        present = cond_present.to(encoded.dtype)
        if not cfg.conditioning:
            present = present * 0.0
        cond_feat = F.relu(self.cond_conv((cond_onsets * present[:, None])[:, None, :])).transpose(1, 2)
        cond_slot = self.cond_slot_embedding(cond_difficulty.clamp(0, cfg.n_slots - 1)) * present[:, None]
        slot = self.slot_embedding(difficulty.clamp(0, cfg.n_slots - 1))
        rows = [slot, cond_slot, present[:, None]]
        if cfg.cond_density:
            # The lower chart's density over the whole input (~notes/s at 100 frames/s) tells the model the
            # author's density style, which a 16-s training crop or the GRU state alone cannot.
            rows.append(torch.log1p(cond_onsets.mean(dim=1, keepdim=True) * 100.0) * present[:, None])
        per_row = torch.cat(rows, dim=1)  # [B, 2 * slot_dim + 1 (+ 1)]
        x = torch.cat([encoded, beat_guide, cond_feat, per_row[:, None, :].expand(b, t, per_row.shape[1])],
                      dim=2)
        k = cfg.rnn_stride
        z = x
        if k > 1:
            z = F.avg_pool1d(x.transpose(1, 2), kernel_size=k, stride=k, ceil_mode=True).transpose(1, 2)
        y, _ = self.rnn(self.head_in(z))
        if k > 1:
            y = y.index_select(1, torch.div(torch.arange(t, device=y.device), k, rounding_mode="floor"))
        return self.out(torch.cat([y, x], dim=2)).squeeze(-1)

    def forward(self, features, beat_guide, difficulty, cond_onsets, cond_difficulty, cond_present):
        """Logits [B, T]; inputs as in the ONNX contract (see module docstring)."""
        return self.head(self.encode(features), beat_guide, difficulty, cond_onsets, cond_difficulty,
                         cond_present)


class OnsetEnsemble(nn.Module):
    """Several onset models whose probabilities are averaged; same interface as :class:`OnsetModel`.

    ``encode`` concatenates the members' encodings and ``head`` splits them again, so training-side code that
    encodes once per song and runs the head per row works unchanged. The head returns the logit of the mean
    probability (so ``sigmoid(head(...))`` is the ensemble probability).
    """

    def __init__(self, members: list[OnsetModel]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one model")
        self.members = nn.ModuleList(members)
        self.config = members[0].config
        self.encoder_channels = sum(m.encoder_channels for m in members)

    def member_models(self) -> list[OnsetModel]:
        """The members, typed (iterating the ModuleList gives plain modules to the type checker)."""
        return [m for m in self.members if isinstance(m, OnsetModel)]

    def encode(self, features: torch.Tensor) -> torch.Tensor:
        return torch.cat([m.encode(features) for m in self.member_models()], dim=2)

    def head(self, encoded, beat_guide, difficulty, cond_onsets, cond_difficulty, cond_present) -> torch.Tensor:
        parts = torch.split(encoded, [m.encoder_channels for m in self.member_models()], dim=2)
        probs = torch.stack([torch.sigmoid(m.head(e, beat_guide, difficulty, cond_onsets, cond_difficulty,
                                                  cond_present)) for m, e in zip(self.member_models(), parts)])
        p = probs.mean(dim=0).clamp(1e-6, 1 - 1e-6)
        return torch.log(p / (1 - p))

    def forward(self, features, beat_guide, difficulty, cond_onsets, cond_difficulty, cond_present):
        return self.head(self.encode(features), beat_guide, difficulty, cond_onsets, cond_difficulty,
                         cond_present)


class OnsetExportWrapper(nn.Module):
    """The ONNX graph: the contract inputs -> ``onset_prob`` = sigmoid(logits), float32 [B, T]."""

    def __init__(self, model: OnsetModel | OnsetEnsemble) -> None:
        super().__init__()
        self.model = model

    def forward(self, features, beat_guide, difficulty, cond_onsets, cond_difficulty, cond_present):
        return torch.sigmoid(self.model(features, beat_guide, difficulty, cond_onsets, cond_difficulty,
                                        cond_present))


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
