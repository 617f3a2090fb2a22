"""Fit text into boxes: the largest size that fits, words wrapped and never clipped.

Every text block on a share image, screen or sign is fitted the same way:

1. the largest font size from `max_size` down to `min_size` at which the words, wrapped on
   spaces, fit the box in width and height (and in `max_lines`);
2. failing that, at `min_size` (the smallest legible size), words too long for a line are
   broken across lines with a hyphen ("Rijkswaterstaat-/verkeerscentrale");
3. only then, as the last resort, the lines that do not fit are dropped and the last one
   ends in an ellipsis. A name is given a small `min_size`, so it is shortened only when it
   cannot fit at the smallest legible size.

Fonts are Inter; text with a character Inter lacks (Hebrew, Arabic, ...) is set in DejaVu
Sans, which has them. Right-to-left scripts need complex-script shaping (libraqm with
FriBiDi); `require_shaping()` says so plainly when Pillow lacks it, rather than drawing
letters unjoined and in the wrong order. Fonts are loaded once per process and size.

The same rules apply to the 5x7 pixel font of LED signs (`fit_pixel_rows`), in whole-pixel
scales instead of point sizes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageDraw, ImageFont, features

from ..errors import KindalarmError
from ..resources import FONTS_DIR
from . import pixelfont

FONT_DIR = FONTS_DIR
ELLIPSIS = "…"
# weight -> (Inter file, DejaVu file for the scripts Inter lacks)
WEIGHTS = {
    "regular": ("Inter-Regular.otf", "DejaVuSans.ttf"),
    "bold": ("Inter-Bold.otf", "DejaVuSans-Bold.ttf"),
    "black": ("Inter-ExtraBold.otf", "DejaVuSans-Bold.ttf"),
}


class ShapingUnavailable(KindalarmError):
    """Pillow cannot shape complex scripts; names in Arabic or Hebrew would come out wrong."""


@lru_cache(maxsize=1)
def require_shaping() -> None:
    """Raise a clear error if Pillow has no libraqm/FriBiDi (checked once per process)."""
    if not (features.check("raqm") and features.check("fribidi")):
        raise ShapingUnavailable(
            "Pillow cannot shape right-to-left and complex scripts (libraqm with FriBiDi is "
            "missing), so Arabic or Hebrew names would be drawn wrongly. Install libraqm0 "
            "and libfribidi0 (Debian) and reinstall Pillow.")


@lru_cache(maxsize=512)
def font(weight: str, size: int, fallback: bool = False) -> ImageFont.FreeTypeFont:
    inter, dejavu = WEIGHTS[weight]
    path = FONT_DIR / (dejavu if fallback else inter)
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


@lru_cache(maxsize=8)
def _inter_codepoints(weight: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # comes with WeasyPrint; read once per weight

    with TTFont(str(FONT_DIR / WEIGHTS[weight][0]), lazy=True) as ttf:
        return frozenset(ttf.getBestCmap())


@lru_cache(maxsize=4096)
def needs_fallback(text: str, weight: str) -> bool:
    """True when Inter lacks a character of `text`: the whole text is then set in DejaVu,
    so one line never mixes two typefaces."""
    have = _inter_codepoints(weight)
    return any(ord(c) not in have for c in text if not c.isspace() and c.isprintable())


def font_for(text: str, weight: str, size: int) -> ImageFont.FreeTypeFont:
    return font(weight, size, needs_fallback(text, weight))


@dataclass(frozen=True)
class Fitted:
    """A text block laid out: its lines, the font they are set in, and how it got there."""

    lines: tuple[str, ...]
    font: ImageFont.FreeTypeFont
    size: int
    pitch: int  # line to line, in pixels
    broken: bool = False  # a word was broken across lines
    ellipsized: bool = False  # lines were dropped: the last resort

    @property
    def height(self) -> int:
        return self.pitch * len(self.lines)


def _pitch(f: ImageFont.FreeTypeFont, leading: float) -> int:
    ascent, descent = f.getmetrics()
    return max(ascent + descent, round(f.size * leading))


def _wrap(text: str, f: ImageFont.FreeTypeFont, width: float, break_words: bool,
          measure: Callable[[str], float] | None = None) -> list[str] | None:
    """Greedy word wrap; None if a word is wider than a line and may not be broken.
    `measure` stands in for the font's own line widths (see `fit`)."""
    length = measure or f.getlength
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if length(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            if length(word) <= width:
                line = word
                continue
            if not break_words:
                return None
            pieces = _break_word(word, f, width)
            lines.extend(pieces[:-1])
            line = pieces[-1]
        if line:
            lines.append(line)
    return lines


def _break_word(word: str, f: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Cut a word into line-wide pieces, each but the last ending in a hyphen."""
    pieces: list[str] = []
    rest = word
    while rest:
        if f.getlength(rest) <= width:
            pieces.append(rest)
            break
        cut = len(rest) - 1
        while cut > 1 and f.getlength(rest[:cut] + "-") > width:
            cut -= 1
        pieces.append(rest[:cut] + "-")
        rest = rest[cut:]
    return pieces


def _fits(lines: Sequence[str] | None, pitch: int, height: int, max_lines: int | None) -> bool:
    if lines is None:
        return False
    if max_lines is not None and len(lines) > max_lines:
        return False
    return pitch * len(lines) <= height


def fit(text: str, width: int, height: int, *, weight: str = "bold", max_size: int = 200,
        min_size: int = 12, max_lines: int | None = None, leading: float = 1.15) -> Fitted:
    """Lay `text` out in a `width` x `height` box (see the module docstring for the rules)."""
    text = " ".join(text.split()) if "\n" not in text else text
    fallback = needs_fallback(text, weight)
    # A line is never taller than the box, and the longest word must fit the width at about
    # 0.5 em per character at least: both bound the search, which keeps fitting fast.
    longest = max((len(w) for w in text.split()), default=1)
    max_size = max(min_size, min(max_size, int(height / leading) + 1,
                                 int(width / (0.45 * longest)) + 1))

    def attempt(size: int, break_words: bool, measure: Callable[[str], float] | None = None
                ) -> tuple[list[str] | None, ImageFont.FreeTypeFont, int]:
        f = font(weight, size, fallback)
        return _wrap(text, f, width, break_words, measure), f, _pitch(f, leading)

    def whole_words_fit(attempted: tuple[list[str] | None, ImageFont.FreeTypeFont, int]
                        ) -> bool:
        lines, _, pitch = attempted
        return _fits(lines, pitch, height, max_lines)

    # Measuring a line with the font has a fixed cost whatever its length (the shaper is
    # set up for every call), and bisecting over sizes would measure every line at several
    # sizes, a large part of drawing a card. So the bisection runs on an estimate (the
    # words' widths at a reference size, measured once a process, scaled), and the font
    # measures only the sizes around its answer. As fitting shrinks monotonically, that is
    # the size an exact bisection finds, whatever the estimate's error.
    def estimated(size: int) -> bool:
        def measure(line: str) -> float:
            return _line_length(line, weight, fallback) * size / REFERENCE

        return whole_words_fit(attempt(size, False, measure))

    measured: dict[int, tuple[list[str] | None, ImageFont.FreeTypeFont, int]] = {}

    def fits(size: int) -> bool:
        if size not in measured:
            measured[size] = attempt(size, False)
        return whole_words_fit(measured[size])

    def largest(low: int, high: int, test: Callable[[int], bool]) -> int | None:
        """The largest size in [low, high] that passes `test`, by bisection."""
        best = None
        while low <= high:
            size = (low + high) // 2
            if test(size):
                best, low = size, size + 1
            else:
                high = size - 1
        return best

    guess = largest(min_size, max_size, estimated)
    if guess is None:
        best = largest(min_size, max_size, fits) if fits(min_size) else None
    elif fits(guess):
        best = guess if guess == max_size or not fits(guess + 1) else \
            largest(guess + 1, max_size, fits)
    else:
        best = guess - 1 if guess > min_size and fits(guess - 1) else \
            largest(min_size, guess - 2, fits)
    if best is not None:
        lines, f, pitch = measured[best]
        return Fitted(tuple(lines), f, best, pitch)  # type: ignore[arg-type]
    lines, f, pitch = attempt(min_size, True)
    assert lines is not None
    if _fits(lines, pitch, height, max_lines):
        return Fitted(tuple(lines), f, min_size, pitch, broken=True)
    # Last resort: keep what fits, end it in an ellipsis.
    room = max(1, min(height // pitch, max_lines or len(lines)))
    kept = lines[:room]
    last = kept[-1].rstrip("-")
    while last and f.getlength(last + ELLIPSIS) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + ELLIPSIS
    return Fitted(tuple(kept), f, min_size, pitch, broken=True, ellipsized=True)


Box = tuple[int, int, int, int]  # left, top, right, bottom
Placed = tuple[float, float, str]  # a line drawn: its left and top (anchor "la"), its text


def draw_fitted(draw: ImageDraw.ImageDraw, fitted: Fitted, box: Box, fill: object,
                align: str = "left", valign: str = "top") -> list[Placed]:
    """Draw a fitted block in `box`; returns where each line went (see `ink_box`).

    Right-to-left lines (Arabic, Hebrew) are set from the right edge when `align` is "left",
    the way a reader of that script expects them."""
    left, top, right, bottom = box
    y = top
    if valign == "middle":
        y = top + (bottom - top - fitted.height) // 2
    elif valign == "bottom":
        y = bottom - fitted.height
    placed: list[Placed] = []
    for line in fitted.lines:
        line_align = "right" if align == "left" and is_rtl(line) else align
        x: float = left
        if line_align != "left":  # only then does the line's width matter (a measure)
            width = fitted.font.getlength(line)
            x = left + (right - left - width) / 2 if line_align == "center" else right - width
        draw.text((x, y), line, font=fitted.font, fill=fill, anchor="la")  # type: ignore[arg-type]
        placed.append((x, y, line))
        y += fitted.pitch
    return placed


def ink_box(draw: ImageDraw.ImageDraw, font: ImageFont.FreeTypeFont, placed: Placed) -> Box:
    """The box a drawn line's ink covers (asked by checks, not while drawing: it lays the
    line out again)."""
    x, y, line = placed
    ink = draw.textbbox((x, y), line, font=font, anchor="la")
    return tuple(round(v) for v in ink)  # type: ignore[return-value]


@lru_cache(maxsize=1024)
def is_rtl(text: str) -> bool:
    """True when the first strong character is right-to-left (Hebrew, Arabic)."""
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


# --- lines planned for another renderer (the posters' WeasyPrint) ---------------------------

REFERENCE = 100  # px: a word is measured once, at this size; its advance scales with the size
_HYPHENATED = re.compile(r"[^-]*-+|[^-]+")  # "van-der-Berg": "van-", "der-", "Berg"


@lru_cache(maxsize=16384)
def _word_length(word: str, weight: str, fallback: bool) -> float:
    return font(weight, REFERENCE, fallback).getlength(word)


def _line_length(line: str, weight: str, fallback: bool) -> float:
    words = line.split(" ")
    return (sum(_word_length(w, weight, fallback) for w in words)
            + _word_length(" ", weight, fallback) * (len(words) - 1))


def length(text: str, size: float, weight: str = "regular") -> float:
    """The width of `text` (its white space collapsed) on one line at `size`."""
    text = " ".join(text.split())
    return _line_length(text, weight, needs_fallback(text, weight)) * size / REFERENCE


def wrap(text: str, width: float, size: float, weight: str = "regular", indent: float = 0.0
         ) -> list[str]:
    """`text`, its white space collapsed, in greedy lines no wider than `width` when set at
    `size` (both in one unit, say points; the first line `indent` narrower), broken at
    spaces and after hyphens, a word too long for a line broken with a hyphen: the lines a
    poster plans before WeasyPrint sets them in the same fonts."""
    text = " ".join(text.split())
    fallback = needs_fallback(text, weight)
    reference = font(weight, REFERENCE, fallback)
    full = width * REFERENCE / size
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        for index, piece in enumerate(_HYPHENATED.findall(word)):
            room = full - (0.0 if lines else indent * REFERENCE / size)
            candidate = (line + ("" if index else " ") + piece) if line else piece
            if _line_length(candidate, weight, fallback) <= room:
                line = candidate
                continue
            if line or (indent and not lines):  # a lead too wide for it keeps a line alone
                lines.append(line)
            pieces = [piece] if _word_length(piece, weight, fallback) <= full else \
                _break_word(piece, reference, full)
            lines += pieces[:-1]
            line = pieces[-1]
    return [*lines, line] if line else lines


def ellipsize(line: str, width: float, size: float, weight: str = "regular") -> str:
    """`line` ending in an ellipsis within `width` at `size`: whole words dropped from its
    end while there is more than one, then letters."""
    fallback = needs_fallback(line, weight)
    room = width * REFERENCE / size
    words = line.rstrip("-").split(" ")
    while len(words) > 1 and _line_length(" ".join(words) + ELLIPSIS, weight, fallback) > room:
        words.pop()
    last = " ".join(words).rstrip(" ,;:-")
    while len(last) > 1 and _line_length(last + ELLIPSIS, weight, fallback) > room:
        last = last[:-1].rstrip(" ,;:-")
    return last + ELLIPSIS


# --- the pixel font of LED signs ------------------------------------------------------------


@dataclass(frozen=True)
class PixelRows:
    """Sign rows at one whole-pixel scale; `source[i]` is the input line row i came from."""

    rows: tuple[str, ...]
    source: tuple[int, ...]
    scale: int
    gap: int  # dark pixels between rows
    ellipsized: bool = False

    @property
    def height(self) -> int:
        n = len(self.rows)
        return n * pixelfont.GLYPH_HEIGHT * self.scale + max(0, n - 1) * self.gap


def _pixel_wrap(lines: Sequence[str], width: int, scale: int, break_words: bool
                ) -> tuple[list[str], list[int]] | None:
    max_glyphs = (width // scale + 1) // (pixelfont.GLYPH_WIDTH + 1)
    if max_glyphs < 1:
        return None
    rows: list[str] = []
    source: list[int] = []
    for index, line in enumerate(lines):
        words = line.split()
        if not break_words and any(len(pixelfont.to_glyphs(w)) > max_glyphs for w in words):
            return None
        wrapped = pixelfont.fit_lines(line, width, scale) if words else []
        rows += wrapped
        source += [index] * len(wrapped)
    return rows, source


def fit_pixel_rows(lines: Sequence[str], width: int, height: int, max_scale: int = 8
                   ) -> PixelRows:
    """The largest whole-pixel scale at which `lines` fit a `width` x `height` sign face:
    whole words first, then words broken, then (last resort) rows dropped with "..."."""
    def gap(scale: int) -> int:
        return max(1, scale)

    for break_words in (False, True):
        for scale in range(max_scale, 0, -1):
            wrapped = _pixel_wrap(lines, width, scale, break_words)
            if wrapped is None:
                continue
            rows, source = wrapped
            fitted = PixelRows(tuple(rows), tuple(source), scale, gap(scale))
            if fitted.height <= height:
                return fitted
    wrapped = _pixel_wrap(lines, width, 1, True)
    assert wrapped is not None
    rows, source = wrapped
    room = max(1, (height + gap(1)) // (pixelfont.GLYPH_HEIGHT + gap(1)))
    rows, source = rows[:room], source[:room]
    max_glyphs = (width + 1) // (pixelfont.GLYPH_WIDTH + 1)
    last = rows[-1]
    while last and len(pixelfont.to_glyphs(last + "...")) > max_glyphs:
        last = last[:-1].rstrip()
    rows[-1] = last + "..."
    return PixelRows(tuple(rows), tuple(source), 1, gap(1), ellipsized=True)
