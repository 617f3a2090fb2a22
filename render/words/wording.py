"""The words feeds, CAP messages and ready-to-post texts share: headlines, summaries, the
list of details, in Dutch and English, all cleaned of control characters.

Everything here reads a `PublicAlert` only, so an ended alert (no details) can only ever be
described by its outcome.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from ..alert.model import Text
from ..config import Settings
from ..public import CANCELLED, EXPIRED, FOUND, PublicAlert
from .i18n import WORDS, age_text, format_datetime, tr

GENDER_WORDS = {
    "nl": {"female": "meisje", "male": "jongen"},
    "en": {"female": "girl", "male": "boy"},
}
DETAIL_LABELS = {
    "nl": {"age": "Leeftijd", "gender": "Geslacht", "height": "Lengte", "build": "Postuur",
           "hair": "Haar", "eyes": "Ogen", "clothing": "Kleding", "features": "Kenmerken",
           "last_seen": "Laatst gezien", "vehicle": "Voertuig", "plate": "kenteken",
           "suspect": "Mogelijk betrokken"},
    "en": {"age": "Age", "gender": "Gender", "height": "Height", "build": "Build",
           "hair": "Hair", "eyes": "Eyes", "clothing": "Clothing", "features": "Features",
           "last_seen": "Last seen", "vehicle": "Vehicle", "plate": "plate",
           "suspect": "Possibly involved"},
}
KIND_WORDS = {
    "nl": {"update": "update", "earlier": "eerdere melding"},
    "en": {"update": "update", "earlier": "earlier alert"},
}

# XML 1.0 forbids most C0 controls; C1 controls and unpaired surrogates are never meant.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Text safe for any XML or JSON output: NFC, no control characters (tabs and line
    breaks stay)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def one_line(text: str) -> str:
    """Clean text on one line (titles, headlines, SMS)."""
    return _SPACE.sub(" ", clean(text)).strip()


def text(value: Text | str | None, lang: str) -> str:
    return one_line(value if isinstance(value, str) else tr(value, lang))


def _texts_of(view: PublicAlert) -> Iterator[Text | None]:
    yield view.found_message
    d = view.details
    if d is None:
        return
    yield from (d.build, d.hair, d.eyes, d.clothing, d.features, d.last_seen_place,
                d.description)
    yield from (v.description for v in d.vehicles)
    yield from d.suspects


def languages(view: PublicAlert) -> tuple[str, ...]:
    """Dutch always; English where the alert gives at least one English text (our own fixed
    words are translated, but a text that is Dutch only would stay Dutch in English)."""
    has_english = any(t and t.get("en") for t in _texts_of(view))
    return ("nl", "en") if has_english else ("nl",)


def label(settings: Settings, view: PublicAlert, lang: str) -> str:
    """'KIND ALARM', or 'OEFENING KIND ALARM' for a drill."""
    base = one_line(settings.labels[view.level])
    return f"{WORDS[lang]['exercise']} {base}" if view.exercise else base


def outcome(view: PublicAlert, lang: str) -> str:
    """What became of an ended alert, as a short sentence without a full stop."""
    first = one_line(view.first_name or "")
    if view.state == FOUND:
        return f"{first} is gevonden" if lang == "nl" else f"{first} has been found"
    if view.state == CANCELLED:
        return "melding ingetrokken" if lang == "nl" else "alert withdrawn"
    return "melding beëindigd" if lang == "nl" else "alert ended"


def gender_word(gender: str | None, lang: str) -> str:
    return GENDER_WORDS[lang].get(gender or "", "kind" if lang == "nl" else "child")


def name_age(view: PublicAlert) -> str:
    d = view.details
    assert d is not None
    return f"{one_line(d.name)} ({d.age})"


def place(view: PublicAlert, lang: str) -> str:
    d = view.details
    assert d is not None
    return text(d.last_seen_place, lang)


def headline(settings: Settings, view: PublicAlert, lang: str, kind: str = "alert") -> str:
    """One line: 'KIND ALARM: Sanne de Vries (8), Utrecht, Griftpark'. `kind` is the message
    kind; an earlier message of an ended alert is described by the outcome only."""
    head = label(settings, view, lang)
    if view.details is None:
        if kind in ("alert", "update"):
            head = f"{head} ({KIND_WORDS[lang]['earlier']})"
        return f"{head}: {outcome(view, lang)}"
    if kind == "update":
        head = f"{head} ({KIND_WORDS[lang]['update']})"
    return f"{head}: {name_age(view)}, {place(view, lang)}"


def when(moment: datetime, settings: Settings, lang: str) -> str:
    return format_datetime(moment, ZoneInfo(settings.timezone), lang)


def detail_lines(view: PublicAlert, settings: Settings, lang: str) -> list[tuple[str, str]]:
    """The details of an active alert as (label, value) pairs, only those given."""
    d = view.details
    if d is None:
        return []
    words = DETAIL_LABELS[lang]
    lines = [(words["age"], age_text(d.age, lang))]
    if d.gender in GENDER_WORDS[lang]:
        lines.append((words["gender"], gender_word(d.gender, lang)))
    if d.height_cm:
        lines.append((words["height"], f"{d.height_cm} cm"))
    for key in ("build", "hair", "eyes", "clothing", "features"):
        value = text(getattr(d, key), lang)
        if value:
            lines.append((words[key], value))
    lines.append((words["last_seen"],
                  f"{place(view, lang)}, {when(d.last_seen_time, settings, lang)}"))
    for vehicle in d.vehicles:
        value = text(vehicle.description, lang)
        if vehicle.plate:
            value += f", {words['plate']} {one_line(vehicle.plate)}"
        lines.append((words["vehicle"], value))
    for suspect in d.suspects:
        lines.append((words["suspect"], text(suspect, lang)))
    return lines


def call_to_action(view: PublicAlert, lang: str) -> str:
    phone, tipline = one_line(view.phone), one_line(view.tipline)
    if lang == "nl":
        return f"Gezien? Bel direct {phone}. Tiplijn: {tipline}."
    return f"Seen this child? Call {phone} now. Tip line: {tipline}."


def ended_text(view: PublicAlert, lang: str) -> str:
    """The paragraph an ended alert keeps: the found message, or that it was withdrawn."""
    if view.state == FOUND:
        message = text(view.found_message, lang)
        if message:
            return message
        thanks = "Dank voor het uitkijken." if lang == "nl" else "Thank you for looking out."
        return f"{outcome(view, lang)}. {thanks}"
    if view.state == CANCELLED:
        return ("Deze melding is ingetrokken. Deel haar niet meer." if lang == "nl"
                else "This alert has been withdrawn. Please do not share it any more.")
    assert view.state == EXPIRED
    return ("Deze melding is beëindigd. Deel haar niet meer." if lang == "nl"
            else "This alert has ended. Please do not share it any more.")


def summary(view: PublicAlert, settings: Settings, lang: str) -> str:
    """A paragraph for feed entries and CAP descriptions."""
    d = view.details
    if d is None:
        return ended_text(view, lang)
    missing = "wordt vermist" if lang == "nl" else "is missing"
    parts = [f"{one_line(d.name)}, {age_text(d.age, lang)}, {missing}."]
    parts += [f"{key}: {value}." for key, value in detail_lines(view, settings, lang)[1:]]
    description = text(d.description, lang)
    if description:
        parts.append(description)
    parts.append(call_to_action(view, lang))
    return " ".join(parts)
