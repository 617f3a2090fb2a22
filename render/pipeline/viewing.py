"""The views a run publishes, and the message each new version of them gets: the alerts read
from files viewed now, the rest as recorded in the state. A part of `Builder`
(render/pipeline/build.py), kept apart by responsibility.
"""

from __future__ import annotations

import json
from bisect import insort
from collections.abc import Callable
from datetime import datetime

from ..alert.model import Alert
from ..config import Settings
from ..drawing.photo import PhotoStore
from ..outlets.cap_thread import sent_after_renewals
from ..public import (
    PublicAlert,
    ended_view_from_json,
    has_expired,
    public_view,
    sort_key,
    withdrawn_view,
)
from .memory import Memory
from .recorded import Recorded, recorded
from .state import AlertRecord, Message, State


class Viewing:
    """The `Builder`'s views and messages (see the module docstring)."""

    settings: Settings
    state: State
    memory: Memory

    last_good: Callable[[AlertRecord, PhotoStore], Alert | None]  # Intake's

    def _views(self, alerts: dict[str, Alert], records: dict[str, AlertRecord], now: datetime
               ) -> tuple[list[PublicAlert], list[PublicAlert]]:
        """Every view in `sort_key` order, and those made in this run (not stored ones): the
        alerts read from files, and the live alerts whose file was deleted (withdrawn)."""
        fresh = [self._public_view(alert, now) for alert in alerts.values()]
        for gone in self.memory.views.keys() - alerts.keys():
            del self.memory.views[gone]
        listing = self._recorded(records)
        for alert_id in listing.live:
            if alert_id not in alerts:  # its file was deleted: withdrawn
                previous = self.last_good(records[alert_id], PhotoStore())
                if previous is not None:
                    fresh.append(withdrawn_view(public_view(previous, now, self.settings),
                                                now))
        # Thousands of ended views, in order (a copy: the listing is kept); the few others go in.
        views = list(listing.ended) if alerts.keys().isdisjoint(listing.ended_by_id) else [
            view for view in listing.ended if view.id not in alerts]
        for view in fresh:
            insort(views, view, key=sort_key)
        return views, fresh

    def _recorded(self, records: dict[str, AlertRecord]) -> Recorded:
        """The records listed (see render/pipeline/recorded.py)."""
        listing = self.memory.recorded = recorded(self.memory.recorded, self.state, records,
                                                  self._ended_view)
        return listing

    def _ended_view(self, record: AlertRecord) -> PublicAlert:
        """The stored view of an ended alert, parsed and rebuilt once per process."""
        key = (record.id, record.version, record.state)
        view = self.memory.ended_views.get(key)
        if view is None:
            assert record.view is not None
            view = self.memory.ended_views[key] = ended_view_from_json(json.loads(record.view))
        return view

    def _public_view(self, alert: Alert, now: datetime) -> PublicAlert:
        """`public_view(alert, now)`, memoised on the Alert object and its expiry at `now`."""
        expired = has_expired(alert, now)
        cached = self.memory.views.get(alert.id)
        if cached and cached[0] is alert and cached[1] == expired:
            return cached[2]
        view = public_view(alert, now, self.settings)
        self.memory.views[alert.id] = (alert, expired, view)
        return view

    def _record_messages(self, fresh: list[PublicAlert], records: dict[str, AlertRecord],
                         now: datetime) -> list[Message]:
        """One message per published version (issued, updated, found, withdrawn, expired),
        sent at its `updated` (or after the renewals already out: `sent_after_renewals`).
        Only `fresh` views can be new versions: a stored view is its record's version."""
        messages = self.state.messages()
        new_versions = [view for view in fresh if not (
            (record := records.get(view.id)) and record.version == view.version)]
        if not new_versions:
            return messages
        last = {m.alert_id: m for m in messages}
        new = []
        for view in new_versions:
            # Found, cancelled and expired are messages of their own; an active version is
            # the first alert, or an update of one.
            previous = last.get(view.id)
            kind = view.state if not view.active else "update" if previous else "alert"
            sent = view.updated if previous is None else sent_after_renewals(
                self.settings, previous.sent_at, previous.kind, view.updated, now, view.expires)
            new.append((view.id, view.version, kind, sent.isoformat(), int(view.exercise)))
        self.state.add_messages(new)
        return self.state.messages()
