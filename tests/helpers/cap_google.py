"""Google's CAP validator as a checker: the rules of google/cap-library (java, read at 67dcf20,
2019-09) that apply to a CAP 1.2 message, each problem named by the reason the library gives.

- `CapXmlParser` with the library's `schema/cap12_extended.xsd`: identifier and sender
  without spaces, commas, `<` or `&`; `sent`, `effective`, `onset` and `expires` as
  `YYYY-MM-DDThh:mm:ss` with an offset (never `Z`, never fractions); `references` as
  `sender,identifier,sent` triplets; a circle as "lat,lon radius"; a polygon of at least 4
  points (`toPolygonWithErrors`).
- `CapValidator.validateAlert`: `restriction` only with scope Restricted; no reference to
  itself or sent after the message (`validateReferences`, the latter a warning); languages
  as RFC 3066; no human-readable text (`event`, `headline`, `description`, `instruction`)
  repeated under another language (`validateHumanReadableContent`, a warning); polygons
  closed and not crossing themselves (`validatePolygon`, `getIntersectionDescription`);
  altitude and ceiling in order; a resource's `mimeType` of a known top-level type, an
  absolute `uri` (or a `derefUri`), `derefUri` in base64; `web` absolute; no HTML tags or
  entities in any text (`validateStringField`, warnings).
- `profile/GoogleProfile.checkForErrors`: an Update or Cancel references; at least one
  `info`; every `info` with the same categories and the same eventCodes, a `description`,
  `web`, `expires`, urgency, severity and certainty, `effective` (or `sent`) not after
  `expires`, and `area`s that each have a circle, polygon or geocode.

Warnings count as problems here: Google Public Alerts shows them to the publisher, and we
mean to have none. Added from CAP 1.2 section 3.2.3 (not checked by the library): a
`resource` has `resourceDesc`, `mimeType`, `size` and a SHA-1 `digest`. Recommendations
(headline under 140 characters, a contact, ...) are not problems."""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from tests.helpers.cap_readers import CAP

_NAME = r"[^\s,&<]+"
_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d"
PATTERNS = {
    "identifier": re.compile(_NAME), "sender": re.compile(_NAME),
    "sent": re.compile(_TIME), "effective": re.compile(_TIME), "onset": re.compile(_TIME),
    "expires": re.compile(_TIME),
    "references": re.compile(rf"\s*{_NAME},{_NAME},{_TIME}(\s+{_NAME},{_NAME},{_TIME})*\s*"),
    "circle": re.compile(r"\s*[+-]?\d{0,2}[.]?\d*,[+-]?\d{0,3}[.]?\d*\s[+]?\d*[.]?\d*\s*"),
}
RFC_3066 = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
MEDIA_TYPES = {"application", "audio", "image", "message", "model", "multipart", "text",
               "video"}
HUMAN_READABLE = ("description", "headline", "instruction", "event")
_HTML_TAG = re.compile(r"<([^\s>]+)(.*?)>")
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_BASE64 = re.compile(r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)?")

Point = tuple[float, float]


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    return parent.findall(CAP + name)


def _value(parent: etree._Element, name: str) -> str:
    found = parent.find(CAP + name)
    return (found.text or "").strip() if found is not None else ""


def _absolute(uri: str) -> bool:
    parts = urlsplit(uri)
    return bool(parts.scheme) and not re.search(r"\s", uri)


def _when(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def google_problems(document: bytes) -> list[str]:
    """Every error and warning Google's validator gives for one CAP 1.2 message; none if
    Google Public Alerts takes it as it is."""
    alert = etree.fromstring(document)
    if alert.tag != f"{CAP}alert":
        return [f"NotCapException: the root is {alert.tag}"]
    problems = list(_parser_problems(alert))
    problems += _reference_problems(alert)
    seen: dict[tuple[str, str], str] = {}  # (field, text) -> the language it was first in
    for n, info in enumerate(_children(alert, "info"), 1):
        problems += [f"info[{n}]: {p}" for p in _info_problems(info, seen)]
    problems += _profile_problems(alert)
    for element in alert.iter(etree.Element):  # every text, as validateAllStringFields
        if len(element):
            continue
        text, name = element.text or "", etree.QName(element).localname
        if any(e.group(1).startswith("#") or e.group(1) + ";" in html.entities.html5
               for e in _ENTITY.finditer(text)):
            problems.append(f"TEXT_CONTAINS_HTML_ENTITIES: <{name}>")
        if _HTML_TAG.search(text):
            problems.append(f"TEXT_CONTAINS_HTML_TAGS: <{name}>")
    return problems


def _parser_problems(alert: etree._Element) -> Iterator[str]:
    for element in alert.iter(*(CAP + name for name in PATTERNS)):
        name = etree.QName(element).localname
        if not PATTERNS[name].fullmatch(element.text or ""):
            reason = {"identifier": "INVALID_IDENTIFIER", "sender": "INVALID_SENDER",
                      "references": "INVALID_REFERENCES", "circle": "INVALID_CIRCLE"}
            yield f"{reason.get(name, 'INVALID_DATE')}: <{name}> {element.text!r}"
    for polygon in alert.iter(CAP + "polygon"):
        points = polygon_points(polygon.text or "")
        if points is None or len(points) < 4:
            yield f"INVALID_POLYGON: {polygon.text!r}"
        elif points[0] != points[-1]:
            yield f"INVALID_POLYGON: not closed, {polygon.text!r}"
        elif (crossing := self_intersection(points)) is not None:
            yield f"INVALID_POLYGON_SELF_INTERSECTION: {crossing}"


def polygon_points(text: str) -> list[Point] | None:
    try:
        return [(float(lat), float(lon)) for lat, lon in (p.split(",") for p in text.split())]
    except ValueError:
        return None


def self_intersection(points: list[Point]) -> str | None:
    """`getIntersectionDescription`: two edges that meet other than where consecutive edges
    join (touching counts, as with Line2D.intersectsLine); duplicated points are skipped."""
    start = 0
    while start < len(points) - 1 and points[start] == points[start + 1]:
        start += 1
    last = len(points) - 1
    while last > 0 and points[last] == points[last - 1]:
        last -= 1
    for i in range(start, last - 1):
        for j in range(i + 2, last):
            if i == start and j == last - 1:
                continue
            p0, p1, p2, p3 = points[i], points[i + 1], points[j], points[j + 1]
            if p1 == p2 or p0 == p1 or p2 == p3:
                continue
            if _segments_meet(p0, p1, p2, p3):
                return f"{p0} -> {p1} meets {p2} -> {p3}"
    return None


def _segments_meet(a: Point, b: Point, c: Point, d: Point) -> bool:
    def ccw(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def on(p: Point, q: Point, r: Point) -> bool:  # r on the segment p-q, given collinear
        return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and \
            min(p[1], q[1]) <= r[1] <= max(p[1], q[1])

    d1, d2, d3, d4 = ccw(c, d, a), ccw(c, d, b), ccw(a, b, c), ccw(a, b, d)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True
    return any(side == 0 and on(p, q, r) for side, p, q, r in (
        (d1, c, d, a), (d2, c, d, b), (d3, a, b, c), (d4, a, b, d)))


def _reference_problems(alert: etree._Element) -> list[str]:
    problems = []
    if _value(alert, "restriction") and _value(alert, "scope") != "Restricted":
        problems.append("RESTRICTION_SCOPE_MISMATCH")
    sent = _when(_value(alert, "sent"))
    for reference in _value(alert, "references").split():
        parts = reference.split(",", 2)
        if len(parts) > 1 and parts[1] == _value(alert, "identifier"):
            problems.append(f"CIRCULAR_REFERENCE: {reference}")
        referenced = _when(parts[2]) if len(parts) > 2 else None
        if sent and referenced and referenced > sent:
            problems.append(f"POSTDATED_REFERENCE: {reference}")
    return problems


def _info_problems(info: etree._Element, seen: dict[tuple[str, str], str]) -> Iterator[str]:
    language = _value(info, "language")
    if info.find(CAP + "language") is not None:
        if language and not RFC_3066.fullmatch(language):
            yield f"INVALID_LANGUAGE: {language!r}"
        else:
            for name in HUMAN_READABLE:
                if info.find(CAP + name) is None:
                    continue
                first = seen.setdefault((name, _value(info, name)), language)
                if first != language:
                    yield f"SAME_TEXT_DIFFERENT_LANGUAGE: <{name}> as in {first!r}"
    for area in _children(info, "area"):
        altitude, ceiling = _value(area, "altitude"), _value(area, "ceiling")
        if ceiling and not altitude:
            yield "INVALID_AREA: a ceiling without an altitude"
        if altitude and ceiling and float(altitude) > float(ceiling):
            yield "INVALID_ALTITUDE_CEILING_RANGE"
    for resource in _children(info, "resource"):
        yield from _resource_problems(resource)
    web = _value(info, "web")
    if info.find(CAP + "web") is not None and not _absolute(web):
        yield f"INVALID_WEB: {web!r}"


def _resource_problems(resource: etree._Element) -> Iterator[str]:
    mime = _value(resource, "mimeType")
    if "/" not in mime or mime.split("/")[0] not in MEDIA_TYPES:
        yield f"INVALID_MIME_TYPE: {mime!r}"
    uri, deref = _value(resource, "uri"), _value(resource, "derefUri")
    if resource.find(CAP + "uri") is not None and not _absolute(uri) and not deref:
        yield f"RELATIVE_URI_MISSING_DEREF_URI: {uri!r}"
    if deref and not _BASE64.fullmatch(deref):
        yield "INVALID_DEREF_URI"
    # CAP 1.2 section 3.2.3, beyond the library: what a reader needs to trust the file.
    if not _value(resource, "resourceDesc"):
        yield "resource without resourceDesc"
    if not _value(resource, "size").isdigit():
        yield f"resource size {_value(resource, 'size')!r}"
    if not re.fullmatch(r"[0-9a-f]{40}", _value(resource, "digest").lower()):
        yield f"resource digest {_value(resource, 'digest')!r} is not a SHA-1"


def _profile_problems(alert: etree._Element) -> list[str]:
    problems = []
    if _value(alert, "msgType") in ("Update", "Cancel") and not _value(alert, "references"):
        problems.append("UPDATE_OR_CANCEL_MUST_REFERENCE")
    infos = _children(alert, "info")
    if not infos:
        problems.append("INFO_IS_REQUIRED")
    for n, info in enumerate(infos, 1):
        where = f"info[{n}]"
        categories = {c.text for c in _children(info, "category")}
        codes = {(_value(c, "valueName"), _value(c, "value"))
                 for c in _children(info, "eventCode")}
        if categories != {c.text for c in _children(infos[0], "category")}:
            problems.append(f"CATEGORIES_MUST_MATCH: {where}")
        if codes != {(_value(c, "valueName"), _value(c, "value"))
                     for c in _children(infos[0], "eventCode")}:
            problems.append(f"EVENT_CODES_MUST_MATCH: {where}")
        for name in ("description", "web", "expires"):
            if not _value(info, name):
                problems.append(f"{name.upper()}_IS_REQUIRED: {where}")
        effective = _when(_value(info, "effective") or _value(alert, "sent"))
        expires = _when(_value(info, "expires"))
        if effective and expires and effective > expires:
            problems.append(f"EFFECTIVE_NOT_AFTER_EXPIRES: {where}")
        if not _children(info, "area"):
            problems.append(f"AREA_IS_REQUIRED: {where}")
        for name in ("urgency", "severity", "certainty"):
            if info.find(CAP + name) is None:
                problems.append(f"{name.upper()}_IS_REQUIRED: {where}")
        for area in _children(info, "area"):
            if not any(_children(area, k) for k in ("circle", "polygon", "geocode")):
                problems.append(f"CIRCLE_POLYGON_OR_GEOCODE_IS_REQUIRED: {where}")
    return problems

