"""Keep only the notes on whole beats: the skeleton of an easier chart (holds, mines and jumps on beats stay)."""

NAME = "Keep Notes on Beats"


def run(ctx):
    return [n for n in ctx.notes if n.beat.denominator == 1]
