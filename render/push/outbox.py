"""The outbox: every push still to deliver, in SQLite beside the state (`outbox.sqlite`), so a
restart or a `kill -9` loses none (contract section 8).

A row is one delivery: its id (`X-Kindalarm-Delivery`, the same on every retry), receiver,
topic (an alert of a tree, or a feed for WebSub), its order within the topic, the exact body,
and its retry schedule. Rules, kept by `offer`:

- per receiver and topic at most one delivery is pending, the newest: an older one that is
  still undelivered is dropped (the contract allows skipping a superseded message, and an
  ending message so replaces an undelivered one that carries personal data);
- a delivery already known (pending, delivered or given up) is never offered again, nor
  one older than what the topic already had, so a restart re-plans without repeats.

Delivered and given-up rows keep no body (bodies of live alerts carry personal data);
`secure_delete` overwrites what is deleted. The build offers (`push.plan`); the deliverer
takes (`push.deliver`); both may run at once, so one lock guards the connection.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
create table if not exists deliveries (id text primary key, receiver text not null,
    topic text not null, ordinal text not null, content_type text not null, body blob,
    created real not null, attempts integer not null default 0, next_at real not null,
    last_error text, state text not null);
create index if not exists pending on deliveries (receiver, state, next_at);
"""
PENDING, DELIVERED, GIVEN_UP = "pending", "delivered", "given up"
KEEP_DONE_SECONDS = 30 * 86400  # delivered ids are remembered this long (no repeats)


@dataclass(frozen=True)
class Offer:
    """A delivery the build wants made."""

    id: str
    receiver: str
    topic: str
    ordinal: str  # order within the topic; compared as text (zero-padded)
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Delivery:
    """A pending delivery as the deliverer takes it."""

    id: str
    receiver: str
    topic: str
    content_type: str
    body: bytes
    created: float
    attempts: int


@dataclass(frozen=True)
class Backlog:
    """What `status.json` and the log say of one receiver: never its URL."""

    pending: int
    oldest: float | None  # when the oldest pending delivery was offered (Unix time)
    last_error: str | None  # the class of the newest failure, e.g. "HTTP 503", "timeout"


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma secure_delete=on")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def offer(self, offers: Iterable[Offer], now: float) -> list[Offer]:
        """Take the offers that are new and not older than their topic's newest; drop what
        they supersede. Returns those taken."""
        taken = []
        with self._lock, self.db:
            self.db.execute("begin immediate")
            for offer in offers:
                if self.db.execute("select 1 from deliveries where id = ?",
                                   (offer.id,)).fetchone():
                    continue
                newest = self.db.execute(
                    "select max(ordinal) from deliveries where receiver = ? and topic = ?",
                    (offer.receiver, offer.topic)).fetchone()[0]
                if newest is not None and newest > offer.ordinal:
                    continue
                self.db.execute("delete from deliveries where receiver = ? and topic = ? and "
                                "state = ?", (offer.receiver, offer.topic, PENDING))
                self.db.execute(
                    "insert into deliveries (id, receiver, topic, ordinal, content_type, body, "
                    "created, next_at, state) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (offer.id, offer.receiver, offer.topic, offer.ordinal, offer.content_type,
                     offer.body, now, now, PENDING))
                taken.append(offer)
        return taken

    def next_for(self, receiver: str, now: float) -> Delivery | None:
        """The receiver's oldest pending delivery that is due at `now`."""
        with self._lock:
            row = self.db.execute(
                "select id, receiver, topic, content_type, body, created, attempts from "
                "deliveries where receiver = ? and state = ? and next_at <= ? "
                "order by created, id limit 1", (receiver, PENDING, now)).fetchone()
        return Delivery(*row) if row else None

    def next_at(self, receiver: str) -> float | None:
        with self._lock:
            value = self.db.execute("select min(next_at) from deliveries where receiver = ? "
                                    "and state = ?", (receiver, PENDING)).fetchone()[0]
        return float(value) if value is not None else None

    def delivered(self, delivery_id: str) -> None:
        self._finish(delivery_id, DELIVERED, None)

    def give_up(self, delivery_id: str, error: str) -> None:
        self._finish(delivery_id, GIVEN_UP, error)

    def _finish(self, delivery_id: str, state: str, error: str | None) -> None:
        with self._lock:
            self.db.execute("update deliveries set state = ?, body = null, last_error = "
                            "coalesce(?, last_error), attempts = attempts + 1 where id = ? and "
                            "state = ?", (state, error, delivery_id, PENDING))

    def retry_later(self, delivery_id: str, error: str, at: float) -> None:
        with self._lock:
            self.db.execute("update deliveries set attempts = attempts + 1, last_error = ?, "
                            "next_at = ? where id = ? and state = ?",
                            (error, at, delivery_id, PENDING))

    def pending(self) -> int:
        with self._lock:
            count: int = self.db.execute("select count(*) from deliveries where state = ?",
                                         (PENDING,)).fetchone()[0]
        return count

    def backlog(self, receivers: Iterable[str]) -> dict[str, Backlog]:
        """Per receiver: pending deliveries, the oldest one's time, the last failure's class
        (of a pending delivery, or of the last one given up)."""
        result = {}
        with self._lock:
            for name in receivers:
                pending, oldest = self.db.execute(
                    "select count(*), min(created) from deliveries where receiver = ? and "
                    "state = ?", (name, PENDING)).fetchone()
                error = self.db.execute(
                    "select last_error from deliveries where receiver = ? and last_error is "
                    "not null and state != ? order by created desc limit 1",
                    (name, DELIVERED)).fetchone()
                result[name] = Backlog(pending, oldest, error[0] if error else None)
        return result

    def forget(self, keep_receivers: Iterable[str], now: float) -> None:
        """Drop the deliveries of receivers no longer configured, and finished ones old
        enough that no plan offers them again."""
        keep = list(keep_receivers)
        marks = ",".join("?" * len(keep))
        with self._lock, self.db:
            self.db.execute(f"delete from deliveries where receiver not in ({marks})", keep)
            self.db.execute("delete from deliveries where state != ? and created < ?",
                            (PENDING, now - KEEP_DONE_SECONDS))

    def states(self) -> dict[str, str]:
        """Every delivery's state by id (for tests and `status`)."""
        with self._lock:
            return dict(self.db.execute("select id, state from deliveries").fetchall())
