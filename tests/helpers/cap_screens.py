"""CAP read as the signage players that poll one CAP URL (`cap/latest.xml`) read it.

`xibo_read` follows Xibo's CMS (xibosignage/xibo-cms, `lib/Connector/CapConnector.php`, read
at 7275f1d, 2026-08), which feeds the Emergency Alert widget (`modules/emergency-alert.xml`):
`onDataRequest` fetches the one URL of the widget's `emergencyAlertUri`, loads it with PHP's
DOMDocument and `processCapData` reads it by `getElementsByTagName`, which matches an
element's qualified name, so `cap:info` is not `info`. The first `status`, `msgType` and
`scope` of the document must pass the widget's filters; then every `info` whose `category`,
`responseType`, `urgency`, `severity` and `certainty` pass the filters gives one item per
`area` (or one item if it has none) with the fields of the `emergency-alert` data type
(`modules/datatypes/emergency-alert.xml`); a resource is never read. With "Area-Specific
Alert Delivery" on, an area with a circle or polygon gives its item only to a display inside
it: `getAreaCoordinates` takes the area's circle if it has one, else its first polygon, and
`isWithinArea` reads the circle's radius (CAP: kilometres) as phpgeo's `hasSameLocation`
distance, in metres. The schedule criterion `emergency_alert_status` is `actual_alerts` for
any document whose first `status` is Actual (a Cancel included), `no_alerts` only when the
fetched body is empty, `test_alerts` otherwise.

`screenly_read` follows Screenly's CAP Alerting app (Screenly/cap-alerting-app at 9763983,
2026-06; the same code as `edge-apps/cap-alerting` in Screenly/Playground): `parseCap` in
`src/parser.ts` runs fast-xml-parser (tag names kept with their prefix, numbers parsed) and
takes the `alert` at the document's root; `renderAlerts` in `src/main.ts` shows each alert as
a card built from the `info` whose `language` equals the app's `language` setting (default
`en`) literally, else the first `info`: a status banner keyed on `status` alone ("ACTUAL
EMERGENCY" for Actual), the `event` as title (the identifier without one), a badge
"urgency severity certainty", the headline, description and instruction (keywords such as
CALL and NOW highlighted by `highlightKeywords` in `src/render.ts`), and an image per
`resource` whose `mimeType` starts with `image` and whose `uri` is an absolute http(s) URL.
On a failed fetch it shows the last document it fetched (`src/fetcher.ts`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from tests.helpers.cap_readers import qualified_name

# The filters of the Emergency Alert widget; an empty value is its default, "Any".
XIBO_FILTERS = ("status", "msgType", "scope", "category", "responseType", "urgency",
                "severity", "certainty")
EARTH_RADIUS_M = 6_371_008.8  # phpgeo's Haversine: the WGS 84 arithmetic mean radius


class XiboError(Exception):
    """What makes Xibo's widget show "Unable to get Common Alerting Protocol (CAP) results"."""


@dataclass(frozen=True)
class XiboItem:
    """One data item of the widget: the fields of the `emergency-alert` data type."""

    source: str
    note: str
    event: str
    urgency: str
    severity: str
    certainty: str
    dateTimeEffective: str  # Xibo's field names
    dateTimeOnset: str
    dateTimeExpires: str
    senderName: str
    headline: str
    description: str
    instruction: str
    contact: str
    areaDesc: str = ""


@dataclass
class XiboRead:
    items: list[XiboItem] = field(default_factory=list)
    status: str = "no_alerts"  # the `emergency_alert_status` schedule criterion
    category: str = ""


def _named(root: etree._Element, name: str) -> list[etree._Element]:
    """DOM's getElementsByTagName: descendants by qualified name, in document order."""
    return [e for e in root.iter() if isinstance(e.tag, str) and e is not root
            and qualified_name(e) == name]


def _first(root: etree._Element, name: str) -> str:
    found = _named(root, name)
    return "".join(found[0].itertext()) if found else ""  # DOM's nodeValue... of the text


def xibo_read(document: bytes, filters: Mapping[str, str] | None = None,
              display: tuple[float, float] | None = None) -> XiboRead:
    """What Xibo's CAP connector makes of one fetched document: the widget's items and its
    schedule criteria. `display` (latitude, longitude) turns on area-specific delivery."""
    wanted = {name: "" for name in XIBO_FILTERS} | dict(filters or {})
    if not document:
        return XiboRead()
    try:
        doc = etree.fromstring(document)
    except etree.XMLSyntaxError as exc:
        raise XiboError(str(exc)) from exc
    holder = etree.Element("document")  # getElementsByTagName on the document sees the root
    holder.append(doc)
    read = XiboRead(status="actual_alerts" if _first(holder, "status") == "Actual"
                    else "test_alerts", category=_first(holder, "category"))

    def passes(element: etree._Element, *names: str) -> bool:
        return all(not wanted[n] or wanted[n] == _first(element, n) for n in names)

    if not passes(holder, "status", "msgType", "scope"):
        return read
    cap = {"source": _first(holder, "source"), "note": _first(holder, "note")}
    for info in _named(holder, "info"):
        if not passes(info, "category", "responseType", "urgency", "severity", "certainty"):
            continue
        values = {key: _first(info, key) for key in (
            "event", "urgency", "severity", "certainty", "senderName", "headline",
            "description", "instruction", "contact")}
        values |= {"dateTimeEffective": _first(info, "effective"),
                   "dateTimeOnset": _first(info, "onset"),
                   "dateTimeExpires": _first(info, "expires")}
        areas = _named(info, "area")
        if not areas:
            read.items.append(XiboItem(**cap, **values))
        for area in areas:
            item = XiboItem(**cap, **values, areaDesc=_first(area, "areaDesc"))
            shaped = _first(area, "circle") or _first(area, "polygon")
            if display is None or not shaped or _xibo_within(area, display):
                read.items.append(item)
    return read


def _xibo_within(area: etree._Element, display: tuple[float, float]) -> bool:
    lat, lon = display
    circle = _first(area, "circle")
    if circle:
        centre, radius = circle.split(" ")[:2]
        c_lat, c_lon = (math.radians(float(v)) for v in centre.split(",")[:2])
        d_lat, d_lon = c_lat - math.radians(lat), c_lon - math.radians(lon)
        a = (math.sin(d_lat / 2) ** 2
             + math.cos(c_lat) * math.cos(math.radians(lat)) * math.sin(d_lon / 2) ** 2)
        return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)) <= float(radius)  # metres
    points = [tuple(float(v) for v in p.split(",")[:2])
              for p in _first(area, "polygon").split(" ")]
    inside = False  # phpgeo's Polygon::contains, PNPOLY over longitude
    for (lat1, lon1), (lat2, lon2) in zip(points, points[-1:] + points[:-1], strict=True):
        if (lon1 > lon) != (lon2 > lon) and \
                lat < (lat2 - lat1) * (lon - lon1) / (lon2 - lon1) + lat1:
            inside = not inside
    return inside


# --- Screenly ---------------------------------------------------------------------------------

SCREENLY_BANNERS = {"Exercise": "EXERCISE - THIS IS A DRILL",
                    "Test": "TEST - NOT A REAL EMERGENCY", "System": "SYSTEM TEST",
                    "Draft": "DRAFT - NOT ACTIVE", "Actual": "ACTUAL EMERGENCY"}
SCREENLY_KEYWORDS = ("DO NOT", "DON'T", "IMMEDIATELY", "IMMEDIATE", "NOW", "MOVE TO",
                     "EVACUATE", "CALL", "WARNING", "DANGER", "SHELTER", "TAKE COVER", "AVOID",
                     "STAY", "SEEK", "TURN AROUND", "GET TO", "LEAVE")
# strnum, as fast-xml-parser calls it: decimal, hex and e-notation, leading zeros allowed.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+")


@dataclass(frozen=True)
class ScreenlyCard:
    """What one alert card shows."""

    banner: str | None
    title: str
    badge: str
    headline: str | None
    description: str | None
    instruction: str | None
    highlighted: tuple[str, ...]  # instruction words shown in bold red
    images: tuple[str, ...]
    language: str  # of the info shown


def _string(element: etree._Element, name: str) -> str | None:
    """getStringOrUndefined of a parsed child: trimmed text, not a number, not a branch."""
    found = [c for c in element if isinstance(c.tag, str) and qualified_name(c) == name]
    if len(found) != 1 or len(found[0]):
        return None  # absent, repeated (an array) or an object
    value = (found[0].text or "").strip()
    return None if _NUMBER.fullmatch(value) or not value else value


def screenly_read(document: bytes, language: str = "en") -> list[ScreenlyCard]:
    """The cards Screenly's CAP app shows for one fetched document, with its `language`."""
    root = etree.fromstring(document)
    if qualified_name(root) != "alert":
        return []  # json.alert is undefined: nothing to show
    infos = [c for c in root if isinstance(c.tag, str) and qualified_name(c) == "info"]
    info = next((i for i in infos if (_string(i, "language") or "") == language),
                infos[0] if infos else None)
    if info is None:
        return []
    status = _string(root, "status")
    instruction = _string(info, "instruction")
    images = []
    for res in (c for c in info if isinstance(c.tag, str) and qualified_name(c) == "resource"):
        url = _string(res, "uri") or _string(res, "resourceDesc") or ""
        if (_string(res, "mimeType") or "").startswith("image") and \
                re.match(r"https?://", url, re.IGNORECASE):
            images.append(url)
    highlighted = tuple(k for k in SCREENLY_KEYWORDS if instruction and re.search(
        rf"\b{re.escape(k)}\b", instruction, re.IGNORECASE))
    badge = " ".join(_string(info, k) or "" for k in ("urgency", "severity", "certainty"))
    return [ScreenlyCard(
        SCREENLY_BANNERS.get(status, status.upper()) if status else None,
        _string(info, "event") or _string(root, "identifier") or "", badge.strip(),
        _string(info, "headline"), _string(info, "description"), instruction, highlighted,
        tuple(images), _string(info, "language") or "")]
