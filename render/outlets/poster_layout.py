"""Where everything goes on a poster, planned in points on A4 before WeasyPrint sets it.

A poster reads from two metres: the name at least 40 pt, every other text at least 11 pt,
the QR code (in the call band) 34 mm, its symbol 30 mm inside the quiet zone. Nothing is
ever set smaller than that: a text too long for the page is cut after a whole line with
an ellipsis, and the poster then ends in a line that points to the QR code.

The page is a stack: the header band, the name across the full width, a row of the photo
beside the facts (age, last seen, what the child looks like), the paragraphs (what
happened, vehicles, suspects), and the call band at the foot. The photo is the flexible
part: it takes every point the texts leave, as high as the row and as wide as the facts
let it, cropped around its focus point where its box and the photo differ in shape; when
it would grow taller than its own shape at its widest, the name grows instead. So the
page has no blank band, whatever the alert says.

Lines are planned here, measured with Pillow in the fonts WeasyPrint uses (fonts/), a few
per cent narrower than the box: the template sets the very lines planned, so the layout
does not depend on WeasyPrint's line breaking. A3 is this plan scaled by its size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from ..drawing.textfit import ellipsize, length, wrap

PAGE = (595.28, 841.89)  # A4 in points
SIDE = 20.8  # left and right margin
EXERCISE_H, BAND_H, CALL_H = 26.0, 80.0, 136.5  # drill strip, header band, call band
QR, CODE_CELL = 97.5, 117.0  # the QR code (34 mm), and its cell in the call band
# The call band's words: their width beside the QR code, and the size of the first line (on
# two lines, at most the size that keeps the band's height).
CALL_WORDS, CALL_MAX, CALL_TWO_LINES = PAGE[0] - 3 * SIDE - CODE_CELL, 33.8, 28.5
TOP_GAP, NAME_GAP, ROW_GAP, BOTTOM_GAP, COLUMN_GAP = 14.0, 10.0, 14.0, 12.0, 20.8
LABEL_MAX = 57.0  # the header band's label (KIND ALARM) is set on one line
NAME_MIN, NAME_MAX, NAME_LEADING, NAME_LINES = 40.5, 72.0, 1.05, 5
AGE_SIZE, AGE_LEADING, AGE_GAP = 26.0, 1.15, 4.0
LABEL_SIZE, LABEL_LEADING, ITEM_GAP = 11.5, 1.2, 8.0
LEADING, PARAGRAPH_GAP = 1.3, 0.45  # of the facts and paragraphs, in their size
# Facts and paragraphs: 14 pt and up if the page allows it, down to 11.5 pt before a text
# is cut; within each tier the widest photo first.
DETAIL_TIERS = ((17.0, 15.5, 14.0), (13.0, 12.0, 11.5))
PHOTO_WIDTHS = tuple(round(0.64 - 0.02 * i, 2) for i in range(12))  # of the content width
WIDER = 1.15  # how much wider than the photo's own shape its box may be (crops top and foot)
TALLER = 0.7  # how much narrower, if the page lets (crops the sides)
MORE_SHARE = 0.4  # of the body the paragraphs keep when they and the facts are both cut
SAFETY = 0.97  # lines are planned this much narrower than their box: Pango may differ a bit
WIDTH = PAGE[0] - 2 * SIDE
T = TypeVar("T")


@dataclass(frozen=True)
class Value:
    """One text of a fact; `keep` texts (the time last seen) are never cut."""

    text: str
    keep: bool = False


@dataclass(frozen=True)
class Fact:
    label: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Paragraph:
    lead: str  # in bold before the text ("Voertuig:"), or ""
    text: str


@dataclass(frozen=True)
class PosterText:
    """What a poster says, in its language."""

    label: str  # in the header band: KIND ALARM
    name: str
    age: str
    facts: tuple[Fact, ...]
    paragraphs: tuple[Paragraph, ...]
    more_info: str  # the line that points to the QR code when something was cut
    exercise: bool = False


@dataclass(frozen=True)
class SetFact:
    label: str
    values: tuple[tuple[str, ...], ...]  # the lines of each value


@dataclass(frozen=True)
class SetParagraph:
    lead: str
    lines: tuple[str, ...]  # the first one follows the lead


@dataclass(frozen=True)
class Plan:
    """A poster's layout in A4 points, and the lines of every text."""

    name_size: float
    name_lines: tuple[str, ...]
    detail_size: float
    photo_width: float
    row_height: float
    facts: tuple[SetFact, ...]
    paragraphs: tuple[SetParagraph, ...]
    more_info: str  # "" when nothing was cut
    label_size: float  # of the header band's label: smaller only if a site's is very long


def plan(text: PosterText, photo_aspect: float = 0.75, safety: float = SAFETY) -> Plan:
    """The poster's layout: the largest photo and name, at the largest detail size, that
    leave room for every text; else every text at the smallest size, cut to fit."""
    layout = _Layout(text, photo_aspect, safety)
    if layout.whole(DETAIL_TIERS[-1][-1], WIDTH * PHOTO_WIDTHS[-1], 0.0) is None:
        return layout.cut()  # not even at the smallest sizes: spare the search
    for taller in (TALLER, 0.0):  # first a box about the photo's shape, then any
        for tier in DETAIL_TIERS:
            for fraction in PHOTO_WIDTHS:
                for size in tier:
                    found = layout.whole(size, WIDTH * fraction, taller)
                    if found is not None:
                        return layout.grow_name(found)
    return layout.cut()


class _Layout:
    def __init__(self, text: PosterText, aspect: float, safety: float) -> None:
        self.text, self.aspect, self.safety = text, aspect, safety
        self.content = (PAGE[1] - CALL_H - (EXERCISE_H if text.exercise else 0.0) - BAND_H
                        - TOP_GAP - BOTTOM_GAP - NAME_GAP)
        # The band's letter spacing is 0.02 em.
        wide = length(text.label, LABEL_MAX, "black") + 0.02 * LABEL_MAX * len(text.label)
        self.label_size = min(LABEL_MAX, LABEL_MAX * WIDTH * safety / max(wide, 1.0))
        self._lines: dict[tuple[str, float, float, str, float], tuple[str, ...]] = {}
        self.name_lines = self.lines(text.name, NAME_MIN, WIDTH, "black")

    def lines(self, text: str, size: float, width: float, weight: str = "regular",
              indent: float = 0.0) -> tuple[str, ...]:
        key = (text, size, width, weight, indent)
        if key not in self._lines:
            self._lines[key] = tuple(wrap(text, width * self.safety, size, weight, indent))
        return self._lines[key]

    def name_height(self, size: float, count: int) -> float:
        return size * NAME_LEADING * count

    def facts_height(self, facts: Sequence[SetFact], size: float) -> float:
        lines = sum(len(v) for f in facts for v in f.values)
        return (AGE_SIZE * AGE_LEADING + AGE_GAP
                + len(facts) * (ITEM_GAP + LABEL_SIZE * LABEL_LEADING)
                + lines * size * LEADING)

    def more_height(self, paragraphs: Sequence[SetParagraph], size: float, info: bool) -> float:
        count = len(paragraphs) + info
        if not count:
            return 0.0
        lines = sum(len(p.lines) for p in paragraphs) + info
        return ROW_GAP + lines * size * LEADING + (count - 1) * size * PARAGRAPH_GAP

    def set_facts(self, size: float, width: float) -> tuple[SetFact, ...]:
        return tuple(SetFact(f.label, tuple(self.lines(v.text, size, width) for v in f.values))
                     for f in self.text.facts)

    def set_paragraphs(self, size: float) -> tuple[SetParagraph, ...]:
        return tuple(SetParagraph(p.lead, self.lines(p.text, size, WIDTH, indent=lead(p, size)))
                     for p in self.text.paragraphs)

    def whole(self, size: float, photo_width: float, taller: float) -> Plan | None:
        """Every text whole at this size beside a photo this wide, if the page allows, its
        box no narrower than `taller` times the photo's shape."""
        if len(self.name_lines) > NAME_LINES:
            return None
        paragraphs = self.set_paragraphs(size)
        row = (self.content - self.name_height(NAME_MIN, len(self.name_lines))
               - self.more_height(paragraphs, size, False))
        if not taller * self.aspect * row <= photo_width <= WIDER * self.aspect * row:
            return None  # the photo's box would be much wider, or narrower, than the photo
        facts = self.set_facts(size, WIDTH - photo_width - COLUMN_GAP)
        if self.facts_height(facts, size) > row:
            return None
        return Plan(NAME_MIN, self.name_lines, size, photo_width, row, facts, paragraphs, "",
                    self.label_size)

    def grow_name(self, found: Plan) -> Plan:
        """A larger name (on no more lines) while the photo stays at least its own height."""
        best = found
        size = NAME_MIN
        while size + 1.5 <= NAME_MAX:
            size += 1.5
            lines = self.lines(self.text.name, size, WIDTH, "black")
            row = found.row_height - (self.name_height(size, len(lines))
                                      - self.name_height(NAME_MIN, len(found.name_lines)))
            if (len(lines) > len(found.name_lines) or row * self.aspect < found.photo_width
                    or self.facts_height(found.facts, found.detail_size) > row):
                break
            best = replace(best, name_size=size, name_lines=lines, row_height=row)
        return best

    def cut(self) -> Plan:
        """Every text at the smallest sizes, each cut to its share of the page, and the
        line that points to the QR code; the photo as wide as the row's height asks."""
        size = DETAIL_TIERS[-1][-1]
        narrowest = photo_width = WIDTH * PHOTO_WIDTHS[-1]
        name = self.name_lines
        if len(name) > NAME_LINES:
            name = (*name[:NAME_LINES - 1],
                    ellipsize(name[NAME_LINES - 1], WIDTH * self.safety, NAME_MIN, "black"))
        body = self.content - self.name_height(NAME_MIN, len(name))
        facts = self.set_facts(size, WIDTH - photo_width - COLUMN_GAP)
        paragraphs = self.set_paragraphs(size)
        lowest = photo_width / (WIDER * self.aspect)
        need = self.more_height(paragraphs, size, True)
        row = max(lowest, min(self.facts_height(facts, size), body - min(need, MORE_SHARE * body)))
        row = min(row, body - self.more_height((), size, True))
        # A row that long texts make high is no reason for a narrow strip of a photo.
        photo_width = min(WIDTH * PHOTO_WIDTHS[0], max(narrowest, TALLER * self.aspect * row))
        facts = self.set_facts(size, WIDTH - photo_width - COLUMN_GAP)
        cut_facts = _cut_facts(self, facts, size, row, photo_width)
        cut_paragraphs = _cut_paragraphs(self, paragraphs, size, body - row)
        cut = (cut_facts, cut_paragraphs, name) != (facts, paragraphs, self.name_lines)
        row = body - self.more_height(cut_paragraphs, size, cut)
        return Plan(NAME_MIN, name, size, photo_width, row, cut_facts, cut_paragraphs,
                    self.text.more_info if cut else "", self.label_size)


def call_size(call: str, phone: str) -> float:
    """The size of the call band's "Gezien? Bel direct 112": one line, or two (a long
    number) in a size that keeps the band's height, and the number never broken."""
    room = CALL_WORDS * SAFETY
    if length(f"{call} {phone}", CALL_MAX, "black") <= room:
        return CALL_MAX
    return min(CALL_TWO_LINES, CALL_MAX * room / length(phone, CALL_MAX, "black"))


def lead(p: Paragraph, size: float) -> float:
    """How much of a paragraph's first line its lead takes, in bold, and a space."""
    return length(p.lead, size, "bold") + length("x x", size) - length("xx", size) \
        if p.lead else 0.0


def _capped(lines: tuple[str, ...], cap: int, width: float, size: float, indent: float = 0.0
            ) -> tuple[str, ...]:
    if len(lines) <= cap:
        return lines
    room = width - (indent if cap == 1 else 0.0)
    return (*lines[:cap - 1], ellipsize(lines[cap - 1], room, size))


def _cut(count: int, most: int, capped: Callable[[int, int], T], fits: Callable[[T], bool]
         ) -> T:
    """`capped(cap, n)` (the first n texts, each cut to at most `cap` lines) at the largest
    n, then the largest cap, that `fits`: every text keeps as many lines as the others, and
    the last are left out only if not even one line each fits."""
    for n in range(count, 0, -1):
        low, high, best = 1, most, None
        while low <= high:
            cap = (low + high) // 2
            candidate = capped(cap, n)
            if fits(candidate):
                best, low = candidate, cap + 1
            else:
                high = cap - 1
        if best is not None:
            return best
    return capped(1, 0)


def _cut_facts(layout: _Layout, facts: tuple[SetFact, ...], size: float, room: float,
               photo_width: float) -> tuple[SetFact, ...]:
    """The facts within `room` (their time last seen never cut)."""
    width = (WIDTH - photo_width - COLUMN_GAP) * layout.safety
    keep = [[v.keep for v in f.values] for f in layout.text.facts]

    def capped(cap: int, count: int) -> tuple[SetFact, ...]:
        return tuple(SetFact(f.label, tuple(
            lines if kept else _capped(lines, cap, width, size)
            for lines, kept in zip(f.values, keep[i], strict=True)))
            for i, f in enumerate(facts[:count]))

    most = max((len(v) for f in facts for v in f.values), default=1)
    return _cut(len(facts), most, capped,
                lambda cut: layout.facts_height(cut, size) <= room)


def _cut_paragraphs(layout: _Layout, paragraphs: tuple[SetParagraph, ...], size: float,
                    room: float) -> tuple[SetParagraph, ...]:
    """The paragraphs within `room`, the line that points to the QR code included."""
    leads = [lead(p, size) for p in layout.text.paragraphs]

    def capped(cap: int, count: int) -> tuple[SetParagraph, ...]:
        return tuple(SetParagraph(p.lead, _capped(p.lines, cap, WIDTH * layout.safety, size,
                                                  leads[i]))
                     for i, p in enumerate(paragraphs[:count]))

    most = max((len(p.lines) for p in paragraphs), default=1)
    return _cut(len(paragraphs), most, capped,
                lambda cut: layout.more_height(cut, size, True) <= room)
