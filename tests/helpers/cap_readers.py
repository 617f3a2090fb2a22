"""CAP read as the systems that act on it read it, so tests see what they would drop.

`iris_read` follows IRIS (mnit-rtmc/iris, read at 1c11550, 2026-08): a comm link of protocol
`CAP-IPAWS` parses the polled document with `server/comm/cap/IpawsParser`, whose SAX
`AlertHandler` collects every element whose qualified name is `alert`, wherever it stands;
`server/CapAlert.process` stores each alert (`iris_stores`: ASCII only) and keeps only status
Actual and scope Public; `server/AlertData` reads each `info`: `event` (required) and the
event from it or from an `eventCode` value (`lookupEvent`), `responseType`, `urgency`,
`severity`, `certainty` and `expires` (a missing one throws, and the whole message is
dropped), the first area's `areaDesc` (required), polygons from `area/polygon` ("lat,lon"
pairs split on single spaces; a circle is not read), and for a Cancel the identifiers in
`references` (`sender,identifier,sent` triplets), whose alert infos it clears
(`cancelAlertInfos`).

Xibo and Screenly are in `cap_screens`, Google's validator in `cap_google`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from lxml import etree

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
# The Netherlands' bounding box, with a margin: every polygon lies inside it.
NL_BOX = ((50.6, 3.2), (53.7, 7.3))
# What IRIS's event list (`CapEvent`) makes of our codes: CAE is there; MEP is not, so an
# IRIS alert configuration can match no VERMIST KIND message (`AlertConfigHelper.findMatching`).
IRIS_EVENTS = {"CAE": "Child Abduction Emergency"}


@dataclass
class IrisAlertData:
    identifier: str
    msg_type: str
    event: str | None
    urgency: str
    severity: str
    certainty: str
    start: datetime
    end: datetime
    polygons: list[list[tuple[float, float]]]
    references: list[str] = field(default_factory=list)
    response_type: str = "None"
    area_desc: str | None = None

    @property
    def configurable(self) -> bool:
        """Whether an IRIS alert configuration can select it: only by an event IRIS knows."""
        return self.event in IRIS_EVENTS


def qualified_name(element: etree._Element) -> str:
    """The element's name as written (`cap:alert`, or `alert` unprefixed): what SAX's qName,
    PHP's getElementsByTagName and fast-xml-parser's keys all match on."""
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def _text(element: etree._Element, name: str) -> str | None:
    found = element.find(CAP + name)
    return found.text if found is not None else None


def _required(element: etree._Element, name: str) -> str:
    value = _text(element, name)
    if value is None:
        raise KeyError(f"JSONObject[\"{name}\"] not found.")  # IRIS drops the message
    return value


def iris_read(document: bytes) -> list[IrisAlertData]:
    """The alert data IRIS makes of a document (one per info of each kept alert)."""
    root = etree.fromstring(document)
    alerts = [e for e in root.iter() if isinstance(e.tag, str) and qualified_name(e) == "alert"]
    read = []
    for alert in alerts:
        if _text(alert, "status") != "Actual" or _text(alert, "scope") != "Public":
            continue
        sent = _required(alert, "sent")
        refs = [r.split(",", 2)[1] for r in (_text(alert, "references") or "").split()
                if len(r.split(",", 2)) >= 2]
        for info in alert.iterfind(CAP + "info"):
            read.append(_iris_info(alert, info, sent, refs))
    return read


def _iris_info(alert: etree._Element, info: etree._Element, sent: str, refs: list[str]
               ) -> IrisAlertData:
    text = _required(info, "event")
    by_text = next((c for c, d in IRIS_EVENTS.items() if d.lower() == text.lower()), None)
    # lookupEvent: the first code, whatever its valueName, unless the text named another.
    codes = [_text(c, "value") for c in info.iterfind(CAP + "eventCode")]
    event = next((c for c in codes if by_text is None or c == by_text), by_text)
    responses = [r.text for r in info.iterfind(CAP + "responseType") if r.text != "None"]
    areas = info.findall(CAP + "area")
    polygons = []
    for p in info.iterfind(f"{CAP}area/{CAP}polygon"):
        pairs = [pair.split(",") for pair in (p.text or "").split(" ")]
        if all(len(pair) == 2 for pair in pairs):  # else IRIS logs "invalid polygon!"
            polygons.append([(float(lat), float(lon)) for lat, lon in pairs])
    return IrisAlertData(
        _required(alert, "identifier"), _required(alert, "msgType"), event,
        _required(info, "urgency"), _required(info, "severity"), _required(info, "certainty"),
        datetime.fromisoformat(_text(info, "onset") or _text(info, "effective") or sent),
        datetime.fromisoformat(_required(info, "expires")), polygons, refs,
        responses[0] if responses else "None",
        _required(areas[0], "areaDesc") if areas else None)


def iris_stores(document: bytes) -> bool:
    """Whether IRIS keeps the alerts of a document at all: `CapAlert.storeAlert` stores each
    alert's JSON through `SQLConnection.create`, whose `validateValue` takes only ASCII
    graphic characters, blanks and newlines, so one other character in any text (Zoë)
    drops the whole alert before it is read."""
    root = etree.fromstring(document)
    return all(ch in " \t\n" or "!" <= ch <= "~" for text in root.itertext() for ch in text)


def polygon_problems(points: list[tuple[float, float]]) -> list[str]:
    """What CAP and Google's validator ask of a polygon: closed, at least 4 points, not
    crossing itself; and ours lie in the Netherlands."""
    problems = []
    if len(points) < 4:
        problems.append(f"{len(points)} points, at least 4 needed")
    if points[0] != points[-1]:
        problems.append("not closed")
    (south, west), (north, east) = NL_BOX
    if not all(south <= lat <= north and west <= lon <= east for lat, lon in points):
        problems.append("outside the Netherlands")
    edges = list(pairwise(points))

    def orient(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
               ) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    for i, (a, b) in enumerate(edges):
        for j in range(i + 2, len(edges)):
            if i == 0 and j == len(edges) - 1:
                continue  # the closing edge meets the first at the first point
            c, d = edges[j]
            if orient(c, d, a) * orient(c, d, b) < 0 and orient(a, b, c) * orient(a, b, d) < 0:
                problems.append(f"edges {i} and {j} cross")
    return problems
