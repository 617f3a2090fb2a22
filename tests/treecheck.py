"""Checks that a published tree is whole: every reference resolves, every image opens.

Used after kills, during torn-read polling, and wherever a test wants the contract's
promise (section 4) checked: no page, feed or manifest names a file that is not there.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image

TEXT_SUFFIXES = (".html", ".xml", ".atom", ".json", ".txt", ".css")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
HTML_REF = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
CSS_REF = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
URL = re.compile(r"""https?://[^\s"'<>)\]]+""")


def references(path: Path, text: str, root: Path, base_url: str) -> set[Path]:
    """Files in the tree that a text file names (relative links, or absolute ones under
    base_url). Links to other hosts, tel:, mailto: and fragments are not files of ours."""
    found: set[Path] = set()
    candidates = set(URL.findall(text))
    if path.suffix in (".html", ".css"):
        candidates |= set(HTML_REF.findall(text)) | set(CSS_REF.findall(text))
    for ref in candidates:
        ref = ref.replace("&amp;", "&")
        if ref.startswith(base_url):
            target = root / unquote(urlsplit(ref[len(base_url):]).path)
        elif re.match(r"^[a-z][a-z0-9+.-]*:", ref) or ref.startswith(("#", "//")):
            continue
        elif path.suffix in (".html", ".css") and not ref.startswith("/"):
            target = path.parent / unquote(urlsplit(ref).path)
        else:
            continue
        if not urlsplit(ref).path and ref.startswith("?"):
            continue
        if target.is_dir() or str(target).endswith("/"):
            target = target / "index.html"
        found.add(target.resolve())
    return found


def check_tree(root: Path, base_url: str) -> list[str]:
    """Every problem found, as text; an empty list means the tree is whole."""
    problems: list[str] = []
    root = root.resolve()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(root).parts):
            continue
        name = path.relative_to(root).as_posix()
        if path.suffix in IMAGE_SUFFIXES:
            try:
                with Image.open(path) as image:
                    image.load()
            except Exception as exc:
                problems.append(f"{name}: image does not open ({exc})")
        elif path.suffix in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":
                try:
                    text = "\n".join(json_strings(json.loads(text)))  # URLs, unescaped
                except ValueError as exc:
                    problems.append(f"{name}: not whole JSON ({exc})")
            for target in references(path, text, root, base_url):
                if target.is_relative_to(root) and not target.is_file():
                    problems.append(f"{name} names missing {target.relative_to(root)}")
        elif path.suffix == ".pdf":
            data = path.read_bytes()
            if not data.startswith(b"%PDF") or b"%%EOF" not in data[-1024:]:
                problems.append(f"{name}: not a whole PDF")
    return problems


def json_strings(value: object) -> list[str]:
    """Every string in a JSON document, keys excepted."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return []


def image_opens(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
        return True
    except Exception:
        return False
