"""Turn every jump into a single arrow: a hold is kept first, else an arrow off the previous row's lane."""

NAME = "Split Jumps into Single Arrows"
STEPPED = ("tap", "hold", "roll", "lift")  # arrows a player steps on; mines and fakes stay as they are


def run(ctx):
    rows = {}
    for n in ctx.notes:
        rows.setdefault(n.beat, []).append(n)
    out, previous = [], None
    for beat in sorted(rows):
        arrows = [n for n in rows[beat] if n.kind.value in STEPPED]
        others = [n for n in rows[beat] if n.kind.value not in STEPPED]
        if len(arrows) > 1:
            # a hold first (the player must keep it), then an arrow that does not repeat the last lane, then by lane
            arrows = [min(arrows, key=lambda n: (not n.kind.has_length, n.lane == previous, n.lane))]
        if arrows:
            previous = arrows[0].lane
        out += arrows + others
    return out
