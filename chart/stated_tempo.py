"""Whether a song states its tempo: the one test the command line's ``draft``/``refine``, the editor's Draft,
Regenerate and Refine, and Verify's ``tempo`` check share.

A StepMania file without a (nonzero) ``#BPMS`` reads at 60 BPM, as StepMania's loader does
(:func:`chart.formats.timing_tags.timing_from_tags`): the song opens and plays, but its beats are invented, and an
AI draft snapped to that grid lands off the music. :func:`note_read_tempo` marks such a song as it is read
(:func:`chart.formats.registry.load` and ``loads`` call it): ``Song.unstated_bpms`` holds the BPMs the reader filled
in. The song states its tempo again as soon as its BPMs are anything else (Timing > Detect Tempo, Tap Tempo, the
Timing panel; undoing them brings the invented tempo back). An osu! map without a red line does not read at all, and
the JSON export always carries its tempo; a song made in the editor (New Song from Audio) has the tempo confirmed in
its dialog.
"""

from __future__ import annotations

import re
from fractions import Fraction

from chart.song import Song

_BPMS = re.compile(r"#BPMS\s*:([^;#]*)", re.IGNORECASE)
_PAIR = re.compile(r"=\s*([-+]?(?:\d+\.?\d*|\.\d+))")
#: UTF-16/32 byte order marks: such a file is decoded as the readers decode it before its tags are searched
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
#: What the editor and the command line say a song without a stated tempo lacks
MISSING = "no tempo (#BPMS)"


def file_states_tempo(data: bytes | str) -> bool:
    """Whether StepMania file contents (``.sm``/``.ssc``, the song's or any chart's tags) give a nonzero BPM."""
    if isinstance(data, bytes):
        if data.startswith(_WIDE_BOMS):
            from chart.formats.msd import decode_noted

            data = decode_noted(data)[0]
        else:  # the tag and its numbers are ASCII in every code page the readers accept
            data = data.decode("latin-1")
    for match in _BPMS.finditer(data):
        for value in _PAIR.findall(match.group(1)):
            if Fraction(value) != 0:
                return True
    return False


def note_read_tempo(song: Song, fmt: str, data: bytes | str) -> Song:
    """Mark ``song``, just read from ``data`` in format ``fmt``, when its file states no tempo (see module)."""
    if fmt in ("sm", "ssc") and not file_states_tempo(data):
        song.unstated_bpms = song.timing.bpms
    return song


def states_tempo(song: Song) -> bool:
    """Whether ``song``'s tempo was stated (by its file, or set since) rather than invented by a reader."""
    return song.unstated_bpms is None or song.timing.bpms != song.unstated_bpms
