"""Hostile or odd text in chart files: a lone surrogate in JSON names its $.path; UTF-16 .sm/.ssc/.osu read
(Notepad's "Unicode"); a file with no StepMania tag is refused, not an empty song; the notes limit holds inside one
measure; 3-digit exponents are numbers; an .osz's .osu files have one budget together."""

from __future__ import annotations

import json
import time
from fractions import Fraction

import pytest

from chart.formats import notedata, osz, registry
from chart.formats.errors import ParseError
from chart.formats.osz import load_bytes as load_osz
from chart.formats.values import parse_number
from tests.chart.formats.test_osz import make_zip, osu_text

SSC = ("#VERSION:0.83;\n#TITLE:Tiny;\n#MUSIC:a.ogg;\n#OFFSET:0;\n#BPMS:0=120;\n#NOTEDATA:;\n#STEPSTYPE:dance-single;\n"
       "#DIFFICULTY:Easy;\n#METER:1;\n#NOTES:\n1000\n0100\n0010\n0001\n;\n")


def test_a_lone_surrogate_in_json_names_its_path():
    from chart.formats import game_json, ssc

    doc = json.loads(game_json.dumps(ssc.loads(SSC)))
    doc["song"]["title"] = "\ud800"
    with pytest.raises(ParseError, match=r"\$\.song\.title"):
        game_json.loads(json.dumps(doc))
    doc["song"]["title"] = "\U0001f3b5"  # a pair, escaped by json.dumps: fine
    assert game_json.loads(json.dumps(doc)).title == "\U0001f3b5"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])  # "utf-16": BOM + little-endian, as Notepad saves
def test_utf16_stepmania_and_osu_files_read(tmp_path, codec):
    bom = "" if codec == "utf-16" else "\ufeff"
    (tmp_path / "s.ssc").write_bytes((bom + SSC).encode(codec))
    song = registry.load(tmp_path / "s.ssc")
    assert song.title == "Tiny"
    assert len(song.charts[0].notes) == 4
    (tmp_path / "s.osu").write_bytes((bom + osu_text("Easy")).encode(codec))
    assert len(registry.load(tmp_path / "s.osu").charts[0].notes) == 4


@pytest.mark.parametrize("data", [b"\x00\x01binary\xff\xfe" * 50, b"just some text\n", b""])
def test_no_stepmania_tag_is_refused(tmp_path, data):
    for name in ("x.sm", "x.ssc"):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ParseError, match="no StepMania tags found"):
            registry.load(tmp_path / name)


def test_the_notes_limit_holds_inside_one_measure(monkeypatch):
    monkeypatch.setattr(notedata, "MAX_NOTES", 100)
    monkeypatch.setattr(notedata, "MAX_NOTE_CELLS", 200)
    seen = []
    real = notedata._read_row
    monkeypatch.setattr(notedata, "_read_row", lambda *a: (seen.append(1), real(*a))[1])
    with pytest.raises(ParseError, match="more than 100 notes in one chart"):
        notedata.parse_notes("1111\n" * 150, 4)  # 150 rows of 4 notes (no two lines share a row)
    assert len(seen) <= 26  # refused as the limit passed, not at the measure's end
    seen.clear()
    with pytest.raises(ParseError, match="more than 200 notes in the lines of one chart"):
        notedata.parse_notes("1000\n" * 10_000, 4)  # 192 rows kept: the bound on the work refuses it
    assert len(seen) <= 201


@pytest.mark.parametrize(("text", "value"), [("-1.0e-005", "-1/100000"), ("1e-300", "0"), ("1.5E+002", "150"),
                                             ("0e9999", "0"), ("1e-9999", "0")])
def test_long_exponents_are_numbers(text, value):
    assert parse_number(text) == Fraction(value)


@pytest.mark.parametrize("text", ["1e308", "1e12", "-2e9999"])
def test_huge_exponents_are_out_of_range(text):
    start = time.perf_counter()
    with pytest.raises(ParseError, match="out of range"):
        parse_number(text)
    assert time.perf_counter() - start < 0.5
    with pytest.raises(ParseError, match="not a number"):
        parse_number("1e12345")


def test_an_osz_budget_for_its_osu_files_together(tmp_path, monkeypatch):
    members = [(f"S [D{k}].osu", osu_text(f"D{k}").encode()) for k in range(3)]
    data = make_zip(tmp_path / "S.osz", [*members, ("audio.ogg", b"OggS")]).read_bytes()
    assert len(load_osz(data).charts) == 3
    monkeypatch.setattr(osz, "MAX_SET_OSU_BYTES", 2 * len(members[0][1]))
    monkeypatch.setattr("chart.formats.osu_set.read_difficulty", lambda *a: pytest.fail("parsed before refusing"))
    with pytest.raises(ParseError, match=r"3 \.osu files hold .* together; the limit for a set"):
        load_osz(data)
