"""One writer per bucket: a lease object under the prefix (`.kindalarm/lease.json`: owner and
expiry), taken and renewed by the writer at every pass and layer. A standby publisher
building the same alerts finds it held and waits; once it has expired (the writer died or
lost the store) the standby takes it over, and trusts nothing the bucket holds: it lists the
prefix and uploads everything again.

Object stores give no lock; the lease is written, then read back, so of two standbys taking
it at the same moment the one whose write landed last goes on, and the other waits. The
owner names the publisher by host and output folder, so the same publisher restarted after a
`kill -9` takes its own lease back at once."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path

from .store import Store, StoreError

LEASE = ".kindalarm/lease.json"


def default_owner(out: Path) -> str:
    return f"{socket.gethostname()}:{os.path.abspath(out)}"


class Lease:
    def __init__(self, store: Store, owner: str, seconds: float,
                 clock: Callable[[], float]) -> None:
        self.store = store
        self.owner = owner
        self.seconds = seconds
        self.clock = clock
        self.held_until = 0.0
        self.taken_over = False  # the last `hold` took the lease from another publisher

    def _read(self) -> tuple[str, float] | None:
        data = self.store.get(LEASE)
        if data is None:
            return None
        try:
            doc = json.loads(data)
            return str(doc["owner"]), float(doc["expires"])
        except (ValueError, KeyError, TypeError):
            return None  # a damaged lease holds nobody

    def hold(self) -> bool:
        """Take or renew the lease. False while another publisher's lease is unexpired;
        True and `taken_over` set when it was another's before (now expired)."""
        now = self.clock()
        if now < self.held_until - self.seconds * 2 / 3:
            return True  # renewed a moment ago
        current = self._read()
        if current and current[0] != self.owner and current[1] > now:
            self.held_until = 0.0
            return False
        self.taken_over = bool(current and current[0] != self.owner)
        body = json.dumps({"owner": self.owner, "expires": now + self.seconds}).encode()
        self.store.put(LEASE, body, "application/json", "no-store")
        back = self._read()
        if back is None or back[0] != self.owner:
            raise StoreError("lease lost to another publisher")
        self.held_until = now + self.seconds
        return True
