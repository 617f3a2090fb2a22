"""Values computed at most once per key by the render threads, each key on its own lock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Once(Generic[K, V]):
    """`get(key, compute)` computes a key's value the first time and returns it ever after.
    A thread asking for a key being computed waits for it; other keys are computed meanwhile
    (one lock for the whole map would make the two render threads wait for each other's
    decodes and encodes)."""

    def __init__(self) -> None:
        self._values: dict[K, V] = {}
        self._lock = threading.Lock()  # guards the two dicts only, never held while computing
        self._key_locks: dict[K, threading.Lock] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = compute()
            with self._lock:
                self._values[key] = value
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._values[key] = value
