"""The one writer of the published tree.

Every file is written to a temporary file in the tree and `os.replace`d into place, so a
reader sees the old file or the new one, never half of one. Files are written in layers
(images before the pages that show them, pages before the indexes and feeds that list them)
and files nobody names any more are deleted last, highest layer first, so at every moment
every link resolves and a `kill -9` leaves a complete tree: the last one, or one part-way to
the next, both whole.
Unchanged files are not touched (same key: not even rendered; same bytes: not rewritten).

Compressible files get a gzip sibling (`X.gz`, for nginx `gzip_static`) written with them:
deterministic bytes, the same mtime as `X` (so both encodings carry the same Last-Modified),
replaced just before `X` and deleted with it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
from collections import deque
from collections.abc import (
    Callable,
    Collection,
    Generator,
    Iterable,
    KeysView,
    Mapping,
    Sequence,
)
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from itertools import groupby
from pathlib import Path

from ..errors import PublishError
from ..heap import now_and_then
from ..outlets.artifacts import Artifact, Batch
from ..outlets.registry import has_gzip_sibling
from .state import FileRecord, State

log = logging.getLogger("kindalarm")
# Threads that render artifacts at the same time: one more than the cores. A new alert's
# three big images (two full-HD slides, the web photo) then start together and share both
# cores (their encodes release the GIL); with one thread per core the third would wait for
# a free thread, and the urgent files would be published later.
WORKERS = min(4, (os.cpu_count() or 1) + 1)
TMP_DIR = ".kindalarm-tmp"  # inside the tree (same file system for os.replace); never served
def gzip_bytes(data: bytes) -> bytes:
    """The same input always gives the same bytes (no name, mtime 0), so an unchanged file
    keeps its `.gz` ETag too. zlib's default level, not 9: the archive page of thousands of
    ended alerts is compressed whenever one ends, and level 9 saves little for its time
    (measured in docs/architecture.md)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


@dataclass
class PublishReport:
    """What a publish did: files written, left unchanged, deleted, failed or deferred."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # path -> why
    deferred: int = 0  # files of higher layers left as they were because something failed

    def merge(self, other: PublishReport) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.failed.update(other.failed)
        self.deferred += other.deferred


def produced(todo: list[Artifact], workers: int = WORKERS
             ) -> Generator[tuple[Artifact, bytes, Exception | None]]:
    """(artifact, bytes, error) of each artifact, in order, produced by a few threads at a
    time (image encoding and resizing release the GIL, so both cores work). The artifacts
    of a layer are only started once every artifact of the layers below is done, and the
    caller writes them one by one in this order: the write order stays as it was."""
    if len(todo) < 2 or workers < 2:
        yield from (_produce(a) for a in todo)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="kindalarm-render") as pool:
        for _, layer in groupby(todo, key=lambda a: a.layer):
            window: deque[Future[tuple[Artifact, bytes, Exception | None]]] = deque()
            for artifact in layer:
                window.append(pool.submit(_produce, artifact))
                if len(window) > 4 * workers:  # bounded: a layer may hold many big images
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()


BIG = 200_000  # bytes of a file whose making freed megabytes of pixels (see render.heap)


def _produce(artifact: Artifact) -> tuple[Artifact, bytes, Exception | None]:
    try:
        data = artifact.produce()
        if len(data) > BIG:
            now_and_then()
        return artifact, data, None
    except Exception as exc:
        return artifact, b"", exc


@dataclass(frozen=True)
class Wanted:
    """What a tree must hold after a publish: `made`, and the artifacts of the batches in
    `kept` (listed in run after run: the ended alerts' files, see `Publisher.outdated`).
    With `urgent_only`, only the urgent ones are produced in this call (the watcher
    publishes them first); the others stay wanted, so none of them is deleted."""

    made: Sequence[Artifact]
    kept: Sequence[Batch] = ()
    urgent_only: bool = False


# A batch looked at by a publish and its outdated artifacts; None for a batch of which
# only the urgent artifacts were looked at (not known up to date after).
Checked = tuple[Batch | None, list[Artifact]]


class Publisher:
    """The one writer of an output tree: writes artifacts in layers, atomically, and
    deletes obsolete files last (see the module docstring)."""

    def __init__(self, root: Path, state: State, trusted: dict[int, Batch] | None = None,
                 retire_seconds: float = 0.0) -> None:
        """`trusted`: where it remembers the batches it found up to date (the build's
        memory); `retire_seconds`: how long a superseded file that may linger stays."""
        self.root = root
        self.state = state
        self.retire_seconds = retire_seconds
        # Render threads; a batch build that sets posters in worker processes wants more
        # (some wait for a poster while the others draw cards).
        self.workers = WORKERS
        # Batches of kept artifacts found up to date (see `outdated`), by fingerprint, and
        # the state's count of reads of its file records when they were.
        self._current = trusted if trusted is not None else {}
        self._records_read = state.files_read
        # path -> (key, sha256) of every file published since `start_run`: an index made
        # after the files it names reads their hashes here instead of rendering them again
        # (their bytes are not kept: memory stays flat in the number of alerts).
        self.this_run: dict[str, tuple[str, str]] = {}
        try:
            root.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(root / TMP_DIR, ignore_errors=True)  # leftovers of a killed run
            (root / TMP_DIR).mkdir()
        except OSError as exc:
            raise PublishError(f"cannot write to {root}: {exc.strerror}") from None

    def publish(self, wanted: Wanted, *, now: float,
                may_linger: Callable[[str], bool] = lambda path: False,
                progress: Callable[[int, int], None] | None = None,
                check_disk: bool = True,
                before_rendering: Callable[[], None] | None = None) -> PublishReport:
        """Make the tree hold what is `wanted` (anything else is obsolete):

        1. find the outdated files (missing, or made from another key);
        2. revive retiring files that are wanted again;
        3. write placeholders of files that name each other, then every outdated file,
           layer by layer, each atomically;
        4. trust the batches these writes made up to date;
        5. delete obsolete files, highest layer first; a superseded file that
           `may_linger(path)` (a live alert's older version) retires after
           `retire_seconds` instead.

        `before_rendering` is called before the first file is produced, and not at all when
        every file is up to date.
        """
        made = {a.path: a for a in wanted.made}
        # A live view, not a copy: the files it is read for below are not changed before.
        records = self.state.files_now()
        interrupted = self.state.pending()  # a killed run may have replaced these already
        report = PublishReport()
        todo, checked = self._plan(wanted, made, records, interrupted, check_disk, report)
        self._revive(wanted, made, {a.path for a in todo})
        if todo and before_rendering:
            before_rendering()
        written = self._write_layers(todo, records, interrupted, progress, report)
        if not report.failed and not report.deferred:
            self._trust(checked, written)
        if not report.failed:
            self._delete_obsolete(made.keys(), wanted.kept, now, may_linger, report)
        return report

    def _plan(self, wanted: Wanted, made: dict[str, Artifact],
              records: Mapping[str, FileRecord], interrupted: set[str], check_disk: bool,
              report: PublishReport) -> tuple[list[Artifact], list[Checked]]:
        """The artifacts to produce in this call, and the kept batches looked at."""
        chosen = [a for a in made.values() if a.urgent or not wanted.urgent_only]
        todo = self.outdated(chosen, records, interrupted, check_disk)
        checked = self._check(wanted.kept, records, interrupted, check_disk,
                              wanted.urgent_only)
        for _, outdated in checked:
            todo += outdated
        report.unchanged += len(chosen) + sum(
            len(b.urgent if wanted.urgent_only else b) for b in wanted.kept) - len(todo)
        if todo:
            self._touch({a.path for a in todo})
            self.state.announce((a.path, a.layer) for a in todo)
        return todo, checked

    def _revive(self, wanted: Wanted, made: dict[str, Artifact], stale: set[str]) -> None:
        """Retiring files wanted again (an edit undone): kept as they are, not rendered
        again."""
        def wanted_now(path: str) -> Artifact | None:
            return made.get(path) or next(
                (b.by_path[path] for b in wanted.kept if path in b.by_path), None)

        revived = [path for path in self.state.retiring() if path not in stale
                   and (a := wanted_now(path)) and (a.urgent or not wanted.urgent_only)]
        if revived:
            self._touch(revived)
            self.state.revive(revived)

    def _write_layers(self, todo: list[Artifact], records: Mapping[str, FileRecord],
                      interrupted: set[str], progress: Callable[[int, int], None] | None,
                      report: PublishReport) -> set[str]:
        """Produce and write `todo` layer by layer; the paths recorded as written."""
        # Files that name each other (a new alert's Dutch and English pages): one not in the
        # tree yet is first written as its placeholder, below the files that name it. Only the
        # artifact itself, which follows in its own layer, is recorded.
        placeholders = [replace(a, produce=a.placeholder.produce, layer=a.placeholder.layer,
                                placeholder=None)
                        for a in todo if a.placeholder and not self._present(a.path)]
        first_versions = {id(p) for p in placeholders}  # this call's objects, not a cache
        # Those files hold their placeholder once it is written, whatever the records say
        # (the file was missing: deleted behind the publisher's back), so the real bytes are
        # compared with the disk, not with the record, and replace it.
        placed = {p.path for p in placeholders}
        todo = sorted(todo + placeholders, key=lambda a: a.layer)
        done: list[tuple[str, str, str, int]] = []
        failed_layer: int | None = None
        try:
            with closing(produced(todo, self.workers)) as results:
                for number, (artifact, data, error) in enumerate(results, 1):
                    if failed_layer is not None and artifact.layer > failed_layer:
                        # A file of this layer may name the one that failed: leave this
                        # layer and the ones above as they were (the last complete state)
                        # and delete nothing; the next run tries again.
                        report.deferred = len(todo) - number + 1
                        break
                    if progress:
                        progress(number, len(todo))
                    if error is not None:  # the rest of its layer is still published
                        log.error("could not render %s", artifact.path, exc_info=error)
                        report.failed[artifact.path] = f"{type(error).__name__}: {error}"
                        failed_layer = artifact.layer
                        continue
                    if id(artifact) in first_versions:
                        self._write(artifact.path, data)
                        continue
                    digest = hashlib.sha256(data).hexdigest()
                    self.this_run[artifact.path] = (artifact.key, digest)
                    record = records.get(artifact.path)
                    fresh = record and artifact.path not in interrupted \
                        and artifact.path not in placed
                    recorded = record.sha256 if record and fresh else None
                    if self._same(artifact.path, recorded, digest, data):
                        report.unchanged += 1
                    else:
                        self._write(artifact.path, data)
                        report.written.append(artifact.path)
                    done.append((artifact.path, artifact.key, digest, artifact.layer))
        finally:
            # Record what was written even if something above raised (e.g. a full disk).
            self.state.record_files(done)
        return {path for path, *_ in done}

    def _trust(self, checked: list[Checked], written: set[str]) -> None:
        """Batches made up to date by these writes (their records now hold their keys)."""
        for batch, outdated in checked:
            if batch is not None and all(a.path in written for a in outdated):
                self._current[batch.fingerprint] = batch

    def outdated(self, artifacts: Iterable[Artifact],
                 records: Mapping[str, FileRecord] | None = None,
                 interrupted: set[str] | None = None, check_disk: bool = True, *,
                 kept: Sequence[Batch] = ()) -> list[Artifact]:
        """The artifacts whose published file is missing or was made from another key (the
        watcher asks this to know whether a slow second step is needed at all), of
        `artifacts` and of the batches in `kept`.

        `check_disk=False` trusts the records for presence: a file deleted behind the
        publisher's back is then restored by the next run that checks (the watcher checks
        at start and at every periodic rescan; a stat of every file is slow at thousands of
        alerts). It also trusts a batch found up to date before, as long as none of its files
        has been written, deleted or retired since (see `_touch`): looking up every ended
        alert's files in every run would slow every new alert's publish."""
        records = self.state.files() if records is None else records
        interrupted = self.state.pending() if interrupted is None else interrupted
        found = self._outdated(artifacts, records, interrupted, check_disk)
        for batch, outdated in self._check(kept, records, interrupted, check_disk,
                                           urgent_only=False):
            if batch is not None and not outdated:
                self._current[batch.fingerprint] = batch
            found += outdated
        return found

    def _outdated(self, artifacts: Iterable[Artifact], records: Mapping[str, FileRecord],
                  interrupted: set[str], check_disk: bool) -> list[Artifact]:
        return [a for a in artifacts
                if not ((record := records.get(a.path)) and record.key == a.key
                        and a.path not in interrupted
                        and (not check_disk or self._present(a.path)))]

    def _check(self, kept: Sequence[Batch], records: Mapping[str, FileRecord],
               interrupted: set[str], check_disk: bool, urgent_only: bool
               ) -> list[Checked]:
        """(batch, its outdated artifacts) of each batch in `kept` not known to be up to date
        (every one if `check_disk`). With `urgent_only` only a batch's urgent artifacts are
        looked at, and a batch with others is named None: it is not known up to date after."""
        if self._records_read != self.state.files_read:  # records read again: trust none
            self._current.clear()
            self._records_read = self.state.files_read
        checked: list[Checked] = []
        for batch in kept:
            if not check_disk and self._current.get(batch.fingerprint) is batch:
                continue
            chosen = batch.urgent if urgent_only else batch
            outdated = self._outdated(chosen, records, interrupted, check_disk)
            checked.append((batch if len(chosen) == len(batch) else None, outdated))
        return checked

    def _touch(self, paths: Collection[str]) -> None:
        """Before the records of `paths` change: batches holding any of them are no longer
        known to be up to date."""
        for key, batch in list(self._current.items()):
            if not batch.by_path.keys().isdisjoint(paths):
                del self._current[key]

    def _present(self, path: str) -> bool:
        # os.path on strings: this runs for every wanted file on every run, and pathlib's
        # parsing would be a large part of it.
        target = os.path.join(self.root, path)
        return os.path.isfile(target) and (not has_gzip_sibling(path)
                                           or os.path.isfile(target + ".gz"))

    def _same(self, path: str, recorded_sha: str | None, digest: str, data: bytes) -> bool:
        target = self.root / path
        if recorded_sha is not None:
            return recorded_sha == digest and self._present(path)
        # Not recorded (first run, or killed before recording, perhaps between the file and
        # its sibling): compare both with the disk.
        try:
            sibling = target.with_name(target.name + ".gz")
            return target.read_bytes() == data and (
                not has_gzip_sibling(path) or sibling.read_bytes() == gzip_bytes(data))
        except OSError:
            return False

    def _write(self, path: str, data: bytes) -> None:
        target = self.root / path
        tmp = self.root / TMP_DIR / f"{os.getpid()}-{hashlib.md5(path.encode()).hexdigest()}"
        tmp_gz = tmp.with_name(tmp.name + ".gz")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            if has_gzip_sibling(path):
                with open(tmp_gz, "wb") as handle:
                    handle.write(gzip_bytes(data))
                os.chmod(tmp_gz, 0o644)
                written = os.stat(tmp)
                os.utime(tmp_gz, ns=(written.st_atime_ns, written.st_mtime_ns))
                os.replace(tmp_gz, target.with_name(target.name + ".gz"))
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            tmp_gz.unlink(missing_ok=True)
            raise PublishError(f"cannot write {target}: {exc.strerror}; the last published "
                               "files stay as they were") from None

    def _delete_obsolete(self, made: KeysView[str], kept: Sequence[Batch], now: float,
                         may_linger: Callable[[str], bool], report: PublishReport) -> None:
        retire_seconds = self.retire_seconds
        records = self.state.files_now()
        obsolete = records.keys() - made  # the few obsolete of thousands, and the kept ones
        for batch in kept:
            obsolete -= batch.by_path.keys()
        # Written by a killed run, and neither wanted nor recorded.
        stray = {path: layer for path, layer in self.state.pending_layers().items()
                 if path not in made and path not in records
                 and not any(path in b.by_path for b in kept)}
        retire: list[tuple[float, str]] = []
        remove = dict(stray)  # path -> layer
        for path in sorted(obsolete):
            record = records[path]
            if record.retire_at is None and retire_seconds > 0 and may_linger(path):
                retire.append((now + retire_seconds, path))
            elif record.retire_at is None or record.retire_at <= now or not may_linger(path):
                remove[path] = record.layer  # also a retired file whose alert has ended since
        # Highest layer first, the write order reversed: a file goes before the files it may
        # name (an old version's CAP message before that version's photo).
        self._touch([*remove, *(path for _, path in retire)])
        for path in sorted(remove, key=lambda p: -remove[p]):
            self._remove(path)
            report.deleted.append(path)
        self.state.retire_and_forget(retire, remove, stray)

    def _remove(self, path: str) -> None:
        target = self.root / path
        try:
            target.with_name(target.name + ".gz").unlink(missing_ok=True)
            target.unlink(missing_ok=True)
        except OSError as exc:
            raise PublishError(f"cannot delete {target}: {exc.strerror}") from None
        self._prune_empty_dirs(target.parent)

    def _prune_empty_dirs(self, directory: Path) -> None:
        while directory != self.root and directory.is_relative_to(self.root):
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent
