"""The one place that decides what of an alert is public right now.

`public_view(alert, now, settings)` is the only function that reads an `Alert`; every renderer
gets the `PublicAlert` it returns. While an alert is active the view carries its details; once
it is found, cancelled, expired or its file deleted, the view has `details = None` and only
the first name (found) is left, so no renderer can leak what it was never given.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from .alert.model import Alert, Text
from .config import Settings

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

ACTIVE, FOUND, CANCELLED, EXPIRED = "active", "found", "cancelled", "expired"
ENDED = (FOUND, CANCELLED, EXPIRED)
LEVEL_RANK = {"kind-alarm": 0, "vermist-kind": 1}


@dataclass(frozen=True)
class PublicPhoto:
    """The photo as outlets may use it: its content hash, size and crop focus."""

    sha256: str
    width: int  # as stored, before EXIF orientation
    height: int
    focus: tuple[float, float]  # the point crops keep; centre-top when not given


@dataclass(frozen=True)
class PublicVehicle:
    """A vehicle as shown to the public."""

    description: Text
    plate: str | None


@dataclass(frozen=True)
class PublicDetails:
    """Everything personal. Exists only in the view of an active alert."""

    name: str
    age: int
    gender: str | None
    height_cm: int | None
    build: Text | None
    hair: Text | None
    eyes: Text | None
    clothing: Text | None
    features: Text | None
    photo: PublicPhoto | None
    photo_alt: Text
    last_seen_time: datetime
    last_seen_place: Text
    latitude: float | None
    longitude: float | None
    description: Text | None
    vehicles: tuple[PublicVehicle, ...]
    suspects: tuple[Text, ...]


@dataclass(frozen=True)
class PublicAlert:
    """What of an alert may be shown now: the only view outlets get. `details` is None once
    the alert has ended, so nothing personal can leak."""

    id: str
    level: str
    state: str  # active, found, cancelled or expired
    exercise: bool
    issued: datetime
    updated: datetime  # time of this version: the data's `updated`, or when it ended
    expires: datetime | None
    regions: tuple[str, ...]
    phone: str
    tipline: str
    details: PublicDetails | None  # None once ended: nothing personal remains
    first_name: str | None = None  # only when found
    found_message: Text | None = None  # only when found
    version: str = field(default="", compare=False)

    @cached_property
    def active(self) -> bool:
        # Cached, as `order`: each run asks it of every view a dozen times, and thousands
        # of ended views are listed in every run.
        return self.state == ACTIVE

    @property
    def photo(self) -> PublicPhoto | None:
        return self.details.photo if self.details else None

    @cached_property
    def id_version(self) -> str:
        """The id and version as one line, made once per view: the archive's key hashes
        this line of every ended view in every run."""
        return f"{self.id} {self.version}"

    @cached_property
    def updated_us(self) -> int:
        """`updated` as `microseconds`: each run sorts and filters thousands of ended views
        by it, and aware datetimes compare slowly."""
        return microseconds(self.updated)

    @cached_property
    def order(self) -> tuple[int, int, float, str]:
        """Active first, then most urgent, then newest (once per view: every run sorts
        thousands of them)."""
        return (0 if self.active else 1, LEVEL_RANK[self.level], -self.issued.timestamp(),
                self.id)


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def default_photo_alt(name: str, age: int) -> Text:
    return {"nl": f"Foto van {name}, {age} jaar", "en": f"Photo of {name}, age {age}"}


def has_expired(alert: Alert, now: datetime) -> bool:
    """Whether `alert`'s own expiry time has passed at `now`: the only way the clock changes
    what `public_view` returns (callers may memoise a view on the alert and this)."""
    return alert.expires is not None and now >= alert.expires


def public_view(alert: Alert, now: datetime, settings: Settings) -> PublicAlert:
    """What of `alert` may be published at `now`."""
    state = alert.status
    updated = alert.updated
    if state == ACTIVE and has_expired(alert, now):
        assert alert.expires is not None  # has_expired is False without one
        state, updated = EXPIRED, alert.expires
    common: dict[str, Any] = dict(
        id=alert.id, level=alert.level, state=state, exercise=alert.exercise,
        issued=alert.issued, updated=updated, expires=alert.expires, regions=alert.regions,
        phone=alert.phone or settings.phone, tipline=alert.tipline or settings.tipline,
    )
    if state != ACTIVE:
        found = state == FOUND
        return with_version(PublicAlert(
            **common, details=None,
            first_name=first_name(alert.child.name) if found else None,
            found_message=alert.found_message if found else None,
        ), photo_sha=None)
    child = alert.child
    photo = None
    if child.photo:
        photo = PublicPhoto(child.photo.sha256, child.photo.width, child.photo.height,
                            child.photo_focus or (0.5, 0.3))
    details = PublicDetails(
        name=child.name, age=child.age, gender=child.gender, height_cm=child.height_cm,
        build=child.build, hair=child.hair, eyes=child.eyes, clothing=child.clothing,
        features=child.features, photo=photo,
        photo_alt=child.photo_alt or default_photo_alt(child.name, child.age),
        last_seen_time=alert.last_seen.time, last_seen_place=alert.last_seen.place,
        latitude=alert.last_seen.latitude, longitude=alert.last_seen.longitude,
        description=alert.description,
        vehicles=tuple(PublicVehicle(v.description, v.plate) for v in alert.vehicles),
        suspects=tuple(s.description for s in alert.suspects),
    )
    return with_version(PublicAlert(**common, details=details),
                        photo_sha=photo.sha256 if photo else None)


def withdrawn_view(previous: PublicAlert, when: datetime) -> PublicAlert:
    """The alert file was deleted: the contract treats that as cancelled. An alert that had
    already ended keeps the outcome it had (a found child is not turned into 'withdrawn')."""
    if previous.state != ACTIVE:
        return previous
    return with_version(PublicAlert(
        id=previous.id, level=previous.level, state=CANCELLED, exercise=previous.exercise,
        issued=previous.issued, updated=max(when, previous.updated), expires=previous.expires,
        regions=previous.regions, phone=previous.phone, tipline=previous.tipline, details=None,
    ), photo_sha=None)


def with_version(view: PublicAlert, photo_sha: str | None) -> PublicAlert:
    """VERSION: a short content hash of the public view and the photo bytes."""
    content = view_to_json(view)
    content.pop("version", None)
    blob = json.dumps([content, photo_sha], sort_keys=True, ensure_ascii=False)
    version = hashlib.sha256(blob.encode()).hexdigest()[:12]
    return PublicAlert(**{**_fields(view), "version": version})


def on_front_page(view: PublicAlert, now: datetime, settings: Settings) -> bool:
    """Active alerts, and ended ones for `found_notice_hours` after they ended."""
    return view.active or view.updated > front_page_since(now, settings)


def microseconds(moment: datetime) -> int:
    """An aware date-time as whole microseconds since 1970 (UTC): exact, and fast to compare."""
    return (moment - UNIX_EPOCH) // timedelta(microseconds=1)


def front_page_since(now: datetime, settings: Settings) -> datetime:
    """Alerts that ended after this moment are still on the front page at `now`."""
    return now - timedelta(hours=settings.found_notice_hours)


def sort_key(view: PublicAlert) -> tuple[int, int, float, str]:
    """Active first, then most urgent, then newest."""
    return view.order


# --- (de)serialisation: ended views are kept in the state file, so they must round-trip ---


def _fields(view: PublicAlert) -> dict[str, Any]:
    return {name: getattr(view, name) for name in PublicAlert.__dataclass_fields__}


def _jsonable(value: Any) -> Any:
    """Plain JSON values of a view, as `dataclasses.asdict` gives them but without its deep
    copies: every run hashes every view for its version, so this is on the path of a
    rebuild of thousands of alerts."""
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def view_to_json(view: PublicAlert) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(view)
    return data


def ended_view_from_json(data: dict[str, Any]) -> PublicAlert:
    """Rebuild an ended view from the state file (ended views have no details to rebuild)."""
    if data.get("details") is not None or data["state"] == ACTIVE:
        raise ValueError("only ended views are stored")
    moments = {k: datetime.fromisoformat(data[k]) if data.get(k) else None
               for k in ("issued", "updated", "expires")}
    return PublicAlert(**{**data, **moments, "regions": tuple(data["regions"]),
                          "details": None})
