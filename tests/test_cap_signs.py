"""CAP as sign systems and signage read it: every message of every state through the IRIS,
Xibo and Screenly readers, the ASCII sign feed, and the region outlines."""

from __future__ import annotations

import re
from itertools import pairwise

from lxml import etree

from tests.helpers.cap_readers import IrisAlertData, iris_read, polygon_problems
from tests.helpers.feeds import (
    CAP,
    PERSONAL,
    cap_files,
    later,
    lifecycle_docs,
    validate_cap,
)
from tests.helpers.sites import SiteDir, alert_doc
from tests.test_cap import _text

ATOM = "{http://www.w3.org/2005/Atom}"


def test_every_message_of_every_state_is_read_by_sign_systems(site: SiteDir) -> None:
    """Every message of a lifecycle (alert, update, found, withdrawn, deleted, expired, a
    VERMIST KIND and a drill), as the OASIS schema and IRIS read it: the SAME event code of
    its level, urgency, severity, certainty and expires in every info, polygons of its
    regions that are closed, at least 4 points, not crossing, inside the Netherlands; the
    languages exactly nl and en, a different event text in each, a Cancel that references
    what it ends."""
    site.settings_text("[cap]\nexpires_hours = 6\narea_radius_km = 4.5\n")
    site.photo("anna.jpg")
    docs = lifecycle_docs()
    seen: dict[str, bytes] = {}

    def publish(step: int) -> None:
        site.build(now=later(step))
        seen.update(cap_files(site) | cap_files(site, "exercise/"))

    site.write("anna.json", docs["alert"])
    bo = alert_doc(id="2026-test-bo", level="vermist-kind", regions=["Nederland", "Zeeland"])
    del bo["child"]["photo"]  # a VERMIST KIND may come without one
    site.write("bo.json", bo)
    site.write("drill.json", alert_doc(id="2026-test-drill", exercise=True))
    site.write("cancel.json", alert_doc(id="2026-test-cancel"))
    site.write("expiring.json", {**docs["expiring"], "id": "2026-test-expiring"})
    publish(0)
    site.write("anna.json", docs["update"])
    site.write("cancel.json", {**docs["cancelled"], "id": "2026-test-cancel"})
    (site.alerts / "bo.json").unlink()
    publish(1)
    site.write("anna.json", docs["found"])
    publish(90)  # the expiring alert has expired too
    assert len(seen) >= 10, sorted(seen)
    kinds = set()
    for path, data in seen.items():
        root = validate_cap(data)
        infos = root.findall(f"{CAP}info")
        assert [_text(i, "cap:language") for i in infos] == ["nl", "en"], path
        assert len({_text(i, "cap:event") for i in infos}) == 2, path
        assert len({_text(i, "cap:category") for i in infos}) == 1, path
        level = "vermist-kind" if "2026-test-bo" in path else "kind-alarm"
        for info in infos:
            for field in ("urgency", "severity", "certainty", "expires", "instruction", "web",
                          "description"):
                assert _text(info, f"cap:{field}"), (path, field)
            assert info.findall(f"{CAP}area/{CAP}polygon"), path
        read = iris_read(data)
        if path.startswith("exercise/"):
            assert read == [], path  # IRIS keeps only Actual messages
            continue
        assert len(read) == 2, path
        for data_read in read:
            assert data_read.event == {"kind-alarm": "CAE", "vermist-kind": "MEP"}[level]
            assert data_read.end > data_read.start or data_read.msg_type == "Cancel", path
            assert data_read.polygons, path
            for points in data_read.polygons:
                assert polygon_problems(points) == [], (path, points)
            if data_read.msg_type != "Alert":
                assert data_read.references, path
        kinds.add(read[0].msg_type)
        circle = _text(root, "cap:info/cap:area/cap:circle")
        active = _text(root, "cap:info/cap:urgency") != "Past"
        if circle is not None:
            assert active and circle.endswith(" 4.5"), path
    assert kinds == {"Alert", "Update", "Cancel"}
    first = next(v for p, v in seen.items() if "2026-test-bo" in p and b"<msgType>Alert" in v)
    assert len(etree.fromstring(first).findall(f"{CAP}info/{CAP}area/{CAP}polygon")) == 4


def test_signs_feed_is_ascii_and_read_whole_by_iris(site: SiteDir) -> None:
    """cap/signs.atom, for sign systems that poll one URL for every alert (IRIS): every
    current message and every ending Cancel until it expires, each `<alert>` whole and
    unprefixed, every text in ASCII ('Zoë' becomes 'Zoe'; IRIS would drop the alert)."""
    site.settings_text("[cap]\nexpires_hours = 2\n")
    site.photo("anna.jpg")
    docs = lifecycle_docs()
    site.write("anna.json", docs["alert"])
    site.write("zoe.json", alert_doc(id="2026-test-zoe", child_name="Zoë Ångström",
                                     last_seen_place="Leeuwarden, Fryslân"))
    site.write("drill.json", alert_doc(id="2026-test-drill", exercise=True))
    assert site.build().ok

    def signs(tree: str = "") -> tuple[bytes, list[IrisAlertData]]:
        data = (site.out / tree / "cap/signs.atom").read_bytes()
        data.decode("ascii")  # pure ASCII, raises otherwise
        assert b"&#" not in data, "no character references either"
        feed = etree.fromstring(data)
        for entry in feed.iterfind(f"{ATOM}entry"):
            content = entry.find(f"{ATOM}content")
            assert content is not None and content.get("type") == "application/cap+xml"
            (alert,) = list(content)
            assert alert.tag == f"{CAP}alert" and alert.prefix is None
            validate_cap(etree.tostring(alert))
        return data, iris_read(data)

    def alert_ids(read: list[IrisAlertData]) -> list[str]:
        return sorted(re.sub(r"-[0-9a-f]+(-[0-9]+)?$", "", d.identifier) for d in read)

    data, read = signs()
    assert alert_ids(read) == ["kindalarm@politie.nl-2026-test-anna"] * 2 + [
        "kindalarm@politie.nl-2026-test-zoe"] * 2
    assert b"Zoe Angstrom" in data and b"Fryslan" in data
    assert len(read) == 4  # two alerts, nl and en each
    drill_data, drill_read = signs("exercise/")
    assert drill_read == [] and b"2026-test-drill" in drill_data  # Exercise: IRIS skips it
    shown = {d.identifier for d in read if "2026-test-anna" in d.identifier}
    site.write("anna.json", docs["found"])
    site.build(now=later(30))
    data, read = signs()
    cancels = [d for d in read if d.msg_type == "Cancel"]
    assert len(cancels) == 2  # it clears the signs that Anna's earlier message put up:
    assert all(shown <= set(d.references) for d in cancels), (shown, cancels)
    (anna,) = [e for e in etree.fromstring(data).iterfind(f"{ATOM}entry")
               if "2026-test-anna" in (e.findtext(f"{ATOM}id") or "")]
    for secret in PERSONAL:  # nothing personal of Anna's is left on any sign
        assert secret not in etree.tostring(anna), secret
    site.build(now=later(30 + 121))  # its Cancel has expired (2 h after it was sent)
    data, read = signs()
    assert alert_ids(read) == ["kindalarm@politie.nl-2026-test-zoe"] * 2, "only Zoe is left"


# Places whose province is not in doubt (latitude, longitude, rounded).
PLACES = {
    "Groningen": [(53.22, 6.57)], "Friesland": [(53.20, 5.80)],
    "Drenthe": [(52.99, 6.56), (52.78, 6.90)], "Overijssel": [(52.51, 6.09), (52.22, 6.89)],
    "Flevoland": [(52.52, 5.47), (52.37, 5.22)],
    "Gelderland": [(51.98, 5.91), (51.84, 5.86), (52.21, 5.97)],
    "Utrecht": [(52.09, 5.12), (52.16, 5.39)],
    "Noord-Holland": [(52.38, 4.64), (52.37, 4.90), (52.96, 4.76)],
    "Zuid-Holland": [(52.08, 4.30), (51.92, 4.48), (52.16, 4.49)],
    "Zeeland": [(51.50, 3.61), (51.33, 3.83)],
    "Noord-Brabant": [(51.69, 5.30), (51.44, 5.48), (51.59, 4.78)],
    "Limburg": [(50.85, 5.69), (51.37, 6.17), (51.25, 5.71)],
}


def test_region_outlines_are_valid_and_cover_their_places() -> None:
    """Every region an alert may name has an outline that is a valid CAP polygon and holds
    the province's capital and large towns; the country's holds them all."""
    from render.config import REGIONS
    from render.outlets.regions import polygon

    def inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
        lat, lon = point
        crossings = 0
        for (lat1, lon1), (lat2, lon2) in pairwise(ring):
            if (lat1 > lat) != (lat2 > lat) and \
                    lon < (lon2 - lon1) * (lat - lat1) / (lat2 - lat1) + lon1:
                crossings += 1
        return crossings % 2 == 1

    def ring(region: str) -> list[tuple[float, float]]:
        return [(float(a), float(b)) for a, b in (p.split(",") for p in polygon(region).split())]

    for region in REGIONS:
        assert polygon_problems(ring(region)) == [], region
    for province, places in PLACES.items():
        for place in places:
            assert inside(place, ring(province)), (province, place)
            assert inside(place, ring("Nederland")), place
    assert ring("Fryslân") == ring("Friesland")
