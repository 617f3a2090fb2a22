"""The state's alert records as every run lists them: the live alerts' ids and the ended
alerts' stored views in `sort_key` order. A watcher beside thousands of ended alerts would
otherwise look up and sort every stored view in every run, so the listing is kept from run
to run (`Memory.recorded`) and brought up to date with the records changed since
(`State.alerts_changed`), each moved in or out of its place.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..public import ACTIVE, PublicAlert, sort_key
from .state import AlertRecord, State


@dataclass(frozen=True)
class Recorded:
    """The listing of `state`'s records, as of its `alerts_epoch` and the first `seen` of its
    `alerts_changed`."""

    state: State
    epoch: int
    seen: int
    live: dict[str, None]  # ids of the alerts recorded live (their files are read, or withdrawn)
    ended: list[PublicAlert]  # the stored views of ended alerts, in `sort_key` order
    ended_by_id: dict[str, PublicAlert]
    unviewed: dict[str, None]  # ids of ended alerts without a stored view (none are listed)


def recorded(previous: Recorded | None, state: State, records: dict[str, AlertRecord],
             ended_view: Callable[[AlertRecord], PublicAlert]) -> Recorded:
    """The listing of `records` (the state's, now): `previous` as it is while no record
    changed, `previous` with the changed records moved while few did, else made anew."""
    changes = state.alerts_changed
    if previous is not None and previous.state is state and previous.epoch == state.alerts_epoch:
        if previous.seen == len(changes):
            return previous
        changed = set(changes[previous.seen:])
        if len(changed) < 64 and (moved := _moved(previous, records, changed, ended_view)):
            return moved
    listing = Recorded(state, state.alerts_epoch, len(changes), {}, [], {}, {})
    for record in records.values():
        if (view := _place(listing, record, ended_view)) is not None:
            listing.ended.append(view)
    listing.ended.sort(key=sort_key)
    return listing


def _moved(previous: Recorded, records: dict[str, AlertRecord], changed: Iterable[str],
           ended_view: Callable[[AlertRecord], PublicAlert]) -> Recorded | None:
    """`previous` with the `changed` records taken out and put in again as they are now (in
    copies: the previous run's listing does not change); None if a view is not where the
    listing says it is (then it is made anew)."""
    state = previous.state
    listing = Recorded(state, state.alerts_epoch, len(state.alerts_changed),
                       dict(previous.live), list(previous.ended), dict(previous.ended_by_id),
                       dict(previous.unviewed))
    for alert_id in changed:
        listing.live.pop(alert_id, None)
        listing.unviewed.pop(alert_id, None)
        old = listing.ended_by_id.pop(alert_id, None)
        if old is not None:
            at = bisect_left(listing.ended, old.order, key=sort_key)
            if at == len(listing.ended) or listing.ended[at] is not old:
                return None
            del listing.ended[at]
        if (record := records.get(alert_id)) is not None:
            view = _place(listing, record, ended_view)
            if view is not None:
                insort(listing.ended, view, key=sort_key)
    return listing


def _place(listing: Recorded, record: AlertRecord,
           ended_view: Callable[[AlertRecord], PublicAlert]) -> PublicAlert | None:
    """Enter a record in the listing; its ended view, if it has one, is returned for the
    caller to put in `ended`."""
    if record.state == ACTIVE:
        listing.live[record.id] = None
        return None
    if not record.view:
        listing.unviewed[record.id] = None
        return None
    listing.ended_by_id[record.id] = view = ended_view(record)
    return view
