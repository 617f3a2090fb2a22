"""`feeds/rss.xml` and `feeds/atom.xml`: one entry per published message (issued, updated,
found, withdrawn, expired), newest first, at most 50.

Every entry is written from the alert's *current* public view, so once an alert has ended
its earlier entries keep only the outcome: no name, no photo, no details. Every date comes
from the data (the message's time), never from the clock, so a build with nothing new
produces the same bytes and pollers get their 304s.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from lxml import etree  # feedgen's own XML library

from .. import tree
from ..pipeline.state import Message
from ..public import PublicAlert
from ..words.wording import headline, one_line, summary
from .artifacts import INDEX, Artifact, key_of
from .context import RenderContext
from .outlet import FileKind
from .texts import page_url

NAME = "feeds"
# An empty feed still needs an `updated`; a fixed moment keeps its bytes stable.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
GENERATOR = "kindalarm"
ATOM = "{http://www.w3.org/2005/Atom}"


RSS = FileKind(tree.RSS, "application/rss+xml", INDEX, personal=True)
ATOM_FEED = FileKind(tree.ATOM, "application/atom+xml", INDEX, personal=True)
FILES = (RSS, ATOM_FEED)
FORMATS = {"rss": RSS, "atom": ATOM_FEED}


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> tuple[Artifact, ...]:
    """None: a feed lists every alert's messages in one document."""
    return ()


def tree_artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    """`feeds/rss.xml` and `feeds/atom.xml`, the same entries in both."""
    entries = feed_entries(ctx)
    inputs = entries_key(ctx, entries)
    for fmt, kind in FORMATS.items():
        yield kind.artifact(kind.pattern.path(),
                            key_of(ctx.render_key, ctx.tree, NAME, fmt, inputs),
                            functools.partial(render_feed, ctx, entries, fmt))


def feed_entries(ctx: RenderContext) -> list[tuple[Message, PublicAlert]]:
    """The newest messages of this tree with the current view of their alert."""
    return [(m, ctx.view_of[m.alert_id]) for m in ctx.newest_messages]


def feed_title(ctx: RenderContext) -> str:
    title = one_line(ctx.settings.site_name)
    return f"{title} (OEFENING)" if ctx.exercise else title


def new_feed(ctx: RenderContext, self_path: str, updated: datetime,
             description: str) -> FeedGenerator:
    """A feedgen feed whose every date is given (feedgen would stamp the clock)."""
    feed = FeedGenerator()
    feed.id(ctx.url(self_path))
    feed.title(feed_title(ctx))
    feed.subtitle(description)
    feed.description(description)
    feed.author(name=one_line(ctx.settings.cap_sender_name))
    feed.link(href=ctx.url(self_path), rel="self")
    if ctx.settings.websub_hub and not ctx.exercise:  # WebSub: subscribers find the hub here
        feed.link(href=ctx.settings.websub_hub, rel="hub")
    feed.link(href=ctx.url(), rel="alternate", type="text/html")  # RSS takes the last one
    feed.language("nl")
    feed.generator(GENERATOR)
    feed.updated(updated)
    feed.lastBuildDate(updated)
    return feed


def feed_description(ctx: RenderContext) -> str:
    return ("Meldingen van vermiste kinderen: KIND ALARM en VERMIST KIND"
            if not ctx.exercise else "OEFENING: meldingen van een oefening")


def entry_id(ctx: RenderContext, message: Message, view: PublicAlert) -> str:
    """An entry's id, the same in every feed: the alert page and the message's version."""
    return f"{page_url(ctx, view, 'nl')}#{message.version}"


def entries_key(ctx: RenderContext, entries: Sequence[tuple[Message, PublicAlert]]
                ) -> list[tuple[object, ...]]:
    """What decides a feed's entries (its key's input): the share image is named once the
    alert's slow files exist, so `complete_for` is in it."""
    return [(m.seq, m.alert_id, m.version, m.kind, m.sent, v.version, ctx.complete_for(v))
            for m, v in entries]


def render_feed(ctx: RenderContext, entries: Sequence[tuple[Message, PublicAlert]],
                fmt: str) -> bytes:
    updated = max((m.sent_at for m, _ in entries), default=EPOCH)
    feed = new_feed(ctx, FORMATS[fmt].pattern.path(), updated, feed_description(ctx))
    for message, view in entries:
        entry = feed.add_entry(order="append")
        url = page_url(ctx, view, "nl")
        entry.id(entry_id(ctx, message, view))
        entry.guid(entry_id(ctx, message, view), permalink=False)
        entry.title(headline(ctx.settings, view, "nl", message.kind))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.summary(summary(view, ctx.settings, "nl"))
        entry.published(message.sent_at)
        entry.updated(message.sent_at)
        entry.category(term=view.level, label=one_line(ctx.settings.labels[view.level]))
        if view.active:
            if ctx.complete_for(view):  # the share image exists once the slow step ran
                entry.enclosure(ctx.url(tree.share_image(view.id, view.version)), 0,
                                "image/png")
            elif view.photo:
                entry.enclosure(ctx.url(tree.photo(view.id, view.version)),
                                ctx.photos.web_facts(view.photo.sha256).length, "image/jpeg")
    if fmt == "rss":
        rss: bytes = feed.rss_str(pretty=True)  # feedgen has no types
        return _with_hub(ctx, rss)
    return atom_bytes(feed)


def _with_hub(ctx: RenderContext, rss: bytes) -> bytes:
    """RSS with the WebSub hub as an `atom:link` beside the self link (feedgen writes only
    that one)."""
    hub = ctx.settings.websub_hub
    if not hub or ctx.exercise:
        return rss
    root = etree.fromstring(rss)
    channel = root.find("channel")
    assert channel is not None
    self_link = channel.find(f"{ATOM}link[@rel='self']")
    link = etree.Element(f"{ATOM}link", href=hub, rel="hub")
    if self_link is not None:
        self_link.addnext(link)
    else:
        channel.insert(0, link)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def atom_bytes(feed: FeedGenerator) -> bytes:
    """`feed.atom_str()`, with the rel, type and length of entry links that feedgen 1.0 drops
    (lkiesow/python-feedgen#135): without them an enclosure would read as a second page
    link, and a CAP index entry would not say it is CAP."""
    root = etree.fromstring(feed.atom_str())
    for element, entry in zip(root.iterfind(f"{ATOM}entry"), feed.entry(), strict=True):
        for link_element, link in zip(element.iterfind(f"{ATOM}link"), entry.link() or [],
                                      strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                value = link.get(name)
                if value and not (name == "length" and value == "0"):  # 0: unknown
                    link_element.set(name, value)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
