"""Worker processes: which kinds of job they take, and a worker that dies."""

from __future__ import annotations

import multiprocessing
import os
import signal

from render.outlets import poster, poster_weasyprint, share
from render.pipeline import workers
from tests.helpers.sites import SiteDir
from tests.helpers.waiting import wait_until
from tests.helpers.watching import watching


def pid() -> int:
    """The process a job ran in (a kind of job of this module's own)."""
    return os.getpid()


def test_only_the_kinds_named_go_to_workers() -> None:
    with workers.worker_processes(2, only=[pid]):
        assert workers.sends(pid)
        assert not workers.sends(share.card_png)
        assert workers.run(pid) != os.getpid()
        assert workers.run(os.getpid) == os.getpid()  # not of the kind: run right here
    assert not workers.sends(pid)


def test_a_worker_that_died_is_replaced() -> None:
    """A worker killed between jobs (out of memory, an operator's kill) breaks its pool;
    the next job of that kind starts a new worker instead of failing for good."""
    with workers.worker_processes(2):
        first = workers.run(os.getpid)
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: all(p.pid != first for p in multiprocessing.active_children()),
                   what="the killed worker to be gone")
        second = workers.run(os.getpid)
        assert second not in (first, os.getpid())
        assert workers.run(os.getpid) == second  # and it stays


def test_the_watcher_sets_posters_in_a_worker_started_at_once(site: SiteDir) -> None:
    """A watcher with posters starts its poster worker before any poster is due (so the
    first drop does not wait for WeasyPrint to load) and sends only posters there."""
    with watching(site, outlets=[poster]):
        assert workers.sends(poster_weasyprint.pdfs_of)
        assert not workers.sends(share.card_png)
        assert multiprocessing.active_children()
    assert not workers.sends(poster_weasyprint.pdfs_of)
