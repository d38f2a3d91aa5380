"""The cross-session cache of what a view draws: bounded, least recently used first out, and
one computation for callers asking the same key at once."""

from __future__ import annotations

import threading
import time

import pytest

from geo.sharedcache import SharedCache as ViewCache


def test_the_cache_keeps_at_most_its_size_and_drops_the_least_recently_used() -> None:
    cache = ViewCache(3)
    built: list[str] = []

    def make(key: str) -> str:
        return cache.get(key, lambda: built.append(key) or key.upper())

    assert [make(k) for k in "abc"] == ["A", "B", "C"]
    assert make("a") == "A"  # a hit: a is now the most recent
    make("d")  # b, the least recently used, goes
    assert len(cache) == 3
    make("a"), make("c"), make("d")
    assert built == ["a", "b", "c", "d"]
    make("b")
    assert built == ["a", "b", "c", "d", "b"]
    assert (cache.hits, cache.misses) == (4, 5)


def test_callers_asking_at_once_share_one_computation() -> None:
    cache = ViewCache(8)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.get("view", slow))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [42] * 8 and calls == [1]


def test_a_failure_is_not_kept() -> None:
    cache = ViewCache(2)

    def broken() -> int:
        raise RuntimeError("store lost")

    with pytest.raises(RuntimeError):
        cache.get("view", broken)
    assert cache.get("view", lambda: 7) == 7
