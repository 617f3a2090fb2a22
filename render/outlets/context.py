"""What every renderer gets: public views and the means to draw them, never a raw alert."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, KeysView, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .. import tree
from ..config import Settings
from ..pipeline.state import Message
from ..public import PublicAlert, front_page_since, microseconds
from ..signing import Signer
from .artifacts import key_of
from .once import Once

if TYPE_CHECKING:
    import jinja2

    from ..drawing.photo import PhotoStore

T = TypeVar("T")
FEED_ENTRIES = 50  # messages a feed lists at most (contract section 4)


@dataclass
class Carry:
    """What a tree's contexts derive from thousands of ended views and messages, carried
    from one run to the next (the builder gives every run of a tree the same one), so that a
    run looks only at what changed since: sorting thousands of ended alerts for the archive
    and picking the feeds' newest messages anew would slow every new alert's publish."""

    # The newest messages: (how many messages were looked at, the last of them, the alert
    # ids known then, the FEED_ENTRIES newest of their messages).
    newest: tuple[int, Message, KeysView[str], list[Message]] | None = None
    # The ended views' ids and versions (`id_version`, in the views' order), those views
    # newest first, and their digest once made.
    ended: tuple[tuple[str, ...], list[PublicAlert], str | None] | None = None
    # `history_by_alert`: how many messages it grouped, the last of them, and the groups.
    grouped: tuple[int, Message, dict[str, list[Message]]] | None = None
    # `ended` (that very list), how many messages were looked at, the last of them, and the
    # ended views with a message of an earlier version, in `ended`'s order.
    messaged: tuple[list[PublicAlert], int, Message, list[PublicAlert]] | None = None


@dataclass(frozen=True)
class RenderContext:
    """What a renderer gets for one tree (public or exercise) and one step: the public
    views, their history, the clock and the means to draw them."""

    settings: Settings
    views: Sequence[PublicAlert]  # every known alert of this tree, in `public.sort_key` order
    history: Sequence[Message]  # published versions of these alerts, oldest first
    now: datetime
    photos: PhotoStore
    templates: jinja2.Environment
    site: Path
    tree: str  # "" for the public tree, "exercise/" for drills
    render_key: str  # changes when code, templates, fonts or settings change
    # False in the watcher's first, urgent step: share images and posters (artifacts with
    # urgent=False) are not in the tree yet, so pages and feeds must not name them (use the
    # web photo instead) and must put this flag in their artifact keys.
    complete: bool = True
    # Alert ids whose slow artifacts are published and up to date, so that even in the
    # urgent step their pages may name them (see `complete_for`).
    slow_ready: Collection[str] = frozenset()
    # (tree-relative path, key) -> sha256 of the published file when it was made from that
    # key, else None: lets an index hash a file it names without rendering it again.
    published: Callable[[str, str], str | None] | None = None
    # Card images (share images and photo screens of the same size are one card), encoded
    # once a run: (tree, version, size) -> PNG bytes. The build gives both steps of a run one.
    cards: Once[tuple[str, str, tuple[int, int]], bytes] = field(default_factory=Once)
    # Both posters of an alert, set together once a run: (tree, version) -> paper -> PDF.
    posters: Once[tuple[str, str], dict[str, bytes]] = field(default_factory=Once)
    carry: Carry = field(default_factory=Carry)  # see Carry: one per tree, run after run
    signer: Signer | None = None  # with `[signing]`: manifests and the API are signed
    # The lists derived from views, history, now and settings (the properties below), made
    # once: a context made from this one by `replace` (the urgent step) shares them, since
    # thousands of views are sorted and filtered for them.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def urgent_step(self, slow_ready: Collection[str]) -> RenderContext:
        """This context for the watcher's urgent step (`complete=False`)."""
        return replace(self, complete=False, slow_ready=slow_ready)

    def _derive(self, name: str, make: Callable[[], T]) -> T:
        if name not in self.derived:
            self.derived[name] = make()
        return cast(T, self.derived[name])

    def complete_for(self, view: PublicAlert) -> bool:
        """Whether this alert's share images and posters exist (may be named): always in a
        complete step, and in the urgent step when they were published already."""
        return self.complete or view.id in self.slow_ready

    def published_sha(self, path: str, key: str) -> str | None:
        """The recorded sha256 of `path` if it was published from `key`, else None."""
        return self.published(self.tree + path, key) if self.published else None

    @property
    def exercise(self) -> bool:
        return self.tree == "exercise/"

    @property
    def active(self) -> list[PublicAlert]:
        return self._derive("active", lambda: [v for v in self.views if v.active])

    @property
    def front_page(self) -> list[PublicAlert]:
        """Active alerts, then recently ended ones (found notices), in display order."""
        since = microseconds(front_page_since(self.now, self.settings))
        return self._derive("front_page", lambda: [
            v for v in self.views if v.active or v.updated_us > since])

    @property
    def history_by_alert(self) -> dict[str, list[Message]]:
        """`history` per alert id, oldest first (one pass, not one per alert)."""
        return self._derive("history_by_alert", self._history_by_alert)

    def _history_by_alert(self) -> dict[str, list[Message]]:
        # Messages are only ever added, to the end: while `history` starts with the messages
        # grouped last time, only those after them are grouped (into new lists and a new
        # dict, so what an earlier run was given does not change).
        history, carried = self.history, self.carry.grouped
        if carried is not None and _continues(history, carried[0], carried[1]):
            grouped, start = carried[2], carried[0]
            if start < len(history):
                grouped = dict(grouped)
                for message in history[start:]:
                    grouped[message.alert_id] = [*grouped.get(message.alert_id, ()), message]
        else:
            grouped = {}
            for message in history:
                grouped.setdefault(message.alert_id, []).append(message)
        self.carry.grouped = (len(history), history[-1], grouped) if history else None
        return grouped

    @property
    def view_of(self) -> dict[str, PublicAlert]:
        return self._derive("view_of", lambda: {v.id: v for v in self.views})

    @property
    def newest_messages(self) -> list[Message]:
        return self._derive("newest_messages", self._newest_messages)

    def _newest_messages(self) -> list[Message]:
        """The FEED_ENTRIES newest of `history`'s messages of alerts in `views`, newest first
        (by date sent, then by order): the top of thousands, not all of them sorted.

        Messages are only ever added, with a growing seq, to the end of `history`. So while
        it starts with the messages looked at last time, no alert known then is gone and no
        alert known now had a message then, the newest are among the carried newest and the
        messages added since."""
        known, history = self.view_of, self.history
        pool: Iterable[Message] = history
        if (last := self.carry.newest) is not None:
            count, last_message, known_then, newest = last
            if _continues(history, count, last_message) \
                    and known.keys() >= known_then and all(
                        (own := self.history_by_alert.get(alert_id)) is None
                        or own[0].seq > last_message.seq
                        for alert_id in known.keys() - known_then):
                pool = chain(newest, history[count:])
        newest = heapq.nlargest(FEED_ENTRIES, (m for m in pool if m.alert_id in known),
                                key=attrgetter("order"))
        self.carry.newest = (len(history), history[-1], known.keys(), newest) \
            if history else None
        return newest

    @property
    def ended_digest(self) -> str:
        return self._derive("ended_digest", self._ended_digest)

    def _ended_digest(self) -> str:
        """A short hash of `ended`'s ids and versions in order (the archive's key input:
        hashing the list itself for each language and step cost more than the rest)."""
        ended, carried = self.ended, self.carry.ended
        if carried is not None and carried[1] is ended and carried[2] is not None:
            return carried[2]
        digest = key_of("\n".join(v.id_version for v in ended))
        if carried is not None and carried[1] is ended:
            self.carry.ended = (carried[0], ended, digest)
        return digest

    @property
    def ended(self) -> list[PublicAlert]:
        return self._derive("ended", self._ended)

    def _ended(self) -> list[PublicAlert]:
        """The ended views, newest first: as carried while they are the same versions."""
        views = [v for v in self.views if not v.active]
        versions = tuple(v.id_version for v in views)
        if self.carry.ended is not None and self.carry.ended[0] == versions:
            return self.carry.ended[1]
        ended = sorted(views, key=attrgetter("updated_us"), reverse=True)
        self.carry.ended = (versions, ended, None)
        return ended

    @property
    def ended_messaged(self) -> list[PublicAlert]:
        """The ended views, newest first, with a message of an earlier version than their
        own: those that had a message before they ended (CAP ends them with a Cancel)."""
        return self._derive("ended_messaged", self._ended_messaged)

    def _ended_messaged(self) -> list[PublicAlert]:
        # Carried while `ended` is the same list and no message since is of an ended alert:
        # an ended alert's messages change only with its version, which would change `ended`.
        ended, history, carried = self.ended, self.history, self.carry.messaged
        if carried is not None and carried[0] is ended \
                and _continues(history, carried[1], carried[2]) and all(
                    (view := self.view_of.get(message.alert_id)) is None or view.active
                    for message in history[carried[1]:]):
            found = carried[3]
        else:
            by_alert = self.history_by_alert
            found = [view for view in ended
                     if (own := by_alert.get(view.id))
                     and any(message.version != view.version for message in own)]
        self.carry.messaged = (ended, len(history), history[-1], found) if history else None
        return found

    def url(self, path: str = "") -> str:
        """Absolute URL of a path in this tree (for feeds, tags, QR codes)."""
        return f"{self.settings.base_url}{self.tree}{path}"

    def photo_path(self, view: PublicAlert) -> str:
        """The web photo's path (sites' own templates may call it)."""
        return tree.photo(view.id, view.version)


def _continues(history: Sequence[Message], count: int, last: Message) -> bool:
    """Whether `history` starts with the `count` messages a carry looked at, `last` the last
    of them: messages are only ever added, to the end, so then only those after are new."""
    return len(history) >= count > 0 and history[count - 1] is last
