"""What an osu!mania map's notes play: for each judged note, the samples osu!'s editor plays at its head.

The editor plays an osu! map's hitsounds as osu!'s editor does, so a designer hears the hitsounding while the
song plays (:mod:`editor.controllers.hitsound_playback` feeds the player; :mod:`audio.hitsound_bank` finds the
sound of each sample). Which samples a note plays is decided by the same rules the export uses to carry the set's
sample files (:func:`chart.formats.osu_samples.object_samples`), here read from the song model instead of the
``.osu`` text, so that a note sounds at its exact time and an edit is heard at once:

* the notes: those a test play judges and the ``.osu`` writer writes (taps, holds and rolls outside warps and
  fake segments); a hold plays at its head;
* the timing points: the red lines the writer makes of the timing (:func:`chart.formats.osu_red.red_points`)
  with their kept sample settings (:func:`chart.formats.osu_red.red_sounds`), and the green lines
  (``TimingPoints.inherited``) at their times; the one in force at a note is the last at or before its head plus
  osu!lazer's 5 ms leniency (a green line written a millisecond after its note, as whole-ms times put it, still
  counts). osu!stable reads the point at the head, osu!lazer 5 ms after a hold's end: the head is where the sound
  plays, so it is read there;
* the volume: the note's own (``hitSample`` volume 1-100 %), else the timing point's; 0 % is silent.

A chart without kept sounds (a keyboard chart whose notes all have the default sound) plays the normal sound of
the timing point's set at every note, as osu! does.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from chart.formats.display_segments import judged_notes
from chart.formats.osu_beats import INHERITED, extra_in_ms
from chart.formats.osu_hitsounds import DEFAULT_SOUND, HITSOUNDS, Sound, kept_sounds
from chart.formats.osu_io import SECTIONS, msd_escapes_undone
from chart.formats.osu_red import red_points, red_sounds
from chart.formats.osu_samples import LENIENCY_MS, HitSample, general_set, object_samples, timing_points
from chart.hitsound_edit import MAX_VOLUME, HitSound, sounded
from chart.song import Chart, Song
from chart.timing import TimingData

#: {sample: (song seconds, gain 0-1)}: where each distinct sample sounds, sorted by time.
HitsoundPlan = dict[HitSample, tuple[np.ndarray, np.ndarray]]


def osu_extras(song: Song, chart: Chart) -> list[tuple[str, str]]:
    """The song's extras with the chart's own ``.osu`` keys after them (a merged set's difficulty keeps its own
    ``[General]`` and timing points), escapes of a trip through ``.ssc`` undone, as the ``.osu`` writer reads
    them."""
    own = [(k, v) for k, v in chart.extra if k.partition(".")[0] in SECTIONS]
    return [(k, msd_escapes_undone(v)) for k, v in [*song.extra, *own]]


def sample_points(extras: list[tuple[str, str]], timing: TimingData) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    """(times s, sorted; (sampleSet, sampleIndex, volume) of each) of the timing points the map's ``.osu`` file
    has: its red lines, then its green lines (at one time the later plays on, as in the file)."""
    red = red_points(timing, extras)  # as the writer makes them (same-tempo lines kept: their kiai, sample set)
    lines = [(0, f"{p.time_ms},0,4,{s},{i},{v}") for (_b, p), (s, i, v, _fx)
             in zip(red, red_sounds(extras, [b for b, _ in red]))]
    green = dict(extras).get(INHERITED, "")
    if green:
        lines += [(0, line) for line in extra_in_ms([(INHERITED, green)], timing)[0][1].split("\n") if line.strip()]
    points = timing_points(lines)
    times = np.array([float(t) / 1000.0 for t, *_ in points], dtype=np.float64)
    return times, [(s, i, min(v, MAX_VOLUME)) for _t, s, i, v in points]


@lru_cache(maxsize=4)
def _sounds_by_cell(text: str) -> dict[tuple[float, int], Sound]:
    """The kept sounds of a ``HitObjects.hitsounds`` text by (float beat, lane): one Fraction is one float, and a
    float pair hashes ~20x faster than a Fraction pair (10 000 notes are looked up at every edit)."""
    return {(b.numerator / b.denominator, lane): sound
            for (b, lane), sound in kept_sounds([(HITSOUNDS, msd_escapes_undone(text))]).items()}


def hitsound_plan(song: Song, chart: Chart, timing: TimingData) -> HitsoundPlan:
    """Every sample the judged notes of ``chart`` play under ``timing`` (module docstring), by distinct sample."""
    notes = sounded(judged_notes(chart.notes, timing))
    if not notes:
        return {}
    extras = osu_extras(song, chart)
    default = general_set(dict(extras).get("General.SampleSet", "Normal"))
    point_times, settings = sample_points(extras, timing)
    times = timing.beats_to_seconds_array(np.fromiter((n.beat.numerator / n.beat.denominator for n in notes),
                                                      dtype=np.float64, count=len(notes)))
    which: list[int] = [-1] * len(notes)  # the timing point in force at each note (-1: none)
    if settings:
        which = np.maximum(np.searchsorted(point_times, times + LENIENCY_MS / 1000.0, side="right") - 1, 0).tolist()
    cells = _sounds_by_cell(dict(chart.extra).get(HITSOUNDS, ""))
    groups: dict[tuple[Sound, int], list[int]] = {}  # a map has a handful of sounds and points: each read once
    for i, (n, point) in enumerate(zip(notes, which)):
        groups.setdefault((cells.get((n.beat.numerator / n.beat.denominator, n.lane), DEFAULT_SOUND), point),
                          []).append(i)
    parts: dict[HitSample, list[tuple[list[int], float]]] = {}
    for (sound, point), index in groups.items():
        point_set, point_index, point_volume = settings[point] if point >= 0 else ("0", 0, 100)
        hit = HitSound.parse(sound)
        volume = hit.volume or point_volume
        if volume <= 0:
            continue
        for sample in object_samples(hit.bits, sound[1], point_set, point_index, default):
            parts.setdefault(sample, []).append((index, volume / 100.0))
    plan: HitsoundPlan = {}
    for sample, pieces in parts.items():
        idx = np.concatenate([np.asarray(ix, dtype=np.int64) for ix, _g in pieces])
        gains = np.concatenate([np.full(len(ix), g, dtype=np.float32) for ix, g in pieces])
        order = np.argsort(times[idx], kind="stable")
        plan[sample] = (times[idx][order], gains[order])
    return plan
