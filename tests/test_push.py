"""Pushes (contract sections 5 and 8): webhooks with signatures and WebSub pings, through the
durable outbox, to real HTTP receivers on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest
from click.testing import CliRunner

from deploy.ports import free_port
from render.cli import main
from render.errors import ConfigError
from render.outlets import api, cap, feeds, jsonfeed, web
from render.pipeline.state import state_dir_for
from render.push.deliver import Backoff, Deliverer
from render.push.outbox import DELIVERED, GIVEN_UP, Offer, Outbox
from render.push.plan import named_paths
from tests.helpers.feeds import PERSONAL, later, lifecycle_docs
from tests.helpers.receivers import Receiver, receiving
from tests.helpers.sites import SiteDir
from tests.helpers.waiting import wait_until
from tests.helpers.watching import watching

SECRET_ENV = "KINDALARM_TEST_HOOK_SECRET"
SECRET = "s3cret-for-tests"


def hooks_settings(*hooks: tuple[str, Receiver, str], hub: Receiver | None = None) -> str:
    text = "".join(f'[[webhooks]]\nname = "{name}"\nurl = "{r.url}"\nsecret_env = '
                   f'"{SECRET_ENV}"\nformat = "{fmt}"\n\n' for name, r, fmt in hooks)
    return text + (f'[websub]\nhub = "{hub.url}"\n' if hub else "")


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)


def deliver_all(site: SiteDir) -> Deliverer:
    """Deliver everything pending, retries included (its clock an hour ahead, when every
    retry is due), with a deliverer of our own (not started)."""
    builder = site.builder()
    assert builder.outbox is not None
    deliverer = Deliverer(builder.outbox, builder.settings, clock=lambda: time.time() + 3600)
    for name in deliverer.names:
        while deliverer.attempt(name):
            pass
    builder.close()
    return deliverer


def identifier_of(message: bytes) -> str:
    return message.split(b"<identifier>")[1].split(b"<")[0].decode()


def cap_path(site: SiteDir, alert_id: str = "2026-test-anna") -> Path:
    (path,) = sorted((site.out / "cap" / alert_id).glob("*.xml"))
    return path


def test_webhooks_get_the_message_signed_and_status_names_them(site: SiteDir) -> None:
    with receiving(Receiver(free_port())) as newsroom, \
            receiving(Receiver(free_port())) as app:
        site.settings_text(hooks_settings(("newsroom", newsroom, "cap"), ("app", app, "json")))
        site.photo("anna.jpg")
        site.write("anna.json", lifecycle_docs()["alert"])
        result = CliRunner().invoke(main, ["--site", str(site.root), "build", "--wait", "20"])
        assert result.exit_code == 0, result.output

        # The alert was updated days before this build's clock: its current message is a
        # renewal, and that is what a CAP receiver gets; a JSON one hears of the version.
        (got,) = newsroom.received
        published = (site.out / "cap/latest.xml").read_bytes()
        assert got.body == published, "the exact bytes of the published message"
        assert got.headers["Content-Type"] == "application/cap+xml"
        expected = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
        assert got.headers["X-Kindalarm-Signature"] == f"sha256={expected}"
        identifier = identifier_of(published)
        assert got.headers["X-Kindalarm-Delivery"] == hashlib.sha256(
            f"newsroom\n{identifier}".encode()).hexdigest()[:32]

        (event,) = [json.loads(r.body) for r in app.received]
        assert event["alert"] == "2026-test-anna" and event["status"] == "active"
        (first,) = [p for p in (site.out / "cap/2026-test-anna").glob("*.xml") if "-" not in p.stem]
        assert event["message_type"] == "Alert"
        assert event["identifier"] == identifier_of(first.read_bytes()) != identifier
        for key in ("page", "cap", "share_image", "texts"):
            assert event["urls"][key].startswith("http"), key
        assert app.received[0].headers["X-Kindalarm-Signature"].startswith("sha256=")

        # Nothing is sent twice: a second build offers nothing new.
        CliRunner().invoke(main, ["--site", str(site.root), "build", "--wait", "5"])
        assert len(newsroom.received) == 1 and len(app.received) == 1
    status = json.loads(site.read("status.json"))
    assert status["push"]["newsroom"]["pending"] == 0, status
    assert "127.0.0.1" not in site.read("status.json"), "receivers by name, never by URL"


def test_a_receiver_failing_three_times_gets_the_same_delivery(site: SiteDir) -> None:
    with receiving(Receiver(free_port(), statuses=[503, 503, 503])) as flaky:
        site.settings_text(hooks_settings(("flaky", flaky, "cap")))
        site.photo("anna.jpg")
        site.write("anna.json", lifecycle_docs()["alert"])
        site.build()
        builder = site.builder()
        assert builder.outbox is not None
        deliverer = Deliverer(builder.outbox, builder.settings, backoff=Backoff(base=0.01))
        deliverer.start()
        try:
            wait_until(lambda: flaky.received, timeout=20, what="the fourth attempt")
        finally:
            deliverer.close()
            builder.close()
    assert flaky.attempts == 4 and len(flaky.received) == 1


def test_the_retries_last_24_hours_then_give_up(site: SiteDir,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """An injected clock: exponential, capped, jittered, and given up after 24 hours."""
    down = Receiver(free_port())  # never listening: connection refused at once
    site.settings_text(hooks_settings(("down", down, "cap")))
    outbox = Outbox(site.root / "outbox.sqlite")
    clock = [1_000_000.0]
    outbox.offer([Offer("d1", "down", "2026-test-anna", "1", "application/cap+xml", b"x")],
                 clock[0])
    from render.config import load_settings
    deliverer = Deliverer(outbox, load_settings(site.root), clock=lambda: clock[0],
                          rand=lambda: 0.5)
    delays = []
    with caplog.at_level(logging.ERROR, logger="kindalarm"):
        while True:
            assert deliverer.attempt("down"), "it is due"
            if outbox.states()["d1"] == GIVEN_UP:
                break
            next_at = outbox.next_at("down")
            assert next_at is not None and deliverer.attempt("down") is False, "not before"
            delays.append(next_at - clock[0])
            clock[0] = next_at
    elapsed = clock[0] - 1_000_000.0
    assert 24 * 3600 <= elapsed < 24 * 3600 + 600, elapsed
    assert delays[0] == pytest.approx(2.0 * 0.75)
    assert all(b >= a for a, b in itertools.pairwise(delays)), "never shorter"
    assert max(delays) == pytest.approx(600 * 0.75), "capped"
    assert any("gave up on delivery d1" in r.getMessage() and "connection refused"
               in r.getMessage() for r in caplog.records)
    assert "127.0.0.1" not in caplog.text, "the log never shows a receiver's URL"
    outbox.close()


def test_an_ending_replaces_undelivered_personal_pushes(site: SiteDir) -> None:
    receiver = Receiver(free_port())  # down while the alert is active, then found
    site.settings_text(hooks_settings(("media", receiver, "cap")))
    site.photo("anna.jpg")
    docs = lifecycle_docs()
    site.write("anna.json", docs["alert"])
    site.build()
    site.write("anna.json", docs["found"])
    site.build(now=later(40))
    result = CliRunner().invoke(main, ["--site", str(site.root), "build", "--wait", "0.5"])
    assert result.exit_code == 0, "the exit code depends on the alert files alone"
    status = json.loads(site.read("status.json"))["push"]["media"]
    assert status["pending"] == 1 and status["last_error"] == "connection refused", status
    outbox_file = state_dir_for(site.out) / "outbox.sqlite"
    with sqlite3.connect(outbox_file) as db:
        db.execute("pragma wal_checkpoint(truncate)")
    for secret in PERSONAL:  # not even in the database's free pages
        for path in outbox_file.parent.glob("outbox.sqlite*"):
            assert secret not in path.read_bytes(), (secret, path.name)
    with receiving(receiver):
        deliver_all(site)
    (got,) = receiver.received
    assert b"<msgType>Cancel</msgType>" in got.body, "only the ending, never the alert after it"


def test_a_publish_completes_while_three_receivers_hang(site: SiteDir) -> None:
    """Structural: the hanging receivers hold their requests until the end of the test, and
    meanwhile every publish completes and the healthy receiver gets every message."""
    hang = threading.Event()
    hanging = [Receiver(free_port(), hang=hang) for _ in range(3)]
    with receiving(hanging[0]), receiving(hanging[1]), receiving(hanging[2]), \
            receiving(Receiver(free_port())) as healthy:
        site.settings_text(hooks_settings(
            *[(f"hang{n}", r, "cap") for n, r in enumerate(hanging)], ("ok", healthy, "cap")))
        site.photo("anna.jpg")
        docs = lifecycle_docs()
        site.write("anna.json", docs["alert"])
        with watching(site, outlets=[web, api, cap]) as (_watcher, published):
            wait_until(lambda: all(r.attempts for r in hanging), what="every receiver asked")
            count = len(published)
            site.write("anna.json", docs["update"])
            wait_until(lambda: len(published) > count and published[-1].result.complete,
                       what="the update published")
            wait_until(lambda: len(healthy.received) == 2, what="the healthy receiver")
            assert not hang.is_set() and all(not r.received for r in hanging)
            hang.set()


def test_websub_links_and_pings(site: SiteDir) -> None:
    with receiving(Receiver(free_port())) as hub:
        site.settings_text(hooks_settings(hub=hub))
        site.photo("anna.jpg")
        docs = lifecycle_docs()
        site.write("anna.json", docs["alert"])
        site.build(outlets=[web, feeds, jsonfeed, cap])
        for path in ("feeds/rss.xml", "feeds/atom.xml"):
            parsed = feedparser.parse(site.read(path))
            rels = {(link["rel"], link["href"]) for link in parsed.feed.links}
            assert ("hub", hub.url) in rels and any(r == "self" for r, _ in rels), path
        assert json.loads(site.read("feeds/feed.json"))["hubs"] == [
            {"type": "WebSub", "url": hub.url}]
        assert "hub" not in site.read("exercise/feeds/atom.xml"), "drills never ping"

        deliver_all(site)
        pings = [parse_qs(b.decode()) for b in hub.bodies()]
        assert sorted(p["hub.url"][0] for p in pings) == sorted(
            f"http://127.0.0.1:8000/feeds/{name}" for name in ("rss.xml", "atom.xml",
                                                                "feed.json"))
        assert all(p["hub.mode"] == ["publish"] for p in pings)
        site.build(outlets=[web, feeds, jsonfeed, cap])  # nothing changed: no ping
        deliver_all(site)
        assert len(hub.received) == 3
        site.write("anna.json", docs["update"])
        site.build(now=later(1), outlets=[web, feeds, jsonfeed, cap])
        deliver_all(site)
        assert len(hub.received) == 6, "each changed feed once more"


def test_push_settings_are_one_clear_error(site: SiteDir,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from render.config import load_settings

    for text, words in (
            ('[[webhooks]]\nname = "a"\nurl = "ftp://x"\nsecret_env = "X"\n', "absolute http"),
            ('[[webhooks]]\nname = "a"\nurl = "http://x/"\n', "secret_env: required"),
            ('[[webhooks]]\nname = "a"\nurl = "http://x/"\nsecret_env = "X"\nformat = "rss"\n',
             "format: must be one of cap, json"),
            ('[[webhooks]]\nname = "a"\nurl = "http://x/"\nsecret_env = "X"\nlevel = []\n',
             "unknown setting 'level'"),
            ('[websub]\nhub = "nope"\n', "websub.hub: must be an absolute")):
        site.settings_text(text)
        with pytest.raises(ConfigError) as caught:
            load_settings(site.root)
        assert words in str(caught.value) and "\n" not in str(caught.value), str(caught.value)
    monkeypatch.delenv(SECRET_ENV)
    site.settings_text(f'[[webhooks]]\nname = "media"\nurl = "http://127.0.0.1:9/"\n'
                       f'secret_env = "{SECRET_ENV}"\n')
    result = CliRunner().invoke(main, ["--site", str(site.root), "build"])
    assert result.exit_code == 2, "a settings error, like the others"
    assert f"environment variable {SECRET_ENV}" in result.output, result.output
    assert not site.out.exists() or not any(site.out.rglob("*.html")), "nothing published"


def test_outbox_keeps_order_and_never_repeats(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")

    def offer(delivery: str, ordinal: str) -> list[Offer]:
        return outbox.offer([Offer(delivery, "r", "t", ordinal, "text/plain", b"")], 0.0)

    assert offer("a", "001") and offer("b", "002")
    assert outbox.states() == {"b": "pending"}, "the newer replaces the undelivered older"
    assert not offer("a", "001"), "an older one is never offered again"
    outbox.delivered("b")
    assert not offer("b", "002") and outbox.states() == {"b": DELIVERED}
    outbox.close()


def test_the_documented_receiver_accepts_ours_and_refuses_a_forgery(
        site: SiteDir, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/pollers/webhook_receiver.py, as docs/outlets.md shows it to a newsroom."""
    import urllib.error
    import urllib.request
    from http.server import ThreadingHTTPServer

    import webhook_receiver

    webhook_receiver.Receiver.secret = SECRET.encode()
    webhook_receiver.Receiver.seen = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), webhook_receiver.Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        site.settings_text(f'[[webhooks]]\nname = "desk"\nurl = "{url}"\n'
                           f'secret_env = "{SECRET_ENV}"\n')
        site.photo("anna.jpg")
        site.write("anna.json", lifecycle_docs()["alert"])
        site.build()
        deliver_all(site)
        forged = urllib.request.Request(url, data=b"<alert/>", method="POST", headers={
            "X-Kindalarm-Signature": "sha256=" + "0" * 64, "X-Kindalarm-Delivery": "x"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)
        assert refused.value.code == 401
    finally:
        server.shutdown()
        server.server_close()
    shown = capsys.readouterr().out.splitlines()
    assert len(shown) == 1 and "application/cap+xml" in shown[0], shown


def test_the_files_a_push_names_are_its_urls_under_the_base_url() -> None:
    """With a mirror, a push waits for these files only (tests/test_mirror.py)."""
    base = "https://kindalarm.example/nl/"
    event = json.dumps({"urls": {"page": base + "alerts/a/", "cap": base + "cap/a/v1.xml",
                                 "other": "https://elsewhere.example/x.html"}}).encode()
    assert named_paths(event, "application/json", base) == {"alerts/a/index.html",
                                                             "cap/a/v1.xml"}
    ping = b"hub.mode=publish&hub.url=https%3A%2F%2Fkindalarm.example%2Fnl%2Ffeeds%2Frss.xml"
    assert named_paths(ping, "application/x-www-form-urlencoded", base) == {"feeds/rss.xml"}
    message = f"<web>{base}</web><uri>{base}alerts/a/v1/photo.jpg</uri>".encode()
    assert named_paths(message, "application/cap+xml", base) == {"index.html",
                                                                  "alerts/a/v1/photo.jpg"}
