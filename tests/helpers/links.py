"""Every URL a published page or stylesheet names, found by parsing (not by regex over HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
URL_ATTRS = ("src", "href", "srcset", "poster", "action", "data", "formaction")
ABSOLUTE_META = ("og:image", "og:url", "twitter:image")


@dataclass(frozen=True)
class Reference:
    source: str  # the file that names it, relative to the output root
    element: str  # e.g. "a[href]", "link[stylesheet]", "css url()", "meta[og:image]"
    url: str


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        for name in URL_ATTRS:
            if name not in values:
                continue
            urls = ([part.split()[0] for part in values[name].split(",") if part.strip()]
                    if name == "srcset" else [values[name]])
            kind = f"link[{values.get('rel', '')}]" if tag == "link" else f"{tag}[{name}]"
            self.found += [(kind, url) for url in urls]
        if tag == "meta":
            key = values.get("property") or values.get("name") or ""
            if key in ABSOLUTE_META:
                self.found.append((f"meta[{key}]", values.get("content", "")))
            if values.get("http-equiv", "").lower() == "refresh":
                target = re.search(r"url\s*=\s*(\S+)", values.get("content", ""), re.I)
                if target:
                    self.found.append(("meta[refresh]", target.group(1)))
        if "style" in values:
            self.found += [("style url()", m.group(2)) for m in CSS_URL.finditer(values["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [("css url()", m.group(2)) for m in CSS_URL.finditer(data)]


def page_references(out: Path, page: Path) -> tuple[list[Reference], set[str]]:
    """The URLs one HTML page names, and the ids it defines (for #fragment links)."""
    parser = _PageParser()
    parser.feed(page.read_text(encoding="utf-8"))
    source = page.relative_to(out).as_posix()
    return [Reference(source, kind, url) for kind, url in parser.found], parser.ids


def css_references(out: Path, sheet: Path) -> list[Reference]:
    source = sheet.relative_to(out).as_posix()
    text = sheet.read_text(encoding="utf-8")
    return [Reference(source, "css url()", m.group(2)) for m in CSS_URL.finditer(text)]


def all_references(out: Path) -> tuple[list[Reference], dict[str, set[str]]]:
    refs: list[Reference] = []
    ids: dict[str, set[str]] = {}
    for page in sorted(out.rglob("*.html")):
        page_refs, page_ids = page_references(out, page)
        refs += page_refs
        ids[page.relative_to(out).as_posix()] = page_ids
    for sheet in sorted(out.rglob("*.css")):
        refs += css_references(out, sheet)
    return refs, ids
