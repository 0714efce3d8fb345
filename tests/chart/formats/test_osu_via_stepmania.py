"""osu! text kept through a .ssc or .sm file comes back as osu! wrote it: their writers escape ';', '//' and a
'#' opening a line, and a sample "a;b.wav" came back "a\\;b.wav", every "//Break Periods" comment as
"/\\/Break Periods" (an unknown event line to osu!)."""

from __future__ import annotations

import pytest

from chart.formats import osu_mania, registry

OBJECTS = ('64,192,1000,1,0,0:0:0:0:piano_C#4.wav\n192,192,1500,1,0,0:0:0:0:a;b.wav\n'
           '320,192,5500,1,0,0:0:0:70:\n')
EVENTS = '//Background and Video events\n0,0,"sb\\bg.jpg",0,0\n//Break Periods\n2,3000,4500\n'
OSU = ("osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: 3\n\n"
       "[Metadata]\nTitle:T\nCreator:C\nVersion:Hard Lv.7\n\n[Difficulty]\nCircleSize:4\n\n"
       f"[Events]\n{EVENTS}\n[TimingPoints]\n1000,500,4,1,0,100,1,0\n\n[HitObjects]\n{OBJECTS}")


def section(text: str, name: str) -> list[str]:
    return text.split(f"[{name}]\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()


@pytest.mark.parametrize("via", ["ssc", "sm"])
def test_osu_text_through_a_stepmania_file_comes_back_as_written(tmp_path, via):
    src = tmp_path / "s.osu"
    src.write_text(OSU)
    registry.save(registry.load(src), tmp_path / f"s.{via}")
    out = osu_mania.dumps(registry.load(tmp_path / f"s.{via}"))
    assert section(out, "Events") == section(OSU, "Events")  # the backslash of a Windows path stays too
    if via == "ssc":  # .sm keeps no chart tags: the sounds are a listed drop there
        assert section(out, "HitObjects") == OBJECTS.splitlines()


def test_a_sm_save_names_the_osu_hitsounds_and_keyboard_mark_it_drops(tmp_path):
    src = tmp_path / "s.osu"
    src.write_text(OSU)
    reasons = registry.conversions(registry.load(src), "sm")
    dropped = next(r for r in reasons if ".sm drops chart tags" in r)
    assert "the osu! hitsounds of its notes" in dropped
    assert "the mark of a keyboard chart" in dropped
