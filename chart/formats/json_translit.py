"""The JSON export's romanised names: ``song.title_translit`` / ``song.artist_translit`` (docs/game-format.md).

The model keeps them as StepMania keeps them, ``#TITLETRANSLIT`` / ``#ARTISTTRANSLIT`` in ``Song.extra`` (raw,
MSD-escaped: ``Re\\:Zero``); a game reading the export gets them as plain text in the song object. The tags stay in
the top-level ``extra`` as well, as written before these fields: a reader of that time (an older editor opening an
autosave) keeps them, a repeated tag keeps every copy, and a raw value the text does not give back exactly (an
escape StepMania does not need, ``\\a``) is kept as it was. Reading, the field wins over a tag that says otherwise;
a file without the fields still reads its tags from ``extra``.
"""

from __future__ import annotations

from chart.formats.msd import escape, unescape
from chart.formats.stepmania import SONG_ORDER

FIELDS = {"title_translit": "TITLETRANSLIT", "artist_translit": "ARTISTTRANSLIT"}  # song key -> Song.extra tag


def translit_json(extra: list[tuple[str, str]]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(the song object's romanised names, only those set; the top-level ``extra``, tags included: module docstring;
    a review found leaving them out lost them in an older reader and collapsed a repeated tag)."""
    raw = dict(extra)
    fields = {key: unescape(raw[tag]) for key, tag in FIELDS.items() if unescape(raw.get(tag, ""))}
    return fields, list(extra)


def with_translit(extra: list[tuple[str, str]], fields: dict[str, str]) -> list[tuple[str, str]]:
    """``extra`` read from a file with the song object's romanised names (``fields``; "" where absent) as their
    tags: a field replaces a tag that says otherwise, and a tag it adds goes where StepMania writes it."""
    out = list(extra)
    for key, tag in FIELDS.items():
        text = fields.get(key, "")
        if not text:
            continue
        tags = [i for i, (name, _) in enumerate(out) if name == tag]
        if tags:  # the field wins over the tag in force (the last, as written), unless a copy already says it
            if all(unescape(out[i][1]) != text for i in tags):
                out[tags[-1]] = (tag, escape(text))
            continue
        out.insert(_place(out, tag), (tag, escape(text)))
    return out


def _place(extra: list[tuple[str, str]], tag: str) -> int:
    """Before the first tag StepMania writes after ``tag``, else at the end (where the osu! reader puts them)."""
    rank = {name: i for i, name in enumerate(SONG_ORDER)}
    return next((i for i, (name, _) in enumerate(extra) if rank.get(name, -1) > rank[tag]), len(extra))
