"""Timing in the JSON game export: a game-ready map (``segments``, pauses, warps) plus the exact values.

``segments`` is the beat <-> time map as pieces: from ``start_ms`` on, ``beat = start_beat + (t - start_ms) *
bpm / 60000`` until the next piece. Stops and delays are pieces with ``bpm: 0`` (the beat stands still); a warp is
a piece that starts at the same ``start_ms`` as the one before it but at a later beat (the later piece applies).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from chart.formats.display_segments import read_entries, write
from chart.formats.errors import MAX_TIMING_ENTRIES, ParseError
from chart.formats.timing_tags import BeatRanges
from chart.formats.values import snap_row
from chart.notes import as_fraction
from chart.timing import TimingData

_EXACT = re.compile(r"-?\d{1,30}(?:/\d{1,30})?|-?\d{1,30}\.\d{1,30}")


def exact_text(value: Fraction) -> str:
    """``"num/den"`` (``"3/1"`` for whole numbers, so every exact value has one shape)."""
    value = value if isinstance(value, Fraction) else Fraction(value)  # (a copy per note was 1/10 of an autosave)
    return f"{value.numerator}/{value.denominator}"


def segments(timing: TimingData) -> list[dict[str, float]]:
    """The piecewise-linear map described in the module docstring, in time order."""
    stops = dict(_summed(timing.stops))
    delays = dict(_summed(timing.delays))
    warps = [(b, b + length) for b, length in timing.warps if length > 0]
    warped = BeatRanges.of(warps)  # one bisection per knot: songs with hundreds of warps exist
    knots = {b for b, _ in timing.bpms} | set(stops) | set(delays) | {b for w in warps for b in w}
    first = min(knots | {Fraction(0)})
    out: list[dict[str, float]] = []
    for beat in sorted(knots | {first}):
        if beat in warped and beat not in stops and beat not in delays:
            continue  # inside a warp no time passes: the piece after the warp starts at the same ms
        judged_s = timing.beat_to_seconds(beat)
        if beat in delays:
            out.append(_piece(beat, judged_s - delays[beat], Fraction(0)))
        if beat in stops:
            out.append(_piece(beat, judged_s, Fraction(0)))
        # After a pause inside a warp the piece lasts no time (the next one, at the warp's end, starts at the same
        # ms and applies from then on), so its tempo changes no time -> beat; it is there for the beat -> time rule
        # (docs/game-format.md: the last moving piece at or before a delay's beat gives its judged time).
        out.append(_piece(beat, judged_s + stops.get(beat, Fraction(0)), timing.bpm_at(beat)))
    if out and (out[0]["bpm"] == 0 or first in warped):  # a pause or warp on the first beat: a moving piece where
        # it begins, so that a loader extends the first piece backwards at the song's tempo (docs/game-format.md)
        start_ms = out[0]["start_ms"] if out[0]["bpm"] == 0 else float(timing.beat_to_seconds(first) * 1000)
        out.insert(0, {"start_beat": float(first), "start_ms": start_ms, "bpm": float(timing.bpm_at(first))})
    return out


def _piece(beat: Fraction, start_s: Fraction, bpm: Fraction) -> dict[str, float]:
    return {"start_beat": float(beat), "start_ms": float(start_s * 1000), "bpm": float(bpm)}


def _summed(pairs) -> list[tuple[Fraction, Fraction]]:
    out: dict[Fraction, Fraction] = {}
    for b, v in pairs:
        out[b] = out.get(b, Fraction(0)) + v
    return sorted(out.items())


def timing_to_json(timing: TimingData, invented: bool = False) -> dict[str, Any]:
    """The ``timing`` object of the export (schema in docs/game-format.md); ``invented``: its tempo is one a reader
    filled in (:mod:`chart.stated_tempo`), noted as ``"tempo_stated": false``."""
    t = timing.beat_to_seconds
    return {
        **({"tempo_stated": False} if invented else {}),
        "offset_ms": float(timing.offset * 1000),
        "beat0_ms": float(timing.beat0_s * 1000),
        "segments": segments(timing),
        "stops": [{"beat": float(b), "time_ms": float(t(b) * 1000), "duration_ms": float(s * 1000)}
                  for b, s in timing.stops],
        "delays": [{"beat": float(b), "time_ms": float((t(b) - s) * 1000), "duration_ms": float(s * 1000)}
                   for b, s in timing.delays],
        "warps": [{"beat": float(b), "time_ms": float(t(b) * 1000), "length_beats": float(n)}
                  for b, n in timing.warps],
        "time_signatures": [{"beat": float(b), "numerator": n, "denominator": d}
                            for b, n, d in timing.time_signatures],
        "scrolls": [{"beat": float(b), "time_ms": float(t(b) * 1000), "ratio": float(r)}
                    for b, r in read_entries("SCROLLS", dict(timing.extra).get("SCROLLS", ""))[0]],
        "exact": {
            "offset_s": exact_text(timing.offset),
            "bpms": [[exact_text(b), exact_text(v)] for b, v in timing.bpms],
            "stops": [[exact_text(b), exact_text(v)] for b, v in timing.stops],
            "delays": [[exact_text(b), exact_text(v)] for b, v in timing.delays],
            "warps": [[exact_text(b), exact_text(v)] for b, v in timing.warps],
            "time_signatures": [[exact_text(b), n, d] for b, n, d in timing.time_signatures],
            "extra": [list(p) for p in timing.extra],
        },
    }


def tempo_unstated(value: Any) -> bool:
    """Whether a ``timing`` object says its tempo was never stated (``"tempo_stated": false``)."""
    return isinstance(value, dict) and value.get("tempo_stated") is False


def timing_from_json(value: Any, path: str) -> TimingData | None:
    """TimingData from a ``timing`` object (``exact`` when present, else the float fields); None for null."""
    if value is None:
        return None
    obj = as_object(value, path)
    exact = obj.get("exact")
    try:
        if exact is not None:
            e = as_object(exact, f"{path}.exact")
            pairs = {name: [_exact_pair(p, f"{path}.exact.{name}[{i}]")
                            for i, p in enumerate(as_list(e.get(name, []), f"{path}.exact.{name}"))]
                     for name in ("bpms", "stops", "delays", "warps")}
            sigs = [_exact_sig(s, f"{path}.exact.time_signatures[{i}]")
                    for i, s in enumerate(as_list(e.get("time_signatures", []), f"{path}.exact.time_signatures"))]
            return TimingData(offset=parse_exact(e.get("offset_s", "0"), f"{path}.exact.offset_s"),
                              bpms=tuple(pairs["bpms"]) or ((Fraction(0), Fraction(120)),),
                              stops=tuple(pairs["stops"]), delays=tuple(pairs["delays"]),
                              warps=tuple(pairs["warps"]), time_signatures=tuple(sigs),
                              extra=tuple(as_pairs(e.get("extra", []), f"{path}.exact.extra")))
        return _from_floats(obj, path)
    except ParseError:
        raise
    except (ValueError, TypeError, ZeroDivisionError) as err:
        raise ParseError(f"{path}: {err}") from None


def _exact_pair(value: Any, path: str) -> tuple[Fraction, Fraction]:
    if not isinstance(value, list) or len(value) != 2:
        raise ParseError(f"{path} must be a [beat, value] pair")
    return parse_exact(value[0], f"{path}[0]"), parse_exact(value[1], f"{path}[1]")


def _exact_sig(value: Any, path: str) -> tuple[Fraction, int, int]:
    if not (isinstance(value, list) and len(value) == 3 and all(type(x) is int and 0 < x < 1000 for x in value[1:])):
        raise ParseError(f"{path} must be [beat, numerator, denominator] with positive integers")
    return parse_exact(value[0], f"{path}[0]"), value[1], value[2]


#: A beat read from a double within this of a 1/192-or-coarser fraction is that fraction (JSON has no 2/3).
GRID_TOLERANCE_BEATS = Fraction(1, 10**6)


def grid_beat(value: Fraction) -> Fraction:
    """A beat read from a double, on the chart grid when it is one there to within a double's rounding: ``0.666...``
    (shortest decimal 0.6666666666666666) is 2/3, which the .sm/.ssc writers accept; anything farther from every
    1/192 or coarser fraction stays as written."""
    near = value.limit_denominator(192)
    return near if abs(near - value) <= GRID_TOLERANCE_BEATS else value


def _beat(obj: dict, key: str, path: str) -> Fraction:
    return grid_beat(_number(obj, key, path))


def _number(obj: dict, key: str, path: str) -> Fraction:
    value = obj.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 10**9:
        raise ParseError(f"{path}.{key} must be a number")
    return as_fraction(value)


def _from_floats(obj: dict, path: str) -> TimingData:
    """Timing from the float fields only (hand-written files without ``exact``)."""
    bpms: list[tuple[Fraction, Fraction]] = []
    for i, seg in enumerate(as_list(obj.get("segments", []), f"{path}.segments", MAX_TIMING_ENTRIES)):
        if not isinstance(seg, dict):
            raise ParseError(f"{path}.segments[{i}] must be an object")
        bpm = _number(seg, "bpm", f"{path}.segments[{i}]")
        if bpm > 0 and (not bpms or bpms[-1][1] != bpm):  # pieces after pauses repeat the tempo
            bpms.append((_beat(seg, "start_beat", f"{path}.segments[{i}]"), bpm))

    def entries(name: str, key: str, scale: int) -> tuple[tuple[Fraction, Fraction], ...]:
        out = []
        for i, item in enumerate(as_list(obj.get(name, []), f"{path}.{name}", MAX_TIMING_ENTRIES)):
            if not isinstance(item, dict):
                raise ParseError(f"{path}.{name}[{i}] must be an object")
            value = _number(item, key, f"{path}.{name}[{i}]") / scale
            out.append((_beat(item, "beat", f"{path}.{name}[{i}]"), grid_beat(value) if name == "warps" else value))
        return tuple(out)

    sigs: list[tuple[Fraction, int, int]] = []
    for i, item in enumerate(as_list(obj.get("time_signatures", []), f"{path}.time_signatures", MAX_TIMING_ENTRIES)):
        where = f"{path}.time_signatures[{i}]"
        sig = as_object(item, where)
        n, d = sig.get("numerator"), sig.get("denominator")
        if not (isinstance(n, int) and isinstance(d, int) and all(type(x) is int and 0 < x < 1000 for x in (n, d))):
            raise ParseError(f"{where} needs numerator and denominator, positive integers below 1000")
        sigs.append((_beat(sig, "beat", where), n, d))
    return TimingData(offset=_number(obj, "offset_ms", path) / 1000, bpms=tuple(bpms) or ((Fraction(0), Fraction(120)),),
                      stops=entries("stops", "duration_ms", 1000), delays=entries("delays", "duration_ms", 1000),
                      warps=entries("warps", "length_beats", 1), time_signatures=tuple(sigs),
                      extra=_scrolls_extra(obj, path))


def _scrolls_extra(obj: dict, path: str) -> tuple[tuple[str, str], ...]:
    """``scrolls`` of a file without ``exact`` as the ``#SCROLLS`` text they came from (with ``exact``, its
    ``extra`` holds that text and ``scrolls`` is not read)."""
    scrolls = []
    for i, item in enumerate(as_list(obj.get("scrolls", []), f"{path}.scrolls", MAX_TIMING_ENTRIES)):
        where = f"{path}.scrolls[{i}]"
        scroll = as_object(item, where)
        scrolls.append((snap_row(_beat(scroll, "beat", where)), _number(scroll, "ratio", where)))
    try:
        return (("SCROLLS", write("SCROLLS", scrolls)),) if scrolls else ()
    except ValueError as err:
        raise ParseError(f"{path}.scrolls: {err}") from None


# ---------------------------------------------------------------------------------------------- validation
def parse_exact(value: Any, path: str) -> Fraction:
    """An exact value written as ``"num/den"`` or a decimal string."""
    if not isinstance(value, str) or not _EXACT.fullmatch(value.strip()):
        raise ParseError(f"{path} must be a string like \"3/4\" or \"0.75\", got {str(value)[:40]!r}")
    try:
        result = Fraction(value.strip())
    except ZeroDivisionError:
        raise ParseError(f"{path} divides by zero") from None
    if abs(result) > 10**9:
        raise ParseError(f"{path} out of range")
    return result


def as_object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise ParseError(f"{path} must be an object, got {type(value).__name__}")
    return value


def as_list(value: Any, path: str, limit: int = MAX_TIMING_ENTRIES) -> list:
    if not isinstance(value, list):
        raise ParseError(f"{path} must be a list, got {type(value).__name__}")
    if len(value) > limit:
        raise ParseError(f"{path} has more than {limit} entries")
    return value


def as_pairs(value: Any, path: str) -> list[tuple[str, str]]:
    out = []
    for i, item in enumerate(as_list(value, path)):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise ParseError(f"{path}[{i}] must be a [name, value] pair of strings")
        out.append((item[0], item[1]))
    return out


_SURROGATE = re.compile("\\\\u[dD][89a-fA-F][0-9a-fA-F]{2}|[\ud800-\udfff]")  # escaped, or raw


def refuse_unencodable(doc: Any, text: str) -> None:
    """ParseError naming the ``$.path`` of the first string (or key) that cannot be written as UTF-8: a lone
    surrogate escape (``"\\ud800"``), which ``json.loads`` accepts and every writer then fails on. The walk runs
    only when the text holds such an escape (a pair is fine), so ordinary files cost nothing."""
    if not _SURROGATE.search(text):
        return
    stack: list[tuple[Any, str]] = [(doc, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            _encodable(value, path)
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                _encodable(key, f"{path} key {key!r}")
                stack.append((item, f"{path}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{k}]") for k, item in reversed(list(enumerate(value))))


def _encodable(value: str, path: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ParseError(f"{path} holds {value[err.start:err.end]!a}, a lone UTF-16 surrogate that no text file "
                         f"can hold (a broken \\u escape): fix or remove it") from None
