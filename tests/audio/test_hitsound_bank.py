"""Where each hitsound's samples come from (audio/hitsound_bank.py, audio/hitsound_synth.py): the set folder's own
file by osu!'s names (decoded, resampled to the output rate, kept), else one of 12 distinct built-in sounds; a file
that does not decode plays the built-in sound and is named once."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import soundfile as sf

from audio.hitsound_bank import MAX_SAMPLE_S, SampleBank, plan_sounds
from audio.hitsound_synth import SETS, SOUNDS, default_sample
from chart.formats import osu_mania
from chart.formats.osu_samples import HitSample
from chart.hitsound_play import hitsound_plan

SR = 44100
HEAD = ("osu file format v14\n\n[General]\nAudioFilename: a.wav\nMode: 3\n\n[Metadata]\nTitle:T\nCreator:C\n"
        "Version:Hard\n\n[Difficulty]\nCircleSize:4\n\n[TimingPoints]\n0,500,4,2,1,100,1,0\n\n[HitObjects]\n")


def tone(n: int, value: float) -> np.ndarray:
    return np.full(n, value, np.float32)


def test_the_twelve_built_in_sounds_are_distinct_short_and_start_at_their_onset() -> None:
    samples = {(s, d): default_sample(s, d, SR) for s in SETS for d in SOUNDS}
    for (s, d), y in samples.items():
        assert y.dtype == np.float32, (s, d)
        assert 0.25 < np.abs(y).max() < 1.0, (s, d)
        assert y.size <= 1.7 * SR, (s, d)
        assert abs(float(y[-1])) < 1e-3, (s, d)  # faded out: no click at its end
        assert np.abs(y[: SR // 100]).max() > 0.05, (s, d)  # heard within 10 ms
    for a, b in itertools.combinations(samples, 2):
        x, y = samples[a], samples[b]
        n = min(x.size, y.size)
        corr = float(x[:n] @ y[:n]) / float(np.linalg.norm(x[:n]) * np.linalg.norm(y[:n]))
        assert x.size != y.size or abs(corr) < 0.9, (a, b)
    finish = samples[("normal", "finish")]
    assert finish.size > 4 * samples[("normal", "normal")].size  # the cymbal rings on
    np.testing.assert_array_equal(default_sample("soft", "clap", SR), samples[("soft", "clap")])  # deterministic
    with pytest.raises(ValueError, match="no built-in"):
        default_sample("soft", "hitnormal", SR)


def test_the_folder_s_own_file_plays_instead_of_the_built_in_sound(tmp_path) -> None:
    sf.write(str(tmp_path / "Soft-HitWhistle.wav"), tone(300, 0.25), SR)  # another case, as osu! finds it
    song = osu_mania.loads(HEAD + "64,192,0,1,2,0:0:0:0:\n192,192,500,1,2,0:0:0:0:\n")
    chart = song.charts[0]
    bank = SampleBank()
    sounds = plan_sounds(hitsound_plan(song, chart, song.timing_for(chart)), tmp_path, SR, bank)
    assert len(sounds) == 1
    times, gains, sample = sounds[0]
    assert times.tolist() == pytest.approx([0.0, 0.5])
    assert gains.tolist() == [1.0, 1.0]
    np.testing.assert_allclose(sample, tone(300, 0.25), atol=1e-4)
    assert bank.sample(HitSample("soft", "whistle", ()), tmp_path, SR) is bank.builtin("soft", "whistle", SR)
    without = plan_sounds(hitsound_plan(song, chart, song.timing_for(chart)), None, SR, SampleBank())
    assert without[0][2].size == default_sample("soft", "whistle", SR).size


def test_a_numbered_index_falls_back_to_the_plain_name_and_a_custom_file_plays_as_the_normal_sound(tmp_path):
    sf.write(str(tmp_path / "soft-hitclap.wav"), tone(100, 0.5), SR)
    sf.write(str(tmp_path / "kick.ogg"), tone(200, -0.5), SR)  # named kick.wav: osu!lazer tries the other extensions
    song = osu_mania.loads(HEAD + "64,192,0,1,8,0:0:3:0:\n192,192,500,1,0,0:0:0:0:kick.wav\n")
    chart = song.charts[0]
    sounds = plan_sounds(hitsound_plan(song, chart, song.timing_for(chart)), tmp_path, SR, SampleBank())
    by_time = {round(float(t[0]), 3): s for t, _g, s in sounds}
    np.testing.assert_allclose(by_time[0.0], tone(100, 0.5), atol=1e-4)
    np.testing.assert_allclose(by_time[0.5], tone(200, -0.5), atol=2e-2)  # Vorbis: near, not exact


def test_a_file_is_resampled_to_the_output_rate_cut_at_the_limit_and_decoded_once(tmp_path, monkeypatch) -> None:
    import audio.hitsound_bank as bank_module

    monkeypatch.setattr(bank_module, "MAX_SAMPLE_S", 0.05)
    sf.write(str(tmp_path / "soft-hitfinish.wav"), tone(22050, 0.3), 22050)  # 1 s at 22.05 kHz
    bank = SampleBank()
    hit = HitSample("soft", "finish", (("soft-hitfinish.wav",),))
    y = bank.sample(hit, tmp_path, SR)
    assert y.size == int(0.05 * SR)
    assert abs(float(y[1000]) - 0.3) < 1e-3
    calls = []
    monkeypatch.setattr(bank_module, "iter_blocks", lambda *a, **k: calls.append(a) or iter(()))
    assert bank.sample(hit, tmp_path, SR) is y
    assert not calls
    assert MAX_SAMPLE_S == 10.0


def test_a_file_that_does_not_decode_plays_the_built_in_sound_and_is_named_once(tmp_path) -> None:
    (tmp_path / "soft-hitclap.wav").write_bytes(b"RIFF this is no wave file")
    bank = SampleBank()
    hit = HitSample("soft", "clap", (("soft-hitclap.wav",),))
    assert bank.sample(hit, tmp_path, SR) is bank.builtin("soft", "clap", SR)
    failures = bank.new_failures()
    assert len(failures) == 1
    assert failures[0].startswith("soft-hitclap.wav: ")
    assert "\n" not in failures[0]
    bank.sample(hit, tmp_path, SR)
    assert bank.new_failures() == []


def test_more_files_than_a_count_limit_stay_decoded_and_a_full_cache_keeps_a_fixed_part(tmp_path, monkeypatch):
    """A keysounded map of 520 files re-decoded all of them on every edit: the cache held 512 files and was emptied
    whole when full. Now bytes bound it, and a map whose samples do not all fit keeps most of them decoded (a plain
    least-recently-used cache, walked in the same order at every build, decoded every file every time)."""
    import audio.hitsound_bank as bank_module

    def hits(prefix: str, n: int) -> list[HitSample]:
        for k in range(n):
            if not (tmp_path / f"{prefix}{k}.wav").exists():
                sf.write(str(tmp_path / f"{prefix}{k}.wav"), tone(64, 0.1), SR)
        return [HitSample("normal", "normal", ((f"{prefix}{k}.wav",),)) for k in range(n)]

    decoded: list = []
    real = bank_module.iter_blocks
    monkeypatch.setattr(bank_module, "iter_blocks", lambda *a, **k: decoded.append(a[0]) or real(*a, **k))
    bank = SampleBank()

    def build(samples: list[HitSample]) -> int:  # one change's rebuild of the sounds: how many files it decoded
        decoded.clear()
        bank.begin_build()
        for hit in samples:
            bank.sample(hit, tmp_path, SR)
        return len(decoded)

    many = hits("key", 600)
    assert [build(many), build(many)] == [600, 0]  # more files than the old count limit: decoded once
    bank = SampleBank()
    song = hits("key", 40)
    monkeypatch.setattr(bank_module, "MAX_CACHED_BYTES", 39 * bank.sample(song[0], tmp_path, SR).nbytes)
    bank = SampleBank()
    assert [build(song) for _ in range(5)] == [40, 1, 1, 1, 1]  # 39 stay decoded, the 40th is decoded each time
    assert bank.cached_bytes <= bank_module.MAX_CACHED_BYTES
    other = hits("other", 20)  # another song in the same window: it takes the room of files no longer used
    assert [build(other) for _ in range(3)] == [20, 20, 0]


def test_a_sample_written_again_replaces_its_old_samples(tmp_path) -> None:
    """60 saves of one sample kept 60 decoded copies (0.84 GiB before anything was freed)."""
    import os

    path = tmp_path / "normal-hitclap.wav"
    hit = HitSample("normal", "clap", (("normal-hitclap.wav",),))
    bank = SampleBank()
    for k in range(5):
        sf.write(str(path), tone(4410, 0.1 * (k + 1)), SR)
        os.utime(path, ns=(k * 10**9, k * 10**9))
        y = bank.sample(hit, tmp_path, SR)
        assert abs(float(y[100]) - 0.1 * (k + 1)) < 1e-3
    assert bank.cached_bytes == y.nbytes
