"""One progress bar for a whole AI job (pure Python, no Qt: :meth:`DraftController._progress` wraps it).

The drafter reports each stage's own fraction (``progress("model", 0.0)`` ... ``("model", 1.0)``), so passed to
the bar as it comes the bar filled to 100 % four times in one draft. :class:`JobProgress` turns a stage's fraction
into the job's: each stage of the job's ``stages`` has a share of the bar by its typical time (:data:`STAGE_S`),
the stage name stays in the label, and the value never goes back.

Typical times, measured on a 2-core CPU with the shipped models (two shared songs of 3-4 min, ``Drafter.draft``
of one and of five slots, ``simplify`` and ``arrows``): decoding the audio about 1 s, features 1.5-2 s, the onset
model 0.15 s plus 0.65 s a slot, picking rows 0.04 s a slot, the lane model 0.05 s plus 0.35 s a slot.
"""

from __future__ import annotations

from collections.abc import Sequence

#: stage -> (seconds, seconds per slot drafted in one batch), see the module docstring
STAGE_S: dict[str, tuple[float, float]] = {
    "decode audio": (1.0, 0.0),
    "features": (1.7, 0.0),
    "model": (0.15, 0.65),
    "decode": (0.0, 0.04),
    "lanes": (0.05, 0.35),
}
#: what each kind of request runs, in order (``Drafter.draft``, ``refine`` and ``variants``; ``simplify``;
#: ``arrows``)
DRAFT_STAGES = ("decode audio", "features", "model", "decode", "lanes")
SIMPLIFY_STAGES = ("decode audio", "features", "model")
ARROWS_STAGES = ("decode audio", "features", "lanes")


class JobProgress:
    """``(stage, fraction) -> the job's fraction in [0, 1]``, never lower than the last one.

    ``slots``: slots drafted in one batch (the model and lane stages grow with them). ``rounds``: how many times
    the job runs ``stages`` (one draft per timing group of a split-timing song; variants beside the best guess):
    each round has an equal part of the bar, and a stage earlier than the last one reported starts the next round.
    A round that starts past its first stage (the song's features were cached: no decoding) spreads the stages it
    runs over its whole part. A stage outside ``stages`` leaves the bar where it is."""

    def __init__(self, stages: Sequence[str] = DRAFT_STAGES, slots: int = 1, rounds: int = 1) -> None:
        self.stages = list(stages)
        n = max(1, slots)
        self.weights = [max(STAGE_S.get(s, (1.0, 0.0))[0] + STAGE_S.get(s, (1.0, 0.0))[1] * n, 1e-3)
                        for s in self.stages]
        self.rounds = max(1, rounds)
        self.round = 0
        self.origin: int | None = None  # the index of the stage this round started at
        self.last = -1  # the index of the last stage reported
        self.value = 0.0

    def __call__(self, stage: str, fraction: float) -> float:
        if stage not in self.stages:
            return self.value
        i = self.stages.index(stage)
        if self.origin is not None and i < self.last:  # the stages again: the next round
            self.round = min(self.round + 1, self.rounds - 1)
            self.origin = None
        if self.origin is None:
            self.origin = i
        self.last = i
        before = sum(self.weights[self.origin:i])
        span = sum(self.weights[self.origin:]) or 1.0
        within = (before + min(max(float(fraction), 0.0), 1.0) * self.weights[i]) / span
        self.value = max(self.value, min(1.0, (self.round + within) / self.rounds))
        return self.value
