"""The drafter's analysis cache: a few songs, least recently used dropped first, and emptied when the editor opens
another song (a closed song's features and samples stayed, 128 MB on an 8-minute song, until two more songs were
drafted)."""

from __future__ import annotations

from inference.analysis_cache import AnalysisCache


def test_keeps_the_most_recently_used_songs():
    cache: AnalysisCache[str] = AnalysisCache(2)
    made: list[str] = []

    def make(name: str):
        return lambda: made.append(name) or name

    assert cache.get("a", make("a")) == "a"
    assert cache.get("b", make("b")) == "b"
    assert cache.get("a", make("a2")) == "a"  # kept, and now the most recent
    assert cache.get("c", make("c")) == "c"  # drops b
    assert cache.get("b", make("b2")) == "b2"
    assert made == ["a", "b", "c", "b2"]
    cache.clear()
    assert len(cache) == 0



def test_a_cancel_during_the_features_stage_stops_before_the_result(monkeypatch):
    """The features stage had no cancel check: a draft cancelled during it (10 s on an 8-minute song) finished its
    analysis, which went into the cache after the editor had emptied it for the next song."""
    import numpy as np
    import pytest

    import inference.features as features
    from inference.draft_audio import analyse_audio
    from inference.draft_types import Cancelled, CancelToken
    from inference.features import FeatureParams

    token = CancelToken()
    real = features.compute_features

    def cancelled_meanwhile(*args, **kwargs):
        out = real(*args, **kwargs)
        token.cancel()  # Cancel pressed while the features were computed
        return out

    monkeypatch.setattr(features, "compute_features", cancelled_meanwhile)
    with pytest.raises(Cancelled):
        analyse_audio((np.zeros(22050, dtype=np.float32), 22050), FeatureParams(n_ffts=[1024]), None, token)


def test_a_value_made_while_the_cache_was_cleared_is_not_kept():
    """The clear for the next song came while a cancelled draft of the closed song was in its analysis (which does
    not look at Cancel): its value went in after the clear, the closed song's 128 MB kept again."""
    cache: AnalysisCache[str] = AnalysisCache(2)

    def closed_song():
        cache.clear()  # the editor opens another song meanwhile
        return "closed"

    assert cache.get("a", closed_song) == "closed"  # its caller still gets it
    assert len(cache) == 0
    assert cache.get("b", lambda: "b") == "b"  # a value made with no clear meanwhile is kept, as before
    assert cache.get("b", lambda: "b2") == "b"
    assert len(cache) == 1
