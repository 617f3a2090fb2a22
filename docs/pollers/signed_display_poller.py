"""Display owners: show only what the publisher signed. Fetch displays/PROFILE/manifest.jws,
verify it against the public key you pinned, refuse a stale or replayed one, check every
slide's bytes, and only then switch; otherwise keep the last verified playlist, and go black
once even that one's `valid_until` has passed.

    python signed_display_poller.py https://alarm.example.nl/ ns-station jwks.json [--once]

Pin the key out of band: take `keys/jwks.json` (or the line `kindalarm keys new` printed)
from the publisher once, over a channel you trust, and keep it on the display controller. A
key fetched from the same server as the manifests proves nothing.

Needs `cryptography` (pip install cryptography); no JOSE library.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from display_poller import image_size


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pinned_keys(jwks: bytes) -> dict[str, Ed25519PublicKey]:
    """kid -> public key, from a pinned JWK Set (only OKP Ed25519 keys)."""
    return {key["kid"]: Ed25519PublicKey.from_public_bytes(_unb64(key["x"]))
            for key in json.loads(jwks)["keys"]
            if key.get("kty") == "OKP" and key.get("crv") == "Ed25519"}


def verified_payload(jws: bytes, keys: dict[str, Ed25519PublicKey]) -> bytes:
    """The payload of a compact JWS signed by a pinned key; ValueError otherwise."""
    try:
        header_b64, payload_b64, signature_b64 = jws.strip().decode("ascii").split(".")
        header = json.loads(_unb64(header_b64))
    except (ValueError, UnicodeDecodeError):
        raise ValueError("not a compact JWS") from None
    if header.get("alg") != "EdDSA" or header.get("kid") not in keys:
        raise ValueError("not signed with a pinned key")  # never trust "alg": "none"
    try:
        keys[header["kid"]].verify(_unb64(signature_b64),
                                   f"{header_b64}.{payload_b64}".encode("ascii"))
    except (InvalidSignature, ValueError):
        raise ValueError("bad signature") from None
    return _unb64(payload_b64)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class SignedDisplay:
    """What one display shows: the last verified playlist, and what it was verified from."""

    base_url: str
    profile: str
    keys: dict[str, Ed25519PublicKey]
    fetch: Callable[[str], bytes]  # URL -> bytes; raises OSError when it cannot
    manifest: dict[str, Any] | None = None
    images: list[tuple[bytes, float]] = field(default_factory=list)
    refused: str = ""  # why the last poll kept the old playlist, for the log

    def poll(self, now: datetime) -> list[tuple[bytes, float]]:
        """The playlist to show now: (image bytes, seconds), every image verified."""
        try:
            self._take(now)
            self.refused = ""
        except (OSError, ValueError, KeyError, TypeError) as error:
            self.refused = str(error) or type(error).__name__
        if self.manifest is None or moment(self.manifest["valid_until"]) <= now:
            return []  # nothing verified is still valid: black
        return self.images

    def _take(self, now: datetime) -> None:
        url = f"{self.base_url}displays/{self.profile}/manifest.jws"
        manifest = json.loads(verified_payload(self.fetch(url), self.keys))
        if moment(manifest["valid_until"]) <= now:
            raise ValueError("manifest past its valid_until (replayed or stale)")
        if self.manifest is not None and self._order(manifest) < self._order(self.manifest):
            raise ValueError("manifest older than the one shown (replayed)")
        images = []
        for slide in manifest["slides"]:
            data = self.fetch(urllib.parse.urljoin(url, slide["image"]))
            if hashlib.sha256(data).hexdigest() != slide["sha256"]:
                raise ValueError(f"{slide['image']}: bytes do not match the signed sha256")
            if image_size(data) != (slide["width"], slide["height"]):
                raise ValueError(f"{slide['image']}: not the signed size")
            images.append((data, float(slide["seconds"])))
        self.manifest, self.images = manifest, images

    @staticmethod
    def _order(manifest: dict[str, Any]) -> tuple[datetime, datetime]:
        return moment(manifest["updated"]), moment(manifest["valid_until"])


def http_fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as reply:
        data: bytes = reply.read()
        return data


def main(argv: list[str]) -> None:
    base_url, profile = argv[0].rstrip("/") + "/", argv[1]
    with open(argv[2], "rb") as pinned:
        display = SignedDisplay(base_url, profile, pinned_keys(pinned.read()), http_fetch)
    while True:
        playlist = display.poll(datetime.now(UTC))
        print(f"showing {len(playlist)} slide(s)" + (f"; refused: {display.refused}"
                                                     if display.refused else ""))
        if "--once" in argv:
            return
        time.sleep(10)


if __name__ == "__main__":
    main(sys.argv[1:])
