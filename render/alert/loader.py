"""Alert files (TOML or JSON) to validated `Alert`s, or to every problem of the file at once.

Each problem is a `Problem(field, message)` printed as `FILE: field: message`, in words an
operator in a control room understands at 3 a.m. Photo checks read only the file's header
(format, pixel count) before any pixel is decoded, so a decompression bomb never gets far.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
import stat
import time
import tomllib
import unicodedata
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import LEVELS, REGIONS
from .model import Alert, Child, LastSeen, PhotoFile, Suspect, Text, Vehicle

ALERT_SUFFIXES = (".toml", ".json")
IGNORED_SUFFIXES = ("~", ".tmp", ".part", ".swp", ".error.txt")
ERROR_SUFFIX = ".error.txt"

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
LANG_PATTERN = re.compile(r"^[a-z]{2,3}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 -]{1,23}$")
MAX_FILE_BYTES = 1_000_000
MAX_NAME = 80
MAX_TEXT = 2000
MAX_PLATE = 20
MAX_LIST = 20
MAX_PHOTO_BYTES = 40_000_000
MAX_PHOTO_PIXELS = 50_000_000
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
STATUSES = ("active", "found", "cancelled")
GENDERS = ("female", "male", "unknown")
EXAMPLE_TIME = "2026-11-29T14:05:00+01:00"
# Control characters (Unicode category Cc: U+0000-001F and U+007F-009F) but line break and
# tab: one regex, not a category lookup per character of every text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def is_alert_file(name: str) -> bool:
    """Whether a file name in the alert directory is an alert file (contract section 2)."""
    return (
        not name.startswith(".")
        and not name.endswith(IGNORED_SUFFIXES)
        and name.endswith(ALERT_SUFFIXES)
    )


def error_file_for(alert_file: Path) -> Path:
    return alert_file.with_name(alert_file.name + ERROR_SUFFIX)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an alert file: the field it concerns and what to do about it."""

    field: str
    message: str

    def line(self, file_label: str) -> str:
        return f"{file_label}: {self.field}: {self.message}"


@dataclass(eq=False)  # compared and hashed by identity: one result per file per scan
class LoadResult:
    """What one alert file gave: an alert, or the problems that stopped it."""

    source: Path
    alert: Alert | None
    problems: list[Problem] = field(default_factory=list)
    alert_id: str | None = None  # readable even when rejected, for messages and fallbacks
    document: str | None = None  # the file's text as read (kept as the last good version)

    @property
    def ok(self) -> bool:
        return self.alert is not None


PhotoResolver = Callable[[str, list[Problem]], PhotoFile | None]


# --- primitives: each returns the parsed value, or None after adding a problem ------------


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(field_name, message))

    def table(self, raw: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...]
              ) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.add(where or "file", "must be a table of fields")
            return {}
        prefix = f"{where}." if where else ""
        for key in raw:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                also = f"; did you mean '{prefix}{hint[0]}'?" if hint else " (a typo?)"
                # An empty or unprintable name is shown quoted, so the line still names it.
                shown = key if isinstance(key, str) and key.strip() and key.isprintable() \
                    else _show(key)
                self.add(f"{prefix}{shown}", f"unknown field{also}")
        for key in required:
            if key not in raw:
                self.add(f"{prefix}{key}", "is required but missing")
        return raw

    def string(self, value: object, name: str, limit: int, multiline: bool = False
               ) -> str | None:
        if not isinstance(value, str):
            self.add(name, f"must be text in quotes, not {_kind(value)}")
            return None
        value = unicodedata.normalize("NFC", value).strip()
        bad = _CONTROL.search(value)
        if bad or (not multiline and "\n" in value):
            what = "line breaks" if not bad else "control characters"
            self.add(name, f"contains {what}, which cannot be published")
            return None
        if not value:
            self.add(name, "is empty")
            return None
        if len(value) > limit:
            self.add(name, f"is {len(value)} characters long; at most {limit} are allowed")
            return None
        return value

    def text(self, value: Any, name: str, limit: int = MAX_TEXT, multiline: bool = True
             ) -> Text | None:
        if isinstance(value, str):
            parsed = self.string(value, name, limit, multiline)
            return None if parsed is None else {"nl": parsed}
        if not isinstance(value, dict):
            self.add(name, f"must be text, or a table of languages like {{ nl = \"...\", "
                           f"en = \"...\" }}, not {_kind(value)}")
            return None
        if "nl" not in value:
            self.add(name, "needs a Dutch text (nl = \"...\") besides other languages")
        out: dict[str, str] = {}
        for lang, item in value.items():
            if not isinstance(lang, str) or not LANG_PATTERN.match(lang):
                self.add(f"{name}.{lang}", "is not a language code like nl or en")
                continue
            parsed = self.string(item, f"{name}.{lang}", limit, multiline)
            if parsed is not None:
                out[lang] = parsed
        return out if "nl" in out and len(out) == len(value) else None

    def choice(self, value: Any, name: str, choices: tuple[str, ...]) -> str | None:
        if value not in choices or not isinstance(value, str):
            self.add(name, f"must be one of {', '.join(choices)}, not {_show(value)}")
            return None
        return value

    def integer(self, value: Any, name: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(name, f"must be a whole number from {low} to {high}, not {_show(value)}")
            return None
        if not low <= value <= high:
            self.add(name, f"must be from {low} to {high}, not {value}")
            return None
        return value

    def number(self, value: Any, name: str, low: float, high: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(name, f"must be a number from {low:g} to {high:g}, not {_show(value)}")
            return None
        if not low <= value <= high:
            self.add(name, f"must be from {low:g} to {high:g}, not {value}")
            return None
        return float(value)

    def boolean(self, value: Any, name: str) -> bool | None:
        if not isinstance(value, bool):
            self.add(name, f"must be true or false, not {_show(value)}")
            return None
        return value

    def moment(self, value: Any, name: str) -> datetime | None:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.add(name, f"is not a date and time like {EXAMPLE_TIME}")
                return None
        if not isinstance(value, datetime):
            self.add(name, f"must be a date and time like {EXAMPLE_TIME}, not {_kind(value)}")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.add(name, f"needs a time-zone offset, like {EXAMPLE_TIME}")
            return None
        return value

    def items(self, value: Any, name: str) -> list[Any]:
        if not isinstance(value, list):
            self.add(name, f"must be a list, not {_kind(value)}")
            return []
        if len(value) > MAX_LIST:
            self.add(name, f"has {len(value)} entries; at most {MAX_LIST} are allowed")
            return []
        return value


def _kind(value: Any) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text",
             list: "a list", dict: "a table", datetime: "a date and time"}
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


# --- the alert ---------------------------------------------------------------------------

TOP_FIELDS = ("id", "level", "status", "exercise", "issued", "updated", "expires", "regions",
              "description", "found_message", "child", "last_seen", "vehicles", "suspects",
              "contact")
CHILD_FIELDS = ("name", "age", "gender", "height_cm", "build", "hair", "eyes", "clothing",
                "features", "photo", "photo_alt", "photo_focus")
LAST_SEEN_FIELDS = ("time", "place", "latitude", "longitude")


def parse_alert(raw: Any, source: Path, resolve_photo: PhotoResolver
                ) -> tuple[Alert | None, list[Problem], str | None]:
    """Validate a parsed alert document. Returns (alert or None, problems, id if readable)."""
    c = _Checker()
    doc = c.table(raw, "", TOP_FIELDS, ("id", "level", "status", "issued", "child", "last_seen"))
    alert_id = None
    if "id" in doc:
        if isinstance(doc["id"], str) and ID_PATTERN.match(doc["id"]):
            alert_id = doc["id"]
        else:
            c.add("id", "must be 3 to 64 lower-case letters, digits or dashes, starting with a "
                        f"letter or digit (like 2026-utrecht-1), not {_show(doc['id'])}")
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
                c.add(f"regions[{i}]", f"{_show(region)} is not a Dutch province or "
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
                    c.add(f"contact.{key}", f"{_show(value)} is not a phone number like "
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


def _parse_child(c: _Checker, raw: Any, level: str | None, resolve_photo: PhotoResolver
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
            c.add("child.photo", f"must be a file name in quotes, not {_show(doc['photo'])}")
    if len(c.problems) > before or name is None or age is None:
        return None
    return Child(name=name, age=age, gender=gender, height_cm=height, photo=photo,
                 photo_focus=focus, **texts)


def _parse_last_seen(c: _Checker, raw: Any) -> LastSeen | None:
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


# --- files -------------------------------------------------------------------------------


def read_document(path: Path) -> tuple[Any, list[Problem], str | None]:
    """Read and parse a TOML or JSON alert file: (document, problems, text)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem("file", f"is {size / 1e6:.1f} MB; an alert file is at most "
                                          f"{MAX_FILE_BYTES // 1_000_000} MB")], None
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem("file", f"cannot be read ({exc.strerror})")], None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem("file", f"is not UTF-8 text (bad byte at position {exc.start}); "
                                      "save it as UTF-8")], None
    return (*parse_document(text, path.suffix), text)


def parse_document(text: str, suffix: str) -> tuple[Any, list[Problem]]:
    """Parse the text of an alert file (`.toml` or `.json`)."""
    if "\x00" in text:
        return None, [Problem("file", "contains NUL bytes; it is not a text file")]
    if not text.strip():
        return None, [Problem("file", "is empty")]
    try:
        if suffix == ".json":
            return json.loads(text), []
        return tomllib.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [Problem("file", f"is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                      f"column {exc.colno}")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem("file", f"is not valid TOML: {exc}")]
    except RecursionError:
        return None, [Problem("file", "is nested too deeply")]


# Photo facts by file identity (see `file_identity`): [sha256, format, width, height].
PhotoFingerprints = dict[str, list[Any]]
RACY_NS = 2_000_000_000  # a file changed this recently may change again within one timestamp


def file_identity(st: os.stat_result, now_ns: int | None = None) -> str | None:
    """Device, inode, size and both times of a file: any write changes one of them (a new
    file by rename is a new inode; a write in place sets the change time). None while the
    file is too fresh to trust that (a second write in the same clock tick, as git guards
    its index)."""
    if (now_ns or time.time_ns()) - st.st_ctime_ns < RACY_NS:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def check_photo(relative: str, alert_file: Path, alert_dir: Path, problems: list[Problem],
                fingerprints: PhotoFingerprints | None = None) -> PhotoFile | None:
    """Header-only checks of a photo named in an alert file. `fingerprints` (kept by the
    publisher's state) spare a new process reading and hashing every photo again, which
    would be most of a rebuild with nothing to do."""
    name = "child.photo"
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", relative) or ".." in pure.parts:
        problems.append(Problem(name, f"{_show(relative)} must be a path inside the alert "
                                      "directory, like photos/name.jpg (no .. and no leading /)"))
        return None
    full = alert_file.parent / pure
    try:
        real = full.resolve(strict=True)
    except (OSError, RuntimeError):
        problems.append(Problem(name, f"{relative}: no such file; add the photo to the alert "
                                      "directory or fix the name"))
        return None
    if not real.is_relative_to(alert_dir.resolve()):
        problems.append(Problem(name, f"{relative} links to a file outside the alert directory"))
        return None
    if not real.is_file():
        problems.append(Problem(name, f"{relative} is not a file"))
        return None
    st = real.stat()
    size = st.st_size
    identity = file_identity(st) if fingerprints is not None else None
    if identity and (known := (fingerprints or {}).get(identity)):
        sha256, fmt, width, height = known  # checked when it was first seen
        return PhotoFile(path=real, sha256=sha256, format=fmt, width=width, height=height,
                         size=size)
    if size > MAX_PHOTO_BYTES:
        problems.append(Problem(name, f"{relative} is {size / 1e6:.0f} MB; a photo is at most "
                                      f"{MAX_PHOTO_BYTES // 1_000_000} MB"))
        return None
    data = real.read_bytes()
    from PIL import Image  # only here: `validate` of a file without photo stays instant

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        fmt, width, height = "bomb", MAX_PHOTO_PIXELS + 1, 1
    except (OSError, ValueError, SyntaxError):
        problems.append(Problem(name, f"{relative} is not a JPEG, PNG or WebP image "
                                      "(or it is damaged)"))
        return None
    if fmt not in PHOTO_FORMATS and fmt != "bomb":
        problems.append(Problem(name, f"{relative} is a {fmt} image; use JPEG, PNG or WebP"))
        return None
    if width * height > MAX_PHOTO_PIXELS:
        problems.append(Problem(name, f"{relative} has too many pixels; a photo is at most "
                                      f"{MAX_PHOTO_PIXELS // 1_000_000} megapixels"))
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    if identity and fingerprints is not None:
        fingerprints[identity] = [sha256, fmt, width, height]
    return PhotoFile(path=real, sha256=sha256, format=fmt, width=width, height=height,
                     size=size)


def id_taken(alert_id: str, owner: str) -> Problem:
    """How `build` and `validate` both report a second file with an alert's id."""
    return Problem("id", f"'{alert_id}' is already used by {owner}; give every alert its own "
                         "id")


def damaged_photo(error: Exception) -> Problem:
    """How `build` and `validate` both report a photo that does not decode whole."""
    return Problem("child.photo", str(error))


def photo_decode_problems(alert: Alert) -> list[Problem]:
    """What `build` checks of a live alert's photo beyond its header: that all of it
    decodes (a truncated JPEG has a good header). `validate` asks the same."""
    photo = alert.child.photo
    if photo is None or alert.status != "active":
        return []
    from ..drawing.photo import PhotoStore  # Pillow: only for files with a photo

    store = PhotoStore()
    store.add(photo.sha256, photo.path)
    return [damaged_photo(error) for error in store.decode_all([photo.sha256]).values()]


def load_alert_file(path: Path, alert_dir: Path,
                    fingerprints: PhotoFingerprints | None = None) -> LoadResult:
    """Read, parse and validate one alert file, with its photo's header."""
    raw, problems, text = read_document(path)
    if problems:
        return LoadResult(path, None, problems)

    def resolve(relative: str, sink: list[Problem]) -> PhotoFile | None:
        return check_photo(relative, path, alert_dir, sink, fingerprints)

    alert, problems, alert_id = parse_alert(raw, path, resolve)
    return LoadResult(path, alert, problems, alert_id, text)


def stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class AlertLoader:
    """Loads an alert directory, re-reading only files (and photos) that changed since the
    last call. `build` uses a fresh one; the watcher keeps one for the whole run."""

    def __init__(self, alert_dir: Path, fingerprints: PhotoFingerprints | None = None,
                 results: dict[Path, tuple[Any, LoadResult]] | None = None,
                 skipped: dict[str, str] | None = None) -> None:
        """`results` and `skipped` are where it remembers files between scans (the build's
        memory gives its own: render/pipeline/memory.py)."""
        self.alert_dir = alert_dir
        self.fingerprints = fingerprints
        # path -> (stat keys of the file and its photo, its result)
        self._cache = results if results is not None else {}
        self._paths: dict[str, Path] = {}  # file name -> its path, from the last scan
        # name -> identity, of the files skipped by the last scan
        self._skipped_before = skipped if skipped is not None else {}

    def _key(self, path: Path, result: LoadResult | None) -> Any:
        photo = result.alert.child.photo if result and result.alert else None
        return stat_key(path), stat_key(photo.path) if photo else None

    def load(self, path: Path) -> LoadResult:
        cached = self._cache.get(path)
        if cached and cached[0] == self._key(path, cached[1]):
            return cached[1]
        result = load_alert_file(path, self.alert_dir, self.fingerprints)
        # A photo that is missing or bad may be fixed without touching the alert file, so
        # such a result is never cached: the next scan looks again.
        if not any(p.field == "child.photo" for p in result.problems):
            self._cache[path] = (self._key(path, result), result)
        return result

    def scan(self, settled: Callable[[str | None], bool] | None = None,
             changed: Collection[str] | None = None) -> list[LoadResult]:
        """Every alert file in the directory (not in subfolders), in name order, but those
        that `settled(identity)` says need no reading (they are listed in `skipped`).
        `identities` holds every file's `file_identity`, taken before it was read (and
        judged racy or not at that moment).

        `changed` is what the watcher saw change since the last scan (paths relative to the
        alert directory). A file skipped by the last scan and not in it is skipped again
        without a stat, since a stat of thousands of unchanged files is most of a scan. The
        watcher's periodic rescan passes None, so events it missed are still caught."""
        trusted = dict(self._skipped_before) if changed is not None else {}
        changed = changed or ()
        self._skipped_before.clear()
        try:
            names = sorted(n for n in os.listdir(self.alert_dir) if is_alert_file(n))
        except FileNotFoundError:
            names = []
        self.identities: dict[Path, str | None] = {}
        self.skipped: list[Path] = []
        results = []
        # One Path per name, kept: a watcher scans thousands of unchanged files per publish,
        # and making a new Path object (and its hash) for each would be a large part of that.
        paths = {}
        now_ns = time.time_ns()
        for name in names:
            path = paths[name] = self._paths.get(name) or self.alert_dir / name
            identity = None if name in changed else trusted.get(name)
            if identity is None:
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                identity = file_identity(st, now_ns)
            self.identities[path] = identity
            # A file too fresh to have an identity is always read, never skipped.
            if identity is not None and settled is not None and settled(identity):
                self.skipped.append(path)
                self._skipped_before[name] = identity
            else:
                results.append(self.load(path))
        self._paths = paths
        for gone in [p for p in self._cache if p not in self.identities]:  # (a few files)
            del self._cache[gone]
        return results
