"""CAP 1.2 (OASIS Common Alerting Protocol): `cap/ID/VERSION.xml`, one message per published
version, and `cap/ID/VERSION-K.xml`, its newest renewal; `cap/feed.atom`, the index of the
current messages (in the style of the US weather service's alerts feed), `cap/latest.xml` and
`cap/signs.atom` for signage players and sign systems that read one URL.

Message types follow the lifecycle (contract section 6); which message is current and what it
references is `cap_thread`'s:

| message | msgType | responseType | references |
| --- | --- | --- | --- |
| first version, active | Alert | Monitor | |
| a new version, active; a renewal | Update | Monitor | the earlier unexpired messages |
| found | Cancel | AllClear | the earlier unexpired messages |
| withdrawn (status cancelled, or the file deleted) | Cancel | AllClear | the same |
| expired | Cancel, with the note "verlopen" | AllClear | the same |

Every ending is a Cancel: sign systems clear a sign only on a Cancel (IRIS puts an Update up
again as a new alert), and they read its `info` before they cancel, so that still has every
field, but reads as over: AllClear, urgency Past, certainty Observed, an event that says
found, withdrawn or ended, and the regions' polygons only. An alert first seen already ended
(no earlier message) gets no CAP message at all: there is nothing to cancel.

Only the current version of each alert is rendered (the view of an older version is gone),
so an older message's file lingers for `retire_seconds` while its alert is live and is
deleted as soon as the alert ends: the final found/cancel message, which has no personal
details, is the only one that stays.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from .. import tree
from ..config import Settings
from ..public import CANCELLED, EXPIRED, FOUND, PublicAlert
from ..words.wording import (
    call_to_action,
    headline,
    label,
    one_line,
    summary,
    text,
)
from .artifacts import INDEX, MESSAGE, Artifact, key_of
from .cap_thread import (
    CapMessage,
    Thread,
    cap_time,
    expires,
    next_renewal,
    thread_of,
    token,
)
from .context import RenderContext
from .feeds import EPOCH, atom_bytes, feed_title, new_feed
from .outlet import FileKind
from .regions import polygon
from .texts import page_url

NAME = "cap"
NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_TYPE = "application/cap+xml"
MESSAGE_FILE = FileKind(tree.CAP_MESSAGE, CAP_TYPE, MESSAGE, personal=True)
RENEWAL_FILE = FileKind(tree.CAP_RENEWAL, CAP_TYPE, MESSAGE, personal=True)
INDEX_FILE = FileKind(tree.CAP_INDEX, "application/atom+xml", INDEX, personal=True)
LATEST_FILE = FileKind(tree.CAP_LATEST, CAP_TYPE, INDEX, personal=True)
SIGNS_FILE = FileKind(tree.CAP_SIGNS, "application/atom+xml", INDEX, personal=True)
FILES = (MESSAGE_FILE, RENEWAL_FILE, INDEX_FILE, LATEST_FILE, SIGNS_FILE)
ATOM_NS = "http://www.w3.org/2005/Atom"
# Every message has both, and no later one drops one: consumers pick an `info` by comparing
# its language with their setting literally (Screenly: "nl" never matches "nl-NL").
LANGUAGES = ("nl", "en")
HEADLINE_LIMIT = 160  # CAP 1.2 section 3.2.2: "SHOULD be less than 160 characters"
MAX_INDEX_ENTRIES = 200  # the index stays far below the 900 KB readers accept
# A different event text per language (Google's validator warns on identical ones).
EVENT = {"kind-alarm": {"nl": "Kind Alarm", "en": "Missing child alert"},
         "vermist-kind": {"nl": "Vermist kind", "en": "Missing child"}}
# SAME event codes: sign systems (IRIS) recognise a child abduction by CAE; MEP is the
# FCC's Missing and Endangered Persons.
EVENT_CODE = {"kind-alarm": "CAE", "vermist-kind": "MEP"}
# The event of the Cancel that ends an alert says how it ended (no name, nothing personal).
ENDED_EVENT = {FOUND: {"nl": "Kind gevonden", "en": "Child found"},
               CANCELLED: {"nl": "Melding ingetrokken", "en": "Alert withdrawn"},
               EXPIRED: {"nl": "Melding beëindigd", "en": "Alert ended"}}
# (urgency, severity, certainty) by level; an ended alert is Past / Minor / Observed.
GRADING = {
    "kind-alarm": ("Immediate", "Severe", "Likely"),
    "vermist-kind": ("Expected", "Moderate", "Likely"),
}
ENDED_GRADING = ("Past", "Minor", "Observed")


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> list[Artifact]:
    """The alert's CAP message of this version, and its newest renewal while active (none
    for an alert first seen ended)."""
    thread = thread_of(ctx, view)
    if not view.active and not thread.had_earlier:
        return []
    made = [_message_artifact(ctx, view, thread.first, thread.first_references)]
    if thread.renewed:
        made.append(_message_artifact(ctx, view, thread.current, thread.references))
    return made


def _message_artifact(ctx: RenderContext, view: PublicAlert, message: CapMessage,
                      references: Sequence[CapMessage]) -> Artifact:
    kind, path = MESSAGE_FILE, tree.cap_message(view.id, view.version)
    if message.renewal:
        kind, path = RENEWAL_FILE, tree.cap_renewal(view.id, view.version, message.renewal)
    return kind.artifact(path, key_of(ctx.render_key, ctx.tree, NAME, view.version, message,
                                      references),
                         lambda: render_message(ctx, view, message, references))


def has_message(view: PublicAlert, thread: Thread) -> bool:
    """Every active alert has a message; an ended one if it had one before it ended."""
    return view.active or thread.had_earlier


def tree_artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    """`cap/feed.atom`, the current message of every alert on the front page, and
    `cap/latest.xml` and `cap/signs.atom` for consumers that read a single URL."""
    yield from _latest(ctx)
    yield from _signs(ctx)
    indexed = [(view, thread) for view in ctx.front_page[:MAX_INDEX_ENTRIES]
               for thread in [thread_of(ctx, view)] if has_message(view, thread)]
    yield INDEX_FILE.artifact(tree.CAP_INDEX.path(),
                              key_of(ctx.render_key, ctx.tree, NAME, "index",
                                     [(v.version, t.current) for v, t in indexed]),
                              lambda: render_index(ctx, indexed))


def next_change(ctx: RenderContext) -> datetime | None:
    """When the clock alone next changes a CAP file: an active alert's next renewal, or an
    ending Cancel leaving `cap/signs.atom` as it expires."""
    moments = [next_renewal(ctx.settings, thread_of(ctx, view)) for view in ctx.active]
    moments += [expires(ctx.settings, view, thread.current) for view, thread in ending(ctx)]
    return min(moments, default=None)


def _latest(ctx: RenderContext) -> Iterator[Artifact]:
    """`cap/latest.xml` for consumers that read one CAP document (Xibo, Screenly): the
    current message of the most urgent active alert (KIND ALARM first, then the newest);
    when none is active, the Cancel that ended the last one, so their screens clear. None
    before the tree's first message."""
    # An ended alert has a Cancel if it had a message before it ended (first seen ended:
    # none); the newest ended alerts come first, so this looks at a few.
    candidates = ((view, thread_of(ctx, view)) for view in [*ctx.active[:1], *ctx.ended])
    chosen = next(((view, thread) for view, thread in candidates
                   if has_message(view, thread)), None)
    if chosen is not None:
        view, thread = chosen
        yield LATEST_FILE.artifact(
            tree.CAP_LATEST.path(),
            key_of(ctx.render_key, ctx.tree, NAME, "latest", view.version, thread.current,
                   thread.references),
            lambda: render_message(ctx, view, thread.current, thread.references))


def ending(ctx: RenderContext) -> list[tuple[PublicAlert, Thread]]:
    """The ended alerts whose Cancel has not expired yet, newest first. Found once per
    context (and its urgent step): the sign feed and the clock both ask, and alerts first
    seen ended, which have no Cancel, may be thousands that are each looked at."""
    found: list[tuple[PublicAlert, Thread]] | None = ctx.derived.get("cap_ending")
    if found is None:
        found = ctx.derived["cap_ending"] = list(_ending(ctx))
    return found


def _ending(ctx: RenderContext) -> Iterator[tuple[PublicAlert, Thread]]:
    # Alerts first seen ended have no message and no Cancel; they may be thousands.
    for view in ctx.ended_messaged:  # newest first: once one Cancel has expired, so have
        thread = thread_of(ctx, view)  # the rest
        if expires(ctx.settings, view, thread.current) <= ctx.now:
            break
        yield view, thread


def _signs(ctx: RenderContext) -> Iterator[Artifact]:
    """`cap/signs.atom` for sign systems that poll one URL for every alert (IRIS reads every
    element named `alert` of one document): an entry per current message of an active
    alert, and per ending Cancel until it expires, so signs clear; each embeds the whole
    `<alert>`, its texts in ASCII (IRIS rejects any other character, and the alert with it)."""
    chosen = [(view, thread_of(ctx, view)) for view in ctx.active] + ending(ctx)
    yield SIGNS_FILE.artifact(
        tree.CAP_SIGNS.path(),
        key_of(ctx.render_key, ctx.tree, NAME, "signs",
               [(v.version, t.current, t.references) for v, t in chosen]),
        lambda: render_signs(ctx, chosen))


def render_signs(ctx: RenderContext, chosen: Sequence[tuple[PublicAlert, Thread]]) -> bytes:
    from anyascii import anyascii
    from lxml import etree

    def ascii_text(root: etree._Element) -> etree._Element:
        for element in root.iter():
            if element.text:
                element.text = anyascii(element.text)
            if element.tail:
                element.tail = anyascii(element.tail)
        return root

    def add(parent: etree._Element, tag: str, text: str | None = None,
            **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
        element.text = text
        return element

    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    add(feed, "id", ctx.url(tree.CAP_SIGNS.path()))
    add(feed, "title", f"{feed_title(ctx)}: CAP for signs")
    updated = max((thread.current.sent for _, thread in chosen), default=EPOCH)
    add(feed, "updated", cap_time(updated))
    add(add(feed, "author"), "name", one_line(ctx.settings.cap_sender_name))
    add(feed, "link", href=ctx.url(tree.CAP_SIGNS.path()), rel="self")
    for view, thread in chosen:
        url = ctx.url(thread.path(view.id, view.version))
        entry = add(feed, "entry")
        add(entry, "id", url)
        add(entry, "title", _shorten(headline(ctx.settings, view, "nl", thread.current.kind),
                                     HEADLINE_LIMIT))
        add(entry, "updated", cap_time(thread.current.sent))
        add(entry, "link", href=url, rel="alternate", type=CAP_TYPE)
        content = add(entry, "content", type=CAP_TYPE)
        content.append(etree.fromstring(
            render_message(ctx, view, thread.current, thread.references)))
    ascii_text(feed)
    etree.indent(feed, space="  ")
    signs: bytes = etree.tostring(feed, xml_declaration=True, encoding="UTF-8")
    return signs + b"\n"


# --- one message ----------------------------------------------------------------------------


def msg_type(view: PublicAlert, message: CapMessage) -> str:
    if not view.active:
        return "Cancel"
    return "Alert" if message.kind == "alert" and not message.renewal else "Update"


def _add(parent: ET.Element, tag: str, value: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if value is not None:
        element.text = value
    return element


def render_message(ctx: RenderContext, view: PublicAlert, current: CapMessage,
                   references: Sequence[CapMessage]) -> bytes:
    """One CAP 1.2 alert, elements in the order the schema demands."""
    alert = ET.Element(f"{{{NS}}}alert")
    _add(alert, "identifier", current.identifier)
    _add(alert, "sender", current.sender)
    _add(alert, "sent", cap_time(current.sent))
    _add(alert, "status", "Exercise" if view.exercise else "Actual")
    _add(alert, "msgType", msg_type(view, current))
    _add(alert, "scope", "Public")
    note = _note(view)
    if note:
        _add(alert, "note", note)
    if references:
        _add(alert, "references", " ".join(m.reference for m in references))
    _add(alert, "incidents", token(view.id))
    for lang in LANGUAGES:
        _info(ctx, alert, view, lang, current)
    ET.indent(alert, space="  ")
    # default_namespace: `<alert xmlns="urn:oasis:...">` as CAP readers expect, not ns0:.
    # An encoding other than "unicode" gives bytes; typeshed says Any for any str.
    xml: bytes = ET.tostring(alert, encoding="utf-8", xml_declaration=True,
                             default_namespace=NS)
    return xml + b"\n"


def _note(view: PublicAlert) -> str:
    notes = []
    if view.exercise:
        notes.append("OEFENING: dit is geen echte melding.")
    if view.state == CANCELLED:
        notes.append("Ingetrokken.")
    elif view.state == EXPIRED:
        notes.append("Verlopen: de melding is beëindigd na de vervaltijd.")
    return " ".join(notes)


def _info(ctx: RenderContext, alert: ET.Element, view: PublicAlert, lang: str,
          message: CapMessage) -> None:
    settings = ctx.settings
    tz = ZoneInfo(settings.timezone)
    d = view.details
    kind = message.kind
    info = _add(alert, "info")
    _add(info, "language", lang)
    _add(info, "category", "Rescue")
    _add(info, "event", EVENT[view.level][lang] if view.active else ENDED_EVENT[view.state][lang])
    _add(info, "responseType", "Monitor" if view.active else "AllClear")
    urgency, severity, certainty = GRADING[view.level] if view.active else ENDED_GRADING
    _add(info, "urgency", urgency)
    _add(info, "severity", severity)
    _add(info, "certainty", certainty)
    code = _add(info, "eventCode")
    _add(code, "valueName", "SAME")
    _add(code, "value", EVENT_CODE[view.level])
    if d is not None:
        _add(info, "onset", cap_time(d.last_seen_time, tz))
    _add(info, "expires", cap_time(expires(settings, view, message), tz))
    _add(info, "senderName", one_line(settings.cap_sender_name))
    _add(info, "headline", _headline(settings, view, lang, kind))
    _add(info, "description", summary(view, settings, lang))
    _add(info, "instruction", _instruction(view, lang))
    _add(info, "web", page_url(ctx, view, lang))
    tip = "tiplijn" if lang == "nl" else "tip line"
    _add(info, "contact", f"{one_line(settings.cap_sender_name)}: {one_line(view.phone)}, "
                          f"{tip} {one_line(view.tipline)}")
    param = _add(info, "parameter")
    _add(param, "valueName", "kindalarm:level")
    _add(param, "value", label(settings, view, lang))
    if d is not None and view.photo is not None:
        photo = ctx.photos.web_facts(view.photo.sha256)
        resource = _add(info, "resource")
        _add(resource, "resourceDesc", text(d.photo_alt, lang))
        _add(resource, "mimeType", "image/jpeg")
        _add(resource, "size", str(photo.length))
        _add(resource, "uri", ctx.url(tree.photo(view.id, view.version)))
        _add(resource, "digest", photo.sha1)  # CAP asks for SHA-1
    area = _add(info, "area")
    regions = view.regions or ("Nederland",)
    _add(area, "areaDesc", ", ".join(one_line(r) for r in regions))
    # Polygons first: sign systems find their signs by polygon (IRIS reads no circle).
    for region in regions:
        _add(area, "polygon", polygon(region))
    if view.active and d is not None and d.latitude is not None and d.longitude is not None:
        radius = f"{settings.cap_area_radius_km:g}"
        _add(area, "circle", f"{d.latitude:.5f},{d.longitude:.5f} {radius}")


def _headline(settings: Settings, view: PublicAlert, lang: str, kind: str) -> str:
    """The info's headline. An active alert's names the child and a place, often given in
    Dutch only, after the level's Dutch label: its English headline would be the Dutch one
    again, which Google's validator flags as text not in the info's language. So there it
    opens with the English event ("Missing child alert – KIND ALARM: ...")."""
    line = headline(settings, view, lang, kind)
    if view.active and lang != "nl":
        line = f"{EVENT[view.level][lang]} – {line}"
    return _shorten(line, HEADLINE_LIMIT)


def _instruction(view: PublicAlert, lang: str) -> str:
    if view.active:
        return call_to_action(view, lang)
    if view.state == FOUND:
        return "Er is geen actie meer nodig." if lang == "nl" else "No further action needed."
    return ("Deel de oproep niet meer." if lang == "nl"
            else "Please stop sharing the appeal.")


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# --- the index ------------------------------------------------------------------------------


def render_index(ctx: RenderContext, indexed: Sequence[tuple[PublicAlert, Thread]]) -> bytes:
    """`cap/feed.atom`: one entry per current message, linked as application/cap+xml."""
    updated = max((t.current.sent for _, t in indexed), default=EPOCH)
    feed = new_feed(ctx, "cap/feed.atom", updated, "CAP 1.2-berichten van de actuele "
                    "meldingen" + (" (OEFENING)" if ctx.exercise else ""))
    feed.title(f"{feed_title(ctx)}: CAP")
    for view, thread in indexed:
        message = thread.current
        url = ctx.url(thread.path(view.id, view.version))
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(_shorten(headline(ctx.settings, view, "nl", message.kind),
                             HEADLINE_LIMIT))
        entry.link(href=url, rel="alternate", type=CAP_TYPE)
        entry.summary(summary(view, ctx.settings, "nl"))
        entry.published(message.sent)
        entry.updated(message.sent)
        entry.category(term=EVENT[view.level]["nl"])
    return atom_bytes(feed)
