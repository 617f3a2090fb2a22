"""Site settings from `kindalarm.toml`: every key has a sensible default, every bad value is
one clear error at start (a `ConfigError`), never a surprise in the middle of a publish."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .mirror.settings import MirrorSettings, parse_mirror
from .push.settings import Webhook, parse_webhooks, parse_websub
from .signing import SigningSettings, parse_signing

LEVELS = ("kind-alarm", "vermist-kind")
PROVINCES = (
    "Drenthe", "Flevoland", "Friesland", "Fryslân", "Gelderland", "Groningen", "Limburg",
    "Noord-Brabant", "Noord-Holland", "Overijssel", "Utrecht", "Zeeland", "Zuid-Holland",
)
REGIONS = ("Nederland", *PROVINCES)
DISPLAY_COLORS = ("mono1", "amber", "gray8", "rgb")
DISPLAY_CONTENTS = ("text", "photo")
MIN_CAP_EXPIRES_HOURS = 0.01
DISPLAY_FORMATS = ("png", "gif")
# The largest graphic IRIS-style sign controllers take (NTCIP 1203 graphics, as GIF): a GIF of
# a bigger screen would be a slow, dithered copy of a PNG that such screens read anyway.
GIF_MAX_SIZE = (240, 144)


@dataclass(frozen=True)
class DisplayProfile:
    """One kind of sign or screen. A new outlet is a few lines of config, not code."""

    name: str
    width: int
    height: int
    color: str = "rgb"
    content: str = "photo"
    phases: int = 1
    seconds: int = 10
    levels: tuple[str, ...] = LEVELS
    regions: tuple[str, ...] = ()  # empty: every region
    formats: tuple[str, ...] = ("png",)  # png always; gif too for sign controllers
    lines: int = 3  # text profiles: lines per phase
    pictogram: bool = False  # text profiles: draw a child pictogram beside the text


@dataclass(frozen=True)
class Settings:
    """The site's settings from `kindalarm.toml`, every key with its default."""

    base_url: str = "http://127.0.0.1:8000/"
    site_name: str = "Kind Alarm"
    brand: str = "Burgernet"
    cap_sender: str = "kindalarm@politie.nl"
    cap_sender_name: str = "Politie Nederland"
    cap_expires_hours: float = 24.0  # each CAP message expires this long after it is sent
    cap_area_radius_km: float = 10.0  # the circle around where the child was last seen
    phone: str = "112"
    tipline: str = "0800-6070"
    timezone: str = "Europe/Amsterdam"
    found_notice_hours: float = 24.0
    labels: dict[str, str] = field(
        default_factory=lambda: {"kind-alarm": "KIND ALARM", "vermist-kind": "VERMIST KIND"}
    )
    # Superseded versioned files of a still-active alert stay this long, so that a poller
    # holding the previous page or manifest can still fetch what it names. Files of an
    # ended alert are deleted in the same publish regardless (privacy first).
    retire_seconds: float = 120.0
    displays: dict[str, DisplayProfile] = field(default_factory=dict)
    websub_hub: str | None = None  # feeds name it, and it is pinged when they change
    webhooks: tuple[Webhook, ...] = ()
    signing: SigningSettings | None = None  # manifests and the API signed (render/signing.py)
    mirror: MirrorSettings | None = None  # the object store the tree is mirrored into
    source: Path | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


SHIPPED_DISPLAYS: dict[str, dict[str, Any]] = {
    "drip-tekst": {"width": 144, "height": 48, "color": "mono1", "content": "text",
                   "phases": 2, "lines": 3, "levels": ["kind-alarm"], "seconds": 4,
                   "formats": ["png", "gif"]},
    "drip-kleur": {"width": 240, "height": 144, "color": "rgb", "content": "text",
                   "phases": 2, "lines": 3, "pictogram": True, "levels": ["kind-alarm"],
                   "seconds": 4, "formats": ["png", "gif"]},
    "ns-station": {"width": 1920, "height": 1080, "color": "rgb", "content": "photo",
                   "levels": ["kind-alarm"], "seconds": 15},
    "signage-portrait": {"width": 1080, "height": 1920, "color": "rgb", "content": "photo",
                         "levels": ["kind-alarm", "vermist-kind"], "seconds": 15},
}

_TOP_KEYS = {
    "base_url", "site_name", "brand", "phone", "tipline", "timezone", "found_notice_hours",
    "retire_seconds", "cap", "labels", "displays", "websub", "webhooks", "mirror",
    "signing",
}


def _unknown(where: str, key: str, allowed: set[str]) -> ConfigError:
    hint = difflib.get_close_matches(key, sorted(allowed), n=1)
    also = f"; did you mean '{hint[0]}'?" if hint else ""
    return ConfigError(f"{where}: unknown setting '{key}'{also}")


def _expect(where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}: must be {what}, not {value!r}")
    return value


def parse_display(name: str, raw: Any, where: str) -> DisplayProfile:
    where = f"{where}: displays.{name}"
    _expect(where, raw, dict, "a table")
    allowed = {f for f in DisplayProfile.__dataclass_fields__ if f != "name"}
    for key in raw:
        if key not in allowed:
            raise _unknown(where, key, allowed)
    values: dict[str, Any] = {"name": name}
    for key in ("width", "height", "phases", "seconds", "lines"):
        if key in raw:
            v = _expect(f"{where}.{key}", raw[key], int, "a whole number")
            if not 1 <= v <= 10_000:
                raise ConfigError(f"{where}.{key}: must be from 1 to 10000, not {v}")
            values[key] = v
    if "width" not in values or "height" not in values:
        raise ConfigError(f"{where}: needs width and height in pixels")
    choices: tuple[str, ...]  # the two loops below go over tuples of different lengths
    for key, choices in (("color", DISPLAY_COLORS), ("content", DISPLAY_CONTENTS)):
        if key in raw:
            if raw[key] not in choices:
                raise ConfigError(f"{where}.{key}: must be one of {', '.join(choices)}")
            values[key] = raw[key]
    for key, choices in (("levels", LEVELS), ("regions", REGIONS), ("formats", DISPLAY_FORMATS)):
        if key in raw:
            items = _expect(f"{where}.{key}", raw[key], list, "a list")
            for item in items:
                if item not in choices:
                    raise ConfigError(
                        f"{where}.{key}: '{item}' is not one of {', '.join(choices)}"
                    )
            values[key] = tuple(dict.fromkeys(items))  # each once
    if "pictogram" in raw:
        values["pictogram"] = _expect(f"{where}.pictogram", raw["pictogram"], bool, "true or false")
    profile = DisplayProfile(**values)
    if profile.color in ("mono1", "amber") and profile.content == "photo":
        raise ConfigError(
            f"{where}: a {profile.color} sign cannot show a photo; use content = \"text\"")
    if "png" not in profile.formats:  # the manifest's `image` and current.png are PNG
        raise ConfigError(f"{where}.formats: must include \"png\" (the manifest names it)")
    if "gif" in profile.formats and (
            profile.width > GIF_MAX_SIZE[0] or profile.height > GIF_MAX_SIZE[1]):
        raise ConfigError(f"{where}.formats: gif is for sign controllers of at most "
                          f"{GIF_MAX_SIZE[0]}x{GIF_MAX_SIZE[1]}, not "
                          f"{profile.width}x{profile.height}")
    return profile


def load_settings(site: Path) -> Settings:
    """Read `site/kindalarm.toml`; a missing file means all defaults."""
    path = site / "kindalarm.toml"
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    where = str(path)
    for key in raw:
        if key not in _TOP_KEYS:
            raise _unknown(where, key, _TOP_KEYS)
    values: dict[str, Any] = {"source": path}
    for key in ("base_url", "site_name", "brand", "phone", "tipline", "timezone"):
        if key in raw:
            values[key] = _expect(f"{where}: {key}", raw[key], str, "a string")
    base_url = values.get("base_url", Settings.base_url)
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: base_url: must be an absolute http(s) URL, not {base_url!r}")
    values["base_url"] = base_url.rstrip("/") + "/"
    for key in ("found_notice_hours", "retire_seconds"):
        if key in raw:
            v = _expect(f"{where}: {key}", raw[key], (int, float), "a number")
            if v < 0:
                raise ConfigError(f"{where}: {key}: must not be negative")
            values[key] = float(v)
    try:
        ZoneInfo(values.get("timezone", Settings.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone: unknown time zone {values['timezone']!r}") from None
    cap = _expect(f"{where}: cap", raw.get("cap", {}), dict, "a table")
    for key in cap:
        if key in ("sender", "sender_name"):
            values[f"cap_{key}"] = _expect(f"{where}: cap.{key}", cap[key], str, "a string")
        elif key in ("expires_hours", "area_radius_km"):
            v = _expect(f"{where}: cap.{key}", cap[key], (int, float), "a number")
            if v <= 0:
                raise ConfigError(f"{where}: cap.{key}: must be more than 0")
            if key == "expires_hours" and v < MIN_CAP_EXPIRES_HOURS:
                # Renewals go out every half of it, in whole seconds (cap_thread).
                raise ConfigError(f"{where}: cap.expires_hours: must be at least "
                                  f"{MIN_CAP_EXPIRES_HOURS} (36 seconds)")
            values[f"cap_{key}"] = float(v)
        else:
            raise _unknown(f"{where}: cap", key,
                           {"sender", "sender_name", "expires_hours", "area_radius_km"})
    labels = dict(Settings().labels)
    for key, value in _expect(f"{where}: labels", raw.get("labels", {}), dict, "a table").items():
        if key not in LEVELS:
            raise _unknown(f"{where}: labels", key, set(LEVELS))
        labels[key] = _expect(f"{where}: labels.{key}", value, str, "a string")
    values["labels"] = labels
    displays_raw = {**SHIPPED_DISPLAYS}
    displays_raw.update(_expect(f"{where}: displays", raw.get("displays", {}), dict, "a table"))
    values["displays"] = {
        name: parse_display(name, table, where) for name, table in displays_raw.items()
    }
    values["websub_hub"] = parse_websub(where, raw.get("websub", {}))
    values["webhooks"] = parse_webhooks(where, raw.get("webhooks", []))
    values["signing"] = parse_signing(where, raw.get("signing", {}), path.parent)
    values["mirror"] = parse_mirror(where, raw.get("mirror", {}))
    return Settings(**values)
