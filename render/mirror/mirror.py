"""The mirror: keeps a bucket equal to the published tree, reconciled from recorded state,
never from events (contract section 8).

A pass compares the state's `files` records (one committed snapshot) with the ledger's
`mirrored` records (`ledger.py`) and
1. on the first pass for a bucket (or when asked, or after taking the bucket over), lists
   the prefix once, so keys nobody recorded are known, with the MD5 of their bytes when the
   ETag is that (a single-part upload's is);
2. uploads what differs, lowest write layer first, in parallel within a layer, each object
   with the registry's Content-Type and Cache-Control (never the `.gz` siblings: a CDN
   compresses), recording each upload as it completes; a listed object whose MD5 is the
   file's is recorded without an upload (its headers are taken to be the ones the registry
   gives its path); a file whose bytes on disk are no longer those of the snapshot (a
   publish is under way) ends the pass before the layers above it, which may name it, and
   the next pass takes it up;
3. only then deletes what the tree no longer has, highest layer first, recording each.

A `kill -9` or an outage anywhere leaves records that are true, so the next pass converges
by construction; a recorded upload is never repeated. The pass runs in its own thread
(`start`), woken after each publish, retrying with backoff: a store that is down or slow
never holds up the local publish.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import random
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from ..outlets.outlet import CACHE_SHORT
from ..outlets.registry import has_gzip_sibling, kind_of
from ..pipeline.state import state_dir_for
from ..push.deliver import Backoff
from .lease import Lease, default_owner
from .ledger import MD5, Entry, Ledger
from .settings import MirrorSettings
from .store import Store, StoreError, error_class

log = logging.getLogger("kindalarm")
RESERVED = ".kindalarm/"  # keys under the prefix that are the mirror's own (the lease)
LAST = 1000  # the deletion layer of a listed key of no known kind: before anything else
BACKOFF = Backoff(base=1.0, cap=60.0)  # a store back from an outage is caught up within a minute


@dataclass(frozen=True)
class Backlog:
    """What `status.json` says of the mirror: what the bucket still lacks (status.json
    itself aside, which changes with this), since when, and why."""

    uploads: int = 0
    deletions: int = 0
    behind_since: float | None = None
    last_error: str | None = None

    def as_json(self) -> dict[str, object]:
        since = (datetime.fromtimestamp(self.behind_since, UTC).isoformat(timespec="seconds")
                 if self.behind_since is not None else None)
        return {"pending_uploads": self.uploads, "pending_deletions": self.deletions,
                "behind_since": since, "last_error": self.last_error}


@dataclass
class PassReport:
    uploaded: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # listed with the right bytes: no upload
    deleted: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # changed on disk since the snapshot

    @property
    def converged(self) -> bool:
        return not self.changed


def _is_tree_file(path: str) -> bool:
    return not (path.endswith(".gz") and has_gzip_sibling(path[:-3]))


def _headers(path: str) -> tuple[str, str]:
    kind = kind_of(path)
    if kind is not None:
        return kind.media_type, kind.cache_control
    return mimetypes.guess_type(path)[0] or "application/octet-stream", CACHE_SHORT


def _deletion_layer(path: str, entry: Entry) -> int:
    if entry.layer >= 0:
        return entry.layer
    kind = kind_of(path)
    return kind.layer if kind else LAST


class Mirror:
    """Mirrors the tree in `out` into the bucket of `settings`."""

    def __init__(self, out: Path, settings: MirrorSettings, *, workers: int = 8,
                 store: Store | None = None, backoff: Backoff = BACKOFF,
                 check: bool = False, on_backlog: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.time, lease_seconds: float | None = None,
                 owner: str | None = None) -> None:
        self.out = out.absolute()
        self.settings = settings
        self.workers = workers
        self.backoff = backoff
        self.on_backlog = on_backlog
        self.clock = clock
        state_dir = state_dir_for(self.out)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.ledger = Ledger(state_dir, settings.target)
        if check:  # asked to trust no record: the bucket listed again, its ETags compared
            self.ledger.reset()
        self._store = store
        self.lease_seconds = lease_seconds or settings.lease_seconds
        self.owner = owner or default_owner(self.out)
        self._lease: Lease | None = None
        self._backlog = Backlog()
        self._backlog_lock = threading.Lock()
        self._pass_lock = threading.Lock()
        self._lease_lock = threading.Lock()  # the upload threads renew it as they go
        self.stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self._count()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings, pool=self.workers * 2)
        return self._store

    @property
    def lease(self) -> Lease:
        if self._lease is None:
            self._lease = Lease(self.store, self.owner, self.lease_seconds, self.clock)
        return self._lease

    def _hold(self) -> None:
        """Go on only as the bucket's one writer (`lease.py`); after taking over from
        another publisher, trust none of our records."""
        with self._lease_lock:
            if not self.lease.hold():
                raise StoreError("standby: another publisher holds the lease")
            if not self.lease.taken_over:
                return
            self.lease.taken_over = False
            log.warning("mirror: took the lease of %s over from another publisher; listing "
                        "it to check every object", self.settings.url)
            self.ledger.reset()

    def _still_writer(self) -> None:
        """Before each write of a pass: the lease renewed as it runs out (one layer on a slow
        store may take longer than the lease), and no write once another publisher has
        taken it (it is left `taken_over` for the next pass to start afresh)."""
        with self._lease_lock:
            if not self.lease.hold() or self.lease.taken_over:
                raise StoreError("standby: the lease went to another publisher during a pass")

    def close(self, timeout: float = 15.0) -> None:
        self.stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.ledger.close()

    # --- what differs -------------------------------------------------------------------

    def diff(self) -> tuple[dict[str, Entry], dict[str, Entry]]:
        """(uploads, deletions) that would make the bucket equal the recorded tree."""
        published = {p: e for p, e in self.ledger.published().items() if _is_tree_file(p)}
        mirrored = self.ledger.mirrored()
        uploads = {p: e for p, e in published.items()
                   if p not in mirrored or mirrored[p].sha256 != e.sha256}
        deletions = {p: e for p, e in mirrored.items() if p not in published}
        return uploads, deletions

    def lacks(self, paths: Collection[str]) -> bool:
        """Whether the bucket lacks one of `paths` (or holds other bytes for it) that the
        tree has: a push naming them waits."""
        uploads, _ = self.diff()
        return any(p in uploads for p in paths)

    def backlog(self) -> Backlog:
        with self._backlog_lock:
            return self._backlog

    def _count(self, error: str | None = None) -> None:
        """Count what is left; tell `on_backlog` when that (or the error) changed."""
        uploads, deletions = self.diff()
        ups = sum(1 for p in uploads if not p.endswith("status.json"))
        dels = sum(1 for p in deletions if not p.endswith("status.json"))
        with self._backlog_lock:
            old = self._backlog
            behind = bool(ups or dels)
            since = (old.behind_since or self.clock()) if behind else None
            new = Backlog(ups, dels, since, error if behind else None)
            self._backlog = new
        if (old.uploads, old.deletions, old.last_error) != (new.uploads, new.deletions,
                                                            new.last_error):
            if behind:
                log.warning("mirror backlog: %d upload(s), %d deletion(s) pending; last "
                            "error %s", ups, dels, new.last_error or "none")
            elif old.uploads or old.deletions:
                log.info("mirror: %s equals the tree again", self.settings.url)
            if self.on_backlog:
                self.on_backlog()

    # --- one pass -----------------------------------------------------------------------

    def run_pass(self) -> PassReport:
        """One reconciliation; raises StoreError when the store fails (records stay true)."""
        with self._pass_lock:
            report = PassReport()
            self._hold()
            if not self.ledger.listed:
                self.ledger.found(item for item in self.store.listing()
                                  if not item[0].startswith(RESERVED))
            uploads, deletions = self.diff()
            listed = {p: e.sha256[len(MD5):] for p, e in self.ledger.mirrored().items()
                      if e.sha256.startswith(MD5)}
            with ThreadPoolExecutor(self.workers, thread_name_prefix="mirror") as pool:
                for _, group in groupby(sorted(uploads.items(), key=lambda i: (i[1].layer,
                                                                                i[0])),
                                        key=lambda i: i[1].layer):
                    self._hold()  # renewed while a long pass goes on
                    results = list(pool.map(
                        lambda item: self._upload(item[0], item[1], listed.get(item[0])),
                        group))
                    report.uploaded += [p for p, done in results if done == "put"]
                    report.kept += [p for p, done in results if done == "kept"]
                    report.changed += [p for p, done in results if done == "changed"]
                    if report.changed:  # the layers above may name its new bytes
                        return report
                ordered = sorted(deletions.items(), key=lambda i: (-_deletion_layer(*i), i[0]))
                for _, group in groupby(ordered, key=lambda i: _deletion_layer(*i)):
                    self._hold()
                    report.deleted += list(pool.map(lambda item: self._delete(item[0]), group))
            self.passes += 1
            return report

    def _upload(self, path: str, entry: Entry, md5: str | None) -> tuple[str, str]:
        """"put", "kept" (the bucket's object, of MD5 `md5`, has these bytes already) or
        "changed" (the file is no longer the snapshot's)."""
        try:
            data = (self.out / path).read_bytes()
        except FileNotFoundError:
            return path, "changed"
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            return path, "changed"
        if md5 is not None and hashlib.md5(data, usedforsecurity=False).hexdigest() == md5:
            log.debug("mirror kept %s %s", path, entry.sha256[:16])
            self.ledger.uploaded(path, entry.sha256, entry.layer)
            return path, "kept"
        content_type, cache_control = _headers(path)
        log.debug("mirror put %s %s", path, entry.sha256[:16])
        self._still_writer()
        self.store.put(path, data, content_type, cache_control)
        self.ledger.uploaded(path, entry.sha256, entry.layer)
        return path, "put"

    def _delete(self, path: str) -> str:
        log.debug("mirror delete %s", path)
        self._still_writer()
        self.store.delete(path)
        self.ledger.deleted(path)
        return path

    # --- running ------------------------------------------------------------------------

    def sync(self, timeout: float) -> bool:
        """Passes in this thread until the bucket equals the tree, or `timeout` seconds (for
        `build`); True when it does."""
        deadline = time.monotonic() + timeout
        failures = 0
        while True:
            wait = self._step(failures)
            failures = failures + 1 if wait else 0
            uploads, deletions = self.diff()
            if not (uploads or deletions):
                return True
            if time.monotonic() + (wait or 0.05) > deadline:
                return False
            time.sleep(wait or 0.05)

    def _step(self, failures: int) -> float | None:
        """One pass and its bookkeeping; the seconds to wait before the next when it failed."""
        try:
            report = self.run_pass()
        except Exception as exc:
            kind = error_class(exc)
            if not isinstance(exc, StoreError):
                log.exception("mirror pass failed")
            wait = self.backoff.delay(failures + 1, random.random())
            log.debug("mirror pass failed (%s); again in %.1f s", kind, wait)
            self._count(kind)
            return wait
        if report.uploaded or report.deleted or report.kept:
            log.info("mirrored to %s: %d upload(s), %d deletion(s), %d listed object(s) "
                     "right already", self.settings.url, len(report.uploaded),
                     len(report.deleted), len(report.kept))
        self._count()
        return None if report.converged else 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mirror", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """The tree changed: a pass now (or right after the one under way)."""
        self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self.stop.is_set():
            self._wake.clear()
            wait = self._step(failures)
            failures = failures + 1 if wait else 0
            # An idle mirror still looks every minute (a lost wake-up costs no more) and
            # renews its lease well before it expires. A pass that met a publish under way
            # is woken by that publish's end; the second's wait is for a file missing for
            # good (deleted behind the publisher's back, until its next look at the disk).
            idle = min(60.0, self.lease_seconds / 3)
            self._wake.wait(idle if wait is None else max(min(wait, idle), 1.0))
