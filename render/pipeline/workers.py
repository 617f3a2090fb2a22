"""Worker processes for a batch build, and for the watcher's posters.

Drawing a card (Pillow's FreeType text, in Python) and setting a poster (WeasyPrint, pure
Python) hold the GIL, so in the build's own threads they keep one core busy at most while
the other waits. Inside `worker_processes`, `run` sends such work to worker processes: both
cores work. The watcher keeps one worker for its posters only (`only=`): a new alert's
poster would otherwise hold the GIL for its whole setting while its share images wait for
it, and a card worker too would cost its own memory for a smaller gain.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


class _Pools:
    """A pool of worker processes per module of the functions sent (started when the
    first job of that module comes): the workers setting posters import WeasyPrint, those
    drawing cards do not, and each worker holds only what its own kind of job needs."""

    def __init__(self, per_kind: int, kinds: frozenset[str] | None) -> None:
        self.per_kind = per_kind
        self.kinds = kinds  # the modules whose functions are sent; None: all
        self._pools: dict[str, ProcessPoolExecutor] = {}
        self._lock = threading.Lock()

    def takes(self, function: Callable[..., Any]) -> bool:
        return self.kinds is None or function.__module__ in self.kinds

    def of(self, function: Callable[..., Any]) -> ProcessPoolExecutor:
        with self._lock:
            pool = self._pools.get(function.__module__)
            if pool is None:
                pool = self._pools[function.__module__] = ProcessPoolExecutor(
                    self.per_kind, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_leave_with, initargs=(os.getpid(),))
            return pool

    def discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a pool whose worker died (killed, out of memory): the next job of its
        kind starts a new one."""
        with self._lock:
            for module, known in list(self._pools.items()):
                if known is pool:
                    del self._pools[module]
        pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.shutdown(cancel_futures=True)
            self._pools.clear()


_pools: _Pools | None = None


@contextmanager
def worker_processes(count: int, only: Collection[Callable[..., Any]] | None = None,
                     warm: Callable[[], object] | None = None) -> Iterator[None]:
    """While inside, `run` uses worker processes: `count` // 2 (at least one) for each kind
    of job (none at all if `count` < 2), for the kinds of the functions `only` (all if
    None). Workers start when the first job of their kind comes (a build with nothing to
    draw starts none), or at once for the kind of `warm`, which they run first."""
    global _pools
    if count < 2:
        yield
        return
    pools = _Pools(max(1, count // 2),
                   None if only is None else frozenset(f.__module__ for f in only))
    _pools = pools
    if warm is not None:
        pools.of(warm).submit(warm)
    try:
        yield
    finally:
        _pools = None
        pools.shutdown()


def sends(function: Callable[..., Any]) -> bool:
    """Whether `run` sends `function` to a worker process (inside `worker_processes`, and
    of a kind it takes)."""
    pools = _pools
    return pools is not None and pools.takes(function)


def run(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`: in a worker process if `sends(function)`, else right here.
    `function` and its arguments must pickle (a module-level function, plain data). A
    worker that died is replaced, and the job sent again once."""
    pools = _pools
    if pools is None or not pools.takes(function):
        return function(*args)
    # A worker keeps the memory a job freed for the next one: handing it back to the system
    # after each job did not lower the workers' peak (that is the largest job), and every
    # job then faulted its megabytes in again (docs/architecture.md, Memory).
    pool = pools.of(function)
    try:
        return pool.submit(function, *args).result()
    except BrokenProcessPool:  # its worker died (killed, out of memory): once more, anew
        pools.discard(pool)
        return pools.of(function).submit(function, *args).result()


def _leave_with(parent: int) -> None:
    """In a worker: exit as soon as the build that started it is gone. A `kill -9` of the
    build would otherwise leave its workers behind for good (they wait for work that never
    comes), each holding its own memory."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="kindalarm-parent-watch").start()
