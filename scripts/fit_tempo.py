"""Can a learned model choose the tempo level and beat phase better than audio.tempo's rule? (It could not.)

Usage::

    python scripts/fit_tempo.py [--songs ../shared/data/charts] [--cache runs/tempo_env] [--rebuild]

Data: every song of ``--songs``. The 51 songs with one constant BPM (``scripts/eval_tempo.py``) are the
evaluation set; from the other songs, every stretch of at least ``MIN_SEGMENT_S`` seconds between tempo
changes, stops, delays and warps is cut out of the onset envelope and used as extra training data (never for
the figure). For each song or stretch :func:`audio.tempo.tempo_hypotheses` lists the (BPM, phase) hypotheses
(every tempo level, each at its strongest folded phase and half a beat away); one is right when it meets the
evaluation's tolerances (BPM within 0.5 %, beat phase within 10 ms). Where none is right the ones with the
right BPM are the target, so the tempo level is still learned. The features (:func:`features`) describe the
level and the phase beyond the rule's salience and BPM prior.

Model: conditional logit (softmax over one song's hypotheses) with an L2 penalty, on standardised features.
The feature set (a short menu, ``MENU``) and the L2 strength are chosen by a 5-fold cross-validation over
song groups (a song and its stretches stay together), counting right hypotheses (ties: the earlier menu
entry, the stronger L2). The reported figure is leave-one-song-out over the 51 evaluation songs, with that
choice repeated inside every fold without the held-out song. The script also prints the facts the rule's
constants rest on: BPM hits against the salience weight on the songs and, separately, on the stretches, and
how often the authored beat is half a beat from the strongest phase. Results: ``docs/tempo.md``.

Uses audio.tempo's private fold helpers on purpose: the features are an experiment, not shipped code.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import pickle
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MIN_SEGMENT_S = 30.0
L2_GRID = (10.0, 3.0, 1.0, 0.3)  # strongest first (preferred on ties)
FEATURES = (
    "log_salience", "log_prior", "strongest_phase", "round_bpm", "duple_gain", "quadruple_gain",
    "onsets_per_beat", "subdivision", "alternation", "beat_over_half_low", "beat_over_half_mid",
    "beat_over_half_high",
)
BASE = FEATURES[:3]  # what the rule uses (the rule's weights are 12, 1 and -HALF_BEAT_LOG_ODDS)
MENU = (BASE, (*BASE, "round_bpm"), (*BASE, "round_bpm", "duple_gain", "quadruple_gain"), FEATURES)
BANDS = {"low": slice(0, 2), "mid": slice(2, 5), "high": slice(5, 8)}  # onset groups: <150 Hz, to 1.5 kHz, above
STRENGTH_SMOOTH_S = 0.005  # compares whole onsets, not their peaks
ONSET_RATE_HZ = 100.0
ONSET_DELTA = 0.1  # an onset rises above its 1-s mean by this fraction of the loud onsets' height
INNER_FOLDS = 5
FEATURE_CACHE = REPO / "runs" / "tempo_hypotheses.pkl"


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_tempo", REPO / "scripts" / "eval_tempo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _segments(timing) -> list[tuple[float, float, float, float]]:
    """(start_s, end_s, bpm, a beat's time in s) of each stretch of ``timing`` free of tempo events."""
    events = {Fraction(0)} | {b for b, _ in timing.bpms} | {b for b, _ in timing.stops} | \
        {b for b, _ in timing.delays} | {b for b, _ in timing.warps} | {b + n for b, n in timing.warps}
    edges = sorted(events)
    out = []
    for b0, b1 in zip(edges, edges[1:] + [Fraction(10 ** 6)]):
        first, last = math.floor(b0) + 1, math.ceil(b1) - 1  # whole beats strictly inside, clear of the event
        if last - first < 8:
            continue
        start_s = float(timing.beat_to_seconds(first))
        end_s = float(timing.beat_to_seconds(last)) if b1 < 10 ** 6 else float("inf")
        out.append((start_s, end_s, float(timing.bpm_at(first)), start_s))
    return out


def _other_songs(ev, root: Path, constant: set[str]) -> list[tuple[str, Path, object]]:
    from chart.formats import registry

    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in constant):
        chart = ev._chart_file(folder)
        if chart is None:
            continue
        try:
            song = registry.load(chart)
        except Exception as exc:  # a chart the reader rejects is skipped, as in eval_tempo
            print(f"skip {folder.name}: {exc}", file=sys.stderr)
            continue
        timings = {song.timing_for(c) for c in song.charts if c.mode == "dance-single"} or {song.timing}
        if len(timings) == 1 and song.audio_path() is not None:
            out.append((folder.name, song.audio_path(), song.timing))
    return out


def onset_rate_hz(env: np.ndarray, rate_hz: float) -> float:
    """Onsets per second: local maxima (30 ms) of the envelope at 100 Hz rising ``ONSET_DELTA`` times the
    height of the loud onsets (99th percentile over the median) above the mean of the surrounding second."""
    factor = max(1, int(round(rate_hz / ONSET_RATE_HZ)))
    n = env.size // factor * factor
    if n < 3 * factor:
        return 0.0
    x = env[:n].reshape(-1, factor).mean(axis=1)
    local = np.convolve(x, np.ones(int(ONSET_RATE_HZ)) / ONSET_RATE_HZ, mode="same")
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, 3, constant_values=-np.inf), 7)
    floor = local + ONSET_DELTA * (np.percentile(x, 99) - np.median(x))
    return float(((x >= windows.max(axis=1)) & (x > floor) & (x > 0)).sum() / (n / rate_hz))


def features(env: np.ndarray, rate_hz: float, t0_s: float) -> tuple[list, np.ndarray]:
    """Hypotheses of one envelope [groups, n] and their :data:`FEATURES` [n_hyps, n_features]."""
    from audio import tempo as T

    folder = T._Folder(env, rate_hz, t0_s)
    if folder.duration_s < T.MIN_DURATION_S or not np.any(folder.env > 0):
        return [], np.zeros((0, len(FEATURES)))
    groups = np.maximum(env - T._running_mean(env, int(round(0.1 * rate_hz))), 0.0)
    groups = groups / np.maximum(groups.mean(axis=1, keepdims=True), 1e-12)
    bands = np.stack([groups[rows].sum(axis=0) for rows in BANDS.values()] + [folder.env])
    onsets = onset_rate_hz(folder.env, rate_hz)
    hyps = T._hypotheses(folder)
    rows, cache = [], {}
    for h in hyps:
        period = 60.0 / h.bpm
        if h.bpm not in cache:
            prof = T._fold(bands, folder.times, period, 0.001, STRENGTH_SMOOTH_S)
            prof2 = T._fold(bands[-1:], folder.times, 2 * period, 0.001, STRENGTH_SMOOTH_S)
            gains = [math.log(max(folder.salience(k * period), 1e-9) / max(h.salience, 1e-9)) for k in (2, 4)]
            cache[h.bpm] = (prof / prof.mean(axis=1, keepdims=True), prof2[0] / prof2[0].mean(), gains)
        prof, prof2, gains = cache[h.bpm]

        def at(p: np.ndarray, per: float, t: float) -> np.ndarray:
            return p[..., int(round((t % per) / per * p.shape[-1])) % p.shape[-1]] + 1e-6

        beat, half = at(prof, period, h.offset_s), at(prof, period, h.offset_s + period / 2)
        quarter = 0.5 * (at(prof[-1], period, h.offset_s + period / 4) + at(prof[-1], period, h.offset_s - period / 4))
        rows.append([math.log(max(h.salience, 1e-9)), T._log_prior(h.bpm), float(h.strongest),
                     float(abs(h.bpm - round(h.bpm)) < 1e-9), *gains, math.log2(max(onsets * period, 1e-3)),
                     math.log(quarter / beat[-1]),
                     abs(math.log(at(prof2, 2 * period, h.offset_s) / at(prof2, 2 * period, h.offset_s + period))),
                     *np.log(beat[:3] / half[:3])])
    return hyps, np.array(rows, dtype=np.float64)


def _table(env: np.ndarray, rate_hz: float, t0_s: float, bpm_true: float, beat_s: float, score_song) -> dict:
    hyps, x = features(env, rate_hz, t0_s)
    rows = [score_song(bpm_true, beat_s, h.bpm, h.offset_s) for h in hyps]
    return {"X": x, "ok": np.array([r["ok"] for r in rows]), "bpm_ok": np.array([r["bpm_ok"] for r in rows]),
            "rows": rows, "bpm": np.array([h.bpm for h in hyps])}


def build(root: Path, cache: Path | None) -> tuple[dict, dict]:
    """Hypothesis tables {name: table} of the evaluation songs and of the extra training stretches."""
    ev = _eval_module()
    songs, extra = {}, {}
    constant = ev.constant_songs(root)
    for name, audio, bpm, beat0 in constant:
        env, rate, t0 = ev._envelope(audio, cache, name)
        songs[name] = _table(env, rate, t0, bpm, beat0, ev.score_song)
        print(f"song {name[:60]}: {len(songs[name]['ok'])} hypotheses", flush=True)
    for name, audio, timing in _other_songs(ev, root, {c[0] for c in constant}):
        env, rate, t0 = ev._envelope(audio, cache, name)
        for k, (start_s, end_s, bpm, beat_s) in enumerate(_segments(timing)):
            i0 = max(0, int(math.ceil((start_s - t0) * rate)))
            i1 = min(env.shape[1], int((min(end_s, 1e9) - t0) * rate))
            if (i1 - i0) / rate < MIN_SEGMENT_S:
                continue
            table = _table(env[:, i0:i1], rate, t0 + i0 / rate, bpm, beat_s, ev.score_song)
            if table["rows"]:
                extra[f"{name}#{k}"] = table
                print(f"stretch {name[:50]}#{k} {bpm:.2f} BPM {(i1 - i0) / rate:.0f} s", flush=True)
    return songs, extra


def fit(tables: list[dict], l2: float, features: tuple[str, ...]):
    """Conditional-logit weights fitted to ``tables`` using ``features`` (the others get weight 0);
    a function scoring a [n, n_features] matrix."""
    from scipy.optimize import minimize

    cols = [FEATURES.index(f) for f in features]
    usable = [t for t in tables if t["bpm_ok"].any()]
    x = np.concatenate([t["X"][:, cols] for t in usable])
    mean, scale = x.mean(axis=0), np.maximum(x.std(axis=0), 1e-6)
    z = (x - mean) / scale
    # Where no hypothesis is right the right-BPM ones are the target: the tempo level is still learned.
    target = np.concatenate([t["ok"] if t["ok"].any() else t["bpm_ok"] for t in usable]).astype(np.float64)
    sizes = np.array([len(t["ok"]) for t in usable])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    group = np.repeat(np.arange(sizes.size), sizes)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ w
        p = np.exp(s - np.maximum.reduceat(s, starts)[group])
        all_sum, ok_sum = np.add.reduceat(p, starts), np.add.reduceat(p * target, starts)
        value = float(np.sum(np.log(all_sum) - np.log(ok_sum))) + 0.5 * l2 * float(w @ w)
        resp = p / all_sum[group] - p * target / ok_sum[group]
        return value, z.T @ resp + l2 * w

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B").x
    full_mean, full_scale, full_w = np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES))
    full_mean[cols], full_scale[cols], full_w[cols] = mean, scale, w
    return lambda x: ((x - full_mean) / full_scale) @ full_w


def pick(table: dict, model) -> int:
    """Index of the hypothesis ``model`` (a scoring function) ranks first."""
    return int(np.argmax(model(table["X"])))


def _groups(tables: dict[str, dict]) -> dict[str, list[str]]:
    """Song name -> its table names (a song, or the stretches of one song)."""
    out: dict[str, list[str]] = {}
    for name in sorted(tables):
        out.setdefault(name.split("#")[0], []).append(name)
    return out


def choose(tables: dict[str, dict]) -> tuple[tuple[str, ...], float]:
    """(features, L2) with the most right hypotheses in a 5-fold CV over song groups of ``tables``."""
    groups = sorted(_groups(tables).items())
    folds = [[n for _, names in groups[k::INNER_FOLDS] for n in names] for k in range(INNER_FOLDS)]
    best, best_hits = (MENU[0], L2_GRID[0]), -1
    for features in MENU:
        for l2 in L2_GRID:
            hits = 0
            for held in folds:
                model = fit([t for n, t in tables.items() if n not in held], l2, features)
                hits += sum(bool(tables[n]["ok"][pick(tables[n], model)]) for n in held)
            if hits > best_hits:
                best, best_hits = (features, l2), hits
    return best


def cross_validate(songs: dict, extra: dict) -> dict[str, int]:
    """Leave-one-song-out: the hypothesis each held-out song gets from a model chosen and fitted without it."""
    chosen = {}
    for name in sorted(songs):
        train = {n: t for n, t in {**songs, **extra}.items() if n != name}
        features, l2 = choose(train)
        chosen[name] = pick(songs[name], fit(list(train.values()), l2, features))
        row = songs[name]["rows"][chosen[name]]
        print(f"{'ok ' if row['ok'] else 'MISS'} {name[:56]:56s} {len(features)} features, l2 {l2:4.1f}: "
              f"{songs[name]['bpm'][chosen[name]]:8.3f} BPM, phase {row['phase_signed_ms']:+7.1f} ms", flush=True)
    return chosen


def _hits(songs: dict, chosen: dict[str, int]) -> dict:
    rows = [songs[n]["rows"][i] for n, i in chosen.items()]
    return {"n": len(rows), "ok": sum(r["ok"] for r in rows), "bpm_ok": sum(r["bpm_ok"] for r in rows),
            "phase_ok": sum(r["phase_ok"] for r in rows), "octave": sum(r["octave"] is not None for r in rows)}


def _load_or_build(root: Path, cache: Path | None, rebuild: bool) -> tuple[dict, dict]:
    if FEATURE_CACHE.is_file() and not rebuild:
        with FEATURE_CACHE.open("rb") as f:
            return pickle.load(f)
    songs, extra = build(root, cache)
    FEATURE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    with FEATURE_CACHE.open("wb") as f:
        pickle.dump((songs, extra), f)
    return songs, extra


def rule(salience_weight: float):
    """audio.tempo's score as a function of :data:`FEATURES`."""
    from audio.tempo import HALF_BEAT_LOG_ODDS

    return lambda x: salience_weight * x[:, 0] + x[:, 1] + HALF_BEAT_LOG_ODDS * (1 - x[:, 2])


def half_beat_counts(tables: dict) -> tuple[int, int]:
    """(tables whose right hypothesis is the half-beat phase, tables with a right hypothesis at all)."""
    right = [t for t in tables.values() if t["ok"].any()]
    return sum(not t["X"][np.flatnonzero(t["ok"])[0], 2] for t in right), len(right)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--songs", type=Path, default=REPO.parent / "shared" / "data" / "charts")
    ap.add_argument("--cache", type=Path, default=None, help="folder for cached onset envelopes (development)")
    ap.add_argument("--rebuild", action="store_true", help=f"recompute the hypotheses cached in {FEATURE_CACHE}")
    args = ap.parse_args(argv)
    if not args.songs.is_dir():
        print(f"error: song folder not found: {args.songs}", file=sys.stderr)
        return 2
    songs, extra = _load_or_build(args.songs, args.cache, args.rebuild)
    print(f"{len(songs)} evaluation songs, {len(extra)} stretches of {len(_groups(extra))} other songs")
    half, right = half_beat_counts({**songs, **extra})
    print(f"authored beat half a beat from the strongest phase: {half} of {right} songs/stretches with a right "
          "hypothesis")
    for weight in (4.0, 8.0, 10.0, 12.0, 16.0, 24.0):
        on_songs = _hits(songs, {n: pick(t, rule(weight)) for n, t in songs.items()})
        on_extra = _hits(extra, {n: pick(t, rule(weight)) for n, t in extra.items()})
        print(f"rule, salience weight {weight:4.1f}: songs {on_songs}  stretches {on_extra}")
    print("leave-one-song-out, learned:", _hits(songs, cross_validate(songs, extra)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
