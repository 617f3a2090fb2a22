"""One writer per bucket: a lease object under the prefix (`.kindalarm/lease.json`: owner and
expiry), taken and renewed by the writer at every pass and layer. A standby publisher
building the same alerts finds it held and waits; once it has expired (the writer died or
lost the store) the standby takes it over, and trusts none of its own records: it lists the
prefix and uploads what differs from what the listing shows (`mirror.py`).

Every write of the lease is conditional, so the store decides who holds it, atomically:
`If-None-Match: *` creates it when there is none, `If-Match: ETAG` replaces the very lease
that was read (renewed, or taken over once expired). Of two standbys taking an expired lease
at the same moment, one write succeeds and the other gets 412 Precondition Failed and waits.
The store must honour these conditions (AWS S3 does; SeaweedFS 4.48 does, docs/scale.md); a
store that ignores them lets the last writer win. The owner names the publisher by host and
output folder, so the same publisher restarted after a `kill -9` takes its own lease back at
once."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .store import Conflict, Store

LEASE = ".kindalarm/lease.json"


def default_owner(out: Path) -> str:
    return f"{socket.gethostname()}:{os.path.abspath(out)}"


@dataclass(frozen=True)
class Held:
    """The lease as read: its owner ("" when damaged: it holds nobody), expiry and ETag."""

    owner: str
    expires: float
    etag: str


class Lease:
    def __init__(self, store: Store, owner: str, seconds: float,
                 clock: Callable[[], float]) -> None:
        self.store = store
        self.owner = owner
        self.seconds = seconds
        self.clock = clock
        self.held_until = 0.0
        self.taken_over = False  # the last `hold` took the lease from another publisher

    def read(self) -> Held | None:
        found = self.store.get(LEASE)
        if found is None:
            return None
        data, etag = found
        try:
            doc = json.loads(data)
            return Held(str(doc["owner"]), float(doc["expires"]), etag)
        except (ValueError, KeyError, TypeError):
            return Held("", 0.0, etag)  # a damaged lease holds nobody

    def hold(self) -> bool:
        """Take or renew the lease. False while another publisher's lease is unexpired, or
        when another took it first; True and `taken_over` set when it was another's before
        (now expired)."""
        now = self.clock()
        if now < self.held_until - self.seconds * 2 / 3:
            return True  # renewed a moment ago
        current = self.read()
        if current and current.owner != self.owner and current.expires > now:
            self.held_until = 0.0
            return False
        body = json.dumps({"owner": self.owner, "expires": now + self.seconds}).encode()
        try:
            self.store.put_if(LEASE, body, current.etag if current else None)
        except Conflict:  # another publisher wrote the lease since we read it
            self.held_until = 0.0
            return False
        self.taken_over = bool(current and current.owner != self.owner)
        self.held_until = now + self.seconds
        return True
