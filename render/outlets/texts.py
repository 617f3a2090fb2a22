"""`share/ID/VERSION/texts.json`: ready-to-post texts for the police's social media team and
for Burgernet's text and phone channels, in Dutch and (where the alert has English texts)
English.

| channel | limit |
| --- | --- |
| `x` | 280, counted the way X counts (CJK and emoji weigh two; a link at least 23) |
| `sms` | 160 GSM-7 characters (one SMS); characters GSM-7 lacks are transliterated |
| `whatsapp` | none; `*bold*` as WhatsApp renders it |
| `instagram` | 2,200 characters, at most 30 hashtags; the link as text (captions do not link) |
| `voice` | none; numbers, times, plates and phone numbers written out to be read aloud |

Each text is assembled from parts; when it is too long, optional parts are dropped first,
then the longest shrinkable part (a name, a place) is shortened with an ellipsis.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .. import tree
from ..config import Settings
from ..public import FOUND, PublicAlert
from ..words.i18n import MONTHS, WEEKDAYS, format_short
from ..words.speech import number_words, speak_time, speakable, spell_sign_by_sign
from ..words.wording import (
    DETAIL_LABELS,
    call_to_action,
    detail_lines,
    ended_text,
    gender_word,
    label,
    languages,
    one_line,
    outcome,
    place,
    text,
)
from .artifacts import MESSAGE, Artifact, key_of
from .context import RenderContext
from .jsondoc import json_bytes
from .outlet import FileKind

NAME = "texts"
X_LIMIT, SMS_LIMIT, INSTAGRAM_LIMIT, INSTAGRAM_HASHTAGS = 280, 160, 2200, 30
LIMITS = {"x": X_LIMIT, "sms": SMS_LIMIT, "instagram": INSTAGRAM_LIMIT}


TEXTS = FileKind(tree.TEXTS, "application/json", MESSAGE, personal=True)
FILES = (TEXTS,)


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> list[Artifact]:
    """The alert's ready-to-post texts of this version."""
    return [TEXTS.artifact(tree.texts(view.id, view.version),
                           key_of(ctx.render_key, ctx.tree, NAME, view.version),
                           lambda: json_bytes(texts_document(ctx, view)))]


def tree_artifacts(ctx: RenderContext) -> tuple[Artifact, ...]:
    """None: texts belong to one alert each."""
    return ()


def page_url(ctx: RenderContext, view: PublicAlert, lang: str) -> str:
    """The alert page's short URL (the folder, not index.html): every character counts."""
    return ctx.url(tree.alert_page(view.id, lang).removesuffix("index.html"))



def texts_document(ctx: RenderContext, view: PublicAlert) -> dict[str, Any]:
    langs = languages(view)
    return {
        "id": view.id,
        "version": view.version,
        "state": view.state,
        "exercise": view.exercise,
        "languages": list(langs),
        "limits": {"x": X_LIMIT, "sms": SMS_LIMIT, "instagram": INSTAGRAM_LIMIT},
        "texts": {lang: channel_texts(ctx.settings, view, lang, page_url(ctx, view, lang))
                  for lang in langs},
    }


def channel_texts(settings: Settings, view: PublicAlert, lang: str, url: str) -> dict[str, str]:
    return {
        "x": x_post(settings, view, lang, url),
        "sms": sms(settings, view, lang, url),
        "whatsapp": whatsapp(settings, view, lang, url),
        "instagram": instagram(settings, view, lang, url),
        "voice": voice(settings, view, lang),
    }


# --- measuring ------------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+")
# twitter-text v3: these ranges weigh 1, every other code point 2; a link weighs 23.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def x_length(post: str) -> int:
    """The length X counts; a link counts as its own length when that is more than 23, so a
    post that fits here fits whether or not X shortens the link."""
    total = sum(max(23, _weight(url)) for url in _URL.findall(post))
    rest = _URL.sub("", post)
    return total + _weight(rest)


def _weight(s: str) -> int:
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in _X_LIGHT) else 2 for c in s)


GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = frozenset("^{}\\[~]|€")  # two septets each (escape + character)
_GSM_FALLBACK = {
    "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
    "…": "...", "·": "-", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "œ": "oe",
    "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d", "\u00a0": " ", "\t": " ",
}


def gsm_length(message: str) -> int:
    """Septets: the length one SMS is limited by (160)."""
    return sum(2 if c in GSM7_EXTENDED else 1 for c in message)


def is_gsm7(message: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in message)


def to_gsm7(value: str) -> str | None:
    """`value` in GSM-7 characters: accents GSM-7 lacks dropped ('Chloë' -> 'Chloe'),
    typographic signs replaced; None when a character has no GSM-7 form (Arabic, emoji)."""
    out = []
    for char in value:
        if char in GSM7_BASIC or char in GSM7_EXTENDED:
            out.append(char)
            continue
        if char in _GSM_FALLBACK:
            out.append(_GSM_FALLBACK[char])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
        if base and is_gsm7(base):
            out.append(base)
        elif unicodedata.category(char) in ("Mn", "Cf"):
            continue  # a lone combining mark or an invisible format character
        else:
            return None
    return "".join(out)


def gsm7_lossy(value: str) -> str:
    """`value` in GSM-7, leaving out what cannot be written (for places and other text)."""
    converted = (to_gsm7(c) for c in value)
    return one_line("".join(c for c in converted if c))


# --- fitting --------------------------------------------------------------------------------


@dataclass
class Part:
    """One piece of a text. `drop`: 0 always kept, higher numbers are dropped first.
    `shrink`: 0 never shortened, higher numbers are shortened (with an ellipsis) first;
    `suffix` stays when it is, unless it is a full stop (the ellipsis says enough)."""

    text: str
    drop: int = 0
    shrink: int = 0
    suffix: str = ""
    keep: int | None = None  # characters of `text` kept once shrunk

    def render(self, ellipsis: str) -> str:
        if self.keep is None or self.keep >= len(self.text):
            return self.text + self.suffix
        suffix = "" if self.suffix == "." else self.suffix
        return self.text[: self.keep].rstrip(" ,.;:-") + ellipsis + suffix

    def can_shrink(self, floor: int) -> bool:
        return bool(self.shrink) and (len(self.text) if self.keep is None else self.keep) > floor


SHRINK_FLOOR = 16  # characters a shrunk part keeps before the next part is shortened


def fit(parts: list[Part], limit: int, measure: Callable[[str], int], ellipsis: str = "…",
        sep: str = " ") -> str:
    """Join `parts`, dropping and shrinking until `measure` of the result is within `limit`."""
    kept = [p for p in parts if p.text]

    def joined() -> str:
        return sep.join(p.render(ellipsis) for p in kept).strip()

    while measure(joined()) > limit and any(p.drop for p in kept):
        worst = max(p.drop for p in kept)
        kept = [p for p in kept if p.drop != worst]
    while measure(joined()) > limit:
        candidates = ([p for p in kept if p.can_shrink(SHRINK_FLOOR)]
                      or [p for p in kept if p.can_shrink(1)])
        if not candidates:
            break
        first = max(candidates, key=lambda p: p.shrink)
        first.keep = (len(first.text) if first.keep is None else first.keep) - 1
    result = joined()
    while measure(result) > limit:  # the fixed parts alone are too long (a huge base_url)
        result = result[:-1]
    return result


# --- the channels ---------------------------------------------------------------------------

MISSING = {"nl": "vermist", "en": "missing"}
LAST_SEEN_SHORT = {"nl": "Laatst gezien", "en": "Last seen"}
SHARE = {"nl": "Deel dit bericht.", "en": "Please share."}
ENDED_SHARE = {"nl": "Deel de oproep niet meer.", "en": "Please stop sharing the appeal."}


def _short_when(settings: Settings, view: PublicAlert, lang: str) -> str:
    assert view.details is not None
    return format_short(view.details.last_seen_time, ZoneInfo(settings.timezone), lang)


def _clothing(view: PublicAlert, lang: str) -> str:
    assert view.details is not None
    return text(view.details.clothing, lang)


def _call_short(view: PublicAlert, lang: str) -> str:
    word = "Gezien? Bel" if lang == "nl" else "Seen? Call"
    return f"{word} {one_line(view.phone)}."


def _ended_parts(settings: Settings, view: PublicAlert, lang: str, url: str,
                 convert: Callable[[str], str] = lambda s: s) -> list[Part]:
    return [Part(convert(f"{label(settings, view, lang)}:")),
            Part(convert(ended_text(view, lang)), shrink=1),
            Part(convert(ENDED_SHARE[lang]) if view.state != FOUND else "", drop=1),
            Part(url)]


def x_post(settings: Settings, view: PublicAlert, lang: str, url: str) -> str:
    if view.details is None:
        return fit(_ended_parts(settings, view, lang, url), X_LIMIT, x_length)
    d = view.details
    clothing = _clothing(view, lang)
    parts = [
        Part(f"{label(settings, view, lang)}:"),
        Part(one_line(d.name), shrink=1),
        Part(f"({d.age}) {MISSING[lang]}."),
        Part(f"{LAST_SEEN_SHORT[lang]} {_short_when(settings, view, lang)},"),
        Part(place(view, lang), shrink=2, suffix="."),
        Part(clothing[:1].upper() + clothing[1:], drop=2, shrink=3, suffix="."),
        Part(_call_short(view, lang)),
        Part(url),
        Part(_hashtag(settings.labels[view.level]), drop=3),
    ]
    return fit(parts, X_LIMIT, x_length)


def sms(settings: Settings, view: PublicAlert, lang: str, url: str) -> str:
    """One SMS in GSM-7. A name GSM-7 cannot write (Arabic script) becomes 'meisje (8)':
    the link shows the name and photo."""
    if view.details is None:
        return fit(_ended_parts(settings, view, lang, url, gsm7_lossy), SMS_LIMIT,
                   gsm_length, ellipsis="...")
    d = view.details
    name = to_gsm7(one_line(d.name)) or gender_word(d.gender, lang)
    parts = [
        Part(gsm7_lossy(f"{label(settings, view, lang)}:")),
        Part(name, shrink=1),
        Part(f"({d.age}) {MISSING[lang]},"),
        Part(gsm7_lossy(place(view, lang)), shrink=2, suffix="."),
        Part(gsm7_lossy(_clothing(view, lang)), drop=1, shrink=3, suffix="."),
        Part(gsm7_lossy(_call_short(view, lang))),
        Part(gsm7_lossy(url)),
    ]
    return fit(parts, SMS_LIMIT, gsm_length, ellipsis="...")


def whatsapp(settings: Settings, view: PublicAlert, lang: str, url: str) -> str:
    head = f"🚨 *{label(settings, view, lang)}*"
    if view.details is None:
        return "\n".join([head, ended_text(view, lang), url])
    d = view.details
    missing = "wordt vermist" if lang == "nl" else "is missing"
    lines = [head, f"*{one_line(d.name)}* ({d.age}) {missing}."]
    lines += [f"{key}: {value}" for key, value in detail_lines(view, settings, lang)[1:]]
    description = text(d.description, lang)
    if description:
        lines += ["", description]
    lines += ["", f"*{call_to_action(view, lang)}*", SHARE[lang], url]
    return "\n".join(lines)


def _hashtag(words: str) -> str:
    """'Noord-Holland' -> '#NoordHolland'; '' when nothing word-like is left."""
    joined = "".join(w[:1].upper() + w[1:] for w in re.findall(r"\w+", words.title()))
    return f"#{joined}" if joined else ""


def instagram(settings: Settings, view: PublicAlert, lang: str, url: str) -> str:
    tags = [_hashtag(settings.labels[view.level]), _hashtag(MISSING[lang]),
            _hashtag(settings.brand), *(_hashtag(r) for r in view.regions)]
    hashtags = " ".join(dict.fromkeys(t for t in tags if t))  # unique, in order
    hashtags = " ".join(hashtags.split()[:INSTAGRAM_HASHTAGS])
    link = f"Link: {url}"
    if view.details is None:
        body = [Part(f"{label(settings, view, lang)}: {outcome(view, lang)}"),
                Part(ended_text(view, lang), shrink=1), Part(link), Part(hashtags, drop=1)]
        return fit(body, INSTAGRAM_LIMIT, len, sep="\n\n")
    d = view.details
    details = "\n".join(f"{k}: {v}" for k, v in detail_lines(view, settings, lang)[1:])
    parts = [
        Part(f"{label(settings, view, lang)}: {one_line(d.name)} ({d.age}) {MISSING[lang]}",
             shrink=1),
        Part(details, shrink=2),
        Part(text(d.description, lang), drop=1, shrink=3),
        Part(f"{call_to_action(view, lang)} {SHARE[lang]}"),
        Part(link),
        Part(hashtags, drop=2),
    ]
    return fit(parts, INSTAGRAM_LIMIT, len, sep="\n\n")


# --- voice ----------------------------------------------------------------------------------


def _spoken_label(settings: Settings, view: PublicAlert, lang: str) -> str:
    return label(settings, view, lang).title()


def _spoken_date(settings: Settings, view: PublicAlert, lang: str) -> str:
    assert view.details is not None
    moment = view.details.last_seen_time.astimezone(ZoneInfo(settings.timezone))
    day = f"{WEEKDAYS[lang][moment.weekday()]} {number_words(moment.day, lang)} " \
          f"{MONTHS[lang][moment.month - 1]}"
    at = "om" if lang == "nl" else "at"
    return f"{day} {at} {speak_time(moment, lang)}"


def voice(settings: Settings, view: PublicAlert, lang: str) -> str:
    """A script for radio, phone lines and text-to-speech: short sentences, everything a
    voice could misread written out (no digits are left)."""
    head = f"{_spoken_label(settings, view, lang)}."
    if view.details is None:
        return speakable(f"{head} {ended_text(view, lang)}", lang)
    d = view.details
    name = one_line(d.name)
    age = number_words(d.age, lang)
    who = gender_word(d.gender, lang)
    words = []
    if lang == "nl":
        words.append(f"{head} De politie zoekt {name}, een {who} van {age} jaar.")
        words.append(f"Laatst gezien op {_spoken_date(settings, view, lang)}, "
                     f"in {_sentence(speakable(place(view, lang), lang))}")
        if d.height_cm:
            words.append(f"Lengte: {number_words(d.height_cm, lang)} centimeter.")
    else:
        article = "an" if age.startswith(("a", "e", "i", "o", "u")) else "a"
        words.append(f"{head} The police are looking for {name}, {article} {age} year old "
                     f"{who}.")
        words.append(f"Last seen on {_spoken_date(settings, view, lang)}, "
                     f"in {_sentence(speakable(place(view, lang), lang))}")
        if d.height_cm:
            words.append(f"Height: {number_words(d.height_cm, lang)} centimetres.")
    for key in ("build", "hair", "eyes", "clothing", "features"):
        value = text(getattr(d, key), lang)
        if value:
            words.append(f"{_detail_label(key, lang)}: {_sentence(speakable(value, lang))}")
    plate_word = "kenteken" if lang == "nl" else "number plate"
    for vehicle in d.vehicles:
        spoken = speakable(text(vehicle.description, lang), lang)
        if vehicle.plate:
            spoken += f", {plate_word}: {spell_sign_by_sign(vehicle.plate, lang)}"
        words.append(f"{_detail_label('vehicle', lang)}: {_sentence(spoken)}")
    description = text(d.description, lang)
    if description:
        words.append(_sentence(speakable(description, lang)))
    phone = spell_sign_by_sign(view.phone, lang)
    tipline = spell_sign_by_sign(view.tipline, lang)
    if lang == "nl":
        words.append(f"Heeft u {name} gezien? Bel direct {phone}. "
                     f"De tiplijn is {tipline}.")
        words.append(f"Ik herhaal: {name}, {age} jaar. Bel {phone}.")
    else:
        words.append(f"Have you seen {name}? Call {phone} now. The tip line is {tipline}.")
        words.append(f"Once more: {name}, {age} years old. Call {phone}.")
    return " ".join(words)


def _sentence(value: str) -> str:
    """`value` ending in exactly one full stop (or its own ! or ?)."""
    value = value.rstrip(" ,;:")
    return value if value.endswith((".", "!", "?")) else f"{value}."


def _detail_label(key: str, lang: str) -> str:
    return DETAIL_LABELS[lang][key]
