"""What a ``.osu`` file has no place for in a song: listed as non-fatal conversions (:func:`song_drops`).

osu! keeps one difficulty's notes, red and green lines and its own sections; a song's subtitle, preview length,
a credit no file's ``Creator`` holds, and StepMania 5's display and scoring segments (``#LABELS #SCROLLS #SPEEDS
#FAKES #TICKCOUNTS #COMBOS``, kept in the timing's ``extra``: :mod:`chart.formats.display_segments`) are dropped.
Writers list what they drop (docs/formats.md), so these are said before Save and Export rather than lost
silently; the notes inside fake segments are listed one by one by the note checks (dropped too). A chart's own
tags that are no osu! key (``#CHARTNAME #CHARTSTYLE #ATTACKS #DISPLAYBPM`` of a .ssc chart) are listed per chart
(:func:`chart_tags_dropped`). A song that states no tempo (:mod:`chart.stated_tempo`: a .sm without ``#BPMS``, read
at 60 BPM) has no way to say so in osu!, which needs a red line: the invented tempo is written as one, and said
(:func:`invented_tempo`), as the .sm/.ssc writers' empty ``#BPMS`` and the JSON's ``"tempo_stated": false`` keep
it unstated.
"""

from __future__ import annotations

from fractions import Fraction

from chart.disclosure import human_credit
from chart.formats.errors import Unrepresentable
from chart.formats.notedata import PLAYER2
from chart.formats.osu_io import SECTIONS
from chart.formats.radar import TAG as RADAR
from chart.keyboard import KEYBOARD
from chart.song import Song
from chart.stated_tempo import is_invented, states_tempo
from chart.timing import TimingData


def song_drops(song: Song) -> list[Unrepresentable]:
    """Non-fatal entries for the song-level things ``.osu`` drops, timing tags included."""
    out: list[Unrepresentable] = []
    if song.subtitle:
        out.append(Unrepresentable("", Fraction(0), "osu! has no subtitle: dropped", fatal=False))
    if song.sample_length:
        out.append(Unrepresentable("", Fraction(0), "osu! has no preview length (PreviewTime is the start): dropped",
                                   fatal=False))
    if song.credit and song.charts and all(human_credit(c.credit) not in ("", song.credit) for c in song.charts):
        out.append(Unrepresentable("", Fraction(0), f"osu! keeps one Creator per file and every difficulty has a "
                                                    f"credit of its own: the song's credit {song.credit!r} dropped",
                                   fatal=False))
    return out + invented_tempo(song) + timing_tags_dropped(song) + chart_tags_dropped(song)


def invented_tempo(song: Song) -> list[Unrepresentable]:
    """A non-fatal entry when ``song`` states no tempo (:func:`chart.stated_tempo.states_tempo`): its red line holds
    the tempo a reader invented, which osu! and a chart read back from the file take as the song's."""
    if states_tempo(song):
        return []
    timing = next(t for t in (song.timing, *(c.timing for c in song.charts)) if is_invented(song, t))
    bpm = float(timing.bpms[0][1]) if timing is not None and timing.bpms else 60.0
    return [Unrepresentable("", Fraction(0), f"the song states no tempo: written at the invented {bpm:g} BPM; osu! "
                                             "and a chart read back will take it as the tempo", fatal=False)]


#: Chart extras that are no osu! key but need no listing: player 2 (listed on its own), the keyboard mark (every
#: chart read from .osu carries it) and StepMania's radar values (derived from the notes; the .sm writer skips them).
_NOT_LISTED = frozenset({PLAYER2, KEYBOARD, RADAR})


def chart_tags_dropped(song: Song) -> list[Unrepresentable]:
    """Each chart's own tags that .osu has no place for (osu! keys, ``Section.Key``, are written), in the words the
    .sm writer lists them in."""
    out = []
    for chart in song.charts:
        names = [name for name, value in chart.extra  # an empty tag (#CHARTNAME:;) loses nothing
                 if name.partition(".")[0] not in SECTIONS and name not in _NOT_LISTED and value.strip()]
        if names:
            out.append(Unrepresentable(chart.chart_id(), Fraction(0), f".osu drops chart tags "
                                       f"{', '.join(dict.fromkeys(names))}", fatal=False))
    return out


def timing_tags_dropped(song: Song) -> list[Unrepresentable]:
    """The StepMania timing tags of the timings the written charts play with (the song's, once, and each chart's
    own), in the words the .sm writer lists the tags it drops in. An empty tag (``#FAKES:;``, which StepMania 5
    and ArrowVortex write into every .ssc) holds no segment and is not listed."""
    timings: list[tuple[str, TimingData]] = []
    if not song.charts or any(c.timing is None for c in song.charts):
        timings.append(("", song.timing))
    timings += [(c.chart_id(), c.timing) for c in song.charts if c.timing is not None]
    out = []
    for chart_id, timing in timings:
        tags = [tag for tag, value in timing.extra if value.strip()]
        if tags:
            fakes = "; the notes inside fake segments are dropped" if "FAKES" in tags else ""
            out.append(Unrepresentable(chart_id, Fraction(0), f".osu drops timing tags "
                                       f"{', '.join('#' + t for t in tags)} (display only: plain scroll and combo "
                                       f"in game{fakes})", fatal=False))
    return out
