"""Reading NTCIP 1203 MULTI back, as a sign controller would: pages of lines of text.

Only the tags of the manifest's `multi` are accepted ([jl3], [nl], [np]); any other tag, a
lone bracket or a character outside printable ASCII is an error, since a sign would reject
the message or show something else than the text.
"""

from __future__ import annotations

import re

ALLOWED = {"jl3", "nl", "np"}
_TOKEN = re.compile(r"\[\[|\]\]|\[([^\[\]]*)\]|[^\[\]]+|.", re.S)


def parse_multi(text: str, centred: bool = True) -> list[list[str]]:
    """The pages of a MULTI string, each a list of its lines; `centred`: every line must
    start with [jl3]."""
    if not all(" " <= char <= "~" for char in text):
        raise ValueError(f"not printable ASCII: {text!r}")
    pages: list[list[str]] = [[]]
    line: list[str] = []
    tags_here: list[str] = []  # tags since the line began

    def end_line() -> None:
        if centred and "jl3" not in tags_here:
            raise ValueError(f"a line not centred with [jl3]: {''.join(line)!r} in {text!r}")
        pages[-1].append("".join(line))
        line.clear()
        tags_here.clear()

    for token in _TOKEN.finditer(text):
        piece, tag = token.group(0), token.group(1)
        if piece in ("[[", "]]"):
            line.append(piece[0])
        elif tag is not None:
            if tag not in ALLOWED:
                raise ValueError(f"tag [{tag}] is not one every sign takes: {text!r}")
            if tag == "jl3":
                if line:
                    raise ValueError(f"[jl3] in the middle of a line: {text!r}")
                tags_here.append(tag)
            else:
                end_line()
                if tag == "np":
                    pages.append([])
        elif piece in ("[", "]"):
            raise ValueError(f"a lone {piece!r} at {token.start()}: {text!r}")
        else:
            line.append(piece)
    end_line()
    return pages
