"""A note edit carries osu! kept sounds by looking only at the cells it touched, with the very result of moving
every kept sound (tests/chart/formats/hitsounds_reference.py) (chart/formats/osu_hitsounds.py: follow_edit)."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from chart.formats import osu_hitsounds as hs
from chart.notes import Note
from tests.chart.formats import hitsounds_reference as ref

# odd beats: triplets, 192nds, a prime denominator, and beats one float apart from none (2**60ths: equal floats)
_DENOMS = (1, 2, 3, 4, 7, 12, 48, 192, 1009)
_BIG = 2 ** 60


def _beat(rng: random.Random, ties: bool = True) -> F | int:
    roll = rng.random()
    if roll < 0.08 and ties:
        return F(_BIG + rng.randrange(8), _BIG) + rng.randrange(3)  # several rows at float 1.0, 2.0...
    if roll < 0.12:
        return rng.randrange(6)  # a plain int beat (as a follow map may give)
    return F(rng.randrange(0, 40 * 12), rng.choice(_DENOMS))


def _extra(rng: random.Random, notes: list[Note]) -> list[tuple[str, str]]:
    sounds = ["2,0:0:0:0:", "4,2:3:1:70:", "8,0:0:0:0:kick.wav", "0,1:0:0:0:"]
    lines = [f"{n.beat},{n.lane},{rng.choice(sounds)}" for n in notes if rng.random() < 0.85]
    lines += [f"{_beat(rng)},{rng.randrange(4)},2,0:0:0:0:" for _ in range(rng.randrange(3))]  # no note there
    if rng.random() < 0.3:
        lines.append(f"x{_beat(rng)},1,2,0:0:0:0:")  # an earlier edit's lost sound
    if rng.random() < 0.2 and lines:
        lines.append(rng.choice(lines))  # a line twice
    if rng.random() < 0.2:
        lines.append("junk,line")
    if rng.random() < 0.5:
        rng.shuffle(lines)  # not in the writer's order
    return [("General.x", "1"), (hs.HITSOUNDS, "\n".join(lines))]


def _edit(rng: random.Random, notes: list[Note]) -> tuple[list[Note], list[Note], dict]:
    """(old, new, follow) of a random editor edit of ``notes``."""
    kind = rng.choice(["move", "delete", "paste", "mirror", "place", "swap", "onto"])
    picked = rng.sample(notes, min(len(notes), rng.randrange(1, 6))) if notes else []
    if kind == "delete":
        return picked, [], {}
    if kind in ("paste", "place"):
        new = [Note(_beat(rng), rng.randrange(4)) for _ in range(rng.randrange(1, 5))]
        new += [Note(n.beat, n.lane) for n in picked if rng.random() < 0.5]  # onto notes that have sounds
        return [n for n in picked if rng.random() < 0.3], new, {}
    if kind == "mirror":
        new = [Note(n.beat, 3 - n.lane) for n in picked]
    elif kind == "swap" and len(picked) >= 2:
        cells = [(n.beat, n.lane) for n in picked]
        rng.shuffle(cells)
        new = [Note(b, lane) for b, lane in cells]
    elif kind == "onto":  # moved onto another kept sound's cell (that note left alone)
        new = [Note(o.beat, o.lane) for o in rng.sample(notes, len(picked))]
    else:
        step = F(rng.randrange(-7, 8), rng.choice(_DENOMS))
        new = [Note(n.beat + step, (n.lane + rng.randrange(2)) % 4) for n in picked]
    follow = {(o.beat, o.lane): (n.beat, n.lane) for o, n in zip(picked, new) if rng.random() < 0.9}
    return picked, new, follow


@pytest.mark.parametrize("seed", range(80))
def test_follow_edit_equals_moving_every_sound(seed, monkeypatch):
    rng = random.Random(seed)
    ties = seed % 2 == 0  # else no two beats share a float: the kept lines are spliced, not all written again
    spliced = []
    splice = hs._spliced
    monkeypatch.setattr(hs, "_spliced", lambda *args: spliced.append(splice(*args)) or spliced[-1])
    notes = [Note(_beat(rng, ties), rng.randrange(4)) for _ in range(40)]
    notes = list({(n.beat, n.lane): n for n in notes}.values())
    extra = _extra(rng, notes)
    for _ in range(25):
        old, new, follow = _edit(rng, notes)
        want = ref.follow_edit(extra, old, new, follow)
        got = hs.follow_edit(extra, old, new, follow)
        assert got == want
        assert (got is extra) == (want is extra)
        assert hs.kept_sounds(got) == ref._kept(want)  # what the text is remembered as reads the same
        gone = {(n.beat, n.lane) for n in old}
        notes = [n for n in notes if (n.beat, n.lane) not in gone]
        notes = list({(n.beat, n.lane): n for n in [*notes, *new]}.values())
        extra = got
    assert ties or any(text is not None for text in spliced)


class CountingFraction(F):
    """A beat that counts how often it is hashed (a dict or set looking it up)."""

    hashes = 0
    shown = 0

    def __hash__(self):
        CountingFraction.hashes += 1
        return super().__hash__()

    def __str__(self):
        CountingFraction.shown += 1
        return super().__str__()


def test_an_edit_of_one_note_looks_at_its_cells_not_at_every_kept_sound():
    notes = [Note(F(i, 3), i % 4) for i in range(3000)]
    text = "\n".join(f"{n.beat},{n.lane},2,0:0:0:0:" for n in notes)
    extra = [(hs.HITSOUNDS, text)]
    hs._remember(text, {(CountingFraction(n.beat), n.lane): ("2", "0:0:0:0:") for n in notes})  # as parsed
    moved = Note(F(7, 3) + F(1, 96), 1)
    CountingFraction.hashes = 0
    out = hs.follow_edit(extra, [notes[7]], [moved], {(notes[7].beat, notes[7].lane): (moved.beat, moved.lane)})
    assert CountingFraction.hashes < 50  # was 3000 and more: every kept sound moved on every edit
    assert out != extra
    assert hs.kept_sounds(out)[(moved.beat, 1)] == ("2", "0:0:0:0:")
    CountingFraction.hashes = CountingFraction.shown = 0
    again = hs.follow_edit(out, [moved], [notes[7]], {(moved.beat, 1): (notes[7].beat, notes[7].lane)})
    assert CountingFraction.hashes < 50
    assert CountingFraction.shown < 50  # the lines of the sounds left alone are kept, not written again
    assert again == extra or hs.kept_sounds(again) == hs.kept_sounds(extra)
