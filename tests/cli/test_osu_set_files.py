"""``convert set/X.osu other/X.osu`` makes ``other/`` a whole osu! set: the background, video and storyboard (the
``.osb`` and the files it names) are copied in with the audio and named from there (they were named
``../set/bg.jpg`` and not copied, and osu! showed none of them); ``check`` warns about an ``[Events]`` file outside
the set's folder (it said nothing); a different file of a copy's name is never replaced."""

from __future__ import annotations

from pathlib import Path

from main import main

HEAD = ("osu file format v14\n\n[General]\nAudioFilename: audio.ogg\nMode: 3\n\n[Metadata]\nTitle:Song\n"
        "Artist:Band\nCreator:Mapper\nVersion:Hard\n\n[Difficulty]\nCircleSize:4\nOverallDifficulty:8\n\n")
EVENTS = '[Events]\n0,0,"{bg}",0,0\nVideo,-200,"{video}"\nSprite,Background,Centre,"{sprite}",320,240\n\n'
TAIL = ("[TimingPoints]\n100,500,4,1,0,100,1,0\n\n[HitObjects]\n"
        + "\n".join(f"64,192,{100 + 500 * k},1,0,0:0:0:0:" for k in range(8)) + "\n")


def osu_set(folder: Path, bg="bg.jpg", video="video.mp4", sprite="sb/star.png") -> Path:
    folder.mkdir(parents=True)
    (folder / "audio.ogg").write_bytes(b"OggS audio")
    (folder / "bg.jpg").write_bytes(b"\xff\xd8 background")
    (folder / "video.mp4").write_bytes(b"video")
    (folder / "sb").mkdir()
    (folder / "sb" / "star.png").write_bytes(b"\x89PNG star")
    (folder / "sb" / "moon.png").write_bytes(b"\x89PNG moon")
    (folder / "Band - Song (Mapper).osb").write_text('[Events]\nSprite,Foreground,Centre,"sb/moon.png",320,240\n')
    osu = folder / "Band - Song (Mapper) [Hard].osu"
    osu.write_text(HEAD + EVENTS.format(bg=bg, video=video, sprite=sprite) + TAIL, encoding="utf-8")
    return osu


def run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_convert_to_another_folder_copies_the_event_and_storyboard_files(tmp_path, capsys):
    source = osu_set(tmp_path / "set")
    out = tmp_path / "other" / "X.osu"
    out.parent.mkdir()
    code, _, err = run(["convert", source, out], capsys)
    assert code == 0, err
    assert "copied the audio audio.ogg (and 5 event files) into" in err
    other = out.parent
    assert (other / "bg.jpg").read_bytes() == b"\xff\xd8 background"
    assert (other / "video.mp4").read_bytes() == b"video"
    assert (other / "sb" / "star.png").read_bytes() == b"\x89PNG star"
    assert (other / "sb" / "moon.png").read_bytes() == b"\x89PNG moon"  # named by the storyboard only
    assert "sb/moon.png" in (other / "Band - Song (Mapper).osb").read_text()
    text = out.read_text(encoding="utf-8")
    assert '0,0,"bg.jpg",0,0' in text
    assert 'Video,-200,"video.mp4"' in text
    assert '"sb/star.png"' in text
    assert "../" not in text
    code, stdout, _ = run(["check", out], capsys)
    assert "[music]" not in stdout
    assert "[set-folder]" not in stdout
    code, _, err = run(["convert", source, out], capsys)  # again: the copies are there, the same bytes
    assert code == 0, err
    assert "copied" not in err


def test_convert_never_replaces_another_file_of_a_copy_s_name(tmp_path, capsys):
    source = osu_set(tmp_path / "set")
    other = tmp_path / "other"
    other.mkdir()
    (other / "bg.jpg").write_bytes(b"another picture")
    code, _, err = run(["convert", source, other / "X.osu"], capsys)
    assert code == 2
    assert "cannot copy bg.jpg" in err
    assert "another file of that name is there" in err
    assert sorted(p.name for p in other.iterdir()) == ["bg.jpg"]  # nothing written, not even the audio
    assert (other / "bg.jpg").read_bytes() == b"another picture"


def test_check_warns_about_an_event_file_outside_the_set_folder(tmp_path, capsys):
    osu_set(tmp_path / "set")
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "far.jpg").write_bytes(b"far away")
    own = osu_set(tmp_path / "own", bg="../art/far.jpg")
    code, out, _ = run(["check", own], capsys)
    assert "outside the set's folder (../art/far.jpg)" in out
    assert "[set-folder]" in out
