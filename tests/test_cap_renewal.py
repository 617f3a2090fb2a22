"""CAP renewal (contract section 6): while an alert is active, a new Update goes out before
the current message expires, at times that follow from the data alone; it changes only
`cap/`, references the earlier unexpired messages, and `watch` publishes it on its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from render.outlets import api, cap, web
from render.pipeline.watch import CLOCK
from tests.helpers.cap_readers import iris_read
from tests.helpers.feeds import validate_cap
from tests.helpers.sites import SiteDir, alert_doc
from tests.helpers.waiting import wait_until
from tests.helpers.watching import FAST, watching

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
T0 = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)  # the alert's `updated`
# expires_hours = 0.02: a message lasts 72 s, a renewal is due every 36 s.
LIFE, PERIOD = timedelta(seconds=72), timedelta(seconds=36)
SETTINGS = "[cap]\nexpires_hours = 0.02\n"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def message(site: SiteDir, path: str) -> etree._Element:
    data = (site.out / path).read_bytes()
    validate_cap(data)
    return etree.fromstring(data)


def field(alert: etree._Element, name: str) -> str:
    return alert.findtext(f"{CAP}{name}") or alert.findtext(f"{CAP}info/{CAP}{name}") or ""


def cap_time(alert: etree._Element, name: str) -> datetime:
    return datetime.fromisoformat(field(alert, name))


def references(alert: etree._Element) -> list[tuple[str, datetime]]:
    """(identifier, sent) of each reference."""
    triplets = [r.split(",") for r in field(alert, "references").split()]
    return [(identifier, datetime.fromisoformat(sent)) for _, identifier, sent in triplets]


def non_cap_files(site: SiteDir) -> dict[str, bytes]:
    return {path: data for path, data in site.files().items()
            if not path.startswith("cap/") and not path.startswith("status.json")}


def renewed_site(site: SiteDir, updated: datetime = T0) -> None:
    site.settings_text(SETTINGS)
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc(issued=updated.isoformat(), updated=updated.isoformat()))


def test_renewals_follow_from_the_data_and_change_only_cap(site: SiteDir) -> None:
    renewed_site(site)
    first_result = site.build(now=at(10))
    (version,) = [p.name for p in (site.out / "alerts/2026-test-anna").iterdir() if p.is_dir()]
    first_path = f"cap/2026-test-anna/{version}.xml"
    assert first_result.next_change == at(36), "the watcher wakes for the first renewal"
    before = non_cap_files(site)
    first_bytes = (site.out / first_path).read_bytes()
    first = message(site, first_path)
    assert field(first, "msgType") == "Alert" and cap_time(first, "expires") == at(72)

    result = site.build(now=at(40))
    assert result.next_change == at(72)
    renewal = message(site, "cap/latest.xml")
    assert field(renewal, "identifier") == field(first, "identifier") + "-1"
    assert (site.out / f"cap/2026-test-anna/{version}-1.xml").read_bytes() == (
        site.out / "cap/latest.xml").read_bytes()
    assert field(renewal, "msgType") == "Update"
    assert cap_time(renewal, "sent") == at(36) and cap_time(renewal, "expires") == at(108)
    assert references(renewal) == [(field(first, "identifier"), at(0))]
    # The same content: only identifier, sent, expires and references differ.
    for name in ("headline", "description", "event", "web", "areaDesc"):
        assert field(renewal, name) == field(first, name), name
    assert non_cap_files(site) == before, "a renewal changes only cap/"
    assert (site.out / first_path).read_bytes() == first_bytes, "the first message stays"
    feed = (site.out / "cap/feed.atom").read_text()
    assert f"{version}-1.xml" in feed and f"{version}-1.xml" in (
        site.out / "cap/signs.atom").read_text()


def test_only_the_newest_due_renewal_is_published_and_a_standby_agrees(
        site: SiteDir, tmp_path: Path) -> None:
    renewed_site(site)
    site.build(now=at(10))
    site.build(now=at(365))  # renewals 1 to 9 were due while this publisher was away
    renewals = sorted(p.name for p in (site.out / "cap/2026-test-anna").glob("*-*.xml"))
    assert len(renewals) == 1 and renewals[0].endswith("-10.xml"), renewals
    latest = message(site, "cap/latest.xml")
    assert cap_time(latest, "sent") == at(360)
    # Renewal 9 (sent at 324 s) is unexpired at 360 s; renewal 8 (288 s) expired then.
    (ref,) = references(latest)
    assert ref[0].endswith("-9") and ref[1] == at(324)

    standby = SiteDir(tmp_path / "standby")  # a second publisher, first run at 365 s
    renewed_site(standby)
    standby.build(now=at(365))
    assert {p: d for p, d in standby.files().items() if p.startswith("cap/")} == {
        p: d for p, d in site.files().items() if p.startswith("cap/")}


def test_an_active_alert_never_has_an_expired_current_message(site: SiteDir) -> None:
    renewed_site(site)
    seen = set()
    for second in range(0, 400, 7):
        site.build(now=at(second))
        latest = message(site, "cap/latest.xml")
        assert cap_time(latest, "expires") > at(second), second
        assert cap_time(latest, "sent") <= at(second), second
        seen.add(field(latest, "identifier"))
    assert len(seen) == 400 // 36 + 1  # the first message and every renewal


def test_the_cancel_references_every_unexpired_renewal_and_removes_them(site: SiteDir) -> None:
    renewed_site(site)
    site.build(now=at(365))
    site.write("anna.json", alert_doc(status="found", issued=T0.isoformat(),
                                      updated=at(380).isoformat()))
    site.build(now=at(381))
    (cancel_path,) = sorted((site.out / "cap/2026-test-anna").glob("*.xml"))
    cancel = etree.fromstring(cancel_path.read_bytes())
    validate_cap(cancel_path.read_bytes())
    assert field(cancel, "msgType") == "Cancel"
    # Renewal 10 (360 s) and 9 (324 s) are still on signs at 380 s; IRIS clears by these.
    assert [(i.rsplit("-", 1)[1], sent) for i, sent in references(cancel)] == [
        ("9", at(324)), ("10", at(360))]
    (read,) = [d for d in iris_read(cancel_path.read_bytes()) if d.msg_type == "Cancel"][:1]
    assert len(read.references) == 2


def test_watch_publishes_renewals_on_its_own_clock(site: SiteDir) -> None:
    """expires_hours = 0.02 with the periodic rescan off: only the clock can renew."""
    now = datetime.now(UTC).replace(microsecond=0)
    renewed_site(site, updated=now - timedelta(seconds=30))
    first_sent = now - timedelta(seconds=30)
    timing = replace(FAST, rescan=3600.0)
    with watching(site, timing=timing, outlets=[web, api, cap]) as (watcher, published):
        seen: set[str] = set()

        def current_is_unexpired() -> bool:
            latest = message(site, "cap/latest.xml")
            assert cap_time(latest, "expires") > datetime.now(UTC) - timedelta(seconds=1)
            seen.add(field(latest, "identifier").rsplit("-", 1)[-1])
            # Past the first message's expiry (72 s after it was sent), with renewal 2 out.
            return datetime.now(UTC) > first_sent + LIFE + timedelta(seconds=2)

        wait_until(current_is_unexpired, timeout=90, what="two renewals", interval=0.25)
        assert {"1", "2"} <= seen, seen
        assert [p.reason for p in published if p.reason == CLOCK], "published by the clock"
        assert watcher.failures == 0
