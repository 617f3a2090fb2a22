"""A 5x7 bitmap font drawn in code, for low-resolution one-bit LED matrix signs.

Roadside and station LED signs (typically 144x48 pixels, one bit per pixel)
cannot show anti-aliased TrueType text, so this module carries its own pixel
font: every glyph is 5 pixels wide and 7 tall (cap height 7), written out below
as rows of ``#`` (lit) and ``.`` (dark). Drawing only ever sets whole pixels to
the given fill, so the result is exact on mode ``"1"``, ``"L"`` and ``"RGB"``
images and stays exact when each pixel is enlarged with ``scale``.

Coverage: A-Z, 0-9, space and ``. , : ; - + ( ) / ' " ! ? & @ # % * = _``.
Lowercase is drawn as uppercase. Accented letters are drawn as their base
letter (NFKD decomposition, so ``Zoë`` -> ``ZOE``), ligatures and letters such
as ``Ĳ``, ``ß``, ``Æ`` and ``Ø`` are spelled out (``IJ``, ``SS``, ``AE``,
``O``), typographic quotes and dashes map to their ASCII forms. Anything else
(Cyrillic, Hebrew, Arabic, emoji, ...) is drawn as ``?``.

Horizontal metrics: a glyph advances ``(5 + spacing) * scale`` pixels; the text
width does not include trailing spacing after the last glyph.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from PIL import Image, ImageDraw

GLYPH_WIDTH: int = 5
GLYPH_HEIGHT: int = 7

# fmt: off
GLYPHS: dict[str, tuple[str, ...]] = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    " ": (".....", ".....", ".....", ".....", ".....", ".....", "....."),
    ".": (".....", ".....", ".....", ".....", ".....", ".##..", ".##.."),
    ",": (".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."),
    ":": (".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."),
    ";": (".....", ".##..", ".##..", ".....", ".##..", "..#..", ".#..."),
    "-": (".....", ".....", ".....", ".###.", ".....", ".....", "....."),
    "+": (".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."),
    "(": ("...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."),
    ")": (".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."),
    "/": (".....", "....#", "...#.", "..#..", ".#...", "#....", "....."),
    "'": ("..#..", "..#..", ".....", ".....", ".....", ".....", "....."),
    '"': (".#.#.", ".#.#.", ".....", ".....", ".....", ".....", "....."),
    "!": ("..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
    "&": (".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"),
    "@": (".###.", "#...#", "#.###", "#.#.#", "#.###", "#....", ".####"),
    "#": (".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."),
    "%": ("##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"),
    "*": (".....", "#.#.#", ".###.", "#####", ".###.", "#.#.#", "....."),
    "=": (".....", ".....", "#####", ".....", "#####", ".....", "....."),
    "_": (".....", ".....", ".....", ".....", ".....", ".....", "#####"),
}
# fmt: on

#: Characters spelled out or replaced before NFKD decomposition is tried.
_SUBSTITUTES: dict[str, str] = {
    "Ĳ": "IJ", "ĳ": "IJ",
    "ß": "SS", "ẞ": "SS",
    "Æ": "AE", "æ": "AE",
    "Œ": "OE", "œ": "OE",
    "Ø": "O", "ø": "O",
    "Ł": "L", "ł": "L",
    "Đ": "D", "đ": "D", "Ð": "D", "ð": "D",
    "Þ": "TH", "þ": "TH",
    "ı": "I",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "…": "...",
    "·": ".", "•": ".",
    "⁄": "/",
    "×": "X",
}  # fmt: skip

_FALLBACK = "?"


@lru_cache(maxsize=4096)
def _glyph_keys(char: str) -> str:
    """The glyph keys (zero or more) that draw one input character."""
    if char in GLYPHS:
        return char
    if char.isspace():
        return " "
    if char in _SUBSTITUTES:
        return _SUBSTITUTES[char]
    upper = char.upper()
    if len(upper) == 1 and upper in GLYPHS:
        return upper
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf"):
        return ""  # combining accents, controls, soft hyphens, zero-width joiners
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed != char:
        keys = "".join(_glyph_keys(part) for part in decomposed)
        if keys:
            return keys
    return _FALLBACK


def to_glyphs(text: str) -> str:
    """Map ``text`` to the string of glyph keys that will actually be drawn."""
    return "".join(_glyph_keys(char) for char in text)


def _width_of(count: int, scale: int, spacing: int) -> int:
    if count <= 0:
        return 0
    return (count * GLYPH_WIDTH + (count - 1) * spacing) * scale


def text_width(text: str, scale: int = 1, spacing: int = 1) -> int:
    """Width in pixels of ``text`` drawn with ``draw_text`` (no trailing spacing)."""
    _check(scale, spacing)
    return _width_of(len(to_glyphs(text)), scale, spacing)


def _check(scale: int, spacing: int) -> None:
    if scale < 1:
        raise ValueError(f"scale must be >= 1, got {scale}")
    if spacing < 0:
        raise ValueError(f"spacing must be >= 0, got {spacing}")


def _ink(image: Image.Image, fill: int | tuple[int, ...]) -> int | tuple[int, ...]:
    """Expand a grey-level int to a colour tuple on multi-band images."""
    if isinstance(fill, int) and image.mode in ("RGB", "RGBA"):
        return (fill, fill, fill) if image.mode == "RGB" else (fill, fill, fill, 255)
    return fill


def draw_text(
    image: Image.Image,
    xy: tuple[int, int],
    text: str,
    fill: int | tuple[int, ...],
    scale: int = 1,
    spacing: int = 1,
) -> None:
    """Draw one line of ``text`` with its top-left corner at ``xy``.

    Only whole pixels are set, to exactly ``fill`` (no anti-aliasing); each
    font pixel becomes a ``scale`` x ``scale`` block. Pixels outside the image
    are clipped. Newlines are drawn as spaces: use ``fit_lines`` to break text.
    """
    _check(scale, spacing)
    draw = ImageDraw.Draw(image)
    ink = _ink(image, fill)
    x0, y0 = xy
    advance = (GLYPH_WIDTH + spacing) * scale
    for index, key in enumerate(to_glyphs(text)):
        gx = x0 + index * advance
        for row, bits in enumerate(GLYPHS[key]):
            y = y0 + row * scale
            for col, bit in enumerate(bits):
                if bit == "#":
                    x = gx + col * scale
                    if scale == 1:
                        draw.point((x, y), fill=ink)
                    else:
                        draw.rectangle((x, y, x + scale - 1, y + scale - 1), fill=ink)


def fit_lines(text: str, width: int, scale: int = 1, spacing: int = 1) -> list[str]:
    """Word-wrap ``text`` into lines that each fit in ``width`` pixels.

    Words are separated by whitespace; an explicit newline always starts a new
    line. A word wider than a whole line is split across lines (no hyphen, no
    ellipsis). The returned lines are substrings of the input (not upper-cased
    or transliterated), so they can be passed straight to ``draw_text``. Blank
    text gives an empty list. Raises ``ValueError`` if not even one glyph fits.
    """
    _check(scale, spacing)
    max_glyphs = (width // scale + spacing) // (GLYPH_WIDTH + spacing)
    if max_glyphs < 1:
        raise ValueError(f"width {width} is narrower than one glyph at scale {scale}")

    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        line_count = 0  # glyphs in `line`
        for word in paragraph.split():
            count = len(to_glyphs(word))
            if line and line_count + 1 + count <= max_glyphs:
                line, line_count = f"{line} {word}", line_count + 1 + count
                continue
            if line:
                lines.append(line)
                line, line_count = "", 0
            if count <= max_glyphs:
                line, line_count = word, count
                continue
            # Too long for any line: cut it into line-sized pieces.
            pieces = _split_word(word, max_glyphs)
            lines.extend(pieces[:-1])
            line = pieces[-1]
            line_count = len(to_glyphs(line))
        if line:
            lines.append(line)
    return lines


def _split_word(word: str, max_glyphs: int) -> list[str]:
    """Cut ``word`` into pieces of at most ``max_glyphs`` glyphs each."""
    units: list[str] = []
    for char in word:
        keys = _glyph_keys(char)
        # A character that expands to more glyphs than a line holds (e.g. "…")
        # is broken into its glyphs; otherwise characters are kept whole.
        units.extend(keys if len(keys) > max_glyphs else [char])
    pieces: list[str] = []
    piece, piece_count = "", 0
    for unit in units:
        count = len(to_glyphs(unit))
        if piece and piece_count + count > max_glyphs:
            pieces.append(piece)
            piece, piece_count = "", 0
        piece, piece_count = piece + unit, piece_count + count
    if piece:
        pieces.append(piece)
    return pieces
