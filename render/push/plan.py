"""What each receiver should get after a publish, planned from the published tree alone (so a
restart plans the same, and the outbox drops what it already has):

- a webhook gets the current CAP message of every alert of its levels (its tree: public,
  and the drills' too with `exercise = true`) while that message is unexpired: `format =
  "cap"` the message's exact bytes as published, renewals included; `format = "json"` an
  event per published version, no renewals;
- the WebSub hub gets a ping for each feed whose bytes it has not been told of.

Delivery ids hash the receiver's name with the message identifier (or the feed and its
hash), so a retry, a restart and a standby publisher all send the same id.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote_plus, urlencode

from .. import tree
from ..config import Settings
from ..outlets import cap
from ..outlets.cap_thread import CapMessage, Thread, expires, thread_of
from ..outlets.context import RenderContext
from ..outlets.jsondoc import json_bytes
from ..public import PublicAlert
from .outbox import Offer, Outbox
from .settings import Webhook

WEBSUB = "websub"  # the hub's receiver name in the outbox, status.json and the log
FEEDS = (tree.RSS, tree.ATOM, tree.JSON_FEED)  # the feeds that name the hub


def delivery_id(receiver: str, what: str) -> str:
    return hashlib.sha256(f"{receiver}\n{what}".encode()).hexdigest()[:32]


def receivers(settings: Settings) -> list[str]:
    return [h.name for h in settings.webhooks] + ([WEBSUB] if settings.websub_hub else [])


def plan(contexts: Sequence[RenderContext], out: Path, now: datetime) -> Iterator[Offer]:
    """Every delivery the published tree calls for now (the outbox keeps the new ones)."""
    for ctx in contexts:
        hooks = [h for h in ctx.settings.webhooks if ctx.tree == "" or h.exercise]
        if hooks:
            alerts = [(v, thread_of(ctx, v)) for v in ctx.active] + list(cap.ending(ctx))
            for view, thread in alerts:
                for hook in hooks:
                    if view.level in hook.levels:
                        yield from _webhook_offer(ctx, out, hook, view, thread, now)
        if ctx.tree == "" and ctx.settings.websub_hub:
            yield from _pings(ctx, out)


def _webhook_offer(ctx: RenderContext, out: Path, hook: Webhook, view: PublicAlert,
                   thread: Thread, now: datetime) -> Iterator[Offer]:
    if expires(ctx.settings, view, thread.current) <= now:
        return  # an ending off every sign already: nobody needs it
    message = thread.current if hook.format == "cap" else thread.first  # json: no renewals
    path = _message_path(view, message)
    try:
        cap_bytes = (out / ctx.tree / path).read_bytes()
    except FileNotFoundError:
        return  # not published (its render failed): planned again after the next publish
    if hook.format == "cap":
        body, content_type = cap_bytes, cap.CAP_TYPE
    else:
        body, content_type = _event(ctx, view, message, path), "application/json"
    yield Offer(delivery_id(hook.name, message.identifier), hook.name,
                f"{ctx.tree}{view.id}", message.ordinal, content_type, body)


def _message_path(view: PublicAlert, message: CapMessage) -> str:
    if message.renewal:
        return tree.cap_renewal(view.id, view.version, message.renewal)
    return tree.cap_message(view.id, view.version)


def _event(ctx: RenderContext, view: PublicAlert, message: CapMessage, cap_path: str) -> bytes:
    """The JSON event of `format = "json"` receivers: what happened and where to read it; no
    personal detail beyond what the page it links shows."""
    urls = {"page": ctx.url(tree.alert_page(view.id)), "cap": ctx.url(cap_path)}
    if view.active:
        urls["share_image"] = ctx.url(tree.share_image(view.id, view.version))
        urls["texts"] = ctx.url(tree.texts(view.id, view.version))
    return json_bytes({
        "alert": view.id, "level": view.level, "status": view.state,
        "version": view.version, "message_type": cap.msg_type(view, message),
        "identifier": message.identifier, "sent": message.sent.isoformat(),
        "exercise": view.exercise, "urls": urls,
    })


def named_paths(body: bytes, content_type: str, base_url: str) -> set[str]:
    """The files of the tree a delivery names: its URLs under `base_url`, folder URLs as
    their `index.html` (a CAP message names its pages and photo, an event its page, CAP
    message, share image and texts, a WebSub ping its feed). With a mirror the delivery
    waits for these alone: each is uploaded after the files it names in turn."""
    text = body.decode("utf-8", "replace")
    if content_type == "application/x-www-form-urlencoded":
        text = unquote_plus(text)
    paths = set()
    for match in re.finditer(re.escape(base_url) + r"[^\s\"'<>&?#]*", text):
        path = match[0][len(base_url):]
        paths.add(path + "index.html" if path == "" or path.endswith("/") else path)
    return paths


def _pings(ctx: RenderContext, out: Path) -> Iterator[Offer]:
    hub = ctx.settings.websub_hub
    assert hub is not None
    for pattern in FEEDS:
        path = pattern.path()
        try:
            digest = hashlib.sha256((out / path).read_bytes()).hexdigest()
        except FileNotFoundError:
            continue
        url = ctx.url(path)
        body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        # A newer ping of a feed replaces an undelivered older one: order by offer time.
        yield Offer(delivery_id(WEBSUB, f"{hub}\n{url}\n{digest}"), WEBSUB, url,
                    f"{time.time():020.6f}", "application/x-www-form-urlencoded", body)


def open_outbox(state_dir: Path, settings: Settings) -> Outbox | None:
    """The outbox beside the state when any receiver is set (its deliveries of receivers no
    longer set are dropped), else None."""
    names = receivers(settings)
    if not names:
        return None
    outbox = Outbox(state_dir / "outbox.sqlite")
    outbox.forget(names, time.time())
    return outbox


def offer(outbox: Outbox, contexts: Sequence[RenderContext], out: Path, now: datetime
          ) -> list[Offer]:
    """Plan, and hand the outbox what is new; returns that."""
    return outbox.offer(list(plan(contexts, out, now)), time.time())


def backlog_status(outbox: Outbox | None, settings: Settings) -> dict[str, dict[str, object]]:
    """`status.json`'s `push`: per receiver by name, never its URL."""
    if outbox is None:
        return {}
    return {name: {"pending": b.pending, "oldest": _iso(b.oldest), "last_error": b.last_error}
            for name, b in outbox.backlog(receivers(settings)).items()}


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")
