"""Dutch first, English beside it: dates and the few fixed words every output shares."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..alert.model import Text, text_in

LANGS = ("nl", "en")
MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def format_date(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """'zondag 29 november 2026' / 'Sunday 29 November 2026'."""
    m = local(moment, tz)
    return f"{WEEKDAYS[lang][m.weekday()]} {m.day} {MONTHS[lang][m.month - 1]} {m.year}"


def format_datetime(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """'zondag 29 november 2026 om 14:05' / 'Sunday 29 November 2026 at 14:05'."""
    m = local(moment, tz)
    word = "om" if lang == "nl" else "at"
    return f"{format_date(moment, tz, lang)} {word} {m:%H:%M}"


def format_short(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """'29 nov 14:05', for signs and short texts."""
    m = local(moment, tz)
    return f"{m.day} {MONTHS[lang][m.month - 1][:3]} {m:%H:%M}"


def age_text(age: int, lang: str) -> str:
    if lang == "nl":
        return f"{age} jaar"
    return f"{age} year old" if age == 1 else f"{age} years old"


def tr(text: Text | None, lang: str) -> str:
    return text_in(text, lang)


# Fixed words, shared by pages, images and texts (templates may use their own).
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "missing": "Vermist", "found": "Gevonden", "withdrawn": "Ingetrokken",
        "ended": "Beëindigd", "exercise": "OEFENING", "last_seen": "Laatst gezien",
        "call": "Gezien? Bel direct", "tipline": "Tiplijn", "age": "Leeftijd",
        "more_info": "Meer informatie: scan de QR-code",
        "no_active": "Er zijn op dit moment geen actieve meldingen.",
    },
    "en": {
        "missing": "Missing", "found": "Found", "withdrawn": "Withdrawn",
        "ended": "Ended", "exercise": "EXERCISE", "last_seen": "Last seen",
        "call": "Seen this child? Call now", "tipline": "Tip line", "age": "Age",
        "more_info": "More information: scan the QR code",
        "no_active": "There are no active alerts at the moment.",
    },
}
