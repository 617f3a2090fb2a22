"""When the clock alone next changes the published tree: an active alert expires, an ended
one leaves the front page, or a clocked outlet (`registry.CLOCKED`: CAP renewals and the
expiry of ending messages) changes a file. The watcher sleeps until then at the latest, so
none of these waits for its periodic rescan; `build` reports it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from ..outlets.context import RenderContext
from ..outlets.outlet import ClockedOutlet
from ..outlets.registry import CLOCKED


def next_change(contexts: Iterable[RenderContext],
                clocked: Sequence[ClockedOutlet] = CLOCKED) -> datetime | None:
    future: list[datetime] = []
    for ctx in contexts:
        notice = timedelta(hours=ctx.settings.found_notice_hours)
        moments = [v.expires for v in ctx.active if v.expires is not None]
        moments += [v.updated + notice for v in ctx.front_page if not v.active]
        moments += [m for outlet in clocked if (m := outlet.next_change(ctx)) is not None]
        future += [m for m in moments if m > ctx.now]
    return min(future, default=None)
