"""The timing tags of a .sm/.ssc header or .ssc chart block, a repeated tag taken as StepMania's loader takes it.

StepMania 5's .ssc loader (``SetSongBPMs``, ``SetSongStops`` ... for header and chart block alike) adds each tag's
entries to the timing with ``TimingData::AddSegment``, which replaces only an entry on the same row: two
``#BPMS`` tags are merged, a later entry on the beat of an earlier one winning. Its .sm loader (``SMSetBPMs``,
``SMSetStops`` ...) clears the list first, so there the last tag wins. ``#OFFSET`` is one value: the last wins in
both. Either way a repeated tag is said in the read report.

Merging is done here, on the tags' text, for the tags whose readers keep every entry (``#WARPS``,
``#TIMESIGNATURES`` and the display segments kept as text): an earlier tag's entry on the row of a later tag's
entry is left out. ``#BPMS #STOPS #DELAYS`` are joined whole and their readers keep one entry per beat.
A merged tag's errors are reported at the line of the tag that holds the first bad entry.
"""

from __future__ import annotations

from fractions import Fraction

from chart.formats.display_segments import SPECS
from chart.formats.errors import ParseError
from chart.formats.msd import Tag
from chart.formats.timing_tags import EXTRA_TAGS, FIELD_TAGS
from chart.formats.values import parse_list, parse_number, snap_row

# Tags merged entry by entry (module docstring), with the least number of '='-separated fields of an entry.
_BY_ENTRY = {"WARPS": 2, "TIMESIGNATURES": 3, **{tag: spec.width for tag, spec in SPECS.items()}}


class TimingTags:
    """Collects timing tags: :attr:`values` (``FIELD_TAGS`` name -> (text, line)) and :attr:`extra`
    (``EXTRA_TAGS`` as (name, raw value), file order), for :func:`~chart.formats.timing_tags.timing_from_tags`.

    ``merge``: a repeated tag adds its entries (.ssc), else the last one wins (.sm). ``skip_empty``: empty tags
    are not collected (a .ssc chart block, where an empty tag does not give the chart its own timing).
    """

    def __init__(self, merge: bool, skip_empty: bool = False) -> None:
        self.values: dict[str, tuple[str, int]] = {}
        self.extra: list[tuple[str, str]] = []
        self.merge = merge
        self.skip_empty = skip_empty
        self._seen: dict[str, int] = {}
        self._at: dict[str, int] = {}  # EXTRA_TAGS name -> its index in extra (merge)

    def add(self, name: str, tag: Tag) -> bool:
        """Collect ``tag`` (named ``name``, aliases resolved) if it is a timing tag; False when it is not."""
        if name in FIELD_TAGS:
            text = tag.text
            if self.skip_empty and not text:
                return True
            self._count(name, bool(text))
            old = self.values.get(name)
            if self.merge and name != "OFFSET" and old is not None:
                self.values[name] = merge_fields(name, old, (text, tag.line))
            else:
                self.values[name] = (text, tag.line)
            return True
        if name in EXTRA_TAGS:
            raw = tag.raw.strip()
            if self.skip_empty and not raw:
                return True
            self._count(name, bool(raw))
            if self.merge and name in self._at:
                i = self._at[name]
                self.extra[i] = (name, merge_text(name, self.extra[i][1], raw))
            else:
                self._at[name] = len(self.extra)
                self.extra.append((name, raw))
            return True
        return False

    def _count(self, name: str, filled: bool) -> None:
        if filled or not self.merge:
            self._seen[name] = self._seen.get(name, 0) + 1

    def notes(self) -> list[str]:
        """Read-report lines for the repeated tags."""
        out = []
        for name, count in self._seen.items():
            if count < 2:
                continue
            if self.merge and name != "OFFSET":
                out.append(f"#{name} given {count} times: their entries merged (a later entry on the beat of an "
                           f"earlier one replaces it), as StepMania's .ssc loader does")
            elif name in FIELD_TAGS:
                loader = "StepMania's .sm loader" if not self.merge else "StepMania"
                out.append(f"#{name} given {count} times: only the last one read, as {loader} does")
            # a .sm file's repeated display tags: StepMania's .sm loader ignores them; kept and written back as read
        return out


def merge_text(name: str, earlier: str, later: str) -> str:
    """The text of two tags ``name`` as one: for the tags merged by entry, ``earlier``'s entries on the row of one
    of ``later``'s left out (StepMania's ``AddSegment`` replaces them); for the others, or text that does not
    split into entries, both joined whole (their readers report what is wrong)."""
    return ",".join(t for t in _merged(name, earlier, later) if t.strip())


def merge_fields(name: str, earlier: tuple[str, int], later: tuple[str, int]) -> tuple[str, int]:
    """:func:`merge_text` for a :data:`FIELD_TAGS` tag given as (text, line): the line is the later tag's when
    the first bad entry of the merged text is one of its entries, else the earlier one's."""
    kept, last = _merged(name, earlier[0], later[0])
    line = later[1] if _reads(name, kept) and not _reads(name, last) else earlier[1]
    return ",".join(t for t in (kept, last) if t.strip()), line


def _merged(name: str, earlier: str, later: str) -> tuple[str, str]:
    """(what is kept of ``earlier``, ``later``): :func:`merge_text`."""
    width = _BY_ENTRY.get(name)
    first = _entries(earlier, width) if width else None
    second = _entries(later, width) if width else None
    if first is None or second is None:
        return earlier, later
    rows = {row for row, _ in second if row is not None}
    return ",".join(text for row, text in first if row is None or row not in rows), ",".join(t for _, t in second)


def _entries(text: str, width: int) -> list[tuple[Fraction | None, str]] | None:
    """(row, text) of each entry of ``text`` (row None when the beat is not a number); None when the text does
    not split into entries of ``width`` fields."""
    pieces = [e.strip() for e in text.split(",") if e.strip()]
    if any(p.count("=") < width - 1 for p in pieces):
        try:  # the decimal-comma variant (0,000=120,000,4,000=130,000), or bad text
            pieces = ["=".join(fields) for fields in parse_list(text, width, "")]
        except ParseError:
            return None
    out: list[tuple[Fraction | None, str]] = []
    for piece in pieces:
        try:
            row: Fraction | None = snap_row(parse_number(piece.split("=", 1)[0]))
        except ParseError:
            row = None
        out.append((row, piece))
    return out


def _reads(name: str, text: str) -> bool:
    """Whether a :data:`FIELD_TAGS` tag's text reads: entries of numbers in enough fields, none negative where
    its reader refuses that (a warp, a delay; a time signature of 0 neither)."""
    try:
        for fields in parse_list(text, 3 if name == "TIMESIGNATURES" else 2, ""):
            values = [parse_number(field) for field in fields][1:3]
            if name == "TIMESIGNATURES" and any(int(v) <= 0 for v in values):
                return False
            if name in ("WARPS", "DELAYS") and any(v < 0 for v in values):
                return False
    except ParseError:
        return False
    return True
