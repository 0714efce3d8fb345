"""How ``draft``, ``refine``, ``simplify`` and ``arrows`` write what they drafted (split off :mod:`cli._draft_cmds`
to keep modules short): each draft becomes a chart of the song, said in one line on stderr (with a ``note:`` when
it is easier than the song's chart of the slot below it, or harder than the one above:
:mod:`chart.checks.slot_order`), and the song is written all or nothing (:func:`cli.common.write_chart_files`).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from cli.common import UserError, write_chart_files


def _write(song: Any, drafts: list[Any], timing: Any, output: Path, source: Any = None) -> int:
    """Put ``drafts`` into ``song`` (replacing the charts of their slots) and write it to ``output``. A new chart is
    marked a keyboard chart when made for a keyboard map or from a keyboard ``source`` chart (the refined or
    simplified one; :func:`chart.keyboard.keyboard_extra`, as the editor's new charts for a draft are). A chart
    drafted from a ``source`` with its own timing (split timing) gets a copy of it: it was drafted on that timing
    (``song.timing_for(source)``), and on the song's its rows would sound where the source's do not."""
    from chart.checks.slot_order import order_notes
    from chart.disclosure import with_disclosure
    from chart.keyboard import keyboard_extra
    from chart.song import Chart
    from chart.stats import estimated_meter, note_count

    own = source.timing if source is not None else None
    made = []
    one_per_file = _one_per_file(output)  # osu!: only the new charts are written, each to its own file
    for draft in drafts:
        chart = Chart(slot=draft.slot, notes=draft.notes, description="AI draft", timing=copy.deepcopy(own),
                      credit=with_disclosure("", draft.provenance.model_id))  # the editor's Accept writes it too
        chart.extra = keyboard_extra(song, chart.mode, source)
        chart.meter = estimated_meter(chart, timing)  # the editor's Accept sets the same (accept_meta)
        replaced = [c for c in song.charts if c.slot == draft.slot and c.mode == chart.mode]
        song.charts = [c for c in song.charts if c not in replaced] + [chart]
        made.append(chart)
        for old in [] if one_per_file else replaced:  # a designer's finished chart of that slot goes: said
            print(_replaces(old, note_count(old, song.timing_for(old))), file=sys.stderr)
        p = draft.provenance
        skeleton = _kept_text(p.parameters)
        if (arrows := p.parameters.get("lower_arrows_kept")) is not None:
            skeleton += f" ({arrows} with their arrows)"
        if upper := p.parameters.get("rows_capped_by"):  # inference.slot_rise
            skeleton += f", thinned below {upper}"
        if split := p.parameters.get("jumps_split"):
            skeleton += f", {split} jumps made steps"
        if source_name := p.parameters.get("simplified_from"):
            skeleton += f", {p.parameters['rows_kept']} of the {p.parameters['higher_rows']} {source_name} rows"
            if uncrossed := p.parameters.get("arrows_uncrossed"):
                skeleton += f", {uncrossed} arrows moved so the feet do not cross"
        # a draft is decoded greedily (temperature 0): the seed chose nothing and is not shown as if it had
        chosen = f"seed {p.seed}" if p.parameters.get("lane_temperature") else "best guess"
        print(f"{draft.slot.sm_name}: {note_count(chart, timing)} notes, meter {chart.meter}{skeleton} (threshold "
              f"{draft.threshold:.3f}; {p.model_id} sha256:{p.sha256[:12]}, lanes {p.lane_model}, {p.backend}, "
              f"{chosen})", file=sys.stderr)
    song.charts.sort(key=lambda c: (c.mode, int(c.slot)))
    for line in order_notes(song, made):  # a Hard refined from Easy that is sparser than the song's Medium: said
        print(f"note: {line}", file=sys.stderr)
    return _save(song, output, made)


def _one_per_file(output: Path) -> bool:
    from chart.formats.registry import format_for

    return format_for(output).name == "osu"


def _replaces(old: Any, notes: int, where: str = "") -> str:
    by = f" by {old.credit}" if old.credit else ""
    return f"note: replaces the {old.slot.sm_name} chart{by} ({notes} notes){where}"


def _kept_text(params: dict) -> str:
    """", keeps 393 of the 394 Medium rows": a refine's share of the lower chart's rows, counted (a percentage
    rounded 393 of 394 to "100%")."""
    kept, of = params.get("lower_rows_kept_count"), params.get("lower_rows_in_range")
    if kept is None or of is None:
        share = params.get("lower_rows_kept")
        return f", keeps {share:.1%} of the {params['refined_from']} rows" if share is not None else ""
    if kept == of:
        return f", keeps all {of} {params['refined_from']} rows"
    return f", keeps {kept} of the {of} {params['refined_from']} rows"


def _note_replaced_files(song: Any, output: Path) -> None:
    """For an osu! output (the new charts only, a file each): the chart of each file about to be replaced, read
    from that file (a designer's Hard .osu written over); a file that does not read is left to the ``.bak``
    note."""
    from chart.formats.errors import ParseError
    from chart.formats.registry import load, split_per_chart
    from chart.stats import note_count

    for _part, target in split_per_chart(song, output):
        if not Path(target).is_file():
            continue
        try:
            old = load(target)
        except (ParseError, OSError, ValueError):
            continue
        for chart in old.charts:
            print(_replaces(chart, note_count(chart, old.timing_for(chart)), f" in {target}"), file=sys.stderr)


def _save(song: Any, output: Path, made: list[Any] | None = None) -> int:
    """Write ``song``; to osu!mania (one difficulty per file) only the charts ``made`` (the very chart objects just
    drafted or given arrows: a designer's chart of the same slot in another mode, a 7K Hard beside a new 4K Hard, is
    not written again), one file each when several (``registry.save_split``)."""
    from chart.formats.errors import ParseError, WriteError
    from chart.formats.registry import format_for

    if format_for(output).name == "osu" and made is not None:
        song = copy.copy(song)
        song.charts = [c for c in song.charts if any(c is m for m in made)]
        _note_replaced_files(song, output)
    try:
        written = write_chart_files(song, output)
    except (WriteError, ParseError) as exc:
        raise UserError(f"cannot write {output}: {exc}") from exc
    print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0
