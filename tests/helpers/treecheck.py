"""Checks that a published tree is whole: every reference resolves, every image opens.

Used after kills, during torn-read polling, and wherever a test wants the contract's
promise (section 4) checked: no page, feed or manifest names a file that is not there, no
file stated with a sha256 (display manifests) has other bytes, and every gzip sibling
(`X.gz`, served by nginx `gzip_static`) holds exactly `X`, with the same mtime.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image

TEXT_SUFFIXES = (".html", ".xml", ".atom", ".json", ".txt", ".css")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
HTML_REF = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
CSS_REF = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
URL = re.compile(r"""https?://[^\s"'<>)\]\\]+""")  # a backslash ends it: "\n" in JSON


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


PATH_KEYS = ("image", "url", "href", "path", "file", "src")


def stated_hashes(doc: object) -> Iterator[tuple[str, str]]:
    """(reference, sha256) for every JSON object that states the hash of a file it names,
    like a display manifest's slides: {"image": ..., "sha256": ...}."""
    if isinstance(doc, dict):
        digest = doc.get("sha256")
        if isinstance(digest, str):
            for key in PATH_KEYS:
                if isinstance(doc.get(key), str):
                    yield doc[key], digest
        for value in doc.values():
            yield from stated_hashes(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from stated_hashes(value)


def resolve_reference(ref: str, path: Path, root: Path, base_url: str) -> list[Path]:
    """Where a reference in a JSON file may point: an absolute URL under base_url, a
    root-relative path, or a path relative to the file itself."""
    if ref.startswith(base_url):
        return [root / unquote(urlsplit(ref[len(base_url):]).path)]
    if re.match(r"^[a-z][a-z0-9+.-]*:", ref):
        return []
    relative = unquote(urlsplit(ref).path)
    return [path.parent / relative, root / relative.lstrip("/")]


def whole_problem(name: str, data: bytes) -> str | None:
    """Why these bytes are not a whole file of this name's type, or None when they are."""
    suffix = Path(name).suffix
    try:
        if suffix in IMAGE_SUFFIXES:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        elif suffix in TEXT_SUFFIXES:
            text = data.decode("utf-8")
            if suffix == ".json":
                json.loads(text)
            elif suffix == ".html" and not text.rstrip().endswith("</html>"):
                return f"{name}: HTML does not end with </html>"
            elif suffix in (".xml", ".atom") and not text.rstrip().endswith(">"):
                return f"{name}: XML is cut short"
        elif suffix == ".pdf" and (not data.startswith(b"%PDF") or b"%%EOF" not in data[-1024:]):
            return f"{name}: not a whole PDF"
    except Exception as exc:
        return f"{name}: not whole ({type(exc).__name__}: {exc})"
    return None


def check_tree(root: Path, base_url: str, settled: bool = True) -> list[str]:
    """Every problem found, as text; an empty list means the tree is whole.

    `settled=False` for a tree caught mid-publish (after a kill): a file and its gzip
    sibling are replaced one after the other, so for a moment they may hold two versions;
    each must then still be whole, with every reference resolving."""
    problems: list[str] = []
    root = root.resolve()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(root).parts):
            continue
        name = path.relative_to(root).as_posix()
        data = path.read_bytes()
        if path.suffix == ".gz":
            problem = gzip_problem(path, name, data, settled)
            if problem:
                problems.append(problem)
                continue
            # A reader asking for gzip gets these bytes: check them like the file itself.
            path, name, data = path.with_suffix(""), name.removesuffix(".gz"), gzip.decompress(data)
        problem = whole_problem(name, data)
        if problem:
            problems.append(problem)
            continue
        if path.suffix not in TEXT_SUFFIXES:
            continue
        text = data.decode("utf-8")
        if path.suffix == ".json":
            text = "\n".join(json_strings(json.loads(text)))  # URLs, unescaped
        for target in references(path, text, root, base_url):
            if target.is_relative_to(root) and not target.is_file():
                problems.append(f"{name} names missing {target.relative_to(root)}")
        if path.suffix == ".json":
            for ref, digest in stated_hashes(json.loads(data)):
                problems += hash_problems(name, ref, digest, path, root, base_url)
    return problems


def hash_problems(name: str, ref: str, digest: str, path: Path, root: Path, base_url: str
                  ) -> list[str]:
    candidates = [c for c in resolve_reference(ref, path, root, base_url) if c.is_file()]
    if not candidates:
        return [f"{name} names missing {ref} (with sha256)"]
    if not any(hashlib.sha256(c.read_bytes()).hexdigest() == digest for c in candidates):
        return [f"{name} states sha256 {digest[:12]}... for {ref}, which has other bytes"]
    return []


def gzip_problem(path: Path, name: str, data: bytes, settled: bool) -> str | None:
    original = path.with_suffix("")
    if not original.is_file():
        return f"{name}: gzip sibling without {original.name}"
    try:
        unpacked = gzip.decompress(data)
    except Exception as exc:
        return f"{name}: not whole gzip ({exc})"
    if settled and unpacked != original.read_bytes():
        return f"{name}: does not hold the same bytes as {original.name}"
    if settled and path.stat().st_mtime_ns != original.stat().st_mtime_ns:
        return f"{name}: mtime differs from {original.name}'s"
    return None


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
