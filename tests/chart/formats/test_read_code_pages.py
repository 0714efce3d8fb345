"""Text that is not UTF-8 is decoded line by line (StepMania converts each string on its own): one stray byte
spoils no other line, a Shift-JIS file reads as Shift-JIS, and the read report says which lines used a code page.
Before, one byte that was not UTF-8 sent the whole file to Windows-1252 (mojibake, written back for good)."""

from __future__ import annotations

from chart.formats import osu_mania, sm, ssc
from chart.formats.errors import Unrepresentable
from chart.formats.msd import decode, decode_noted

SSC = ("#VERSION:0.83;\n#TITLE:夜明けのうた;\n#ARTIST:Beyoncé;\n#MUSIC:song.ogg;\n#OFFSET:0;\n#BPMS:0=120;\n"
       "#NOTEDATA:;\n#STEPSTYPE:dance-single;\n#DIFFICULTY:Hard;\n#METER:8;\n#NOTES:\n1000\n0100\n0010\n0001\n;\n")


def test_a_stray_byte_in_a_comment_leaves_the_utf8_titles_alone():
    data = SSC.encode("utf-8") + "// last edit: José\n".encode("latin-1")
    report: list[Unrepresentable] = []
    song = ssc.load_bytes(data, report)
    assert (song.title, song.artist) == ("夜明けのうた", "Beyoncé")
    notes = [r.reason for r in report]
    assert "line 17 (a comment) not UTF-8: read as Windows-1252" in notes
    assert all(not r.fatal and r.chart_id == "" for r in report)


def test_shift_jis_titles_read_as_shift_jis():
    data = ("#TITLE:夜明けのうた;\r\n#ARTIST:初音ミク;\r\n#MUSIC:song.ogg;\r\n#OFFSET:0;\r\n#BPMS:0=120;\r\n"
            "#NOTES:\n dance-single:\n d:\n Hard:\n 8:\n 0,0,0,0,0:\n1000\n0100\n0010\n0001\n;\n").encode("cp932")
    report: list[Unrepresentable] = []
    song = sm.load_bytes(data, report)
    assert (song.title, song.artist) == ("夜明けのうた", "初音ミク")
    assert "line 1 (#TITLE), line 2 (#ARTIST) not UTF-8: read as Shift-JIS (cp932)" in [r.reason for r in report]


def test_osu_unicode_title_survives_a_stray_byte():
    text = ("osu file format v14\n\n[General]\nAudioFilename: a.ogg\nMode: 3\n\n[Metadata]\nTitle:Kyoku\n"
            "TitleUnicode:曲\nArtist:A\nCreator:me\nVersion:Hard\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n"
            "\n[Events]\n// by Jos\x00\n\n[TimingPoints]\n0,500,4,2,1,60,1,0\n\n[HitObjects]\n64,192,0,1,0,0:0:0:0:\n")
    report: list[Unrepresentable] = []
    song = osu_mania.load_bytes(text.encode("utf-8").replace(b"\x00", b"\xe9"), report)
    assert song.title == "曲"
    assert any("not UTF-8: read as Windows-1252" in r.reason for r in report)


def test_decoding_rules():
    assert decode_noted(b"a\r\nb\rc\n") == ("a\nb\nc\n", [])
    assert decode_noted(b"\xef\xbb\xbf#TITLE:x;") == ("#TITLE:x;", [])
    # Korean that is neither Windows-1252 (0x81 is undefined there) nor Shift-JIS (0x81AD is unassigned)
    text, notes = decode_noted("#TITLE:겖방;".encode("cp949"))
    assert text == "#TITLE:겖방;"
    assert notes == ["line 1 (#TITLE) not UTF-8: read as Korean (cp949)"]
    # a line no code page reads without C1 controls falls back to Latin-1; the others keep their own
    text, notes = decode_noted(b"#A:\x81\x81\x81\xff;\n#B:ok;")
    assert text.endswith("\n#B:ok;")
    assert notes == ["line 1 (#A) not UTF-8: read as Latin-1"]
    assert decode("x\n".encode("utf-16")) == "x\n"


def test_a_stray_byte_on_the_line_of_a_utf8_value_leaves_that_value_alone():
    """Per line was not enough: the UTF-8 title before a Latin-1 comment on its line, or the UTF-8 artist after a
    Latin-1 title on its line, read as mojibake. Each string is converted on its own, as StepMania does."""
    body = b"#BPMS:0=120;\n#NOTES:\n dance-single:\n d:\n Hard:\n 8:\n 0,0,0,0,0:\n1000\n0100\n0010\n0001\n;\n"
    report: list[Unrepresentable] = []
    song = sm.load_bytes("#TITLE:夜明けのうた;".encode() + b" // edited by Jos\xe9\n" + body, report)
    assert song.title == "夜明けのうた"
    assert [r.reason for r in report] == ["line 1 (a comment) not UTF-8: read as Windows-1252"]
    report = []
    song = sm.load_bytes(b"#TITLE:Jos\xe9;#ARTIST:Beyonc\xc3\xa9;\n" + body, report)
    assert (song.title, song.artist) == ("José", "Beyoncé")
    assert [r.reason for r in report] == ["line 1 (#TITLE) not UTF-8: read as Windows-1252"]


def test_pieces_split_only_where_no_multibyte_character_can_be():
    # a Shift-JIS title and a UTF-8 artist on one line; ':' ';' '#' '//' are never a cp932/cp949 trail byte
    text, notes = decode_noted("#TITLE:初音ミクの表示ソ;".encode("cp932") + "#ARTIST:夜明けのうた; // x".encode())
    assert text == "#TITLE:初音ミクの表示ソ;#ARTIST:夜明けのうた; // x"
    assert notes == ["line 1 (#TITLE) not UTF-8: read as Shift-JIS (cp932)"]
    text, notes = decode_noted("#A:겖방;".encode("cp949") + b"#B:caf\xc3\xa9;")
    assert text == "#A:겖방;#B:café;"
    assert notes == ["line 1 (#A) not UTF-8: read as Korean (cp949)"]
