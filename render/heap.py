"""The C heap: fewer malloc arenas, and freed memory handed back, so image buffers freed by
one alert are not kept for the whole run.

glibc gives a thread that finds the arenas busy an arena of its own, up to eight per core,
and memory freed in an arena is reused by that arena only; and it hands memory back to the
system only from the top of a heap, so megabytes of freed pixels below a small live object
stay with the process. The render threads and worker processes allocate and free megabytes
per image (decoded photos, slides, cards, posters). The figures behind both settings are in
docs/architecture.md. Elsewhere than glibc both are left to the C library.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from functools import lru_cache
from typing import Any

ARENAS = 2  # still lets both cores allocate at once
M_ARENA_MAX = -8  # glibc's malloc.h
EVERY = 1.0  # seconds: the least time between two hand-backs of `now_and_then`


@lru_cache(maxsize=1)
def _libc() -> Any:
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt, libc.malloc_trim  # noqa: B018 (glibc has both; others may not)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas() -> bool:
    """Allow this process `ARENAS` malloc arenas (call it before starting threads), and its
    child processes too (they read MALLOC_ARENA_MAX when they start). False where the C
    library is not glibc."""
    os.environ.setdefault("MALLOC_ARENA_MAX", str(ARENAS))
    libc = _libc()
    return libc is not None and bool(libc.mallopt(M_ARENA_MAX,
                                                  int(os.environ["MALLOC_ARENA_MAX"])))


def give_back() -> None:
    """Hand the heap's free memory back to the system (after a large job is done)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


_last = 0.0
_last_lock = threading.Lock()


def now_and_then() -> None:
    """`give_back`, at most once per `EVERY` seconds: for the render threads, which call it
    after every large file. A hand-back walks the heap (milliseconds) and holds its lock, so
    not after each of a new alert's urgent images; a build of hundreds of alerts still hands
    memory back long before it piles up."""
    global _last
    with _last_lock:
        now = time.monotonic()
        if now - _last < EVERY:
            return
        _last = now
    give_back()
