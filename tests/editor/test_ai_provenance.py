"""Which request's provenance an Accept records once a regenerated region can no longer be flipped (audit 21):
its ghosts fell back to the draft's own provenance (variant 0's) after part of the region was decided or another
passage was regenerated, and an older draft's ghosts took a new draft's. No model needed: drafts are put in the
store directly, as tests/editor/test_ghost_decisions.py does."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chart.notes import Note

pytestmark = pytest.mark.qt

F = Fraction


def variants(b0: int) -> list[list[Note]]:
    """Three variants of the 8 beats from ``b0``, each with notes in both of its measures (lane k for variant k)."""
    return [[Note(F(b0 + b), k) for b in (1, 2, 5, 6)] for k in range(3)]


def provenance(k: int, seed: int = 7) -> dict:
    return {"seed": seed + k, "parameters": {"variant": k, "variants": 3}}


def last_provenance(win) -> dict:
    return win.session.doc.history.undo_commands()[-1].provenance


def accept(win, b0: int, b1: int) -> dict:
    win.session.set_range((F(b0), F(b1)))
    assert win.accept_drafts() > 0
    return last_provenance(win)


def test_the_rest_of_a_partly_accepted_variant_keeps_its_provenance(opened):
    """Regenerate 8 beats as 3 variants, show the third, accept measure by measure: the 2nd measure's undo step
    recorded variant 0 (seed 7), for variant 2's notes."""
    win = opened
    chart = win.session.chart
    ghosts = win.drafting.ghosts
    ghosts.put_variants(chart, variants(8), (F(8), F(16)), {}, [provenance(k) for k in range(3)], 0.5, None, 0.0)
    ghosts.flip_variant(chart, 1)
    ghosts.flip_variant(chart, 1)
    assert accept(win, 8, 12)["parameters"]["variant"] == 2
    second = accept(win, 12, 16)
    assert (second["seed"], second["parameters"]["variant"]) == (9, 2)
    assert [n.lane for n in chart.notes if 12 <= n.beat < 16] == [2, 2]  # variant 2's notes, as recorded


def test_a_variant_shown_when_another_passage_is_regenerated_keeps_its_provenance(opened):
    """Flip to variant 3 of one passage, regenerate another, then accept the first: recorded as variant 0."""
    win = opened
    chart = win.session.chart
    ghosts = win.drafting.ghosts
    ghosts.put_variants(chart, variants(8), (F(8), F(16)), {}, [provenance(k) for k in range(3)], 0.5, None, 0.0)
    ghosts.flip_variant(chart, 2)
    ghosts.put_variants(chart, variants(24), (F(24), F(32)), {}, [provenance(k, seed=50) for k in range(3)],
                        0.5, None, 0.0)
    ghosts.flip_variant(chart, 1)  # flips the new passage only
    first = accept(win, 8, 16)
    assert (first["seed"], first["parameters"]["variant"]) == (9, 2)
    assert first["accepted_region"] == ["8", "16"]
    assert [n.lane for n in chart.notes if 8 <= n.beat < 16] == [2] * 4
    assert accept(win, 24, 32)["seed"] == 51


def test_an_older_drafts_ghosts_beside_a_new_draft_keep_their_provenance(opened):
    """A whole draft of beats 0-16, then a new draft of 16-32 (another request): the old ghosts took its record."""
    from editor.controllers.ghosts import GhostDraft

    win = opened
    chart = win.session.chart
    ghosts = win.drafting.ghosts
    old, new = {"seed": 1, "parameters": {}}, {"seed": 2, "parameters": {}}
    ghosts.put(GhostDraft(chart, [Note(F(2), 0), Note(F(10), 1)], {}, old, regions=[(F(0), F(16))]))
    ghosts.put(GhostDraft(chart, [Note(F(20), 2)], {}, new, regions=[(F(16), F(32))]))
    assert accept(win, 0, 8)["seed"] == 1
    win.session.set_range(None)
    assert win.drafting.decide(accept=True, everything=True) == 2  # the rest: one undo step, two records
    steps = win.session.doc.history.undo_commands()[-1]
    records = sorted((c.provenance["accepted_region"], c.provenance["seed"]) for c in steps.children
                     if getattr(c, "provenance", None))
    assert records == [(["16", "32"], 2), (["8", "16"], 1)]
