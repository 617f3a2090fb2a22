"""CAP 1.2: every message valid against the OASIS schema, through the whole lifecycle."""

from __future__ import annotations

import hashlib
import json

from lxml import etree

from render.tree import CAP_MESSAGE
from tests.helpers.cap_readers import iris_read
from tests.helpers.cap_screens import screenly_read, xibo_read
from tests.helpers.feeds import (
    CAP,
    PERSONAL,
    assert_link_resolves,
    cap_files,
    later,
    lifecycle_docs,
    validate_cap,
)
from tests.helpers.sites import SiteDir, alert_doc

ATOM = "{http://www.w3.org/2005/Atom}"


def _only_message(site: SiteDir, tree: str = "") -> etree._Element:
    """The one version's first message (its renewals aside)."""
    files = {p: d for p, d in cap_files(site, tree).items()
             if CAP_MESSAGE.match(p.removeprefix(tree))}
    assert len(files) == 1, sorted(files)
    return validate_cap(next(iter(files.values())))


def _text(root: etree._Element, path: str) -> str | None:
    found = root.find(path.replace("cap:", CAP))
    return found.text if found is not None else None


def _message_of(site: SiteDir, alert_id: str) -> etree._Element:
    (data,) = [b for p, b in cap_files(site).items() if f"/{alert_id}/" in p]
    return validate_cap(data)


def test_every_example_message_is_valid_cap(built_examples: SiteDir) -> None:
    files = cap_files(built_examples) | cap_files(built_examples, "exercise/")
    ids = {p.split("/")[-2] for p in files}
    # One current message per alert, drills included; none for Milan, found when first seen.
    assert len(ids) == 5 and not any("milan" in i for i in ids)
    for path, data in files.items():
        root = validate_cap(data)
        # CAP in its own default namespace, as readers that match on the text expect.
        assert b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">' in data, path
        exercise = path.startswith("exercise/")
        assert _text(root, "cap:status") == ("Exercise" if exercise else "Actual")
        assert _text(root, "cap:scope") == "Public"
        for info in root.iterfind(f"{CAP}info"):
            assert len(_text(info, "cap:headline") or "") <= 160
            for uri in info.iterfind(f"{CAP}resource/{CAP}uri"):
                assert_link_resolves(built_examples, uri.text or "")
            assert_link_resolves(built_examples, _text(info, "cap:web") or "")
    sanne = validate_cap(next(b for p, b in files.items() if "sanne" in p))
    langs = [i.text for i in sanne.iter(f"{CAP}language")]
    assert langs == ["nl", "en"]  # exactly these codes: consumers compare them literally
    assert _text(sanne, "cap:info/cap:eventCode/cap:value") == "CAE"
    assert _text(sanne, "cap:info/cap:area/cap:circle").endswith(" 10")


def test_resource_size_and_digest_are_the_published_photo(built_examples: SiteDir) -> None:
    for data in cap_files(built_examples).values():
        root = validate_cap(data)
        for resource in root.iter(f"{CAP}resource"):
            uri = _text(resource, "cap:uri")
            photo = (built_examples.out / uri.split("/", 3)[3]).read_bytes()
            assert int(_text(resource, "cap:size")) == len(photo)
            assert _text(resource, "cap:digest") == hashlib.sha1(photo).hexdigest()
            assert _text(resource, "cap:mimeType") == "image/jpeg"


def test_index_feed_links_every_current_message(built_examples: SiteDir) -> None:
    raw = (built_examples.out / "cap" / "feed.atom").read_bytes()
    assert len(raw) < 900_000
    feed = etree.fromstring(raw)
    links = [e for e in feed.iter(f"{ATOM}link") if e.get("type") == "application/cap+xml"]
    # The front page of the public tree, less Milan (found when first seen: no message).
    assert len(links) == len(feed.findall(f"{ATOM}entry")) == 4
    for link in links:
        assert_link_resolves(built_examples, link.get("href"))
        validate_cap((built_examples.out / link.get("href").split("/", 3)[3]).read_bytes())


def test_lifecycle_alert_update_found(site: SiteDir) -> None:
    site.photo("anna.jpg")
    docs = lifecycle_docs()
    site.write("anna.json", docs["alert"])
    site.build()
    first = _only_message(site)
    assert _text(first, "cap:msgType") == "Alert"
    assert _text(first, "cap:references") is None
    first_ref = ",".join(_text(first, f"cap:{k}") for k in ("sender", "identifier", "sent"))

    site.write("anna.json", docs["update"])
    site.build(now=later(1))
    files = cap_files(site)
    assert len(files) == 2  # the previous message lingers while the alert is live
    update = max((validate_cap(b) for b in files.values()),
                 key=lambda r: _text(r, "cap:sent"))
    assert _text(update, "cap:msgType") == "Update"
    assert _text(update, "cap:references") == first_ref
    assert _text(update, "cap:identifier") != _text(first, "cap:identifier")
    assert _text(update, "cap:sent") == "2026-11-29T14:20:00+01:00"
    assert _text(update, "cap:info/cap:area/cap:circle") == "52.09000,5.12000 10"

    site.write("anna.json", docs["found"])
    site.build(now=later(2))
    found = _only_message(site)  # earlier messages held personal data: deleted
    assert _text(found, "cap:msgType") == "Cancel"  # sign systems clear only on a Cancel
    for info in found.iterfind(f"{CAP}info"):  # which still reads as over, not an alarm
        assert _text(info, "cap:responseType") == "AllClear"
        assert (_text(info, "cap:urgency"), _text(info, "cap:certainty")) == ("Past", "Observed")
        assert _text(info, "cap:event") in ("Kind gevonden", "Child found")
        assert info.find(f"{CAP}area/{CAP}circle") is None
        assert info.find(f"{CAP}area/{CAP}polygon") is not None
    assert first_ref in (_text(found, "cap:references") or "")
    assert len((_text(found, "cap:references") or "").split()) == 2
    assert found.find(f"{CAP}info/{CAP}resource") is None
    data = next(iter(cap_files(site).values()))
    for secret in PERSONAL:
        assert secret not in data


def test_withdrawn_by_deleting_the_file_is_a_cancel(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.build()
    (site.alerts / "anna.json").unlink()
    site.build(now=later(5))
    cancel = _only_message(site)
    assert _text(cancel, "cap:msgType") == "Cancel"
    assert _text(cancel, "cap:references")
    assert "Ingetrokken" in (_text(cancel, "cap:note") or "")
    api = json.loads(site.read("api/alerts.json"))
    assert api["alerts"] == []


def test_status_cancelled_is_a_cancel(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.build()
    site.write("anna.json", lifecycle_docs()["cancelled"])
    site.build(now=later(5))
    cancel = _only_message(site)
    assert _text(cancel, "cap:msgType") == "Cancel"
    assert _text(cancel, "cap:info/cap:urgency") == "Past"


def test_expired_is_a_cancel_without_withdrawn_wording(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", lifecycle_docs()["expiring"])
    site.build()
    active = _only_message(site)  # the alert's own expiry, before expires_hours
    assert _text(active, "cap:info/cap:expires") == "2026-11-29T16:00:00+01:00"
    site.build(now=later(60))
    expired = _only_message(site)
    assert _text(expired, "cap:msgType") == "Cancel"
    assert "Verlopen" in (_text(expired, "cap:note") or "")
    assert "ingetrokken" not in etree.tostring(expired, encoding="unicode").lower()


def test_exercise_messages_live_only_under_exercise(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc(exercise=True))
    site.build()
    assert cap_files(site) == {}
    drill = _only_message(site, "exercise/")
    assert _text(drill, "cap:status") == "Exercise"
    assert "OEFENING" in (_text(drill, "cap:info/cap:headline") or "")
    assert "/exercise/" in (_text(drill, "cap:info/cap:web") or "")


def test_sent_has_an_offset_even_in_utc(site: SiteDir) -> None:
    site.settings_text('timezone = "UTC"\n[cap]\nsender = "meldkamer oost, <test> & co"\n')
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.build()
    message = _only_message(site)
    assert _text(message, "cap:sent") == "2026-11-29T13:05:00+00:00"
    for field in ("sender", "identifier"):
        assert not set(_text(message, f"cap:{field}")) & set(" ,<&")


def test_hardest_name_keeps_the_headline_short(site: SiteDir) -> None:
    name = "Maximiliaan-Alexander Johannes Christiaan van Oldenbarnevelt tot Zuylen"[:80]
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc(child_name=name, last_seen_place="Utrecht, " + "x" * 120))
    site.build()
    message = _only_message(site)
    assert len(_text(message, "cap:info/cap:headline")) <= 160


def test_expires_is_expires_hours_after_sent(site: SiteDir) -> None:
    site.settings_text("[cap]\nexpires_hours = 1.5\n")
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.build()
    message = _only_message(site)
    for info in message.iterfind(f"{CAP}info"):
        assert _text(info, "cap:expires") == "2026-11-29T15:35:00+01:00"  # sent 14:05


def test_bad_cap_settings_are_one_clear_error(site: SiteDir) -> None:
    from render.config import load_settings
    from render.errors import ConfigError

    for text, words in (("[cap]\nexpires_hours = 0\n", "cap.expires_hours: must be more"),
                        ("[cap]\nexpires_hours = 0.005\n", "must be at least 0.01"),
                        ("[cap]\narea_radius_km = \"5\"\n", "cap.area_radius_km"),
                        ("[cap]\nexpire_hours = 3\n", "expire_hours")):
        site.settings_text(text)
        try:
            load_settings(site.root)
        except ConfigError as exc:
            assert words in str(exc) and "\n" not in str(exc), str(exc)
        else:
            raise AssertionError(f"accepted: {text!r}")


def test_an_alert_first_seen_ended_gets_no_cap_message(site: SiteDir) -> None:
    """There is nothing to cancel: no sign ever showed it."""
    site.photo("anna.jpg")
    site.write("anna.json", lifecycle_docs()["found"])
    assert site.build().ok
    assert cap_files(site) == {}
    index = etree.fromstring(site.read("cap/feed.atom").encode())
    assert index.findall(f"{ATOM}entry") == []
    assert "Anna" in site.read("index.html")  # the found notice is on the front page


def test_every_ending_is_a_cancel_that_says_how(site: SiteDir) -> None:
    docs = lifecycle_docs()
    site.photo("anna.jpg")
    endings = {"found": docs["found"], "cancelled": docs["cancelled"]}
    events = {"found": ("Kind gevonden", "Child found"),
              "cancelled": ("Melding ingetrokken", "Alert withdrawn")}
    for name in endings:
        site.write(f"{name}.json", alert_doc(id=f"2026-test-{name}"))
    site.build()
    for name, doc in endings.items():
        site.write(f"{name}.json", {**doc, "id": f"2026-test-{name}"})
    site.build(now=later(40))
    for name in endings:
        (message,) = [validate_cap(b) for p, b in cap_files(site).items() if name in p]
        assert _text(message, "cap:msgType") == "Cancel"
        assert tuple(_text(i, "cap:event") for i in message.iterfind(f"{CAP}info")) \
            == events[name]
        read = iris_read(etree.tostring(message))  # what clears the signs
        assert read and all(d.msg_type == "Cancel" and d.references for d in read)


def test_latest_is_the_most_urgent_current_message_then_the_last_cancel(site: SiteDir) -> None:
    """cap/latest.xml, for consumers that read one CAP URL (Xibo, Screenly), through a
    lifecycle with two alerts at once: KIND ALARM before VERMIST KIND, the newer first within
    a level; once none is active, the Cancel that ended the last one, so screens clear."""
    docs = lifecycle_docs()
    site.photo("anna.jpg")
    assert site.build().ok
    assert not (site.out / "cap/latest.xml").exists()  # nothing was ever published

    def latest() -> etree._Element:
        data = (site.out / "cap/latest.xml").read_bytes()
        assert iris_read(data), "read as an Actual, Public message"
        assert len(xibo_read(data).items) == 2, "an item per language (one area each)"
        for language in ("nl", "en"):  # Screenly: the info of its language setting
            assert [c.language for c in screenly_read(data, language)] == [language]
        return validate_cap(data)

    bo = alert_doc(id="2026-test-bo", level="vermist-kind", issued="2026-11-29T14:10:00+01:00")
    site.write("bo.json", bo)
    site.build()
    assert _text(latest(), "cap:identifier").endswith(
        _text(_message_of(site, "2026-test-bo"), "cap:identifier")[-12:])
    site.write("anna.json", docs["alert"])  # KIND ALARM, older than Bo: still first
    site.build(now=later(1))
    assert "2026-test-anna" in _text(latest(), "cap:identifier")
    assert _text(latest(), "cap:info/cap:language") == "nl"  # Dutch info first
    site.write("anna.json", docs["update"])
    site.build(now=later(2))
    assert _text(latest(), "cap:msgType") == "Update"
    assert "2026-test-anna" in _text(latest(), "cap:identifier")
    site.write("anna.json", docs["found"])
    site.build(now=later(3))
    assert "2026-test-bo" in _text(latest(), "cap:identifier")  # the one still active
    (site.alerts / "bo.json").unlink()
    site.build(now=later(4))
    cancel = latest()
    assert _text(cancel, "cap:msgType") == "Cancel"
    assert "2026-test-bo" in _text(cancel, "cap:identifier")  # the last one to end
    assert cancel.find(f"{CAP}info/{CAP}resource") is None
    assert (site.out / "cap/latest.xml").read_bytes() == cap_files(site)[
        next(p for p in cap_files(site) if "2026-test-bo" in p)]
    # Screens clear: Xibo's items and Screenly's card say the alert was withdrawn.
    ended = (site.out / "cap/latest.xml").read_bytes()
    assert [i.event for i in xibo_read(ended).items] == ["Melding ingetrokken",
                                                          "Alert withdrawn"]
    (card,) = screenly_read(ended)
    assert (card.title, card.badge, card.images) == ("Alert withdrawn", "Past Minor Observed",
                                                      ())
