"""JSON documents as published: UTF-8, indented, one newline at the end, and safe to embed
in HTML: `<`, `>` and `&` are written `\\u003c`, `\\u003e` and `\\u0026`, so an alert named
`Eva <script>` stays text wherever a widget or app puts a value into a page."""

from __future__ import annotations

import json
from typing import Any

# Outside strings JSON has none of these characters, so replacing them in the text changes
# only strings, and every JSON reader reads the same values back.
_EMBED_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_bytes(document: Any) -> bytes:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return (text.translate(_EMBED_SAFE) + "\n").encode("utf-8")
