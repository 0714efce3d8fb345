""".sm (StepMania 3.9 / ITG; StepMania 5 still reads and writes it) read and write.

Each chart is one ``#NOTES:type:description:difficulty:meter:radar:data;`` tag (``#NOTES2`` likewise). The
radar values are kept in ``Chart.extra`` as ``RADARVALUES``. .sm has one timing for the whole song and no
warps or delays, so the writer does what StepMania 5's .sm writer does:

* a **warp** of L beats at BPM B becomes a **negative stop** of ``-L*60/B`` seconds (the reader turns it back
  into a warp, see :mod:`chart.formats.timing_tags`; the written seconds have up to 9 decimals); overlapping
  warps are written as one over their union (the same timing);
* a **delay** at beat b becomes a **stop one row (1/48 beat) earlier** - exact, a note or hold end on that row
  included: a stop pauses *after* its row's note is judged, a delay *before* its own (:mod:`chart.timing`), so
  the note on the row before keeps its time, the delay's own notes come after the pause as before, and no
  note lies between the two rows (notes are on 1/48 rows; :func:`read_back_changes` compares every note's time
  all the same); a delay at beat 0 so becomes a stop before beat 0, which StepMania's .sm reader (and ours) takes
  into the offset: every note keeps its time;
* stops and delays before beat 0 are not written: they time no note a .sm file holds, and StepMania's .sm reader
  would move the whole chart by them (listed as a conversion);
* where those stops read back as other timing - a stop or delay inside a warp or a delay at a warp's end (the
  positive and negative stops meet: the warp reads back shorter, the notes after its new end are judged), a
  stop and a warp on one beat (they merge into one stop: the warp is gone) - the written file is read back and
  compared before saving (:func:`read_back_changes`), and the notes and timing changes it times differently
  are reported as one non-fatal conversion (Save asks);
* ``#TIMESIGNATURES`` and ``#TICKCOUNTS`` are written as tags, which StepMania 5's .sm reader reads.
  ``#SCROLLS #SPEEDS #COMBOS #LABELS`` are written too (our reader and other tools read them back) but
  StepMania 5's .sm reader ignores them: listed as conversions (the chart scrolls and counts combo plainly);
  likewise the .ssc song tags ``#ORIGIN #PREVIEWVID #JACKET #CDIMAGE #DISCIMAGE #LASTSECONDHINT``;
* **fake segments** (``#FAKES``): StepMania 5's .sm reader ignores the tag, so it is not written; instead each
  tap or lift inside one is written as a fake note (``F``), which StepMania never judges either. A hold, roll or
  mine inside one has no fake form and becomes judged: listed as a conversion. (A .sm file that has ``#FAKES``
  is still read with its fake segments, and the read report says that StepMania judges those notes.)

A chart with its own timing (.ssc split timing) different from the song's cannot be stored: reported, unless only
its display tags differ (dropped, listed); segment tags count by their entries, so an empty ``#FAKES:;`` is none.
.sm has no chart credit (dropped, listed), but a credit's AI disclosure (:mod:`chart.disclosure`) is written after
the description, which StepMania 5 reads as the chart's credit too, and read back from there into the credit.
A Hard chart described ``SMANIAC`` or ``CHALLENGE`` (any case) is read as the Challenge chart, as StepMania's .sm
reader does (from before it had that difficulty); the writer so writes such a Hard chart's description with
`` (Hard)`` after it (listed as a conversion), and it reopens as the Hard chart.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from chart.disclosure import from_sm_description, human_credit, sm_description
from chart.formats import radar
from chart.formats.display_segments import SPECS as SEGMENT_SPECS
from chart.formats.display_segments import fake_ranges
from chart.formats.display_segments import parse as parse_segments
from chart.formats.errors import ParseError, Unrepresentable, WriteError, meter_problems
from chart.formats.msd import decode, escape, escape_raw, parse_tags, require_tags
from chart.formats.stepmania import (
    SONG_ORDER,
    chart_comment,
    chart_problems,
    check_chart_count,
    make_chart,
    notes_text,
    song_from_header,
    song_tag_values,
    timing_problems,
    write_ordered,
    written_extra,
)
from chart.formats.timing_tags import EXTRA_TAGS, in_warp, merged_per_beat, timing_from_tags
from chart.formats.values import format_beat, format_number, format_pairs
from chart.notes import Note, NoteKind
from chart.song import Chart, Slot, Song
from chart.stated_tempo import is_invented
from chart.timing import TimingData

NAME = "sm"
SM_SONG_ORDER = tuple(t for t in SONG_ORDER if t not in {
    "VERSION", "ORIGIN", "PREVIEWVID", "JACKET", "CDIMAGE", "DISCIMAGE", "INSTRUMENTTRACK", "LASTSECONDHINT",
})
#: .ssc song tags StepMania 5's .sm reader has no handler for (NotesLoaderSM.cpp; it reads #INSTRUMENTTRACK):
#: written as kept, and listed as conversions.
SM5_UNREAD_SONG_TAGS = frozenset({"ORIGIN", "PREVIEWVID", "JACKET", "CDIMAGE", "DISCIMAGE", "LASTSECONDHINT"})
_ROW = Fraction(1, 48)
#: Descriptions that made a .sm Hard chart the Challenge one before StepMania had that difficulty (any case).
_OLD_CHALLENGE = frozenset({"smaniac", "challenge"})


def loads(text: str, report: list[Unrepresentable] | None = None) -> Song:
    """Song from .sm text; things dropped as StepMania drops them are appended to ``report``.

    Raises only :class:`ParseError`.
    """
    tags = parse_tags(text)
    require_tags(tags)
    header = [t for t in tags if t.name not in ("NOTES", "NOTES2")]
    song = song_from_header(header, report, sm=True)
    charts = [t for t in tags if t.name in ("NOTES", "NOTES2")]
    check_chart_count(len(charts))
    short = [t for t in charts if len(t.params) < 6]
    if short and len(short) == len(charts):  # nothing to read: said, not an empty song
        raise ParseError(f"#NOTES needs 6 ':'-separated fields, found {len(short[0].params)}", short[0].line)
    if short and report is not None:  # StepMania skips such a chart (NotesLoaderSM) and reads the others
        report += [Unrepresentable("", Fraction(0), f"line {t.line}: #NOTES with {len(t.params)} ':'-separated fields "
                                   f"(6 needed) skipped, as StepMania skips it", fatal=False) for t in short]
    for tag in charts:
        if len(tag.params) < 6:
            continue
        p = tag.params
        description, credit = from_sm_description(p[1].strip())  # an AI disclosure written there is the credit
        difficulty = p[2]
        old_challenge = _is_hard(difficulty) and p[1].strip().lower() in _OLD_CHALLENGE
        if old_challenge:  # StepMania's NotesLoaderSM: from before StepMania had a Challenge difficulty
            difficulty = Slot.CHALLENGE.sm_name
        fields = {"STEPSTYPE": (p[0], tag.line), "DESCRIPTION": (description, tag.line),
                  "DIFFICULTY": (difficulty, tag.line), "METER": (p[3], tag.line), "CREDIT": (credit, tag.line)}
        extra = [("RADARVALUES", p[4].strip())] if p[4].strip() else []
        chart = make_chart(fields, p[-1], tag.line, extra, None, report)
        if old_challenge and report is not None:
            report.append(Unrepresentable(chart.chart_id(), Fraction(0), f"a Hard chart described {p[1].strip()!r} "
                                          f"read as Challenge, as StepMania reads it", fatal=False))
        song.charts.append(chart)
    if report is not None:
        report += _fakes_in_game(song)
    for chart in song.charts:  # its radar field is written back while the chart is this one (chart.formats.radar)
        radar.remember(NAME, chart, song.timing)
    return song


def _is_hard(difficulty: str) -> bool:
    try:
        return Slot.parse(difficulty) is Slot.HARD
    except ValueError:
        return False


def _fakes_in_game(song: Song) -> list[Unrepresentable]:
    """Notes a .sm file's ``#FAKES`` makes never judged here but StepMania 5 judges (its .sm reader ignores it)."""
    fakes = fake_ranges(song.timing)
    out = []
    for chart in song.charts:
        inside = _in_fakes(chart, song.timing, fakes)
        if inside:
            out.append(Unrepresentable(chart.chart_id(), inside[0].beat, f"{len(inside)} notes inside #FAKES "
                                       f"segments: StepMania 5 ignores #FAKES in a .sm file and judges them (they "
                                       f"are read as never judged)", fatal=False))
    return out


def load_bytes(data: bytes, report: list[Unrepresentable] | None = None) -> Song:
    """Song from the bytes of a .sm file."""
    return loads(decode(data, report), report)


# ---------------------------------------------------------------------------------------------- writing
#: What a kept osu! extra is, named for a designer in the list of what .sm drops.
_TAG_NAMES = {"HitObjects.hitsounds": "HitObjects.hitsounds (the osu! hitsounds of its notes)",
              "HitObjects.times": "HitObjects.times (the osu! milliseconds of its notes off their rows)",
              "KEYBOARD": "KEYBOARD (the mark of a keyboard chart: Verify would judge it for feet)"}


def problems(song: Song) -> list[Unrepresentable]:
    """What .sm cannot hold: off-grid notes, per-chart timing, a meter outside the range every format holds
    (:func:`~chart.formats.errors.meter_problems`).

    Non-fatal entries (``fatal=False``) describe what the writer converts or drops: .ssc-only chart fields,
    notes inside fake segments, display tags StepMania 5 ignores in .sm files (module docstring).
    """
    out = timing_problems(song.timing) + meter_problems(song.charts)
    out += read_back_changes(song)
    early = [b for b, _ in song.timing.stops + song.timing.delays if b < 0]
    if early:
        out.append(Unrepresentable("", min(early), f"{len(early)} stop(s)/delay(s) before beat 0 not written: they "
                                   f"time no note a .sm file holds, and StepMania's .sm reader would move the whole "
                                   f"chart by them", fatal=False))
    ignored = [tag for tag, value in song.timing.extra if tag in SM5_IGNORES and value.strip()]
    if ignored:
        out.append(Unrepresentable("", Fraction(0), f"StepMania 5 ignores {', '.join('#' + t for t in ignored)} in "
                                   f".sm files (display only: plain scroll and combo in game)", fatal=False,
                                   written=True))  # the tags are in the file: our reader reads them back
    unread = [name for name, value in song.extra if name in SM5_UNREAD_SONG_TAGS and value.strip()]
    if unread:
        out.append(Unrepresentable("", Fraction(0), f"StepMania 5 ignores {', '.join('#' + t for t in unread)} in "
                                   f".sm files (.ssc song tags; save as .ssc for StepMania to use them)",
                                   fatal=False, written=True))  # written as they are: our reader reads them back
    fakes = fake_ranges(song.timing)
    for chart in song.charts:
        out += chart_problems(chart)
        cid = chart.chart_id()
        description, written = sm_description(chart.description, chart.credit), _written_description(chart)
        if written != description:
            out.append(Unrepresentable(cid, Fraction(0), f"description {description.strip()!r} written as "
                                       f"{written!r}: StepMania's .sm reader takes a Hard chart "
                                       f"described so for the Challenge chart", fatal=False))
        if chart.timing is not None and chart.timing != song.timing:
            shown = _display_only_difference(chart.timing, song.timing)
            if shown is None:
                out.append(Unrepresentable(cid, Fraction(0), ".sm has one timing per song; this chart has its own"))
            elif shown:  # same beats and times: every note stays where it sounds, the chart's own gimmicks go
                out.append(Unrepresentable(cid, Fraction(0), f".sm has one timing per song: the chart's own "
                                           f"{', '.join(shown)} (display only) are dropped", fatal=False))
        dropped = [_TAG_NAMES.get(name, name) for name, value in written_extra(chart)
                   if name != "RADARVALUES" and value.strip()]  # an empty tag loses nothing
        dropped += ["CREDIT"] if human_credit(chart.credit) else []  # its AI disclosure goes to the description
        if dropped:
            out.append(Unrepresentable(cid, Fraction(0), f".sm drops chart tags {', '.join(dropped)}",
                                       fatal=False))
        for note in _in_fakes(chart, song.timing, fakes):
            if note.kind in _FAKEABLE:
                reason = f"{note.kind.value} inside a fake segment written as a fake note (F): StepMania 5 " \
                         f"ignores #FAKES in .sm files"
            else:
                reason = f"{note.kind.value} inside a fake segment becomes judged: .sm has no fake segments " \
                         f"(StepMania 5 ignores #FAKES there) and no fake {note.kind.value}s"
            out.append(Unrepresentable(cid, note.beat, reason, note, fatal=False))
    return out


#: Timing tags StepMania 5's .sm reader has no handler for (NotesLoaderSM.cpp); #WARPS is written as stops.
SM5_IGNORES = frozenset({"SCROLLS", "SPEEDS", "COMBOS", "LABELS"})
_FAKEABLE = (NoteKind.TAP, NoteKind.LIFT)


def _in_fakes(chart: Chart, timing: TimingData, fakes: list[tuple[Fraction, Fraction]]) -> list[Note]:
    """Notes of ``chart`` (other than fakes) inside a fake segment and not inside a warp (written as stops,
    which StepMania 5 turns back into warps)."""
    if not fakes:
        return []
    return [n for n in chart.notes if n.kind != NoteKind.FAKE and any(a <= n.beat < b for a, b in fakes)
            and not in_warp(timing, n.beat)]


#: Timing tags that change only how a chart looks or counts combo, never when a note is judged (FAKES does).
DISPLAY_ONLY_TAGS = frozenset({"LABELS", "SCROLLS", "SPEEDS", "TICKCOUNTS", "COMBOS"})


def _display_only_difference(own: TimingData, song: TimingData) -> list[str] | None:
    """The tags by which a chart's own timing differs from the song's when they are only display tags (so the
    song's timing times every note the same; empty: no difference at all); None when the beat-to-time mapping or a
    judged tag differs. Segment tags are compared by their entries (:func:`_same_segments`): SM5 and ArrowVortex
    write an empty ``#FAKES:;`` into every .ssc, and the song's segments with 3 decimals, a chart's with 6."""
    if dataclasses.replace(own, extra=song.extra) != song:
        return None
    mine, theirs = dict(own.extra), dict(song.extra)
    differing = sorted(name for name in set(mine) | set(theirs)
                       if not _same_segments(name, mine.get(name, ""), theirs.get(name, "")))
    return differing if set(differing) <= DISPLAY_ONLY_TAGS else None


def _same_segments(tag: str, a: str, b: str) -> bool:
    """Whether two values of a timing tag say the same: the same text, or the same entries (an empty value is no
    entry, as a tag left out); a value that does not read counts only when its text is the same."""
    if a.strip() == b.strip():
        return True
    if tag not in SEGMENT_SPECS:
        return False
    try:
        return parse_segments(tag, a) == parse_segments(tag, b)
    except ParseError:
        return False


def dumps(song: Song) -> str:
    """Canonical .sm text. Raises :class:`WriteError` if anything fatal is found by :func:`problems`."""
    bad = [p for p in problems(song) if p.fatal]
    if bad:
        raise WriteError(".sm", bad)
    values = song_tag_values(song)
    values.update(_timing_values(song.timing))
    if is_invented(song, song.timing):  # the tempo the reader filled in stays unstated (chart.stated_tempo)
        values["BPMS"] = ""
    parts = [write_ordered(SM_SONG_ORDER, values, song.extra)]
    fakes = fake_ranges(song.timing)
    parts += [_chart_text(_faked(chart, song.timing, fakes), radar.kept(NAME, chart, song.timing))
              for chart in song.charts]
    return "".join(parts)


def _faked(chart: Chart, timing: TimingData, fakes: list[tuple[Fraction, Fraction]]) -> Chart:
    """``chart`` with its taps and lifts inside fake segments made fake notes (what StepMania 5 plays the same
    from a .sm file); the chart itself unchanged when there are none."""
    inside = {id(n) for n in _in_fakes(chart, timing, fakes) if n.kind in _FAKEABLE}
    if not inside:
        return chart
    notes = [dataclasses.replace(n, kind=NoteKind.FAKE) if id(n) in inside else n for n in chart.notes]
    return dataclasses.replace(chart, notes=notes)


def _timing_values(timing: TimingData) -> dict[str, str]:
    # before beat 0 StepMania would take stops into the offset (problems()); a delay at beat 0 becomes a stop
    # before it, which moves every note as the delay does
    stops = [(beat, seconds) for beat, seconds in timing.stops if beat >= 0]
    stops += [(beat - _ROW, seconds) for beat, seconds in timing.delays if beat >= 0]
    plain = TimingData(bpms=timing.bpms)  # the seconds a warp skips follow the tempo changes inside it
    stops += [(beat, plain.beat_to_seconds(beat) - plain.beat_to_seconds(beat + length))
              for beat, length in merged_warps(timing.warps)]
    values = {
        "OFFSET": format_number(timing.offset),
        "BPMS": format_pairs(timing.bpms),
        "STOPS": format_pairs(merged_per_beat(stops)),  # one stop per beat: their sum
    }
    if timing.time_signatures:
        values["TIMESIGNATURES"] = ",".join(f"{format_beat(b)}={n}={d}" for b, n, d in timing.time_signatures)
    extra = dict(timing.extra)
    values.update({tag: extra[tag] for tag in EXTRA_TAGS if tag in extra and tag != "FAKES"})
    return values


def merged_warps(warps: tuple[tuple[Fraction, Fraction], ...]) -> list[tuple[Fraction, Fraction]]:
    """Overlapping warps as one warp over their union (the same timing: beats there take no time once): each
    written as its own negative stop, the overlap's seconds were taken back twice."""
    out: list[list[Fraction]] = []
    for beat, length in sorted(warps):
        if out and beat < out[-1][0] + out[-1][1]:
            out[-1][1] = max(out[-1][1], beat + length - out[-1][0])
        else:
            out.append([beat, length])
    return [(beat, length) for beat, length in out]


def read_back_changes(song: Song) -> list[Unrepresentable]:
    """What the written .sm timing (warps as negative stops, delays as stops a row earlier) reads back as, when
    that times a note or a timing change of the song differently: a stop or delay inside a warp or a delay at its
    end (a negative and a positive stop meet, and the warp reads back shorter), a stop and a warp on one beat.
    Listed as one conversion, at the first such beat."""
    timing = song.timing
    if not (timing.warps or timing.delays):
        return []
    values = _timing_values(timing)
    try:
        back = timing_from_tags({tag: (values[tag], 0) for tag in ("OFFSET", "BPMS", "STOPS")}, [], sm=True)
    except ParseError as err:
        return [Unrepresentable("", Fraction(0), f"the .sm stops for the warps and delays do not read back: {err}")]
    notes = {n.beat for c in song.charts for n in c.notes} | {n.end_beat for c in song.charts for n in c.notes
                                                              if n.kind.has_length}
    events = {b for b, _ in timing.bpms + timing.stops + timing.delays} | {b for b, _ in timing.warps}
    events |= {b + length for b, length in timing.warps}
    beats = sorted(b for b in notes | events if b >= 0)  # before beat 0: nothing a .sm file holds (problems())
    before, after = timing.seconds_floats(beats), back.seconds_floats(beats)
    changed = [b for b, t0, t1 in zip(beats, before, after, strict=True)
               if in_warp(timing, b) != in_warp(back, b) or (not in_warp(timing, b) and abs(t0 - t1) > 1e-6)]
    if not changed:
        return []
    moved = sum(1 for c in song.charts for n in c.notes if n.beat in set(changed))
    return [Unrepresentable("", changed[0], f".sm cannot hold this timing as it is (a stop or delay inside or at "
                            f"the end of a warp, or a stop and a warp on one beat): it reads back "
                            f"with {moved} note(s) and {len(set(changed) & events)} timing change(s) judged at "
                            f"other times or not at all", fatal=False)]


def _chart_text(chart: Chart, radar_field: str) -> str:
    """One ``#NOTES`` tag; ``radar_field`` is the radar values to write (chart.formats.radar: "" when stale)."""
    radar_values = escape_raw(radar_field, field=True)
    head = [escape(chart.mode), escape(_written_description(chart)), chart.slot.sm_name, str(chart.meter),
            radar_values]
    fields = "".join(f"     {f}:\n" for f in head)
    return f"{chart_comment(chart)}#NOTES:\n{fields}{notes_text(chart)}\n;\n"


def _written_description(chart: Chart) -> str:
    """The description field written (.sm has no chart credit: its AI disclosure goes here); `` (Hard)`` after
    a Hard chart's that StepMania's .sm reader would take for the Challenge chart's (:data:`_OLD_CHALLENGE`)."""
    description = sm_description(chart.description, chart.credit)
    if chart.slot is Slot.HARD and description.strip().lower() in _OLD_CHALLENGE:
        return f"{description.strip()} (Hard)"
    return description
