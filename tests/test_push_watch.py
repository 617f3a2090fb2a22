"""Pushes from `watch`: a delivery survives `kill -9` of the watcher while its receiver is
down, and a burst of changes reaches a receiver in order."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
from datetime import datetime, timedelta

import pytest
from lxml import etree

from deploy.ports import free_port
from render.outlets import api, cap, web
from tests.helpers.feeds import lifecycle_docs
from tests.helpers.receivers import Receiver, receiving
from tests.helpers.sites import SiteDir, alert_doc
from tests.helpers.waiting import wait_until
from tests.helpers.watching import wait_idle, watching
from tests.test_kill_watch import WatchProcess
from tests.test_push import SECRET, SECRET_ENV, hooks_settings, identifier_of

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)  # the watch subprocess inherits it


def pending(site: SiteDir) -> int:
    db = sqlite3.connect(site.root / ".output.state" / "outbox.sqlite")
    try:
        count: int = db.execute("select count(*) from deliveries where state = 'pending'"
                                ).fetchone()[0]
        return count
    finally:
        db.close()


def test_a_delivery_survives_kill_9_while_its_receiver_is_down(site: SiteDir) -> None:
    receiver = Receiver(free_port())  # down: nothing listens on its port yet
    site.settings_text(hooks_settings(("media", receiver, "cap")))
    site.photo("anna.jpg")
    site.write("anna.json", lifecycle_docs()["alert"])
    watcher = WatchProcess(site)
    watcher.wait_for("push backlog media: 1 pending")  # published, tried, failed
    watcher.process.send_signal(signal.SIGKILL)
    watcher.process.wait(timeout=30)
    assert pending(site) == 1
    expected = hashlib.sha256(
        f"media\n{identifier_of(site.out.joinpath('cap/latest.xml').read_bytes())}".encode()
    ).hexdigest()[:32]

    with receiving(receiver):
        again = WatchProcess(site)
        try:
            again.wait_for("pushed 2026-test-anna to media", timeout=90)
        finally:
            again.process.send_signal(signal.SIGTERM)
            assert again.process.wait(timeout=60) == 0
    assert receiver.received, "delivered after the restart"
    assert {r.headers["X-Kindalarm-Delivery"] for r in receiver.received} == {expected}
    assert receiver.received[0].body == site.out.joinpath("cap/latest.xml").read_bytes()
    assert pending(site) == 0


def test_a_burst_of_50_changes_reaches_a_receiver_in_order(site: SiteDir) -> None:
    start = datetime.now().astimezone().replace(microsecond=0) - timedelta(hours=1)
    with receiving(Receiver(free_port())) as receiver:
        site.settings_text(hooks_settings(("media", receiver, "cap")))
        site.photo("anna.jpg")
        with watching(site, outlets=[web, api, cap]) as (watcher, _):
            for n in range(50):
                site.write("anna.json", alert_doc(
                    updated=(start + timedelta(minutes=n)).isoformat(),
                    child_clothing={"nl": f"jas {n}", "en": f"coat {n}"}))
            wait_idle(watcher)
            final = identifier_of(site.out.joinpath("cap/latest.xml").read_bytes())
            wait_until(lambda: receiver.received and identifier_of(
                receiver.received[-1].body) == final, what="the last version delivered")
    sent = [etree.fromstring(body).findtext(f"{CAP}sent") or "" for body in receiver.bodies()]
    times = [datetime.fromisoformat(s) for s in sent]
    assert times == sorted(times) and len(set(times)) == len(times), "in order, no repeats"
    assert times[-1] == start + timedelta(minutes=49)
    ids = [r.headers["X-Kindalarm-Delivery"] for r in receiver.received]
    assert len(set(ids)) == len(ids)
