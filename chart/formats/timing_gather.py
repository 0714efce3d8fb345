"""The timing tags of a .sm/.ssc header or .ssc chart block, a repeated tag taken as StepMania's loader takes it.

StepMania 5's .ssc loader (``SetSongBPMs``, ``SetSongStops`` ... for header and chart block alike) adds each tag's
entries to the timing with ``TimingData::AddSegment``, which replaces only an entry on the same row: two
``#BPMS`` tags are merged, a later entry on the beat of an earlier one winning. Its .sm loader (``SMSetBPMs``,
``SMSetStops`` ...) clears the list first, so there the last tag wins. ``#OFFSET`` is one value: the last wins in
both. Either way a repeated tag is said in the read report.
"""

from __future__ import annotations

from chart.formats.msd import Tag
from chart.formats.timing_tags import EXTRA_TAGS, FIELD_TAGS


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
                self.values[name] = (",".join(t for t in (old[0], text) if t.strip()), old[1])
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
                self.extra[i] = (name, ",".join(t for t in (self.extra[i][1], raw) if t))
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
