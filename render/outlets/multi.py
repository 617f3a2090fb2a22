"""A text sign's phase as an NTCIP 1203 MULTI string, for sign controllers that take text
rather than bitmaps (the `multi` of a text profile's slides in the manifest).

    [jl3]KIND ALARM[nl][jl3]Sanne de Vries (8)[nl][jl3]VERMIST

Only the tags every NTCIP sign takes: `[jl3]` (line centred), `[nl]` (new line) and `[np]`
(new page); fonts, colours and page times stay the sign's own. The text is printable ASCII,
transliterated by `anyascii` (Zoë -> Zoe, Ærøskøbing -> Aeroskobing), since many sign fonts
hold nothing else, and `[` and `]` are written `[[` and `]]`: a name like `Eva [np]` stays
text and cannot inject a tag.

A sign rejects a whole message whose line does not fit it, so lines are wrapped at the width
the sign's 5x7 font gives (the font of the bitmaps), words broken only when one alone is too
long; a phase longer than the sign's lines goes on as a next page. A drill's pages each
start with OEFENING, as every page of the bitmaps does.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from ..drawing import pixelfont

CENTRED, NEW_LINE, NEW_PAGE = "[jl3]", "[nl]", "[np]"
DRILL = "OEFENING"
_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e]+")


def ascii_line(text: str) -> str:
    """Printable ASCII with single spaces: what the sign's font can show."""
    from anyascii import anyascii

    return " ".join(_NOT_PRINTABLE.sub(" ", anyascii(text)).split())


def escape(text: str) -> str:
    """Brackets doubled: in MULTI `[` opens a tag, and `[[` is a bracket."""
    return text.replace("[", "[[").replace("]", "]]")


def line_width(sign_width: int) -> int:
    """Characters per line: the 5x7 font with a pixel between glyphs, a pixel margin each
    side (as the bitmaps of a small sign)."""
    return max(1, (sign_width - 2 + 1) // (pixelfont.GLYPH_WIDTH + 1))


def pages(lines: Sequence[str], sign_width: int, sign_lines: int, drill: bool = False
          ) -> list[list[str]]:
    """The phase's lines as the sign's pages of ASCII lines (not yet escaped)."""
    width = line_width(sign_width)
    head = [DRILL] if drill and lines and lines[0] == DRILL else []
    rows = [row for line in lines[len(head):]
            for row in textwrap.wrap(ascii_line(line), width, break_on_hyphens=False)]
    if head and sign_lines < 2:  # no room beside it: OEFENING as a page of its own first
        return [head] + [[row] for row in rows]
    room = sign_lines - len(head)
    return [head + rows[i:i + room] for i in range(0, len(rows), room)] or [head]


def multi(lines: Sequence[str], sign_width: int, sign_lines: int, drill: bool = False) -> str:
    """The phase as one MULTI string: centred lines, `[nl]` between them, `[np]` between
    pages."""
    return NEW_PAGE.join(
        NEW_LINE.join(CENTRED + escape(line) for line in page)
        for page in pages(lines, sign_width, sign_lines, drill))
