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

