"""Golden files: byte-exact canonical writes, read -> write -> read equality (also under a comma-decimal
locale), and the exact contents of each golden (note beats, timing, preserved tags)."""

from __future__ import annotations

import locale
from fractions import Fraction
from pathlib import Path

import pytest

from chart.formats import game_json, osu_mania, registry, sm, ssc
from chart.formats.errors import WriteError
from chart.notes import Note, NoteKind
from chart.song import Slot

GOLDEN = Path(__file__).parent / "golden"
FILES = {"basic.sm": sm, "split_timing.ssc": ssc, "mania4k.osu": osu_mania, "export.json": game_json}
F = Fraction


@pytest.mark.parametrize("name", sorted(FILES))
def test_canonical_write_is_byte_exact(name):
    module = FILES[name]
    data = (GOLDEN / name).read_bytes()
    assert module.dumps(module.load_bytes(data)).encode("utf-8") == data


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("target", ["ssc", "sm", "osu", "json"])
def test_read_write_read_equality(name, target):
    """Every golden through every writer: the same format gives the same song; another format gives the
    same notes at the same times (minus what ``unrepresentable`` lists), or a refusal when notes would move."""
    song = registry.load(GOLDEN / name)
    problems = registry.unrepresentable(song, target)
    if any(p.fatal for p in problems):  # e.g. per-chart timing into .sm: refuse, never move anything
        with pytest.raises(WriteError):
            registry.dumps(song, target)
        return
    text = registry.dumps(song, target)
    again = registry.loads(text, target)
    assert registry.dumps(again, target) == text
    if target == FILES[name].NAME:
        assert again == song
        return
    dropped = {id(p.note) for p in problems if p.note is not None and "dropped" in p.reason}
    for before, after in zip(song.charts, again.charts, strict=True):
        kept = [n for n in before.notes if id(n) not in dropped]
        assert [(n.lane, n.length > 0) for n in kept] == [(n.lane, n.length > 0) for n in after.notes]
        times_before = [song.timing_for(before).beat_to_seconds(n.beat) for n in kept]
        times_after = [again.timing_for(after).beat_to_seconds(n.beat) for n in after.notes]
        assert max((abs(a - b) for a, b in zip(times_before, times_after)), default=0) <= F(1, 10000)


def _comma_locale() -> str | None:
    for name in ("de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "nl_NL.UTF-8", "ru_RU.UTF-8"):
        try:
            locale.setlocale(locale.LC_NUMERIC, name)
        except locale.Error:
            continue
        locale.setlocale(locale.LC_NUMERIC, "C")
        return name
    return None


@pytest.fixture
def comma_decimal_locale():
    """LC_NUMERIC with a decimal comma: a real locale when installed, else a patched ``localeconv``."""
    name = _comma_locale()
    if name:
        locale.setlocale(locale.LC_NUMERIC, name)
        assert locale.format_string("%.3f", 1.5) == "1,500"
        yield name
        locale.setlocale(locale.LC_NUMERIC, "C")
        return
    original = locale.localeconv
    mp = pytest.MonkeyPatch()
    mp.setattr(locale, "localeconv", lambda: {**original(), "decimal_point": ",", "thousands_sep": "."})
    assert locale.format_string("%.3f", 1.5) == "1,500"
    yield "patched localeconv"
    mp.undo()


@pytest.mark.parametrize("name", sorted(FILES))
def test_round_trip_under_comma_decimal_locale(name, comma_decimal_locale):
    module = FILES[name]
    data = (GOLDEN / name).read_bytes()
    song = module.load_bytes(data)
    assert module.dumps(song).encode("utf-8") == data
    assert module.loads(module.dumps(song)) == song


def test_comma_decimals_in_the_wild_are_read():
    text = "#OFFSET:-0,100;\n#BPMS:0,000=120,000,4,000=130,500;\n#STOPS:2,000=0,250;\n"
    text += "#NOTES:dance-single::Easy:1::1000\n0000\n0000\n0000\n;\n"
    song = sm.loads(text)
    assert song.timing.offset == F(-1, 10)
    assert song.timing.bpms == ((F(0), F(120)), (F(4), F(261, 2)))
    assert song.timing.stops == ((F(2), F(1, 4)),)


def test_ssc_golden_contents():
    song = ssc.load_bytes((GOLDEN / "split_timing.ssc").read_bytes())
    assert song.subtitle == "per-chart timing; escapes : kept"
    t = song.timing
    assert (t.offset, t.bpms, t.stops, t.delays, t.warps) == (
        F(-1, 10), ((F(0), F(120)), (F(8), F(240))), ((F(4), F(1, 2)),), ((F(6), F(1, 4)),), ((F(12), F(2)),))
    assert t.time_signatures == ((F(0), 4, 4), (F(16), 3, 4))
    assert [tag for tag, _ in t.extra] == ["TICKCOUNTS", "SCROLLS", "LABELS"]
    assert ("XGENELIVETEST", "unknown song tag:with a colon") in song.extra
    beginner, hard = song.charts
    assert beginner.timing is None
    assert beginner.slot == Slot.BEGINNER
    assert ("XCHARTTAG", "unknown chart tag") in beginner.extra
    assert Note(F(4), 0, NoteKind.HOLD, F(2)) in beginner.notes
    assert hard.timing is not None
    assert hard.timing.bpms == ((F(0), F(150)), (F(4), F(151, 2)))
    assert hard.timing.delays == ((F(2), F(1, 8)),)
    assert hard.timing.warps == ((F(7), F(1, 2)),)
    beats = {(n.beat, n.kind) for n in hard.notes}
    assert {(F(2, 3), NoteKind.TAP), (F(16, 3), NoteKind.LIFT), (F(17, 3), NoteKind.FAKE),
            (F(385, 48), NoteKind.TAP), (F(575, 48), NoteKind.TAP)} <= beats  # 12ths, 24ths, 192nds
    assert Note(F(4), 0, NoteKind.ROLL, F(1)) in hard.notes


def test_unknown_ssc_tags_survive_a_rewrite():
    song = ssc.load_bytes((GOLDEN / "split_timing.ssc").read_bytes())
    text = ssc.dumps(song)
    assert "#XGENELIVETEST:unknown song tag:with a colon;\n#ZZLAST:second unknown tag;" in text
    assert "#XCHARTTAG:unknown chart tag;" in text
    assert ssc.loads(text).extra == song.extra


def test_sm_golden_negative_stop_is_a_warp():
    song = sm.load_bytes((GOLDEN / "basic.sm").read_bytes())
    # -0.46875 s at 128 BPM skips exactly one beat.
    assert song.timing.warps == ((F(25, 2), F(1)),)
    assert song.timing.stops == ((F(8), F(1, 4)),)
    challenge = song.charts[1]
    assert {F(1, 3), F(97, 12), F(195, 16), F(769, 48)} <= {n.beat for n in challenge.notes}


def test_osu_golden_contents():
    song = osu_mania.load_bytes((GOLDEN / "mania4k.osu").read_bytes())
    (c,) = song.charts
    assert (c.lanes, c.slot, c.meter, c.description) == (4, Slot.HARD, 7, "golden 4K")
    assert song.timing.offset == F(-1, 10)
    assert song.timing.bpms == ((F(0), F(120)), (F(8), F(150)))
    assert song.timing.time_signatures == ((F(8), 3, 4),)
    assert c.notes[1] == Note(F(1, 3), 1)  # 267 ms rounds to the 1/3 beat row (0.33 ms away)
    assert Note(F(2), 2, NoteKind.HOLD, F(1)) in c.notes
    assert ("TimingPoints.inherited", "@4,-50,4,1,0,100,0,0") in song.extra  # 2100 ms, kept in beats


def test_json_golden_times_follow_the_segments():
    import json

    doc = json.loads((GOLDEN / "export.json").read_text(encoding="utf-8"))
    for chart in doc["charts"]:
        segs = (chart["timing"] or doc["timing"])["segments"]
        for note in chart["notes"]:
            if note.get("warped"):
                continue
            seg = [s for s in segs if s["start_ms"] <= note["time_ms"] + 1e-9][-1]
            beat = seg["start_beat"] + (note["time_ms"] - seg["start_ms"]) * seg["bpm"] / 60000
            assert beat == pytest.approx(note["beat"], abs=1e-6)
