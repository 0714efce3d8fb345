"""``separate`` refuses, before any work, what it cannot do as asked: a folder where a stem goes (it replaced some
stems and then failed), options that do not apply (--token-file without --backend, --method / --allow-mono with
--model), and writes the manifest alone for ``--model FILE.onnx --save-manifest`` (the docs' command)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from main import main

SR = 8000


def _wav(path, channels: int = 2):
    x = (np.random.default_rng(0).standard_normal((SR, channels)) * 0.1).astype(np.float32)
    sf.write(str(path), x if channels > 1 else x[:, 0], SR)
    return path


def _error(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


def test_a_folder_where_a_stem_goes_is_refused_before_any_stem_is_replaced(tmp_path, capsys):
    song = _wav(tmp_path / "song.wav")
    out = tmp_path / "stems"
    (out / "drums.wav").mkdir(parents=True)
    sf.write(str(out / "vocals.wav"), np.zeros((100, 2), np.float32), SR)
    assert main(["separate", str(song), "-o", str(out), "--force", "--cache-dir", str(tmp_path / "cache")]) == 2
    assert _error(capsys) == [f"error: -o {out}: {out / 'drums.wav'} is a folder, where the stem would go; move it "
                              "or choose another folder"]
    assert sf.info(str(out / "vocals.wav")).frames == 100  # untouched
    assert sorted(p.name for p in out.iterdir()) == ["drums.wav", "vocals.wav"]
    assert not (tmp_path / "cache").exists()  # refused before separating


def test_token_file_without_backend_is_refused(tmp_path, capsys):
    song = _wav(tmp_path / "song.wav")
    args = ["separate", str(song), "-o", str(tmp_path / "a"), "--token-file", str(tmp_path / "missing.txt")]
    assert main(args) == 2
    assert _error(capsys) == ["error: --token-file goes with --backend URL (separation runs locally without it)"]
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize(("extra", "named"), [(["--method", "stereo"], "--method chooses"),
                                              (["--allow-mono"], "--allow-mono chooses"),
                                              (["--method", "mono", "--allow-mono"], "--method and --allow-mono choose")])
def test_built_in_options_with_a_model_are_refused(tmp_path, capsys, extra, named):
    song = _wav(tmp_path / "mono.wav", channels=1)
    assert main(["separate", str(song), "-o", str(tmp_path / "b"), "--model", str(tmp_path / "m.onnx"), *extra]) == 2
    assert _error(capsys) == [f"error: {named} how the built-in separator works; a --model separates the file as "
                              "it is (mono too)"]


def test_mono_refusal_names_the_command_line_options(tmp_path, capsys):
    song = _wav(tmp_path / "mono.wav", channels=1)
    assert main(["separate", str(song), "-o", str(tmp_path / "c"), "--method", "stereo",
                 "--cache-dir", str(tmp_path / "cache")]) == 2
    (line,) = _error(capsys)
    assert line.startswith("error: the audio is mono: centre extraction needs a stereo file")
    assert "--allow-mono" in line
    assert "--method mono" in line


def test_audio_and_out_are_required_except_for_the_manifest_alone(tmp_path, capsys):
    assert main(["separate", "--stems", "vocals"]) == 2
    assert _error(capsys) == ["error: AUDIO is required (only --model FILE.onnx --save-manifest runs without it)"]
    assert main(["separate", str(_wav(tmp_path / "s.wav"))]) == 2
    assert _error(capsys) == ["error: -o DIR is required: the folder for the stem WAV files"]


def test_save_manifest_without_audio_writes_the_manifest_and_exits(tmp_path, capsys):
    pytest.importorskip("onnx")
    from tests.inference.test_separation_model import mdx_model

    model = mdx_model(tmp_path / "voc.onnx", 64)
    assert main(["separate", "--model", str(model), "--save-manifest"]) == 0
    manifest = tmp_path / "voc.manifest.json"
    assert _error(capsys) == [f"wrote {manifest}"]
    assert json.loads(manifest.read_text())["kind"] == "separation"
    assert main(["separate", "--model", str(model), "--save-manifest", "-o", str(tmp_path / "d")]) == 2
    assert "-o DIR goes with AUDIO" in _error(capsys)[0]
