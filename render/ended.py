"""Ended alerts' artifacts, kept from run to run as one block per tree and step.

An ended view never changes, and neither does anything else its files depend on but its CAP
history, which only grows. A watcher over years of ended alerts would otherwise make all their
artifacts again in every run (0.9 s of a new alert's publish at 5,000 of them), and even
looking each one up in a memo was a pass over 20,000 artifacts in every run. A block is reused
whole while its tree has the same ended views and none of them has a new message; when that
changes, only the alerts that changed are made again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .artifacts import Artifact, Batch
from .context import RenderContext
from .public import PublicAlert
from .state import Message


@dataclass(eq=False)
class EndedBlock:
    views: tuple[PublicAlert, ...]  # held, so their ids below stay theirs
    view_ids: tuple[int, ...]
    last_seq: int  # the tree's newest message when the block was last found to fit
    artifacts: list[Artifact]
    # Per alert: (id, version, state, length and last seq of its history) -> its artifacts,
    # the memo a changed block is made from.
    by_view: dict[tuple[Any, ...], list[Artifact]] = field(repr=False)

    @cached_property
    def alert_ids(self) -> frozenset[str]:
        return frozenset(v.id for v in self.views)

    @cached_property
    def urgent(self) -> Batch:
        return Batch(a for a in self.artifacts if a.urgent)

    @cached_property
    def slow(self) -> Batch:
        return Batch(a for a in self.artifacts if not a.urgent)

    def fits(self, view_ids: tuple[int, ...], history: Sequence[Message]) -> bool:
        """Whether these are still this tree's ended views (the same objects: the builder
        makes an ended view once per process) and none of them has had a message since.
        Messages are only ever added, with a growing seq, so only the newest are looked at."""
        if view_ids != self.view_ids:
            return False
        for message in reversed(history):
            if message.seq <= self.last_seq:
                break
            if message.alert_id in self.alert_ids:
                return False
        if history:
            self.last_seq = history[-1].seq
        return True


def ended_block(previous: EndedBlock | None, ctx: RenderContext,
                views: Sequence[PublicAlert],
                make: Callable[[PublicAlert], list[Artifact]]) -> EndedBlock:
    """The artifacts of `views` (the ended views of `ctx`'s tree) for this step: `previous`
    if it still fits, else a new block that takes from `previous` the artifacts of every alert
    that did not change. `make(view)` makes an alert's artifacts."""
    view_ids = tuple(map(id, views))
    if previous is not None and previous.fits(view_ids, ctx.history):
        return previous
    memo = previous.by_view if previous is not None else {}
    by_view: dict[tuple[Any, ...], list[Artifact]] = {}
    artifacts: list[Artifact] = []
    for view in views:
        history = ctx.history_by_alert.get(view.id, ())
        key = (view.id, view.version, view.state, len(history),
               history[-1].seq if history else 0)
        made = memo.get(key)
        if made is None:
            made = make(view)
        by_view[key] = made
        artifacts += made
    last_seq = ctx.history[-1].seq if ctx.history else 0
    return EndedBlock(tuple(views), view_ids, last_seq, artifacts, by_view)
