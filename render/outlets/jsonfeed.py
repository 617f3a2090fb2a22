"""`feeds/feed.json`: JSON Feed 1.1 (https://jsonfeed.org/version/1.1), the same entries
as RSS and Atom (`feeds`): one per published message, newest first, at most 50, each
written from the alert's current public view, every date from the data."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

from .. import tree
from ..pipeline.state import Message
from ..public import PublicAlert
from ..words.wording import headline, one_line, summary
from .artifacts import INDEX, Artifact, key_of
from .context import RenderContext
from .feeds import entries_key, entry_id, feed_description, feed_entries, feed_title
from .jsondoc import json_bytes
from .outlet import FileKind
from .texts import page_url

NAME = "jsonfeed"
JSON_FEED = FileKind(tree.JSON_FEED, "application/feed+json", INDEX, personal=True)
FILES = (JSON_FEED,)
VERSION = "https://jsonfeed.org/version/1.1"


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> tuple[Artifact, ...]:
    """None: the feed lists every alert's messages in one document."""
    return ()


def tree_artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    """`feeds/feed.json`."""
    entries = feed_entries(ctx)
    yield JSON_FEED.artifact(tree.JSON_FEED.path(),
                             key_of(ctx.render_key, ctx.tree, NAME, entries_key(ctx, entries)),
                             functools.partial(render_json_feed, ctx, entries))


def render_json_feed(ctx: RenderContext, entries: Sequence[tuple[Message, PublicAlert]]
                     ) -> bytes:
    document = {
        "version": VERSION,
        "title": feed_title(ctx),
        "home_page_url": ctx.url(),
        "feed_url": ctx.url(tree.JSON_FEED.path()),
        "description": feed_description(ctx),
        "language": "nl",
        "authors": [{"name": one_line(ctx.settings.cap_sender_name)}],
        "items": [_item(ctx, message, view) for message, view in entries],
    }
    if ctx.settings.websub_hub and not ctx.exercise:
        document["hubs"] = [{"type": "WebSub", "url": ctx.settings.websub_hub}]
    return json_bytes(document)


def _item(ctx: RenderContext, message: Message, view: PublicAlert) -> dict[str, Any]:
    sent = message.sent_at.isoformat()
    item: dict[str, Any] = {
        "id": entry_id(ctx, message, view),
        "url": page_url(ctx, view, "nl"),
        "title": headline(ctx.settings, view, "nl", message.kind),
        "content_text": summary(view, ctx.settings, "nl"),
        "date_published": sent,
        "date_modified": sent,
        "language": "nl",
        "tags": [one_line(ctx.settings.labels[view.level])],
    }
    if view.active:
        if ctx.complete_for(view):  # the share image exists once the slow step ran
            item["image"] = ctx.url(tree.share_image(view.id, view.version))
        elif view.photo:
            item["image"] = ctx.url(tree.photo(view.id, view.version))
    return item
