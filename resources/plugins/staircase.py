"""Re-lane the single arrows as a staircase (left, down, up, right, up, down, ...); jumps stay where they are."""

from bisect import bisect_left, bisect_right, insort
from math import inf

NAME = "Staircase Arrows"
STEPPED = ("tap", "hold", "roll", "lift")


def run(ctx):
    cycle = list(range(ctx.lanes)) + list(range(ctx.lanes - 2, 0, -1))  # 0 1 2 3 2 1 for 4 lanes
    selected = set(ctx.notes)
    spans = {lane: [] for lane in range(ctx.lanes)}  # per lane, sorted (head, end) of the notes placed so far
    for n in ctx.chart_notes:
        if n not in selected:
            insort(spans[n.lane], (n.beat, n.end_beat))

    def free(lane, note):
        """No placed note in ``lane`` touches the note's head..end (notes of one lane never overlap, so only the
        last one starting at or before the end can; ``inf`` puts a hold starting right at the end before the key)."""
        lane_spans = spans[lane]
        k = bisect_right(lane_spans, (note.end_beat, inf))
        if k and lane_spans[k - 1][1] >= note.beat:
            return False
        heads = waiting[lane]  # nor the head of a later single there, which may have to stay in its lane
        k = bisect_left(heads, note.beat)
        return k == len(heads) or heads[k] > note.end_beat

    rows = {}
    for n in ctx.notes:
        rows.setdefault(n.beat, []).append(n)
    singles = {beat for beat, notes in rows.items() if len(notes) == 1 and notes[0].kind.value in STEPPED}
    for beat, notes in rows.items():  # jumps, mines and fakes stay: they are in place from the start
        if beat not in singles:
            for n in notes:
                insort(spans[n.lane], (n.beat, n.end_beat))
    waiting = {lane: sorted(rows[b][0].beat for b in singles if rows[b][0].lane == lane) for lane in spans}
    out, i = [], 0
    for beat in sorted(rows):
        notes = rows[beat]
        if beat in singles:
            note = notes[0]
            waiting[note.lane].remove(note.beat)  # when no step is free it stays in its lane, kept free for it
            for _ in range(len(cycle)):  # the next step of the stairs whose lane is free for this note
                step = cycle[i % len(cycle)]
                i += 1
                if free(step, note):
                    notes = [note.replace(lane=step)]
                    break
            insort(spans[notes[0].lane], (notes[0].beat, notes[0].end_beat))
        out += notes
    return out
