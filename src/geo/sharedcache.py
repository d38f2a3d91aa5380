"""Answers computed once for every session of the server: a bounded, least-recently-used,
thread-safe cache in which a caller asking for an answer being computed waits for it (the
store's aggregates and rows in :mod:`geo.query`, what a page draws in
:mod:`geo.ui.viewcache`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar, cast

T = TypeVar("T")


class SharedCache:
    """A thread-safe LRU of at most ``size`` entries; a second caller asking for a key being
    computed waits for the first one's answer instead of computing it again. An answer that
    ``keep`` refuses is handed to its callers but not kept (a failure never is)."""

    def __init__(self, size: int, keep: Callable[[Any], bool] | None = None) -> None:
        self.size = size
        self._keep = keep
        self._entries: OrderedDict[Hashable, Future[object]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
                mine: Future[object] = Future()
                self._entries[key] = mine
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        if found is not None:
            return cast(T, found.result())
        try:
            value = build()
        except BaseException as exc:
            with self._lock:
                if self._entries.get(key) is mine:
                    del self._entries[key]
            mine.set_exception(exc)
            raise
        mine.set_result(value)
        if self._keep is not None and not self._keep(value):
            self.forget(key)
        return value

    def forget(self, key: Hashable) -> None:
        """Drop ``key``'s answer, if kept."""
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0
