"""osu!mania hitsounds: each hit object's ``hitSound`` and ``hitSample``, and each red line's sample settings.

Split from :mod:`chart.formats.osu_mania`. Our model has no sounds, so they are kept as extras **keyed by beat**
(not by ms), so that a timing edit (offset nudge, BPM change) keeps every sound on its note and red line:

* ``HitObjects.hitsounds`` (the chart's ``extra``): one line ``beat,lane,hitSound,hitSample`` per hit object whose
  sound is not the default (``0`` and ``0:0:0:0:``); a hold's ``hitSample`` is the part after its end time (its
  end samples). Written back for the notes still at that beat and lane; a note added in the editor gets the
  defaults, and Edit > Hitsounds changes them (:func:`set_sounds`, :mod:`chart.hitsound_edit`). An editor edit
  carries the sounds with their notes (:func:`follow_edit`: a move, mirror, shift...); the sound of a note deleted
  or replaced is kept as a lost line that no other note can take, and at Save ``problems`` counts those and any
  other sound whose note is gone.
* ``TimingPoints.red`` (the song's ``extra``): each red line's sample set, index, volume and effects, and whether
  it is a line keeping the tempo (:mod:`chart.formats.osu_red`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from fractions import Fraction

from chart.formats.errors import ParseError, Unrepresentable
from chart.formats.values import parse_int, parse_number
from chart.notes import Note

HITSOUNDS = "HitObjects.hitsounds"
_SAMPLE = "0:0:0:0:"
DEFAULT_SOUND = ("0", _SAMPLE)  # what osu! writes for a hit object without a sound of its own
_LOST = "x"  # before a kept sound whose note an edit replaced (remap_sounds)

Sound = tuple[str, str]  # (hitSound, hitSample)


def hit_object(line: str, number: int, keys: int) -> tuple[Fraction, int, Fraction | None, Sound]:
    """(time ms, lane, hold end ms or None, (hitSound, hitSample)) of one ``[HitObjects]`` line."""
    f = line.split(",")
    if len(f) < 4:
        raise ParseError(f"hit object {line[:40]!r} needs x,y,time,type", number)
    x = parse_number(f[0], "hit object x", number)
    time_ms = parse_number(f[2], "hit object time", number)
    kind = parse_int(f[3], "hit object type", number)
    lane = min(max(int(x * keys // 512), 0), keys - 1)
    sample = ",".join(f[5:]).strip()
    end = None
    if kind & 128:
        if len(f) < 6:
            raise ParseError(f"hold {line[:40]!r} has no end time", number)
        end_text, _, sample = sample.partition(":")
        end = parse_number(end_text, "hold end time", number)
    return time_ms, lane, end, ((f[4].strip() if len(f) > 4 else "") or "0", sample or _SAMPLE)


def object_line(x: int, ms: int, end_ms: int | None, sound: Sound | None) -> str:
    """One ``[HitObjects]`` line (``sound`` None: the defaults)."""
    hit_sound, sample = sound or ("0", _SAMPLE)
    if end_ms is not None:
        return f"{x},192,{ms},128,{hit_sound},{end_ms}:{sample}"
    return f"{x},192,{ms},1,{hit_sound},{sample}"


def sounds_extra(notes: list[Note], sounds: list[Sound]) -> list[tuple[str, str]]:
    """The ``HitObjects.hitsounds`` extra of a chart read with ``notes[i]`` from the hit object of ``sounds[i]``."""
    lines = [f"{n.beat},{n.lane},{hs},{sample}" for n, (hs, sample) in zip(notes, sounds)
             if (hs, sample) != ("0", _SAMPLE)]
    return [(HITSOUNDS, "\n".join(lines))] if lines else []


def kept_sounds(extra: list[tuple[str, str]]) -> dict[tuple[Fraction, int], Sound]:
    """{(beat, lane): (hitSound, hitSample)} of a chart's ``extra`` (lines that do not parse are skipped). A new
    dict each call (callers change theirs); the text is parsed once while it stays the same (:func:`_parsed`)."""
    return dict(_parsed(dict(extra).get(HITSOUNDS, "")))


_PARSED: dict[str, dict[tuple[Fraction, int], Sound]] = {}
_PARSED_MAX = 8


def _parsed(text: str) -> dict[tuple[Fraction, int], Sound]:
    """:func:`kept_sounds` of one text, kept: every edit of a hitsounded chart reads its sounds (to carry them
    along, to show them, to change them), and parsing 10 000 beats as Fractions took ~0.2 s each time."""
    out = _PARSED.get(text)
    if out is not None:
        return out
    out = {}
    for line in text.split("\n"):
        f = line.split(",", 3)
        try:
            out[(Fraction(f[0]), int(f[1]))] = (f[2], f[3])
        except (ValueError, IndexError, ZeroDivisionError):
            continue
    return _remember(text, out)


def _remember(text: str, parsed: dict[tuple[Fraction, int], Sound]) -> dict[tuple[Fraction, int], Sound]:
    """Keep ``parsed`` as what ``text`` reads as (a text just written from it need not be parsed again)."""
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()  # one call, safe beside a reader in another thread (an autosave's worker)
    _PARSED[text] = parsed
    return parsed


def _text(kept: dict[tuple[Fraction, int], Sound], lost: list[str]) -> str:
    """The extra's text of ``kept`` in beat and lane order (sorted by float beats: one Fraction is one float, and
    comparing Fractions made a sort of 10 000 sounds cost ~0.1 s), then the ``lost`` lines; remembered as what it
    reads as."""
    items = sorted(kept.items(), key=lambda item: (item[0][0].numerator / item[0][0].denominator, item[0][1]))
    text = "\n".join([*(f"{b},{lane},{hs},{sample}" for (b, lane), (hs, sample) in items), *lost])
    _remember(text, kept)  # lost lines read as nothing (their "x" beat); callers get copies, so it stays as is
    return text


def remap_sounds(extra: list[tuple[str, str]],
                 cells: Callable[[tuple[Fraction, int]], tuple[Fraction, int] | None],
                 touched: Iterable[tuple[Fraction, int]] | None = None) -> list[tuple[str, str]]:
    """``extra`` with each kept sound moved to the cell ``cells`` gives for its (beat, lane): how sounds follow
    their notes through a timing edit or a note transform. Where that is None (its note is gone) or taken by an
    earlier sound (in beat and lane order), the sound is kept as a *lost* line (``x`` before it): it can never
    attach to another note, and Save counts it with the others edited away. ``extra`` itself when nothing moved.

    ``touched``: the only cells ``cells`` may map anywhere but to themselves (None: any). Then only the kept
    sounds there, and those on the cells they map to, are looked at (:func:`follow_edit`: an edit of one note of a
    10 000-note hitsounded map moved every sound, hashing each beat's Fraction, ~0.1 s); the rest stay put and
    lose nothing, as no other sound can come onto their cells."""
    kept = kept_sounds(extra)
    if not kept:
        return extra
    if touched is None:
        look = list(kept)
    else:
        look = [key for key in set(touched) if key in kept]
        look += [cell for cell in {cells(key) for key in look} - set(look) if cell is not None and cell in kept]
    moved: dict[tuple[Fraction, int], tuple[tuple[Fraction, int], Sound]] = {}  # cell: (source, sound)
    new_lost: list[str] = []
    for key in sorted(look):
        cell = cells(key)
        if cell is not None and cell not in moved:
            moved[cell] = (key, kept[key])
        else:
            new_lost.append(f"{_LOST}{key[0]},{key[1]},{kept[key][0]},{kept[key][1]}")
    if not new_lost and all(cell in kept and kept[cell] == sound for cell, (_, sound) in moved.items()):
        return extra
    text = dict(extra)[HITSOUNDS]
    rest = kept  # a copy (kept_sounds): the sounds not looked at stay on their cells
    for key in look:
        del rest[key]
    spliced = _spliced(text, look, moved, new_lost) if touched is not None else None
    if spliced is None:
        lost = [line for line in text.split("\n") if line.startswith(_LOST)] if _has_lost(text) else []
        text = _text_moved(rest, moved, [*lost, *new_lost])
    else:
        text = spliced
        rest.update((cell, sound) for cell, (_, sound) in moved.items())
        _remember(text, rest)
    return [(k, text if k == HITSOUNDS else v) for k, v in extra]


def _has_lost(text: str) -> bool:
    return text.startswith(_LOST) or f"\n{_LOST}" in text


def _text_moved(rest: dict[tuple[Fraction, int], Sound], moved: dict[tuple[Fraction, int],
                tuple[tuple[Fraction, int], Sound]], lost: list[str]) -> str:
    """:func:`_text` of ``rest`` and ``moved`` ({cell: (source cell, sound)}) together: sounds at one float beat
    and lane go in their source cells' order (as when all were moved in beat and lane order)."""
    rows = [(b.numerator / b.denominator, lane, (b, lane), (b, lane), sound) for (b, lane), sound in rest.items()]
    rows += [(b.numerator / b.denominator, lane, source, (b, lane), sound)
             for (b, lane), (source, sound) in moved.items()]
    rows.sort(key=lambda row: row[:3])
    lines = [f"{b},{lane},{hs},{sample}" for _, _, _, (b, lane), (hs, sample) in rows]
    text = "\n".join([*lines, *lost])
    rest.update((cell, sound) for cell, (_, sound) in moved.items())
    _remember(text, rest)
    keys = [(row[0], row[1]) for row in rows]
    if all(a != b for a, b in zip(keys, keys[1:])):  # else the order of a float beat's sounds needs their beats
        _keep_rows(text, keys, lines, lost)
    return text


_ROWS: dict[str, tuple[list[tuple[float, int]], list[str], list[str]]] = {}


def _keep_rows(text: str, keys: list[tuple[float, int]], lines: list[str], lost: list[str]) -> None:
    """Keep the sounds' lines of a text :func:`remap_sounds` wrote, with their (float beat, lane), in that order
    (none twice), and its lost lines: the next note edit changes only the lines of the cells it touched."""
    if len(_ROWS) >= _PARSED_MAX:
        _ROWS.clear()
    _ROWS[text] = (keys, lines, lost)


def _spliced(text: str, look: list[tuple[Fraction, int]],
             moved: dict[tuple[Fraction, int], tuple[tuple[Fraction, int], Sound]], new_lost: list[str]) -> str | None:
    """The text of :func:`_text_moved`, made from the kept lines of ``text`` (:func:`_keep_rows`) less those of
    ``look`` plus those of ``moved``; None when they are not kept, too many change, or two sounds come to one float
    beat and lane (their order then needs their beats)."""
    rows = _ROWS.get(text)
    if rows is None or len(look) > 64 + len(rows[0]) // 16:
        return None
    keys, lines = rows[0].copy(), rows[1].copy()
    for b, lane in look:
        i = bisect_left(keys, at := (b.numerator / b.denominator, lane))
        if i == len(keys) or keys[i] != at:
            return None
        del keys[i], lines[i]
    for (b, lane), (_, (hs, sample)) in moved.items():
        i = bisect_left(keys, at := (b.numerator / b.denominator, lane))
        if i < len(keys) and keys[i] == at:
            return None
        keys.insert(i, at)
        lines.insert(i, f"{b},{lane},{hs},{sample}")
    lost = [*rows[2], *new_lost]
    text = "\n".join([*lines, *lost])
    _keep_rows(text, keys, lines, lost)
    return text


def carries_sounds(extra: list[tuple[str, str]]) -> bool:
    """Whether a chart's ``extra`` keeps osu! hitsounds (most charts do not: their edits carry nothing)."""
    return any(key == HITSOUNDS for key, _ in extra)


def follow_edit(extra: list[tuple[str, str]], old: Iterable[Note], new: Iterable[Note],
                follow: dict[tuple[Fraction, int], tuple[Fraction, int]]) -> list[tuple[str, str]]:
    """``extra`` after a note edit that replaced ``old`` by ``new``: the sound of a replaced note goes to the cell
    ``follow`` maps its cell to (the edit's note to note map: a move, mirror, kind change...), and is lost
    (:func:`remap_sounds`) when its cell is not mapped, so it never lands on whatever note now sits there (a
    mirrored chord's other note, a pasted or recorded note). A sound left with no note (an earlier edit's) is lost
    when a new note lands on its cell."""
    if not carries_sounds(extra):
        return extra
    old_cells = {(n.beat, n.lane) for n in old}
    new_cells = {(n.beat, n.lane) for n in new}

    def cell(key: tuple[Fraction, int]) -> tuple[Fraction, int] | None:
        if key in follow:
            return follow[key]
        return None if key in old_cells or key in new_cells else key

    return remap_sounds(extra, cell, [*follow, *old_cells, *new_cells])  # every other cell maps to itself


def set_sounds(extra: list[tuple[str, str]], changes: dict[tuple[Fraction, int], Sound]) -> list[tuple[str, str]]:
    """``extra`` with the sound of each (beat, lane) of ``changes`` set (the default sound removes its line): the
    editor's hitsound tool (:mod:`chart.hitsound_edit`). Lost lines stay as they are; a chart without the extra
    gets one, so an osu! map never hitsounded before carries its first sounds from then on."""
    kept = kept_sounds(extra)
    for cell, sound in changes.items():
        if sound == DEFAULT_SOUND:
            kept.pop(cell, None)
        else:
            kept[cell] = sound
    lost = [line for line in dict(extra).get(HITSOUNDS, "").split("\n") if line.startswith(_LOST)]
    text = _text(kept, lost)
    if carries_sounds(extra):
        return [(k, text if k == HITSOUNDS else v) for k, v in extra]
    return [*extra, (HITSOUNDS, text)] if text else extra


def restore_lost(extra: list[tuple[str, str]], sounds: dict[tuple[Fraction, int], Sound]) -> list[tuple[str, str]]:
    """``extra`` without the lost lines of ``sounds`` ({(beat, lane): sound} as they were lost): sounds a paste
    puts on notes again (:mod:`chart.paste_sounds`). ``extra`` itself when none of them is there."""
    if not sounds or not carries_sounds(extra):
        return extra
    drop = {f"{_LOST}{b},{lane},{hs},{sample}" for (b, lane), (hs, sample) in sounds.items()}
    lines = dict(extra)[HITSOUNDS].split("\n")
    text = "\n".join(line for line in lines if line not in drop)
    if len(text) == len(dict(extra)[HITSOUNDS]):
        return extra
    return [(k, text if k == HITSOUNDS else v) for k, v in extra]


def lost_sounds(chart_id: str, extra: list[tuple[str, str]], written: list[Note]) -> list[Unrepresentable]:
    """The conversion listing the kept sounds whose note is no longer at its beat and lane."""
    kept = kept_sounds(extra)
    cells = {(n.beat, n.lane) for n in written}  # built once: per kept sound it made saving a big map quadratic
    lost = sorted(key for key in kept if key not in cells)
    count = len(lost) + sum(line.startswith(_LOST) for line in dict(extra).get(HITSOUNDS, "").split("\n"))
    if not count:
        return []
    return [Unrepresentable(chart_id, lost[0][0] if lost else Fraction(0), f"osu! hitsounds of {count} "
                            f"note{'s' * (count != 1)} edited away (deleted or moved): dropped", fatal=False)]
