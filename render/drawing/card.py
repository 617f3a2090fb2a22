"""Cards: one layout for every photo image (share images, station screens, portrait signage).

A card reads at a glance: a coloured header band with the level (KIND ALARM red, VERMIST
KIND a calmer blue), the photo cropped around its focus point, the name as large as it fits,
age, where and when last seen, a call to action with the phone number, and the site address.
Wide cards put the photo beside the text, tall ones above it. A found child gets a green
GEVONDEN card with the first name only and no photo. Drills carry a yellow OEFENING strip.

Cards are read from afar (station screens, signage): no text on one is smaller than 28 px
per 1080 px of its short side (`LEGIBLE`), 28 px on a full-HD screen either way round and
17 px on a 1200x630 share image; a text too long for its box at that size is shortened
with an ellipsis, never set smaller.

`draw_card` returns a `Canvas` that records the ink box of every line of text it drew, and
how each block was fitted, so tests can check that nothing runs outside the image or over
another block, and that nothing is smaller than the card's legible size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from PIL import Image, ImageDraw

from ..config import Settings
from ..public import FOUND, PublicAlert
from ..words import i18n
from .photo import cover
from .textfit import Box, Fitted, Placed, draw_fitted, fit, ink_box

WHITE, INK, GREY = (255, 255, 255), (17, 17, 17), (68, 68, 68)
YELLOW = (255, 212, 0)
BANDS = {"kind-alarm": (200, 16, 46), "vermist-kind": (29, 79, 145), FOUND: (26, 127, 55)}
FOOTERS = {"kind-alarm": (YELLOW, INK), "vermist-kind": ((232, 238, 247), (29, 79, 145)),
           FOUND: ((232, 245, 236), INK)}
LEGIBLE = (28, 1080)  # the smallest text: 28 px per 1080 px of the card's short side


def legible_size(size: tuple[int, int]) -> int:
    """The smallest font size (px) any text on a card of this size is set in."""
    return math.ceil(min(size) * LEGIBLE[0] / LEGIBLE[1])


@dataclass(frozen=True)
class CardText:
    """What a card says, in one language; built from the public view only."""

    level: str  # kind-alarm, vermist-kind, or "found"
    label: str
    name: str
    age: str = ""
    last_seen_label: str = ""
    last_seen: str = ""
    place: str = ""
    clothing: str = ""
    call: str = ""
    tipline: str = ""
    address: str = ""
    message: str = ""
    exercise: bool = False


def card_text(view: PublicAlert, settings: Settings, address: str, lang: str = "nl"
              ) -> CardText | None:
    """The card of an active or found view; None for withdrawn and expired alerts (nothing
    is left to share: the page says it ended)."""
    words = i18n.WORDS[lang]
    if view.state == FOUND:
        message = i18n.tr(view.found_message, lang) or (
            "is gevonden. Dank voor het meekijken." if lang == "nl"
            else "has been found. Thank you for looking.")
        return CardText(level=FOUND, label=words["found"].upper(), name=view.first_name or "",
                        message=message, address=address, exercise=view.exercise)
    d = view.details
    if d is None:
        return None
    clothing = i18n.tr(d.clothing, lang)
    return CardText(
        level=view.level, label=settings.labels[view.level], name=d.name,
        age=i18n.age_text(d.age, lang), last_seen_label=words["last_seen"],
        last_seen=_when(d.last_seen_time, settings, lang),
        place=i18n.tr(d.last_seen_place, lang),
        clothing=f"{'Kleding' if lang == 'nl' else 'Clothing'}: {clothing}" if clothing else "",
        call=f"{words['call']} {view.phone}", tipline=f"{words['tipline']} {view.tipline}",
        address=address, exercise=view.exercise,
    )


def _when(moment: datetime, settings: Settings, lang: str) -> str:
    """'zaterdag 28 november, 18:45': the year and "om" only make the line wrap."""
    m = moment.astimezone(settings.tz)
    return (f"{i18n.WEEKDAYS[lang][m.weekday()]} {m.day} {i18n.MONTHS[lang][m.month - 1]}, "
            f"{m:%H:%M}")


@dataclass
class Canvas:
    """An image being drawn, with its margin and the text blocks placed on it so far."""

    image: Image.Image
    margin: int
    fitted: list[tuple[str, Fitted]] = field(default_factory=list)  # how each block was set
    placed: list[tuple[str, Fitted, Placed]] = field(default_factory=list)  # per line drawn

    def __post_init__(self) -> None:
        self.draw = ImageDraw.Draw(self.image)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    @property
    def texts(self) -> list[tuple[str, Box]]:
        """(block, ink box) of every line drawn, for the checks of legibility and overlap."""
        return [(block, ink_box(self.draw, fitted.font, line))
                for block, fitted, line in self.placed]

    def band(self, box: Box, colour: tuple[int, int, int]) -> None:
        self.draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=colour)

    def text(self, block: str, text: str, box: Box, *, fill: tuple[int, int, int],
             weight: str = "bold", max_size: int = 200, min_size: int = 12,
             max_lines: int | None = None, align: str = "left", valign: str = "top") -> int:
        """Fit and draw one block, never smaller than the card's legible size; returns the
        height it took (0 for empty text)."""
        if not text.strip():
            return 0
        left, top, right, bottom = box
        fitted = fit(text, right - left, bottom - top, weight=weight, max_size=max_size,
                     min_size=max(min_size, legible_size(self.size)), max_lines=max_lines)
        lines = draw_fitted(self.draw, fitted, box, fill, align, valign)
        self.placed += [(block, fitted, line) for line in lines]
        self.fitted.append((block, fitted))
        return fitted.height


def draw_card(text: CardText, size: tuple[int, int], photo: Image.Image | None = None,
              focus: tuple[float, float] = (0.5, 0.3)) -> Canvas:
    width, height = size
    unit = min(width, height)
    canvas = Canvas(Image.new("RGB", size, WHITE), margin=max(8, round(unit * 0.035)))
    m = canvas.margin
    top = 0
    if text.exercise:  # a drill is marked before anything else
        strip = round(height * (0.05 if width >= height else 0.035))
        canvas.band((0, 0, width, strip), YELLOW)
        canvas.text("exercise", "OEFENING · OEFENING · OEFENING", (m, round(strip * 0.12),
                    width - m, strip - round(strip * 0.12)), fill=INK, weight="black",
                    max_size=strip, min_size=8, max_lines=1, align="center", valign="middle")
        top = strip

    header = round(height * (0.14 if width >= height else 0.08))
    canvas.band((0, top, width, top + header), BANDS[text.level])
    pad = round(header * 0.18)
    canvas.text("label", text.label, (m, top + pad, width - m, top + header - pad), fill=WHITE,
                weight="black", max_size=header, min_size=10, max_lines=1, valign="middle")
    top += header

    footer_bg, footer_ink = FOOTERS[text.level]
    footer = round(height * (0.17 if width >= height else 0.11))
    canvas.band((0, height - footer, width, height), footer_bg)
    _footer(canvas, text, (m, height - footer + round(m * 0.6), width - m,
                           height - round(m * 0.6)), footer_ink)
    body = (0, top, width, height - footer)

    if text.level == FOUND:
        _found_body(canvas, text, body)
        return canvas
    if photo is not None:
        body = _place_photo(canvas, photo, focus, body, wide=width / height >= 0.9)
    _details(canvas, text, body)
    return canvas


def _footer(canvas: Canvas, text: CardText, box: Box, ink: tuple[int, int, int]) -> None:
    left, top, right, bottom = box
    small = " · ".join(t for t in (text.tipline, text.address) if t)
    if not text.call:
        canvas.text("address", small, box, fill=ink, weight="bold",
                    max_size=round((bottom - top) * 0.45), min_size=10, max_lines=2,
                    align="center", valign="middle")
        return
    split = top + round((bottom - top) * 0.6)
    canvas.text("call", text.call, (left, top, right, split), fill=ink, weight="black",
                max_size=split - top, min_size=10, max_lines=1, valign="middle")
    canvas.text("address", small, (left, split, right, bottom), fill=ink, weight="regular",
                max_size=bottom - split, min_size=8, max_lines=2, valign="middle")


def _place_photo(canvas: Canvas, photo: Image.Image, focus: tuple[float, float], body: Box,
                 wide: bool) -> Box:
    """Paste the photo into the body; returns the part of the body left for text."""
    left, top, right, bottom = body
    if wide:
        photo_w = min(round((bottom - top) * 0.8), round((right - left) * 0.42))
        canvas.image.paste(cover(photo, (photo_w, bottom - top), focus), (left, top))
        return (left + photo_w, top, right, bottom)
    photo_h = round((bottom - top) * 0.58)
    canvas.image.paste(cover(photo, (right - left, photo_h), focus), (left, top))
    return (left, top + photo_h, right, bottom)


def _details(canvas: Canvas, text: CardText, body: Box) -> None:
    m = canvas.margin
    left, top, right, bottom = body[0] + m, body[1] + m, body[2] - m, body[3] - m
    room = bottom - top
    gap = round(m * 0.5)
    min_name = max(12, round(min(canvas.size) * 0.03))  # the smallest legible name size
    y = top
    y += canvas.text("name", text.name, (left, y, right, top + round(room * 0.42)), fill=INK,
                     weight="black", max_size=round(room * 0.24), min_size=min_name,
                     max_lines=4) + gap
    y += canvas.text("age", text.age, (left, y, right, y + round(room * 0.12)), fill=INK,
                     weight="bold", max_size=round(room * 0.1), min_size=10, max_lines=1) + gap
    rest = bottom - y
    seen = f"{text.last_seen_label}: {text.last_seen}"
    y += canvas.text("last_seen", seen, (left, y, right, y + round(rest * 0.4)), fill=GREY,
                     weight="regular", max_size=round(room * 0.075), min_size=10,
                     max_lines=2) + round(gap * 0.5)
    y += canvas.text("place", text.place, (left, y, right, y + round((bottom - y) * 0.55)),
                     fill=INK, weight="bold", max_size=round(room * 0.085), min_size=10,
                     max_lines=3) + gap
    if text.clothing and bottom - y > room * 0.1:
        canvas.text("clothing", text.clothing, (left, y, right, bottom), fill=GREY,
                    weight="regular", max_size=round(room * 0.065), min_size=10, max_lines=3)


def _found_body(canvas: Canvas, text: CardText, body: Box) -> None:
    m = canvas.margin
    left, top, right, bottom = body[0] + m * 2, body[1] + m, body[2] - m * 2, body[3] - m
    room = bottom - top
    canvas.text("name", text.name, (left, top, right, top + round(room * 0.4)),
                       fill=INK, weight="black", max_size=round(room * 0.35), min_size=14,
                       max_lines=2, align="center", valign="bottom")
    canvas.text("message", text.message, (left, top + round(room * 0.45), right, bottom),
                fill=GREY, weight="regular", max_size=round(room * 0.14), min_size=10,
                max_lines=5, align="center")
