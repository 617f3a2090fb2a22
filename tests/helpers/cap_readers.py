"""CAP read as the systems that act on it read it, so tests see what they would drop.

`iris_read` follows IRIS (mnit-rtmc/iris): `server/comm/cap/AlertParser` collects every
element whose qualified name is `alert`; `server/CapAlert.process` keeps only status
Actual and scope Public; `server/AlertData` reads each `info`: the event from a SAME
`eventCode` (or the event text), `urgency`, `severity`, `certainty` and `expires` (a missing
one throws, and the whole message is dropped), polygons from `area/polygon` ("lat,lon"
pairs; a circle is not read), and for a Cancel the identifiers in `references`
(`sender,identifier,sent` triplets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from lxml import etree

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
# The Netherlands' bounding box, with a margin: every polygon lies inside it.
NL_BOX = ((50.6, 3.2), (53.7, 7.3))


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
    alerts = [e for e in root.iter() if isinstance(e.tag, str)
              and etree.QName(e).localname == "alert"]
    read = []
    for alert in alerts:
        if _text(alert, "status") != "Actual" or _text(alert, "scope") != "Public":
            continue
        sent = _required(alert, "sent")
        refs = [r.split(",", 2)[1] for r in (_text(alert, "references") or "").split()
                if len(r.split(",", 2)) >= 2]
        for info in alert.iterfind(CAP + "info"):
            codes = [_text(c, "value") for c in info.iterfind(CAP + "eventCode")
                     if _text(c, "valueName") == "SAME"]
            event = codes[0] if codes else (
                "CAE" if _text(info, "event") == "Child Abduction Emergency" else None)
            polygons = [[(float(lat), float(lon)) for lat, lon in
                         (pair.split(",") for pair in (p.text or "").split())]
                        for p in info.iterfind(f"{CAP}area/{CAP}polygon")]
            read.append(IrisAlertData(
                _required(alert, "identifier"), _required(alert, "msgType"), event,
                _required(info, "urgency"), _required(info, "severity"),
                _required(info, "certainty"),
                datetime.fromisoformat(_text(info, "onset") or sent),
                datetime.fromisoformat(_required(info, "expires")), polygons, refs))
    return read


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
