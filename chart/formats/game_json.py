"""JSON game export: the chart as a game team loads it (schema: ``docs/game-format.md``).

Every note carries its lane, type, time in ms (float) and beat (float and exact ``"num/den"``); holds and rolls
carry their end. Each chart carries a ready-made timing map (``segments``: piecewise-linear beat <-> ms with
pauses as ``bpm: 0`` segments and warps as jumps) for drawing beat lines, and the exact timing it was computed
from (``exact``) so that the file reads back into the same song. Reading accepts our own files and hand-written
ones (exact strings optional, floats accepted); anything else is a :class:`ParseError` naming the JSON path.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from chart.disclosure import ai_record, credit_from_record
from chart.formats.display_segments import fake_index, never_judged
from chart.formats.errors import (
    MAX_CHARTS,
    MAX_INPUT_BYTES,
    MAX_LANES,
    MAX_METER,
    MAX_NOTES,
    ParseError,
    Unrepresentable,
    WriteError,
    check_size,
    meter_problems,
)
from chart.formats.json_display import display_only_problems
from chart.formats.json_timing import (
    as_list,
    as_object,
    as_pairs,
    exact_text,
    grid_beat,
    parse_exact,
    refuse_unencodable,
    tempo_unstated,
    timing_from_json,
    timing_to_json,
)
from chart.formats.json_translit import translit_json, with_translit
from chart.formats.notedata import PLAYER2
from chart.formats.osu_times import pruned_extra
from chart.formats.steps_types import DEFAULT_MODES, mode_lanes
from chart.formats.timing_tags import BeatRanges, in_warp
from chart.notes import Note, NoteKind, as_fraction
from chart.song import Chart, Slot, Song
from chart.stated_tempo import is_invented, mark_invented
from chart.timing import TimingData

NAME = "json"
FORMAT = "genelive-chart"
VERSION = 1


def dumps(song: Song) -> str:
    """The export as JSON text: UTF-8, keys in schema order, each flat object (a note, a segment) on one line,
    nested containers indented by one space, a newline at the end. Raises :class:`WriteError` on fatal
    :func:`problems` (a meter this reader would refuse)."""
    bad = [p for p in problems(song) if p.fatal]
    if bad:
        raise WriteError(".json", bad)
    translit, extra = translit_json(song.extra)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "song": {
            "title": song.title, "subtitle": song.subtitle, "artist": song.artist, **translit, "credit": song.credit,
            "audio": song.music,
            "preview_start_ms": _ms(song.sample_start), "preview_length_ms": _ms(song.sample_length),
            "preview_exact_s": [exact_text(song.sample_start), exact_text(song.sample_length)],
        },
        "timing": timing_to_json(song.timing, is_invented(song, song.timing)),
        "charts": [_chart_json(chart, song.timing_for(chart), chart.timing is not None,
                               is_invented(song, chart.timing)) for chart in song.charts],
        "extra": [list(p) for p in extra],
    }
    return _format(doc, 0) + "\n"


# json.dumps with these options builds an encoder per call; one per note added a third to an autosave's time
_FLAT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _format(value: Any, depth: int) -> str:
    """JSON with one line per flat object or list (one line per note), nested containers indented."""
    def flat(v: Any) -> bool:
        items = v.values() if isinstance(v, dict) else v
        return all(not isinstance(x, dict | list) for x in items)

    if not isinstance(value, dict | list) or flat(value):
        return _FLAT.encode(value)
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        body = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_format(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(body) + "\n" + " " * depth + "}"
    return "[\n" + ",\n".join(f"{pad}{_format(v, depth + 1)}" for v in value) + "\n" + " " * depth + "]"


def _ms(seconds: Fraction) -> float:
    return float(seconds * 1000)


def _chart_json(chart: Chart, timing: TimingData, own_timing: bool, invented: bool) -> dict[str, Any]:
    fakes = fake_index(timing)
    return {
        "mode": chart.mode, "lanes": chart.lanes,
        "difficulty": chart.slot.sm_name, "difficulty_index": int(chart.slot), "meter": chart.meter,
        "description": chart.description, "credit": chart.credit,
        "timing": timing_to_json(timing, invented) if own_timing else None,
        "notes": [_note_json(n, timing, fakes, t, e) for n, t, e in zip(chart.notes, *_times_ms(chart, timing),
                                                                         strict=True)],
        "extra": [list(p) for p in pruned_extra(chart, timing)],  # the osu! ms its notes still use
        **_ai_json(chart),
    }


def _ai_json(chart: Chart) -> dict[str, Any]:
    """``"ai"``, only for a chart whose credit discloses AI assistance (:mod:`chart.disclosure`; docs/game-format.md):
    the credit stays the one place it lives, this is its form a game reads without parsing text."""
    record = ai_record(chart.credit)
    return {} if record is None else {"ai": record}


def _times_ms(chart: Chart, timing: TimingData) -> tuple[list[float], list[float | None]]:
    """Head and end times in ms of every note (end None for notes without length): the floats of the exact times,
    for all notes at once (:meth:`TimingData.seconds_floats`: per-note Fraction arithmetic made autosaves of big
    charts freeze the editor for seconds)."""
    heads = timing.seconds_floats([n.beat for n in chart.notes], 1000)
    long = [n.end_beat for n in chart.notes if n.kind.has_length]
    it = iter(timing.seconds_floats(long, 1000))
    return heads, [next(it) if n.kind.has_length else None for n in chart.notes]


def _note_json(note: Note, timing: TimingData, fakes: BeatRanges, time_ms: float,
               end_ms: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": note.kind.value, "lane": note.lane,
        "time_ms": time_ms,
        "beat": float(note.beat), "beat_exact": exact_text(note.beat),
    }
    if note.kind.has_length:
        end = note.end_beat
        out["end_time_ms"] = end_ms
        out["end_beat"] = float(end)
        out["end_beat_exact"] = exact_text(end)
    if in_warp(timing, note.beat):
        out["warped"] = True  # StepMania never judges it: a game should treat it like a fake
    elif never_judged(timing, note.beat, fakes):
        out["fake_segment"] = True  # inside a #FAKES range: drawn, never judged
    return out


def problems(song: Song) -> list[Unrepresentable]:
    """The JSON export holds everything the model holds but what its reader refuses (fatal): a meter outside the
    range it takes (:func:`~chart.formats.errors.meter_problems`), a note outside its chart's lanes, lanes outside
    1..64 or contradicting the chart's mode (StepMania's or ``osu-mania-Nk``: :func:`mode_lanes_problem`). Listed (non-fatal): a routine
    chart's player 2, which is kept only as StepMania note data in the chart's ``extra`` (a game reads player 1's
    ``notes``); speed changes kept only as raw text (:mod:`chart.formats.json_display`)."""
    return meter_problems(song.charts) + _lanes_problems(song.charts) + [
        Unrepresentable(c.chart_id(), n.beat, f"lane {n.lane} outside the chart's {c.lanes} lanes", n)
        for c in song.charts for n in c.notes if not 0 <= n.lane < c.lanes] + [
        Unrepresentable(c.chart_id(), Fraction(0), f"player 2's notes of a routine chart are not in notes: kept as "
                        f"StepMania note data in extra {PLAYER2}", fatal=False)
        for c in song.charts if PLAYER2 in dict(c.extra)] + display_only_problems(song)


def _lanes_problems(charts: list[Chart]) -> list[Unrepresentable]:
    """Charts whose ``mode`` and ``lanes`` the reader refuses (fatal)."""
    out = []
    for c in charts:
        if not 1 <= c.lanes <= MAX_LANES:
            wrong: str | None = f"{c.lanes} lanes (a chart has 1 to {MAX_LANES})"
        else:
            wrong = mode_lanes_problem(c.mode, c.lanes)
        if wrong is not None:
            out.append(Unrepresentable(c.chart_id(), Fraction(0), f"{wrong}: the JSON reader refuses it (set the "
                                       f"chart's mode or lanes to match)"))
    return out


# ---------------------------------------------------------------------------------------------- reading
def loads(text: str, report: list[Unrepresentable] | None = None, max_bytes: int | None = MAX_INPUT_BYTES) -> Song:
    """Song from export JSON. Raises only :class:`ParseError` (with the JSON path of the bad value). ``max_bytes``:
    the size refused (None for the editor's own autosaves: JSON takes ~20x the bytes of a .ssc, and the note and
    chart counts stay limited)."""
    check_size(text, max_bytes)
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("JSON nested too deeply") from None
    except (ValueError, TypeError) as err:  # JSONDecodeError is a ValueError; also huge integer literals
        raise ParseError(f"not valid JSON: {err}") from None
    refuse_unencodable(doc, text)
    root = as_object(doc, "$")
    if root.get("format", FORMAT) != FORMAT:
        raise ParseError(f"$.format is {root.get('format')!r}, expected {FORMAT!r}")
    version = root.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise ParseError(f"$.version {version!r} is not supported (this reader knows version {VERSION})")
    meta = as_object(root.get("song", {}), "$.song")
    timing = timing_from_json(root.get("timing"), "$.timing") or TimingData()
    charts_json = as_list(root.get("charts", []), "$.charts", MAX_CHARTS)
    preview = as_list(meta.get("preview_exact_s", []), "$.song.preview_exact_s", 2)
    song = Song(
        title=_str(meta, "title", "$.song"), subtitle=_str(meta, "subtitle", "$.song"),
        artist=_str(meta, "artist", "$.song"), credit=_str(meta, "credit", "$.song"),
        music=_str(meta, "audio", "$.song"),
        sample_start=_seconds(meta, "preview_start_ms", preview[0] if preview else None, "$.song"),
        sample_length=_seconds(meta, "preview_length_ms", preview[1] if len(preview) > 1 else None, "$.song"),
        timing=timing,
        charts=[_chart(c, f"$.charts[{i}]", timing) for i, c in enumerate(charts_json)],
        extra=with_translit(as_pairs(root.get("extra", []), "$.extra"),
                            {key: _str(meta, key, "$.song") for key in ("title_translit", "artist_translit")}),
    )
    # the tempo a StepMania reader filled in stays marked through the editor's autosave (chart.stated_tempo)
    if tempo_unstated(root.get("timing")):
        mark_invented(song, timing)
    for chart, chart_json in zip(song.charts, charts_json, strict=True):
        if chart.timing is not None and tempo_unstated(chart_json.get("timing")):
            mark_invented(song, chart.timing)
    return song


def load_bytes(data: bytes, report: list[Unrepresentable] | None = None,
               max_bytes: int | None = MAX_INPUT_BYTES) -> Song:
    """Song from the bytes of an export file (UTF-8); ``max_bytes`` as in :func:`loads`."""
    check_size(data, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ParseError(f"not UTF-8 text (byte {err.start})") from None
    return loads(text, report, max_bytes)


def _no_constant(name: str) -> None:
    raise ParseError(f"{name} is not a number JSON allows")


def _chart(value: Any, path: str, song_timing: TimingData) -> Chart:
    c = as_object(value, path)
    own = timing_from_json(c.get("timing"), f"{path}.timing")
    slot = _slot(c, path)
    mode, lanes = _mode_and_lanes(c, path)
    notes_json = as_list(c.get("notes", []), f"{path}.notes", MAX_NOTES)
    notes = [_note(n, f"{path}.notes[{i}]", lanes) for i, n in enumerate(notes_json)]
    return Chart(mode=mode, slot=slot,
                 meter=_int(c.get("meter", 1), f"{path}.meter", -MAX_METER, MAX_METER),
                 description=_str(c, "description", path), credit=_ai_credit(c, path),
                 notes=notes, timing=own, lanes=lanes, extra=as_pairs(c.get("extra", []), f"{path}.extra"))


def _slot(c: dict, path: str) -> Slot:
    """The chart's slot from ``difficulty``, else ``difficulty_index``, else Edit; a pair that disagrees is refused,
    as a contradicting ``mode`` and ``lanes`` are."""
    slot_text = _str(c, "difficulty", path)
    index = c.get("difficulty_index")
    by_index = Slot(_int(index, f"{path}.difficulty_index", 0, len(Slot) - 1)) if index is not None else None
    if not slot_text:
        return Slot.EDIT if by_index is None else by_index
    try:
        slot = Slot.parse(slot_text)
    except ValueError:
        raise ParseError(f"{path}.difficulty {slot_text!r} is not a difficulty slot") from None
    if by_index is not None and by_index != slot:
        raise ParseError(f"{path}: difficulty {slot_text} does not fit its difficulty_index {index} "
                         f"({by_index.sm_name})")
    return slot


def _mode_and_lanes(c: dict, path: str) -> tuple[str, int]:
    """The chart's mode and lanes, the one left out derived from the other (the mode's lanes: StepMania's, N of
    ``osu-mania-Nk``, :func:`~chart.formats.steps_types.mode_lanes`; the usual mode of the lane count,
    :data:`~chart.formats.steps_types.DEFAULT_MODES`), so that an 8-lane chart without a mode is not a dance-single
    chart whose .sm/.ssc drops four lanes, nor a 12K map without ``lanes`` a 4-lane one. A contradiction is refused
    (:func:`mode_lanes_problem`, which the writer checks too)."""
    mode = _str(c, "mode", path)
    lanes = _int(c["lanes"], f"{path}.lanes", 1, MAX_LANES) if c.get("lanes") is not None else None
    wrong = mode_lanes_problem(mode, lanes)
    if wrong is not None:
        raise ParseError(f"{path}: {wrong}")
    if not mode:
        return (DEFAULT_MODES[lanes], lanes) if lanes is not None else ("dance-single", 4)
    return mode, lanes or mode_lanes(mode) or 4


def mode_lanes_problem(mode: str, lanes: int | None) -> str | None:
    """What the reader refuses in a chart's ``mode`` and ``lanes`` (None: nothing): no mode and a lane count without
    a usual mode, a lane count other than its mode's (StepMania's, or N of ``osu-mania-Nk``), or a mode whose own
    lane count no chart can have (``osu-mania-99k``: 1 to :data:`MAX_LANES`). One rule for the reader and the writer
    (:func:`problems`), so that an export (the editor's autosave too) never holds a chart its own reader refuses."""
    if not mode:
        if lanes is not None and lanes not in DEFAULT_MODES:
            return f"no mode, and {lanes} lanes have no usual one: give its mode (steps type)"
        return None
    own = mode_lanes(mode)
    if own is not None and not 1 <= own <= MAX_LANES:
        return f"mode {mode} has {own} lanes (a chart has 1 to {MAX_LANES})"
    if lanes is not None and own is not None and own != lanes:
        return f"lanes {lanes} does not fit its mode {mode} ({own} lanes)"
    return None


def _ai_credit(c: dict, path: str) -> str:
    """The chart's credit, with the AI marker its ``"ai"`` object asks for where a hand-written file left it out."""
    record = c.get("ai")
    if record is not None:
        _str(as_object(record, f"{path}.ai"), "model", f"{path}.ai")
    return credit_from_record(_str(c, "credit", path), record)


def _note(value: Any, path: str, lanes: int) -> Note:
    n = as_object(value, path)
    try:
        kind = NoteKind(n.get("type", "tap"))
    except ValueError:
        raise ParseError(f"{path}.type {n.get('type')!r} is not one of "
                         f"{', '.join(k.value for k in NoteKind)}") from None
    lane = _int(n.get("lane"), f"{path}.lane", 0, lanes - 1)
    beat = exact_or_float(n, "beat", path)
    length = Fraction(0)
    if kind.has_length:
        length = exact_or_float(n, "end_beat", path) - beat
        if length <= 0:
            raise ParseError(f"{path}: a {kind.value} needs end_beat after beat")
    return Note(beat, lane, kind, length)


def exact_or_float(obj: dict, key: str, path: str) -> Fraction:
    """``obj[key + "_exact"]`` ("num/den" or decimal) if present, else the float beat ``obj[key]`` (on the grid when
    it is a grid beat to within a double's rounding: :func:`chart.formats.json_timing.grid_beat`)."""
    exact = obj.get(f"{key}_exact")
    if exact is not None:
        return parse_exact(exact, f"{path}.{key}_exact")
    return grid_beat(_float(obj.get(key), f"{path}.{key}"))


def _float(value: Any, path: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(f"{path} must be a number, got {type(value).__name__}")
    if abs(value) > 10**9:
        raise ParseError(f"{path} out of range")
    return as_fraction(value)


def _seconds(meta: dict, key: str, exact: Any, path: str) -> Fraction:
    if exact is not None:
        return parse_exact(exact, f"{path}.preview_exact_s")
    return _float(meta.get(key, 0), f"{path}.{key}") / 1000


def _str(obj: dict, key: str, path: str) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        raise ParseError(f"{path}.{key} must be a string, got {type(value).__name__}")
    return value


def _int(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParseError(f"{path} must be an integer in {low}..{high}, got {str(value)[:40]}")
    return value
