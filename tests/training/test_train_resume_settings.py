"""The onset trainer keeps a run's own settings: ``train --resume`` restores them from last.pt (its validation
list above all) and refuses flags that contradict them; a --max-minutes stop keeps the epoch's loss;
``--tune-only --validation-list`` tunes on that list; an unwritable feature cache falls back instead of failing
every song. Tiny synthetic songs and the tiny model of test_onset_train; caches under tmp_path only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tests.training.test_onset_train import _config, _song, deadline_after_steps  # noqa: E402
from training.train import TrainError, train  # noqa: E402


@pytest.fixture
def songs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "user-cache"))  # what the CLI caches goes here
    for i, bpm in enumerate((120.0, 150.0, 132.0, 140.0)):
        _song(tmp_path / "songs" / f"pk__s{i}", bpm, i)
    return tmp_path / "songs"


def _own_list(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / f"list-{'-'.join(names)}.txt"
    path.write_text("".join(f"{n}\n" for n in names))
    return path


def _interrupted_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validation: Path) -> Path:
    """A 2-epoch run on its own validation list, killed in its second epoch (last.pt after epoch 1)."""
    import training.train as tr

    cfg = _config(tmp_path, epochs=2)
    cfg.validation_file = str(validation)
    real, calls = tr._run_epoch, []

    def dies_in_the_second_epoch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(tr, "_run_epoch", dies_in_the_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        train(cfg, log=lambda _m: None)
    monkeypatch.setattr(tr, "_run_epoch", real)
    return Path(cfg.out)


def test_resume_keeps_the_run_s_validation_list_and_refuses_contradictions(
        songs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from main import main

    mine = _own_list(tmp_path, "pk__s2", "pk__s3")
    run = _interrupted_run(tmp_path, monkeypatch, mine)
    before = torch.load(run / "last.pt", weights_only=False)
    assert before["epoch"] == 1
    assert before["split"]["validation"] == ["pk__s2", "pk__s3"]
    base = ["train", "--songs", str(songs), "--out", str(run), "--resume", "--no-export"]
    for flags in (["--seed", "4"], ["--epochs", "3"], ["--recipe", "onset-v1"], ["--ablation", "no-cond"],
                  ["--validation-list", str(_own_list(tmp_path, "pk__s1"))]):
        assert main([*base, *flags]) == 2, flags
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, (flags, err)
        assert "contradicts the run" in err[0], (flags, err)
    assert torch.load(run / "last.pt", weights_only=False)["step"] == before["step"]  # nothing trained

    # As --help says: --resume, nothing else. It used to take the committed list (none of these songs: exit 2;
    # on real songs two held-out songs went into training and the run stopped "(--max-minutes)" half way).
    assert main(base) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "max-minutes" not in err
    assert "2 training songs" in err
    assert "2 validation songs" in err
    after = torch.load(run / "last.pt", weights_only=False)
    assert after["epoch"] == 2
    assert after["split"] == before["split"]
    assert after["train_config"]["validation_file"] == str(mine)
    assert [json.loads(line)["epoch"] for line in (run / "log.jsonl").read_text().splitlines()] == [1, 2]


def test_library_resume_refuses_another_split(songs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = _interrupted_run(tmp_path, monkeypatch, _own_list(tmp_path, "pk__s2", "pk__s3"))
    cfg = _config(tmp_path, epochs=2)
    cfg.validation_file = str(_own_list(tmp_path, "pk__s3"))
    with pytest.raises(TrainError, match="other training songs, validation songs"):
        train(cfg, resume=True, log=lambda _m: None)
    cfg = _config(tmp_path, epochs=2)
    cfg.validation_file, cfg.seed = str(_own_list(tmp_path, "pk__s2", "pk__s3")), 7
    with pytest.raises(TrainError, match="other seed"):
        train(cfg, resume=True, log=lambda _m: None)
    assert torch.load(run / "last.pt", weights_only=False)["epoch"] == 1


def test_a_max_minutes_stop_keeps_the_epoch_s_train_loss(songs: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import training.train as tr

    def run_to(name: str):
        cfg = _config(tmp_path, epochs=1)
        cfg.out = str(tmp_path / name)
        return cfg

    train(run_to("whole"), log=lambda _m: None)
    real_epoch, real_time = tr._run_epoch, tr.time.time
    deadline_after_steps(monkeypatch, 2)  # the deadline passes after two steps of the epoch
    cut = run_to("cut")
    cut.max_minutes = 1.0
    said: list[str] = []
    train(cut, log=said.append)
    assert any("stopped after step 2" in m and "--max-minutes 1" in m for m in said)
    monkeypatch.setattr(tr.time, "time", real_time)
    monkeypatch.setattr(tr, "_run_epoch", real_epoch)
    cut.max_minutes = None
    train(cut, resume=True, log=lambda _m: None)
    whole, resumed = (json.loads((tmp_path / n / "log.jsonl").read_text()) for n in ("whole", "cut"))
    assert resumed["step"] == whole["step"] > 2
    assert resumed["train_loss"] == pytest.approx(whole["train_loss"], rel=1e-9)  # was the resumed steps' mean


def test_tune_only_tunes_on_the_given_validation_list(songs: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from inference.manifest import Manifest
    from main import main

    cfg = _config(tmp_path, epochs=1)  # validation list: pk__s2
    train(cfg, log=lambda _m: None)
    mine = _own_list(tmp_path, "pk__s1", "pk__s3")
    assert main(["train", "--songs", str(songs), "--out", cfg.out, "--tune-only", "--validation-list",
                 str(mine)]) == 0, capsys.readouterr().err
    validation = Manifest.load(Path(cfg.out) / "onset.manifest.json").extra["validation"]
    assert validation["songs"] == 2  # was 1: the checkpoint's list, FILE ignored without a word
    assert validation["list"] == str(mine)
    assert json.loads((Path(cfg.out) / "tune.json").read_text())["song_keys"] == ["pk__s1", "pk__s3"]


def test_an_unwritable_feature_cache_falls_back_instead_of_skipping_every_song(
        songs: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    cfg = _config(tmp_path, epochs=1)
    cfg.cache_dir = str(tmp_path / "a-file" / "cache")  # cannot be made, even by root (a read-only code folder)
    said: list[str] = []
    train(cfg, log=said.append)  # was: "skip ..." for every song, then "no usable training songs"
    notes = [m for m in said if m.startswith("note: cannot write the cache folder")]
    assert len(notes) == 1
    fallback = tmp_path / "user-cache" / "training" / "cache"
    assert str(fallback) in notes[0]
    assert len(list(fallback.glob("*.npy"))) == 4
    assert not any(m.startswith("skip") for m in said)


def test_default_cache_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from training import caches

    monkeypatch.setenv("GENELIVE_CACHE_DIR", str(tmp_path / "g"))
    assert caches.default_cache_dir("cache") == tmp_path / "g" / "training" / "cache"
    monkeypatch.delenv("GENELIVE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert caches.default_cache_dir("lane_cache") == caches.CODE_ROOT / "runs" / "lane_cache"  # this checkout
    monkeypatch.setattr(caches, "CODE_ROOT", tmp_path / "site-packages")  # an installed copy: no runs/ there
    assert caches.default_cache_dir("cache") == tmp_path / "xdg" / "genelive-studio" / "training" / "cache"
    assert caches.usable_cache_dir(None) is None
