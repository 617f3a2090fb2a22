"""What the publisher remembers between runs, in SQLite beside the output (never inside it,
since it holds the last good version of live alerts).

- `files`: every published file with the key and hash it was written with, so a rebuild with
  no change neither renders nor writes; `retire_at` marks superseded files kept for a while;
  `layer` (render/artifacts.py) orders deletions: a file goes before the files it may name.
- `pending`: files about to be written (with their layer), so a crash never leaves an
  untracked file behind.
- `alerts`: per alert id its source file and last good document while live (a rejected edit
  keeps the old version published, across runs), or only its ended public view.
- `messages`: the published versions of each alert, for feeds and CAP references.

SQLite gives atomic, crash-safe commits for free; a `kill -9` loses at most the publish that
was under way, and the next run finishes it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import PublishError
from ..public import microseconds

SCHEMA = """
create table if not exists files (path text primary key, key text not null,
    sha256 text not null, retire_at real, layer integer not null default 0);
create table if not exists pending (path text primary key, layer integer not null default 0);
create table if not exists alerts (id text primary key, source text, state text not null,
    version text not null, document text, photo_sha text, view text);
create table if not exists messages (seq integer primary key autoincrement,
    alert_id text not null, version text not null, kind text not null, sent text not null,
    exercise integer not null, unique (alert_id, version));
create table if not exists meta (key text primary key, value text not null);
"""


@dataclass(frozen=True)
class FileRecord:
    """A published file as recorded: the key and sha256 it was written with, its layer,
    and when it retires if it is superseded."""

    key: str
    sha256: str
    retire_at: float | None
    layer: int = 0


@dataclass(frozen=True)
class AlertRecord:
    """What the state keeps of one alert: its last good document and photo while live, or
    only its ended public view."""

    id: str
    source: str | None  # alert file name, while live
    state: str
    version: str
    document: str | None  # the last good alert file text, while live
    photo_sha: str | None  # its photo, copied into the state folder, while live
    view: str | None  # the ended public view (JSON), once ended


@dataclass(frozen=True)
class Message:
    """One published version of an alert (a feed entry, a CAP message)."""

    seq: int
    alert_id: str
    version: str
    kind: str  # alert, update, found, cancelled, expired
    sent: str  # ISO date-time with offset, from the data
    exercise: bool

    @cached_property
    def sent_at(self) -> datetime:
        """`sent` to the second (feeds sort thousands of messages by it in every run)."""
        return datetime.fromisoformat(self.sent).replace(microsecond=0)

    @cached_property
    def order(self) -> tuple[int, int]:
        """(`sent_at` in microseconds, `seq`): the feeds' sort key, compared as numbers as
        views' `updated_us` are (comparing aware datetimes costs far more)."""
        return microseconds(self.sent_at), self.seq


def state_dir_for(out: Path) -> Path:
    """`output/` keeps its state in `.output.state/` beside it: same disk, never served."""
    out = out.absolute()
    return out.parent / f".{out.name}.state"


class State:
    """The publisher's memory in SQLite beside the output, locked to one process (see the
    module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "photos").mkdir(exist_ok=True)
        self._lock_file = open(directory / "lock", "a+")  # noqa: SIM115 (held for our lifetime)
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise PublishError(f"another kindalarm is publishing with the state in {directory}; "
                               "stop it first (only one build or watch per output)") from None
        self.db = sqlite3.connect(directory / "state.sqlite", isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")
        self.db.executescript(SCHEMA)
        for table in ("files", "pending"):  # a state made before files knew their layer
            if "layer" not in {row[1] for row in self.db.execute(f"pragma table_info({table})")}:
                self.db.execute(f"alter table {table} add column layer integer not null default 0")
        # The files, alerts and messages tables, read once and then kept in step with every
        # write (this process holds the lock, so no one else writes): a watcher would
        # otherwise read every file row and alert row several times per publish, in a new
        # alert's urgent step. A failed write forgets them (read again).
        self._files: dict[str, FileRecord] | None = None
        self._retiring: set[str] = set()  # paths in _files with a retire_at, while it is held
        self.files_read = 0  # times the files table was read (into _files)
        self._alerts: dict[str, AlertRecord] | None = None
        # The ids of alerts added, or whose state, version or view changed, in order; and
        # the epoch, which changes when all may have (the records are read again).
        self.alerts_changed: list[str] = []
        self.alerts_epoch = 0
        self._messages: list[Message] | None = None

    def close(self) -> None:
        self.db.close()
        self._lock_file.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """`with state.transaction() as db:` commits on success, rolls back on error (and
        then forgets the tables it holds in memory: they are read again when next asked)."""
        self.db.execute("begin")
        try:
            yield self.db
        except BaseException:
            self._files = self._alerts = self._messages = None
            self.alerts_epoch += 1
            self.db.execute("rollback")
            raise
        self.db.execute("commit")

    # --- files --------------------------------------------------------------------------

    def files(self) -> dict[str, FileRecord]:
        """Every recorded file (a copy: later writes do not change it)."""
        return dict(self._held_files())

    def files_now(self) -> Mapping[str, FileRecord]:
        """Every recorded file, as the state holds them: not a copy of thousands of records, but a
        view that changes with every later write."""
        return MappingProxyType(self._held_files())

    def retiring(self) -> set[str]:
        """The recorded files that are retiring (a handful, where `files` has thousands)."""
        self._held_files()
        return set(self._retiring)

    def _held_files(self) -> dict[str, FileRecord]:
        if self._files is None:
            self.files_read += 1
            rows = self.db.execute("select path, key, sha256, retire_at, layer from files")
            self._files = {p: FileRecord(k, s, r, layer) for p, k, s, r, layer in rows}
            self._retiring = {p for p, record in self._files.items()
                              if record.retire_at is not None}
        return self._files

    def pending(self) -> set[str]:
        return set(self.pending_layers())

    def pending_layers(self) -> dict[str, int]:
        """Files announced for writing and not yet recorded, with their layers."""
        return dict(self.db.execute("select path, layer from pending"))

    def announce(self, files: Iterable[tuple[str, int]]) -> None:
        """(path, layer) of files about to be written: `pending` until recorded."""
        with self.transaction() as db:
            db.executemany("insert or ignore into pending (path, layer) values (?, ?)", files)

    def record_files(self, written: list[tuple[str, str, str, int]]) -> None:
        """(path, key, sha256, layer) of files now in the tree as made; no longer pending
        nor retiring."""
        with self.transaction() as db:
            db.executemany("insert or replace into files (path, key, sha256, retire_at, "
                           "layer) values (?, ?, ?, null, ?)", written)
            db.executemany("delete from pending where path = ?", [(w[0],) for w in written])
        if self._files is not None:
            for path, key, sha256, layer in written:
                self._files[path] = FileRecord(key, sha256, None, layer)
                self._retiring.discard(path)

    def revive(self, paths: list[str]) -> None:
        """Retiring files wanted again: no longer retiring."""
        with self.transaction() as db:
            db.executemany("update files set retire_at = null where path = ?",
                           [(p,) for p in paths])
        if self._files is not None:
            for path in paths:
                self._files[path] = replace(self._files[path], retire_at=None)
                self._retiring.discard(path)

    def retire_and_forget(self, retire: list[tuple[float, str]], removed: Iterable[str],
                          stray: Iterable[str]) -> None:
        """Mark files retiring (retire_at, path); forget deleted files and deleted strays
        (pending files that were never recorded)."""
        removed = list(removed)
        with self.transaction() as db:
            db.executemany("update files set retire_at = ? where path = ?", retire)
            db.executemany("delete from files where path = ?", [(p,) for p in removed])
            db.executemany("delete from pending where path = ?", [(p,) for p in stray])
        if self._files is not None:
            for retire_at, path in retire:
                self._files[path] = replace(self._files[path], retire_at=retire_at)
                self._retiring.add(path)
            for path in removed:
                self._files.pop(path, None)
                self._retiring.discard(path)

    # --- alerts -------------------------------------------------------------------------

    def alerts(self) -> dict[str, AlertRecord]:
        """Every alert's record (a copy: later writes do not change it)."""
        if self._alerts is None:
            rows = self.db.execute(
                "select id, source, state, version, document, photo_sha, view from alerts")
            self._alerts = {r[0]: AlertRecord(*r) for r in rows}
        return dict(self._alerts)

    def save_alerts(self, records: list[AlertRecord]) -> None:
        """Insert or replace these alerts' records."""
        with self.transaction() as db:
            db.executemany("insert or replace into alerts (id, source, state, version, "
                           "document, photo_sha, view) values (?, ?, ?, ?, ?, ?, ?)",
                           [(r.id, r.source, r.state, r.version, r.document, r.photo_sha,
                             r.view) for r in records])
        held = self._alerts or {}
        self.alerts_changed += [r.id for r in records if (old := held.get(r.id)) is None or (
            old.state, old.version, old.view) != (r.state, r.version, r.view)]
        if self._alerts is not None:
            self._alerts.update((r.id, r) for r in records)

    def photo_path(self, sha256: str) -> Path:
        return self.directory / "photos" / sha256

    def keep_photo(self, sha256: str, source: Path) -> None:
        """Copy a live alert's photo, so a later bad edit or lost photo cannot unpublish it."""
        target = self.photo_path(sha256)
        if target.exists():
            return
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            return  # replaced since it was read: the next run keeps the new one
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def drop_photos_except(self, keep: Iterable[str]) -> None:
        wanted = set(keep)
        for path in (self.directory / "photos").iterdir():
            if path.name not in wanted:
                path.unlink(missing_ok=True)

    # --- messages and meta --------------------------------------------------------------

    def messages(self) -> list[Message]:
        """Every published version, oldest first (a copy: later writes do not change it)."""
        if self._messages is None:
            self._messages = self._messages_after(0)
        return list(self._messages)

    def add_messages(self, rows: list[tuple[str, str, str, str, int]]) -> None:
        """(alert_id, version, kind, sent, exercise) of new versions; one already recorded is
        left as it was."""
        last = self._messages[-1].seq if self._messages else 0
        with self.transaction() as db:
            db.executemany("insert or ignore into messages (alert_id, version, kind, sent, "
                           "exercise) values (?, ?, ?, ?, ?)", rows)
        if self._messages is not None:
            self._messages += self._messages_after(last)

    def _messages_after(self, seq: int) -> list[Message]:
        rows = self.db.execute("select seq, alert_id, version, kind, sent, exercise "
                               "from messages where seq > ? order by seq", (seq,))
        return [Message(s, a, v, k, t, bool(e)) for s, a, v, k, t, e in rows]

    def meta(self, key: str) -> Any:
        row = self.db.execute("select value from meta where key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("insert or replace into meta (key, value) values (?, ?)",
                        (key, json.dumps(value)))

