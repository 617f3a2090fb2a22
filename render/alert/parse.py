"""`parse_alert`: a parsed alert document (TOML or JSON) to a validated `Alert`, or to every
problem of it at once: its sections (child, last seen, vehicles, suspects, contact) and what
must hold between fields."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import LEVELS, REGIONS
from .fields import MAX_TEXT, FieldChecker
from .model import Alert, Child, LastSeen, PhotoFile, Suspect, Vehicle
from .problems import Problem, shown

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 -]{1,23}$")
MAX_NAME = 80
MAX_PLATE = 20
STATUSES = ("active", "found", "cancelled")
GENDERS = ("female", "male", "unknown")

PhotoResolver = Callable[[str, list[Problem]], PhotoFile | None]


TOP_FIELDS = ("id", "level", "status", "exercise", "issued", "updated", "expires", "regions",
              "description", "found_message", "child", "last_seen", "vehicles", "suspects",
              "contact")
CHILD_FIELDS = ("name", "age", "gender", "height_cm", "build", "hair", "eyes", "clothing",
                "features", "photo", "photo_alt", "photo_focus")
LAST_SEEN_FIELDS = ("time", "place", "latitude", "longitude")


def parse_alert(raw: Any, source: Path, resolve_photo: PhotoResolver
                ) -> tuple[Alert | None, list[Problem], str | None]:
    """Validate a parsed alert document. Returns (alert or None, problems, id if readable)."""
    c = FieldChecker()
    doc = c.table(raw, "", TOP_FIELDS, ("id", "level", "status", "issued", "child", "last_seen"))
    alert_id = None
    if "id" in doc:
        if isinstance(doc["id"], str) and ID_PATTERN.match(doc["id"]):
            alert_id = doc["id"]
        else:
            c.add("id", "must be 3 to 64 lower-case letters, digits or dashes, starting with a "
                        f"letter or digit (like 2026-utrecht-1), not {shown(doc['id'])}")
    level = c.choice(doc["level"], "level", LEVELS) if "level" in doc else None
    status = c.choice(doc["status"], "status", STATUSES) if "status" in doc else None
    exercise = c.boolean(doc["exercise"], "exercise") if "exercise" in doc else False
    issued = c.moment(doc["issued"], "issued") if "issued" in doc else None
    updated = c.moment(doc["updated"], "updated") if "updated" in doc else issued
    expires = c.moment(doc["expires"], "expires") if "expires" in doc else None
    if issued and updated and updated < issued:
        c.add("updated", "is earlier than issued")
    if issued and expires and expires <= issued:
        c.add("expires", "is not later than issued")
    regions: tuple[str, ...] = ("Nederland",)
    if "regions" in doc:
        listed = c.items(doc["regions"], "regions")
        for i, region in enumerate(listed):
            if region not in REGIONS:
                hint = difflib.get_close_matches(str(region), REGIONS, n=1)
                also = f"; did you mean '{hint[0]}'?" if hint else ""
                c.add(f"regions[{i}]", f"{shown(region)} is not a Dutch province or "
                                       f"'Nederland'{also}")
        if not listed and isinstance(doc["regions"], list):
            c.add("regions", "is empty; leave it out to mean all of Nederland")
        regions = tuple(dict.fromkeys(r for r in listed if isinstance(r, str)))
    description = c.text(doc["description"], "description") if "description" in doc else None
    found_message = (c.text(doc["found_message"], "found_message")
                     if "found_message" in doc else None)

    child = _parse_child(c, doc.get("child"), level, resolve_photo) if "child" in doc else None
    last_seen = _parse_last_seen(c, doc["last_seen"]) if "last_seen" in doc else None

    vehicles: list[Vehicle] = []
    for i, item in enumerate(c.items(doc.get("vehicles", []), "vehicles")):
        where = f"vehicles[{i}]"
        v = c.table(item, where, ("description", "plate"), ("description",))
        desc = c.text(v["description"], f"{where}.description") if "description" in v else None
        plate = c.string(v["plate"], f"{where}.plate", MAX_PLATE) if "plate" in v else None
        if desc:
            vehicles.append(Vehicle(desc, plate))
    suspects: list[Suspect] = []
    for i, item in enumerate(c.items(doc.get("suspects", []), "suspects")):
        where = f"suspects[{i}]"
        s = c.table(item, where, ("description",), ("description",))
        desc = c.text(s["description"], f"{where}.description") if "description" in s else None
        if desc:
            suspects.append(Suspect(desc))
    phone = tipline = None
    if "contact" in doc:
        contact = c.table(doc["contact"], "contact", ("phone", "tipline"), ())
        for key in ("phone", "tipline"):
            if key in contact:
                value = c.string(contact[key], f"contact.{key}", 24)
                if value and not PHONE_PATTERN.match(value):
                    c.add(f"contact.{key}", f"{shown(value)} is not a phone number like "
                                            "0800-6070 or +31 900 8844")
                elif key == "phone":
                    phone = value
                else:
                    tipline = value

    if c.problems:
        return None, c.problems, alert_id
    assert alert_id and level and status and issued and updated and child and last_seen
    alert = Alert(
        id=alert_id, level=level, status=status, exercise=bool(exercise), issued=issued,
        updated=updated, expires=expires, regions=regions, description=description,
        found_message=found_message, child=child, last_seen=last_seen,
        vehicles=tuple(vehicles), suspects=tuple(suspects), phone=phone, tipline=tipline,
        source=source,
    )
    return alert, [], alert_id


def _parse_child(c: FieldChecker, raw: Any, level: str | None, resolve_photo: PhotoResolver
                 ) -> Child | None:
    required = ("name", "age") + (("photo",) if level == "kind-alarm" else ())
    doc = c.table(raw, "child", CHILD_FIELDS, required)
    if "photo" not in doc and level == "kind-alarm":
        c.problems[-1] = Problem("child.photo", "is required for a kind-alarm: name the photo "
                                                "file, like photo = \"photos/name.jpg\"")
    before = len(c.problems)
    name = c.string(doc["name"], "child.name", MAX_NAME) if "name" in doc else None
    age = c.integer(doc["age"], "child.age", 0, 17) if "age" in doc else None
    gender = c.choice(doc["gender"], "child.gender", GENDERS) if "gender" in doc else None
    height = c.integer(doc["height_cm"], "child.height_cm", 30, 230) if "height_cm" in doc else None
    texts = {key: c.text(doc[key], f"child.{key}") if key in doc else None
             for key in ("build", "hair", "eyes", "clothing", "features", "photo_alt")}
    focus = None
    if "photo_focus" in doc:
        pair = doc["photo_focus"]
        if not isinstance(pair, list) or len(pair) != 2:
            c.add("child.photo_focus", "must be two numbers from 0 to 1, like [0.5, 0.3]")
        else:
            x = c.number(pair[0], "child.photo_focus[0]", 0, 1)
            y = c.number(pair[1], "child.photo_focus[1]", 0, 1)
            if x is not None and y is not None:
                focus = (x, y)
    photo = None
    if "photo" in doc:
        if isinstance(doc["photo"], str) and doc["photo"]:
            # A control character (a NUL above all) is no file name: refused as text first.
            relative = c.string(doc["photo"], "child.photo", MAX_TEXT)
            photo = resolve_photo(relative, c.problems) if relative else None
        else:
            c.add("child.photo", f"must be a file name in quotes, not {shown(doc['photo'])}")
    if len(c.problems) > before or name is None or age is None:
        return None
    return Child(name=name, age=age, gender=gender, height_cm=height, photo=photo,
                 photo_focus=focus, **texts)


def _parse_last_seen(c: FieldChecker, raw: Any) -> LastSeen | None:
    doc = c.table(raw, "last_seen", LAST_SEEN_FIELDS, ("time", "place"))
    time = c.moment(doc["time"], "last_seen.time") if "time" in doc else None
    place = c.text(doc["place"], "last_seen.place", multiline=False) if "place" in doc else None
    lat = c.number(doc["latitude"], "last_seen.latitude", -90, 90) if "latitude" in doc else None
    lon = (c.number(doc["longitude"], "last_seen.longitude", -180, 180)
           if "longitude" in doc else None)
    if ("latitude" in doc) != ("longitude" in doc):
        c.add("last_seen", "give both latitude and longitude, or neither")
    if time is None or place is None:
        return None
    return LastSeen(time=time, place=place, latitude=lat, longitude=lon)
