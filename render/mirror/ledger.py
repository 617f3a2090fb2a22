"""What the bucket holds, as the mirror recorded it: `mirror.sqlite` beside the state, its own
file so the mirror never waits on the publisher's lock (nor it on the mirror's).

- `mirrored`: path -> (sha256, layer) of each object uploaded, recorded as each upload
  completes and removed as each deletion completes. An upload cut by `kill -9` before it was
  recorded may repeat; a recorded one never does.
- `meta`: `target` (the endpoint, region, bucket and prefix the records are about: other
  records are forgotten) and `listed` (the bucket was listed once for that target, so keys
  nobody recorded have been found and are in `mirrored` with the MD5 of their bytes when
  the listing gives it, `md5:HEX`, else an empty digest).

The published side is read from the state's `files` table in one query on a read-only
connection: one committed snapshot, so a pass never mixes two publishes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
create table if not exists mirrored (path text primary key, sha256 text not null,
    layer integer not null);
create table if not exists meta (key text primary key, value text not null);
"""
UNKNOWN = ""  # the digest of a key found by listing without its MD5: trusted for nothing
MD5 = "md5:"  # the digest of a key found by listing whose ETag is the MD5 of its bytes


def listed_digest(etag: str) -> str:
    """What a listing tells of an object's bytes: a single-part upload's ETag is their MD5
    (a multipart or KMS-encrypted one's is not, and tells nothing)."""
    if len(etag) == 32 and all(c in "0123456789abcdef" for c in etag.lower()):
        return MD5 + etag.lower()
    return UNKNOWN


@dataclass(frozen=True)
class Entry:
    sha256: str
    layer: int


class Ledger:
    def __init__(self, state_dir: Path, target: str) -> None:
        self._lock = threading.Lock()
        self.db = sqlite3.connect(state_dir / "mirror.sqlite", isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")
        self.db.executescript(SCHEMA)
        self.state_path = state_dir / "state.sqlite"
        if self._meta("target") != target:  # another bucket: what we knew is of no use
            with self._lock, self.db:
                self.db.execute("delete from mirrored")
                self.db.execute("delete from meta")
                self.db.execute("insert into meta values ('target', ?)", (target,))

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self.db.execute("select value from meta where key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def listed(self) -> bool:
        return self._meta("listed") == "yes"

    def found(self, listing: Iterable[tuple[str, str]]) -> None:
        """Keys listed in the bucket, with their ETags: unrecorded ones become known, with
        the MD5 the ETag gives (`listed_digest`)."""
        with self._lock, self.db:
            self.db.executemany("insert or ignore into mirrored values (?, ?, ?)",
                                ((p, listed_digest(etag), -1) for p, etag in listing))
            self.db.execute("insert or replace into meta values ('listed', 'yes')")

    def reset(self) -> None:
        """Trust nothing recorded (another publisher wrote the bucket, or `--mirror-check`):
        list it again, and upload what the listing does not show to be right."""
        with self._lock, self.db:
            self.db.execute("delete from mirrored")
            self.db.execute("delete from meta where key = 'listed'")

    def mirrored(self) -> dict[str, Entry]:
        with self._lock:
            rows = self.db.execute("select path, sha256, layer from mirrored").fetchall()
        return {path: Entry(sha, layer) for path, sha, layer in rows}

    def uploaded(self, path: str, sha256: str, layer: int) -> None:
        with self._lock:
            self.db.execute("insert or replace into mirrored values (?, ?, ?)",
                            (path, sha256, layer))

    def deleted(self, path: str) -> None:
        with self._lock:
            self.db.execute("delete from mirrored where path = ?", (path,))

    def published(self) -> dict[str, Entry]:
        """The tree as the state last committed it (path -> digest, layer)."""
        if not self.state_path.exists():
            return {}
        db = sqlite3.connect(f"file:{self.state_path}?mode=ro", uri=True)
        try:
            rows = db.execute("select path, sha256, layer from files").fetchall()
        finally:
            db.close()
        return {path: Entry(sha, layer) for path, sha, layer in rows}
