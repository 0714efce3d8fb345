"""What the JSON game export keeps only as raw text, where a game reads no key for it (``docs/game-format.md``).

StepMania ``#SPEEDS`` (eased speed-mod changes) stays in ``timing.exact.extra`` and osu! scroll-speed (green)
timing points in the top-level or a chart's ``extra`` (``TimingPoints.inherited``, times as ``@beat`` tokens):
neither is in ``timing.scrolls``, so a game plays them at plain scroll. Listed as non-fatal, ``written``
conversions (the file holds them, the game ignores them), as the .sm writer lists the tags StepMania 5 ignores.
A speed change to 1 (``#SPEEDS:0=1=0=0``, which StepMania 5 writes into every .ssc) and a green line at 1x
(volume or sample set only) change no scroll and are not listed.
"""

from __future__ import annotations

from fractions import Fraction

from chart.formats.display_segments import read_entries
from chart.formats.errors import Unrepresentable
from chart.formats.osu_beats import INHERITED, TIME_TOKEN
from chart.song import Song


def display_only_problems(song: Song) -> list[Unrepresentable]:
    """Non-fatal entries for the song's and each chart's speed changes a game reading the JSON export never sees."""
    out = []
    timings = [("", song.timing)] + [(c.chart_id(), c.timing) for c in song.charts if c.timing is not None]
    for chart_id, timing in timings:
        speeds = [e for e in read_entries("SPEEDS", dict(timing.extra).get("SPEEDS", ""))[0] if e[1] != 1]
        if speeds:
            out.append(Unrepresentable(chart_id, speeds[0][0], f"{len(speeds)} #SPEEDS change(s) (first at beat "
                                       f"{float(speeds[0][0]):g}) not in timing.scrolls: kept only as raw text in "
                                       f"timing.exact.extra (a game plays them at plain scroll)", fatal=False,
                                       written=True))
    for chart_id, extra in [("", song.extra)] + [(c.chart_id(), c.extra) for c in song.charts]:
        green = _speed_lines(dict(extra).get(INHERITED, ""))
        if green:
            out.append(Unrepresentable(chart_id, green[0], f"{len(green)} osu! scroll-speed (green) timing point(s) "
                                       f"(first at beat {float(green[0]):g}) not in timing.scrolls: kept only as "
                                       f"raw text in extra {INHERITED} (a game plays them at plain scroll)",
                                       fatal=False, written=True))
    return out


def _speed_lines(text: str) -> list[Fraction]:
    """Beats of the green lines in ``text`` (``@beat,beatLength,...`` lines) that change the scroll speed: a
    beatLength other than -100 (osu! scroll speed is ``-100 / beatLength``)."""
    out = []
    for line in text.splitlines():
        fields = line.split(",")
        if len(fields) < 2:
            continue
        try:
            speed_change = float(fields[1]) != -100
        except ValueError:
            continue
        token = TIME_TOKEN.fullmatch(fields[0].strip())
        if speed_change:
            out.append(Fraction(token.group(1)) if token else Fraction(0))
    return out
