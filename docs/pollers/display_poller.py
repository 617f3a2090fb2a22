"""Display vendors: fetch displays/PROFILE/manifest.json, download the slides it names,
check each against its sha256 and size, and only then switch the sign to them.

    python display_poller.py https://alarm.example.nl/ ns-station ./slides [--once]

Slide images are versioned (a new version of an alert gets new file names), so a slide
already on disk is never fetched again. An empty `slides` list means: show nothing (or the
profile's idle image, displays/PROFILE/current.png).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from httpcache import ConditionalGetter, poll_forever


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or GIF, from its header."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    raise ValueError("not a PNG or GIF image")


def fetch_slide(manifest_url: str, slide: dict, store: Path) -> Path:
    url = urllib.parse.urljoin(manifest_url, slide["image"])
    target = store / hashlib.sha256(url.encode()).hexdigest()[:16]
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == slide["sha256"]:
        return target
    with urllib.request.urlopen(url, timeout=10) as reply:
        data = reply.read()
    if hashlib.sha256(data).hexdigest() != slide["sha256"]:
        raise ValueError(f"{url}: sha256 does not match the manifest")
    if image_size(data) != (slide["width"], slide["height"]):
        raise ValueError(f"{url}: not {slide['width']}x{slide['height']}")
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)  # a slide on disk is always whole
    return target


def poll_once(base_url: str, profile: str, store: Path, http: ConditionalGetter
              ) -> list[tuple[Path, float]]:
    """The playlist to show now: (local image, seconds), every image verified."""
    manifest_url = f"{base_url}displays/{profile}/manifest.json"
    manifest = json.loads(http.get(manifest_url).body)
    store.mkdir(parents=True, exist_ok=True)
    return [(fetch_slide(manifest_url, slide, store), float(slide["seconds"]))
            for slide in manifest["slides"]]


def main(argv: list[str]) -> None:
    base_url, profile, store = argv[0].rstrip("/") + "/", argv[1], Path(argv[2])
    http = ConditionalGetter()

    def refresh() -> None:
        try:
            playlist = poll_once(base_url, profile, store, http)
            print(f"showing {len(playlist)} slide(s)")
        except (OSError, ValueError) as error:  # keep showing the last good playlist
            print(f"keeping the last playlist: {error}", file=sys.stderr)

    poll_forever(refresh, 30, "--once" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
