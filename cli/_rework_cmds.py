"""``simplify`` and ``arrows``: AI drafts that rework a chart the designer has (registered by
:mod:`cli.infer_cmds`, after ``draft`` and ``refine``, whose argument checks and writing they share).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli._draft_cmds import (
    OUTPUT_HELP,
    _chart_with_notes,
    _check_output,
    _guarded,
    _local_drafter,
    _moved,
    _one_slot,
    _Progress,
    parse_slots,
)
from cli._draft_write import _save, _write
from cli.common import UserError, seed_arg


def register(subparsers: argparse._SubParsersAction) -> None:
    m = subparsers.add_parser("simplify", help="draft easier slots from a harder chart's rows and arrows",
                              description="Draft --to slots (below --from) by keeping the --from chart's rows that "
                                          "the model rates highest for each easier slot, with their arrows.")
    m.add_argument("chart", type=Path, metavar="CHART", help="chart file holding the harder slot")
    m.add_argument("--from", dest="from_slot", required=True, help="the harder slot to simplify (e.g. hard)")
    m.add_argument("--to", dest="to_slots", required=True, help="easier slots, comma-separated (e.g. easy,beginner)")
    m.add_argument("--models", type=Path, default=None, help="models folder (default resources/models)")
    m.add_argument("-o", "--output", type=Path, required=True, help=OUTPUT_HELP)
    m.set_defaults(func=cmd_simplify)

    a = subparsers.add_parser("arrows", help="new arrows for a chart's rhythm (the lane model alone)",
                              description="Keep every row of the --slot chart of CHART at its beat and let the "
                                          "lane model draw its arrows, jumps and holds again; mines and fakes stay "
                                          "unless an arrow or hold takes their cell. The chart keeps its meter "
                                          "and description.")
    a.add_argument("chart", type=Path, metavar="CHART", help="chart file (its audio is read for the lane model)")
    a.add_argument("--slot", required=True, help="the chart to give new arrows (e.g. medium)")
    a.add_argument("--seed", type=seed_arg, default=0,
                   help="0 (default): the model's best guess; others: sampled (the same seed, the same arrows)")
    a.add_argument("--models", type=Path, default=None, help="models folder (default resources/models)")
    a.add_argument("-o", "--output", type=Path, required=True, help=OUTPUT_HELP)
    a.set_defaults(func=cmd_arrows)


def cmd_simplify(args: argparse.Namespace) -> int:
    from chart.keyboard import is_keyboard

    high = _one_slot(args.from_slot, "--from")
    lows = parse_slots(args.to_slots)
    _check_output(args.output)
    if bad := [s.sm_name for s in lows if s >= high]:
        raise UserError(f"--to slots must be below {high.sm_name}: {', '.join(bad)}")
    song, audio_path, higher = _chart_with_notes(args.chart, high, "simplify")
    drafter = _local_drafter(args.models)
    timing = song.timing_for(higher)
    drafts = _guarded(lambda: drafter.simplify(audio_path, timing, higher.notes, high, lows, progress=_Progress(),
                                               keyboard=is_keyboard(higher)))  # fingers: no foot easing
    return _write(_moved(song, audio_path, args.output), drafts, timing, args.output, higher)


def cmd_arrows(args: argparse.Namespace) -> int:
    from chart.disclosure import with_disclosure
    from inference.lane_context import with_unstepped

    slot = _one_slot(args.slot, "--slot")
    _check_output(args.output)
    song, audio_path, _ = _chart_with_notes(args.chart, slot, "give arrows to")
    song = _moved(song, audio_path, args.output)
    chart = song.chart(slot)
    rows = sorted({n.beat for n in chart.notes if n.kind.is_onset})
    if chart.lanes != 4:
        raise UserError(f"the lane model draws arrows for 4-panel charts; {chart.mode} has {chart.lanes} lanes")
    drafter = _local_drafter(args.models)
    timing = song.timing_for(chart)
    end = max(n.end_beat for n in chart.notes) + 1
    # seed 0: the greedy draft (variant 0); seed s > 0: variant 1 of base seed s - 1, i.e. sampled with seed s
    n, base = (1, 0) if args.seed == 0 else (2, args.seed - 1)
    draft = _guarded(lambda: drafter.arrows(audio_path, timing, rows, slot, n=n, end_beat=end, seed=base,
                                            progress=_Progress()))[-1]
    same = sum(1 for n in draft.notes if n in set(chart.notes))
    chart.notes = with_unstepped(draft.notes, chart.notes)
    p = draft.provenance
    chart.credit = with_disclosure(chart.credit, p.model_id)  # as the editor's Accept of AI arrows does
    sampled = p.parameters.get("variant_seed", p.seed)  # --seed s: variant 1 of base s - 1, sampled with s
    print(f"{slot.sm_name}: {len(rows)} rows, {len(draft.notes)} notes, {same} as before "
          f"({p.lane_model}, seed {sampled}, temperature {p.parameters['lane_temperature']})", file=sys.stderr)
    return _save(song, args.output, [chart])
