"""The one model of an alert, as the operator wrote it (after validation).

Only `parse` (for `loader`) builds these and only `public.public_view` reads them:
renderers get the public view instead, so that nothing personal can reach an output by
accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# A text value: language code -> string, always with "nl" (a plain string means Dutch).
Text = Mapping[str, str]


def text_in(text: Text | None, lang: str) -> str:
    """The text in `lang`, falling back to Dutch; "" for a missing optional text."""
    if not text:
        return ""
    return text.get(lang) or text["nl"]


@dataclass(frozen=True)
class PhotoFile:
    """A photo that passed the header checks. Pixels are decoded later, once, by `photo`."""

    path: Path
    sha256: str
    format: str  # "JPEG", "PNG" or "WEBP"
    width: int  # as stored, before EXIF orientation
    height: int
    size: int  # bytes


@dataclass(frozen=True)
class Child:
    """The missing child as the alert file describes it (validated, not yet public)."""

    name: str
    age: int
    gender: str | None = None
    height_cm: int | None = None
    build: Text | None = None
    hair: Text | None = None
    eyes: Text | None = None
    clothing: Text | None = None
    features: Text | None = None
    photo: PhotoFile | None = None
    photo_alt: Text | None = None
    photo_focus: tuple[float, float] | None = None


@dataclass(frozen=True)
class LastSeen:
    """When and where the child was last seen, with coordinates when known."""

    time: datetime
    place: Text
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Vehicle:
    """A vehicle involved: its description and, when known, its plate."""

    description: Text
    plate: str | None = None


@dataclass(frozen=True)
class Suspect:
    """A person who may be involved, as the police describe them."""

    description: Text


@dataclass(frozen=True)
class Alert:
    """One validated alert file, everything in it; only `public_view` decides what of it
    is shown."""

    id: str
    level: str  # "kind-alarm" | "vermist-kind"
    status: str  # "active" | "found" | "cancelled"
    exercise: bool
    issued: datetime
    updated: datetime
    expires: datetime | None
    regions: tuple[str, ...]
    description: Text | None
    found_message: Text | None
    child: Child
    last_seen: LastSeen
    vehicles: tuple[Vehicle, ...]
    suspects: tuple[Suspect, ...]
    phone: str | None
    tipline: str | None
    source: Path  # the alert file it came from
