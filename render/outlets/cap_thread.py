"""The CAP messages of one alert, as of now: which one is current, what it references, when
it expires and when the next one is due (contract sections 4 and 6).

The build records one message per published version (`pipeline.state.Message`, `sent` at the
version's `updated`). While a version is active it is renewed: renewal K is `sent` at
`updated` + K x half the lifetime (`[cap] expires_hours`), so an active alert always has an
unexpired message. Renewals are not recorded: their times follow from the data alone, so two
publishers (or a restarted one) agree on every identifier and byte.

A message references the earlier messages of its alert that are unexpired at its `sent`:
sign systems (IRIS) clear a sign only for the messages a Cancel names, and a message that has
expired is off every sign already. Renewals a publisher never wrote (it was down) are named
too: another publisher may have sent them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .. import tree
from ..config import Settings
from ..pipeline.state import Message
from ..public import PublicAlert
from .context import RenderContext

_UNSAFE = re.compile(r"[^A-Za-z0-9@._:-]+")  # identifiers: no spaces, commas, < or &
ACTIVE_KINDS = ("alert", "update")  # the kinds of a recorded message of an active version


@dataclass(frozen=True)
class CapMessage:
    """What identifies one CAP message: its id, and when it was sent."""

    identifier: str
    sender: str
    sent: datetime
    kind: str  # alert, update, found, cancelled, expired (pipeline.state.Message.kind)
    renewal: int = 0  # K of a renewal, 0 for the version's first message
    seq: int = 0  # the recorded message's order in the state (its renewals share it)

    @property
    def ordinal(self) -> str:
        """Order among the alert's messages, as text that sorts (the push outbox's)."""
        return f"{self.seq:012d}.{self.renewal:06d}"

    @property
    def reference(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True)
class Thread:
    """The messages of one alert that a render needs: the current one and the references it
    carries, and this version's first message while a renewal is current."""

    current: CapMessage
    references: tuple[CapMessage, ...]
    first: CapMessage  # this version's first message (`current` unless renewed)
    first_references: tuple[CapMessage, ...]
    had_earlier: bool  # the alert had a message before this version's

    @property
    def renewed(self) -> bool:
        return self.current.renewal > 0

    def path(self, alert_id: str, version: str) -> str:
        """Where the current message is published."""
        if self.renewed:
            return tree.cap_renewal(alert_id, version, self.current.renewal)
        return tree.cap_message(alert_id, version)


def cap_time(moment: datetime, tz: ZoneInfo | None = None) -> str:
    """CAP's dateTime: an explicit offset, no fractions, never `Z`."""
    local = moment.astimezone(tz) if tz else moment
    text = local.replace(microsecond=0).isoformat(timespec="seconds")
    return text.replace("Z", "+00:00")


def token(text: str) -> str:
    """`text` as a CAP token: no spaces, commas, `<` or `&` (identifiers, incidents)."""
    return _UNSAFE.sub("-", text)


def sender_of(settings: Settings) -> str:
    return token(settings.cap_sender) or "kindalarm"


def identifier(settings: Settings, alert_id: str, version: str) -> str:
    return token(f"{sender_of(settings)}-{alert_id}-{version}")


def lifetime(settings: Settings) -> timedelta:
    """How long a message lasts, in whole seconds (renewal times are then whole seconds too,
    as CAP writes them)."""
    return timedelta(seconds=round(settings.cap_expires_hours * 3600))


def renewal_period(settings: Settings) -> timedelta:
    return timedelta(seconds=max(1, round(settings.cap_expires_hours * 3600) // 2))


def expires(settings: Settings, view: PublicAlert, message: CapMessage) -> datetime:
    """When a message expires: `[cap] expires_hours` after it was sent, or at the alert's
    own expiry if that comes first. Sign systems (IRIS) drop a message without one."""
    end = message.sent + lifetime(settings)
    if view.active and view.expires is not None:
        end = min(end, view.expires)
    return end


def thread_of(ctx: RenderContext, view: PublicAlert) -> Thread:
    """The alert's messages as of `ctx.now` (see the module docstring). Made once per
    context and view: the message, the feeds, the sign feed, the clock and the push plan
    all ask for every active alert's."""
    threads: dict[tuple[str, str, str], Thread] = ctx.derived.setdefault("cap_threads", {})
    key = (view.id, view.version, view.state)
    thread = threads.get(key)
    if thread is None:
        thread = threads[key] = _thread(ctx, view)
    return thread


def _thread(ctx: RenderContext, view: PublicAlert) -> Thread:
    settings = ctx.settings
    tz = ZoneInfo(settings.timezone)
    sender = sender_of(settings)

    def recorded(m: Message) -> CapMessage:
        return CapMessage(identifier(settings, m.alert_id, m.version), sender,
                          m.sent_at.astimezone(tz), m.kind, seq=m.seq)

    history = ctx.history_by_alert.get(view.id, [])
    mine = [m for m in history if m.version == view.version]
    if mine:
        first = recorded(mine[-1])
        before = [recorded(m) for m in history if m.seq < mine[-1].seq]
    else:  # not recorded (a renderer run outside a build): the view speaks for itself
        kind = view.state if not view.active else "update" if history else "alert"
        first = CapMessage(identifier(settings, view.id, view.version), sender,
                           view.updated.astimezone(tz).replace(microsecond=0), kind)
        before = [recorded(m) for m in history]
    current = first
    if view.active:
        current = _newest_renewal(settings, first, ctx.now) or first
    return Thread(current=current, references=_unexpired(settings, before, first, current),
                  first=first, first_references=_unexpired(settings, before, first, first),
                  had_earlier=bool(before))


def next_renewal(settings: Settings, thread: Thread) -> datetime:
    return thread.current.sent + renewal_period(settings)


def _renewal(settings: Settings, first: CapMessage, k: int) -> CapMessage:
    """Renewal K of a version's first message: the same content (and kind), sent later."""
    return CapMessage(f"{first.identifier}-{k}", first.sender,
                      first.sent + k * renewal_period(settings), first.kind, renewal=k,
                      seq=first.seq)


def _newest_renewal(settings: Settings, first: CapMessage, now: datetime) -> CapMessage | None:
    """The newest renewal due at `now` (due once the clock reaches its `sent`)."""
    k = (now - first.sent) // renewal_period(settings)
    return _renewal(settings, first, k) if k >= 1 else None


def _unexpired(settings: Settings, earlier: Sequence[CapMessage], own: CapMessage,
               at: CapMessage) -> tuple[CapMessage, ...]:
    """The messages before `at` that may be live at its `sent`: the earlier versions'
    (recorded, and renewals) and those of `own`, `at`'s version, unexpired then."""
    life = lifetime(settings)
    return tuple(m for m in _with_renewals(settings, earlier, own, at.sent)
                 if m != at and m.sent + life > at.sent)


def _with_renewals(settings: Settings, earlier: Sequence[CapMessage], own: CapMessage,
                   until: datetime) -> Iterator[CapMessage]:
    """Each recorded message with the renewals that went out after it: for `own`'s version
    those sent before `until`, for an earlier version those sent up to the next version's
    `sent` (`sent_after_renewals` makes that no earlier than a renewal already published).
    Renewals that expired before `until` are skipped without being made."""
    period, life = renewal_period(settings), lifetime(settings)
    chain = [*earlier, own]
    for i, message in enumerate(chain):
        yield message
        if message.kind not in ACTIVE_KINDS:
            continue
        # Renewals sent after `until - lifetime` are unexpired at `until`: start there.
        k = max(1, (until - life - message.sent) // period)
        def renewed(sent: datetime, message: CapMessage = message, i: int = i) -> bool:
            return sent < until if message is own else sent <= chain[i + 1].sent

        while renewed(message.sent + k * period):
            yield _renewal(settings, message, k)
            k += 1


def sent_after_renewals(settings: Settings, previous_sent: datetime, previous_kind: str,
                        updated: datetime, now: datetime, expires: datetime | None
                        ) -> datetime:
    """When a new message of an alert is sent: at its `updated`, or, for a file that arrives
    later than the `updated` it gives (the child was found at 14:00, the file is saved at
    14:30), at the newest renewal of the previous version already due: a message never
    references one sent after it (Google's validator: POSTDATED_REFERENCE), and it must name
    every renewal on signs, which clear only what a Cancel names. No renewal goes out after
    the alert's own `expires`."""
    if expires is not None:
        now = min(now, expires)
    if previous_kind not in ACTIVE_KINDS or now <= previous_sent:
        return updated
    k = (now - previous_sent) // renewal_period(settings)
    return max(updated, previous_sent + k * renewal_period(settings)) if k >= 1 else updated
