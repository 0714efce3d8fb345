"""The limit of 20,000 timing entries in a .osu file counts the [TimingPoints] lines, red and green each, before any
is parsed: 600,000 red lines were refused only after 12 s of parsing, and 600,000 green ones not at all (a minute).
Each kind has its own limit (a review found one shared limit refused a 12,000 + 12,000 scroll-speed map the
reader took before)."""

from __future__ import annotations

import pytest

from chart.formats import osu_mania, osu_timing
from chart.formats.errors import MAX_TIMING_ENTRIES, ParseError

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.mp3\nMode: 3\n\n[Metadata]\nTitle:t\nArtist:a\n"
        "Creator:c\nVersion:v\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:5\n\n[TimingPoints]\n")
TAIL = "\n\n[HitObjects]\n64,192,1000,1,0,0:0:0:0:\n"


def _osu(green: int, red: int = 1) -> str:
    lines = [f"{i},500,4,1,0,100,1,0" for i in range(red)] + [f"{i},-50,4,1,0,100,0,0" for i in range(green)]
    return HEAD + "// a comment is not a timing point\n\n" + "\n".join(lines) + TAIL


@pytest.fixture
def parsed(monkeypatch):
    calls = []
    real = osu_mania.parse_point

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(osu_mania, "parse_point", counting)
    return calls


@pytest.mark.parametrize(("green", "red", "kind"), [(MAX_TIMING_ENTRIES + 1, 1, "green"),
                                                    (0, MAX_TIMING_ENTRIES + 1, "red")])
def test_more_timing_lines_than_the_limit_are_refused_before_any_is_parsed(parsed, green, red, kind):
    with pytest.raises(ParseError, match=f"more than {MAX_TIMING_ENTRIES} {kind}") as err:
        osu_mania.loads(_osu(green, red))
    assert parsed == []  # refused on the count: no line was parsed (red: 12 s of parsing first; green: never refused)
    assert err.value.line is not None
    assert "\n" not in str(err.value)


def test_a_map_at_the_limit_still_reads_with_its_green_lines(parsed):
    song = osu_mania.loads(_osu(MAX_TIMING_ENTRIES - 1))
    assert len(parsed) == MAX_TIMING_ENTRIES
    assert dict(song.extra)["TimingPoints.inherited"].count("\n") == MAX_TIMING_ENTRIES - 2


def test_the_count_at_and_past_the_limit():
    red = [(n, f"{n},500,4,1,0,100,1,0") for n in range(MAX_TIMING_ENTRIES)]
    green = [(n, f"{n},-50,4,1,0,100,0,0") for n in range(MAX_TIMING_ENTRIES)]
    old_green = [(n, f"{n},-50") for n in range(MAX_TIMING_ENTRIES)]  # no uninherited field: negative is green
    osu_timing.check_point_count(red + green)  # each at its limit: fine (one shared limit refused these)
    osu_timing.check_point_count(red + old_green)
    with pytest.raises(ParseError, match="red"):
        osu_timing.check_point_count([*red, (MAX_TIMING_ENTRIES, "1,500")])
    with pytest.raises(ParseError, match="green"):
        osu_timing.check_point_count([*green, (MAX_TIMING_ENTRIES, "1,-50")])
