"""The web photo's bytes (`alerts/ID/VERSION/photo.jpg`), encoded once per build.

`web.py` encodes the published file with `photo.web_photo`; CAP needs the same bytes for its
size and SHA-1 digest, and the feeds for an enclosure's length, so both ask here and the
photo is encoded once for them. The cache lives as long as the build's `PhotoStore`.
"""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from .photo import PhotoStore, web_photo

_cache: WeakKeyDictionary[PhotoStore, dict[str, bytes]] = WeakKeyDictionary()
_lock = threading.Lock()


def web_photo_bytes(photos: PhotoStore, sha256: str) -> bytes:
    with _lock:
        per_build = _cache.setdefault(photos, {})
        cached = per_build.get(sha256)
    if cached is None:
        cached = web_photo(photos.image(sha256))
        with _lock:
            per_build[sha256] = cached
    return cached
