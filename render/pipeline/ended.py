"""Ended alerts' artifacts, kept from run to run as one block per tree and step.

An ended view never changes, and neither does anything else its files depend on but its CAP
history, which only grows. A watcher over years of ended alerts would otherwise make all their
artifacts again in every run, in every new alert's publish, and even looking each one up in a
memo would be a pass over all their artifacts in every run. A block is reused
whole while its tree has the same ended views and none of them has a new message; when that
changes, only the alerts that changed are made again. A new process starts from the paths and
keys of the last complete block, stored in the state (see `StoredBlock`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..outlets.artifacts import Artifact, Batch, Placeholder
from ..outlets.context import RenderContext
from ..outlets.once import Once
from ..public import PublicAlert
from .state import Message


@dataclass(eq=False)
class EndedBlock:
    """A tree's ended alerts' artifacts for one step, with the views they were made from
    and what tells whether they still fit."""

    tree: str
    views: tuple[PublicAlert, ...]
    versions: tuple[str, ...]  # each view's `id_version`, in order
    last_seq: int  # the tree's newest message when the block was last found to fit
    artifacts: list[Artifact]
    # Per alert: its ViewKey -> its artifacts, the memo a changed block is made from.
    by_view: dict[ViewKey, list[Artifact]] = field(repr=False)
    as_stored: bool = False  # the same as the block stored in the state (see StoredBlock)
    # The sums of its urgent and slow batches' fingerprints, when known from the store.
    fingerprints: tuple[int, int] | None = None

    @cached_property
    def alert_ids(self) -> frozenset[str]:
        return frozenset(v.id for v in self.views)

    @cached_property
    def urgent(self) -> Batch:
        return Batch((a for a in self.artifacts if a.urgent),
                     self.fingerprints[0] if self.fingerprints else None)

    @cached_property
    def slow(self) -> Batch:
        return Batch((a for a in self.artifacts if not a.urgent),
                     self.fingerprints[1] if self.fingerprints else None)

    def fits(self, versions: tuple[str, ...], history: Sequence[Message]) -> bool:
        """Whether these are still this tree's ended views (the same versions) and none of
        them has had a message since. Messages are only ever added, with a growing seq, so
        only the newest are looked at."""
        if versions != self.versions:
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
                make: Callable[[PublicAlert], list[Artifact]],
                stored: StoredBlock | None = None) -> EndedBlock:
    """The artifacts of `views` (the ended views of `ctx`'s tree) for this step: `previous`
    if it still fits, else a new block that takes from `previous` (or, in a new process,
    from `stored`) the artifacts of every alert that did not change. `make(view)` makes an
    alert's artifacts."""
    versions = tuple(v.id_version for v in views)
    if previous is not None and previous.fits(versions, ctx.history):
        return previous
    memo = previous.by_view if previous is not None else {}
    from_store = stored.entries if previous is None and stored is not None else {}
    by_view: dict[ViewKey, list[Artifact]] = {}
    artifacts: list[Artifact] = []
    fresh = 0
    for view in views:
        history = ctx.history_by_alert.get(view.id, ())
        key = (view.id, view.version, view.state, len(history),
               history[-1].seq if history else 0)
        made = memo.get(key)
        if made is None and (entries := from_store.get(key)) is not None:
            made = _stand_ins(view, entries, make)
        if made is None:
            made = make(view)
            fresh += 1
        by_view[key] = made
        artifacts += made
    last_seq = ctx.history[-1].seq if ctx.history else 0
    as_stored = bool(from_store) and not fresh and len(by_view) == len(from_store)
    # The stored block's sums (status.json's build id), not every artifact hashed again.
    fingerprints = stored.fingerprints if as_stored and stored is not None else None
    return EndedBlock(ctx.tree, tuple(views), versions, last_seq, artifacts, by_view,
                      as_stored, fingerprints)


# --- across processes ------------------------------------------------------------------
# A new process (every `build`) would otherwise make the artifacts of every ended alert
# again, a large part of a rebuild with nothing to do. Their paths and keys are stored in the
# state instead (no personal data: the published tree names them too), with the render key they
# were made with, and stand in for them: an alert's artifacts are made for real only when one
# of its files must be produced.

# (path, key, layer, urgent, layer of its placeholder or None)
Entry = tuple[str, str, int, bool, int | None]
ViewKey = tuple[Any, ...]  # (id, version, state, history length, last seq)


@dataclass
class StoredBlock:
    """The paths, keys and layers of a complete step's ended block, as stored in the state
    for the next process, with the render key they were made with."""

    render_key: str
    entries: dict[ViewKey, list[Entry]]
    fingerprints: tuple[int, int] | None = None  # the sums of its urgent and slow batches

    @classmethod
    def from_json(cls, data: Any, render_key: str) -> StoredBlock | None:
        """The stored block, if it was made with this render key (code and settings)."""
        if not isinstance(data, dict) or data.get("render_key") != render_key:
            return None
        return cls(render_key, {tuple(key): [tuple(e) for e in entries]
                                for key, entries in data["views"]},
                   tuple(data["fingerprints"]) if data.get("fingerprints") else None)

    @staticmethod
    def to_json(block: EndedBlock, render_key: str) -> dict[str, Any]:
        return {"render_key": render_key,
                "fingerprints": [block.urgent.fingerprint, block.slow.fingerprint], "views": [
            [list(key), [[a.path, a.key, a.layer, a.urgent,
                          a.placeholder.layer if a.placeholder else None] for a in made]]
            for key, made in block.by_view.items()]}


def _stand_ins(view: PublicAlert, entries: list[Entry],
               make: Callable[[PublicAlert], list[Artifact]]) -> list[Artifact]:
    """Artifacts with the stored paths, keys and layers, whose bytes come from the alert's
    artifacts made for real (once) when first asked for."""
    real: Once[str, dict[str, Artifact]] = Once()

    def artifact(path: str, key: str) -> Artifact:
        made = real.get("", lambda: {a.path: a for a in make(view)}).get(path)
        if made is None or made.key != key:  # the store is out of step with the code
            raise RuntimeError(f"internal error: the state's list of the files of ended "
                               f"alert {view.id} no longer matches them ({path})")
        return made

    def produce(path: str, key: str) -> bytes:
        return artifact(path, key).produce()

    def placeholder(path: str, key: str) -> bytes:
        made = artifact(path, key).placeholder
        assert made is not None
        return made.produce()

    return [Artifact(path, key, functools.partial(produce, path, key), layer, urgent,
                     Placeholder(functools.partial(placeholder, path, key), first)
                     if first is not None else None)
            for path, key, layer, urgent, first in entries]
