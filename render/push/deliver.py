"""Delivering the outbox: one thread per receiver, beside the watcher's build loop and never
inside it, so a receiver that hangs or is down delays neither a publish nor the others.

Each delivery is a POST of its exact body with `X-Kindalarm-Delivery` (the same on every
retry) and, for webhooks, `X-Kindalarm-Signature: sha256=HEX`, an HMAC-SHA256 of the body
with the receiver's secret. A failure is retried with exponential backoff and jitter, capped
(`Backoff`), for `give_up_after` (24 hours) from when it was offered; then it is given up with
a log line. The clock and the randomness are injectable, so tests check the 24 hours without
waiting them.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection
from dataclasses import dataclass

from ..config import Settings
from .outbox import Backlog, Delivery, Outbox
from .plan import WEBSUB, named_paths, receivers

log = logging.getLogger("kindalarm")


@dataclass(frozen=True)
class Backoff:
    """Seconds before retry N (N = 1 after the first failure): `base` x 2^(N-1), at most
    `cap`, times a random factor in [0.5, 1) so receivers coming back are not hit by every
    publisher at once."""

    base: float = 2.0
    cap: float = 600.0
    give_up_after: float = 24 * 3600.0

    def delay(self, retry: int, rand: float) -> float:
        return min(self.cap, self.base * 2.0 ** min(retry - 1, 40)) * (0.5 + rand / 2)


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def error_class(exc: BaseException) -> str:
    """What went wrong, in a few words and without the URL (it may hold a secret)."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return type(reason).__name__


class Deliverer:
    """Sends the outbox's deliveries until `stop`. Raises ConfigError at construction when a
    webhook's secret is missing from the environment."""

    def __init__(self, outbox: Outbox, settings: Settings, timeout: float = 10.0,
                 backoff: Backoff = Backoff(), clock: Callable[[], float] = time.time,
                 rand: Callable[[], float] = random.random,
                 on_backlog: Callable[[], None] | None = None,
                 hold: Callable[[Collection[str]], bool] | None = None) -> None:
        self.outbox = outbox
        self.timeout = timeout
        self.backoff = backoff
        self.clock = clock
        self.rand = rand
        self.on_backlog = on_backlog
        # While true of the files a delivery names, it is not sent: with a mirror, a push
        # waits until the files it names are in the bucket (contract section 8).
        self.hold = hold
        self.base_url = settings.base_url
        self.urls = {h.name: h.url for h in settings.webhooks}
        self.secrets = {h.name: h.secret() for h in settings.webhooks}
        if settings.websub_hub:
            self.urls[WEBSUB] = settings.websub_hub
        self.names = receivers(settings)
        self.stop = threading.Event()
        self._wake = {name: threading.Event() for name in self.names}
        self._threads: list[threading.Thread] = []
        self._reported: dict[str, tuple[int, str | None]] = {}
        self._report_lock = threading.Lock()

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        for name in self.names:
            thread = threading.Thread(target=self._run, args=(name,), daemon=True,
                                      name=f"push-{name}")
            thread.start()
            self._threads.append(thread)

    def close(self, timeout: float | None = None) -> None:
        self.stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 1 if timeout is None else timeout)

    def wake(self) -> None:
        """New deliveries were offered: look now, not at the next retry time."""
        for event in self._wake.values():
            event.set()

    def wait_empty(self, timeout: float) -> bool:
        """Until nothing is pending, or `timeout` seconds (for `build --wait`)."""
        deadline = time.monotonic() + timeout
        while self.outbox.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.outbox.pending()

    def _run(self, name: str) -> None:
        wake = self._wake[name]
        while not self.stop.is_set():
            try:
                delivery = self.outbox.next_for(name, self.clock())
                if delivery is not None and self.held(delivery):
                    wait = 0.2  # the mirror's pass is under way: a moment, not a retry
                elif delivery is not None:
                    self.send(name, delivery)
                    continue
                else:
                    next_at = self.outbox.next_at(name)
                    wait = 5.0 if next_at is None else max(0.0,
                                                           min(5.0, next_at - self.clock()))
            except Exception:  # the outbox itself failed: never let the thread die
                log.exception("push to %s: could not read the outbox; trying again", name)
                wait = 5.0
            wake.wait(wait)
            wake.clear()

    # --- one delivery -------------------------------------------------------------------

    def held(self, delivery: Delivery) -> bool:
        return bool(self.hold and self.hold(named_paths(delivery.body, delivery.content_type,
                                                        self.base_url)))

    def attempt(self, name: str) -> bool:
        """Try the receiver's next due delivery; False when none is due."""
        delivery = self.outbox.next_for(name, self.clock())
        if delivery is None:
            return False
        self.send(name, delivery)
        return True

    def send(self, name: str, delivery: Delivery) -> None:
        try:
            self._post(name, delivery)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self._failed(name, delivery, error_class(exc))
        else:
            self.outbox.delivered(delivery.id)
            log.info("pushed %s to %s (delivery %s)", delivery.topic if name != WEBSUB
                     else "a feed change", name, delivery.id)
        self._report(name)

    def _post(self, name: str, delivery: Delivery) -> None:
        headers = {"Content-Type": delivery.content_type, "X-Kindalarm-Delivery": delivery.id,
                   "User-Agent": "kindalarm"}
        if name in self.secrets:
            headers["X-Kindalarm-Signature"] = signature(self.secrets[name], delivery.body)
        request = urllib.request.Request(self.urls[name], data=delivery.body, headers=headers,
                                         method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read(65536)  # a receiver's answer is not ours to keep

    def _failed(self, name: str, delivery: Delivery, error: str) -> None:
        now = self.clock()
        if now - delivery.created >= self.backoff.give_up_after:
            self.outbox.give_up(delivery.id, error)
            log.error("push to %s: gave up on delivery %s (%s) after %d attempts over %.0f "
                      "hours; last error: %s", name, delivery.id, delivery.topic,
                      delivery.attempts + 1, (now - delivery.created) / 3600, error)
            return
        delay = self.backoff.delay(delivery.attempts + 1, self.rand())
        self.outbox.retry_later(delivery.id, error, now + delay)
        log.debug("push to %s failed (%s); retrying in %.0f s", name, error, delay)

    def _report(self, name: str) -> None:
        """One log line whenever a receiver's backlog changes (count or error class)."""
        backlog: Backlog = self.outbox.backlog([name])[name]
        now = (backlog.pending, backlog.last_error if backlog.pending else None)
        with self._report_lock:
            if self._reported.get(name, (0, None)) == now:
                return
            self._reported[name] = now
        if backlog.pending:
            log.warning("push backlog %s: %d pending, oldest %.0f s old, last error %s", name,
                        backlog.pending, self.clock() - (backlog.oldest or self.clock()),
                        backlog.last_error or "none")
        else:
            log.info("push backlog %s: all delivered", name)
        if self.on_backlog:
            self.on_backlog()
