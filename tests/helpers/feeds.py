"""Shared by the feed, CAP and text tests: reading the published XML back like a client."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta
from pathlib import Path

from lxml import etree

from render.config import load_settings
from render.tree import CAP_MESSAGE, CAP_RENEWAL
from tests.helpers.sites import NOW, SiteDir, alert_doc

XSD = Path(__file__).resolve().parents[1] / "data" / "CAP-v1.2-schema.xsd"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
PERSONAL = (b"de Test", b"rode jas", b"red coat", b"Griftpark", b"photo.jpg")


@functools.cache
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def validate_cap(data: bytes) -> etree._Element:
    """Parse a CAP message and check it against the OASIS CAP 1.2 schema."""
    root = etree.fromstring(data)
    schema = cap_schema()
    assert schema.validate(root), schema.error_log
    for element in root.iter(f"{CAP}sent", f"{CAP}onset", f"{CAP}expires"):
        assert CAP_TIME.match(element.text or ""), element.text
    return root


def cap_files(site: SiteDir, tree: str = "") -> dict[str, bytes]:
    """The tree's CAP messages, `cap/ID/VERSION.xml` and renewals `cap/ID/VERSION-K.xml`
    (not `cap/latest.xml`, a copy)."""
    return {p: b for p, b in site.files().items() if p.startswith(tree) and any(
        kind.match(p.removeprefix(tree)) is not None for kind in (CAP_MESSAGE, CAP_RENEWAL))}


def resolve(site: SiteDir, url: str) -> Path | None:
    """The published file an absolute URL of the site names, or None if it is outside."""
    base = load_settings(site.root).base_url
    if not url.startswith(base):
        return None
    path = url[len(base):].split("#")[0]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return site.out / path


def assert_link_resolves(site: SiteDir, url: str) -> None:
    """Every link points inside the tree, at a file that is there. A share image (og.png)
    belongs to the share renderer (issue 5): on a branch without it, its folder must at
    least be this version's share folder (texts.json is published there)."""
    target = resolve(site, url)
    assert target is not None, f"{url} is outside the site"
    if target.name == "og.png" and not any(site.out.rglob("og.png")):
        assert (target.parent / "texts.json").is_file(), url
        return
    assert target.is_file(), url


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def lifecycle_docs() -> dict[str, dict[str, object]]:
    """The versions of one alert through its life, each with its own `updated` time."""
    return {
        "alert": alert_doc(),
        "update": alert_doc(updated="2026-11-29T14:20:00+01:00", child_clothing="blauwe jas",
                            last_seen_latitude=52.09, last_seen_longitude=5.12),
        "found": alert_doc(status="found", updated="2026-11-29T15:00:00+01:00",
                           found_message={"nl": "Anna is terecht.", "en": "Anna is safe."}),
        "cancelled": alert_doc(status="cancelled", updated="2026-11-29T15:00:00+01:00"),
        # NOW is 15:30 in Amsterdam: active at NOW, expired an hour later.
        "expiring": alert_doc(expires="2026-11-29T16:00:00+01:00"),
    }
