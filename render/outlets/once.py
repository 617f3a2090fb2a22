"""Values computed at most once per key by the render threads, each key on its own lock."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Once(Generic[K, V]):
    """`get(key, compute)` computes a key's value the first time and returns it ever after.
    A thread asking for a key being computed waits for it; other keys are computed meanwhile
    (one lock for the whole map would make the two render threads wait for each other's
    decodes and encodes).

    With a `limit`, only that many values are kept, the least recently used going first
    (computed again if asked for later): a run renders alert by alert, so decoded photos and
    rendered bytes of alerts done with are let go and memory stays flat in the number of
    alerts."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()  # guards the two dicts only, never held while computing
        self._key_locks: dict[K, threading.Lock] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                return self._used(key)
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._used(key)
            value = compute()
            self.put(key, value)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while self.limit is not None and len(self._values) > self.limit:
                evicted, _ = self._values.popitem(last=False)
                self._key_locks.pop(evicted, None)

    def _used(self, key: K) -> V:
        self._values.move_to_end(key)
        return self._values[key]
