"""The Verify checks, in display order, and the runner.

``run_checks(ctx)`` runs every check on one chart and returns the issues sorted by beat; a check that raises is
turned into a PROBLEM issue naming it, so one broken check never hides the others' findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from chart.checks.audio_range import CheckAudioRange
from chart.checks.base import Check, CheckContext, Issue, Severity
from chart.checks.beginner import CheckBeginnerRules
from chart.checks.density import CheckDensity
from chart.checks.duplicates import CheckDuplicates
from chart.checks.empty import CheckEmpty
from chart.checks.hands import CheckHands
from chart.checks.holds import CheckHolds
from chart.checks.lanes import CheckLanes
from chart.checks.mp3_delay import CheckMp3Delay
from chart.checks.music import CheckAudioFormat, CheckMusic
from chart.checks.note_in_hold import CheckNoteInHold
from chart.checks.parity import CheckParity
from chart.checks.preview import CheckPreview
from chart.checks.representable import CheckRepresentable
from chart.checks.set_folder import CheckSetFolder
from chart.checks.slot_order import CheckSlotOrder
from chart.checks.slots import CheckOsuNames, CheckSharedSlot
from chart.checks.tempo import CheckTempo
from chart.checks.unjudged import CheckUnjudged
from chart.checks.unsnapped import CheckUnsnapped
from chart.document import song_chart_id
from chart.song import Chart, Song

_CHECKS: list[Check] = [
    CheckUnsnapped(), CheckDuplicates(), CheckLanes(), CheckNoteInHold(), CheckHolds(), CheckAudioRange(),
    CheckPreview(), CheckMusic(), CheckTempo(), CheckSetFolder(), CheckAudioFormat(), CheckMp3Delay(), CheckRepresentable(),
    CheckOsuNames(), CheckUnjudged(), CheckHands(), CheckParity(), CheckBeginnerRules(), CheckSharedSlot(),
    CheckDensity(), CheckSlotOrder(), CheckEmpty(),
]


def all_checks() -> list[Check]:
    """Every registered check, in display order."""
    return list(_CHECKS)


def register(check: Check) -> None:
    """Add a check (e.g. from a plugin); its id must be new."""
    if any(c.meta.id == check.meta.id for c in _CHECKS):
        raise ValueError(f"a check with id {check.meta.id!r} is already registered")
    _CHECKS.append(check)


def unregister(check_id: str) -> None:
    """Remove a check by id (tests, plugins)."""
    _CHECKS[:] = [c for c in _CHECKS if c.meta.id != check_id]


def run_checks(ctx: CheckContext, checks: Sequence[Check] | None = None) -> list[Issue]:
    """Issues of every check on ``ctx.chart``, sorted by beat (chart-wide ones first), then severity (worst first).

    A check that raises becomes one PROBLEM issue "check <id> failed: <error>".
    """
    chart_id = _chart_id(ctx.song, ctx.chart)
    found: list[Issue] = []
    for check in checks if checks is not None else _CHECKS:
        try:
            issues = list(check.run(ctx))
        except Exception as exc:  # a bug in one check must not hide the others
            first_line = (str(exc).splitlines() or [""])[0]
            issues = [Issue(Severity.PROBLEM, f"check {check.meta.id} failed: {type(exc).__name__}: {first_line}")]
        found += [Issue(i.severity, i.message, i.beat, i.notes, check.meta.id, chart_id) for i in issues]
    return sorted(found, key=_order)


def check_song(song: Song, audio_length_s: float | None = None, target_format: str | None = None,
               checks: Sequence[Check] | None = None) -> list[Issue]:
    """Issues of every chart of ``song``, chart by chart; the song's own findings (``CheckContext.song_level``)
    once, with its first chart."""
    out: list[Issue] = []
    for chart in song.charts:
        ctx = CheckContext(song, chart, audio_length_s=audio_length_s, target_format=target_format)
        out += run_checks(ctx, checks)
    return out


def worst(issues: Iterable[Issue]) -> Severity | None:
    """Highest severity among ``issues`` (None when there are none)."""
    return max((i.severity for i in issues), default=None)


def _order(issue: Issue) -> tuple[int, Fraction, int]:
    if issue.beat is None:
        return 0, Fraction(0), -issue.severity
    return 1, issue.beat, -issue.severity


def _chart_id(song: Song, chart: Chart) -> str:
    # The same ids as the editor's Document, so an issue can be located in it.
    try:
        return song_chart_id(song, chart)
    except KeyError:
        return chart.chart_id()
