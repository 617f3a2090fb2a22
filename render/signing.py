"""Signing (contract sections 4 and 5): an Ed25519 key from `kindalarm keys new`, compact JWS
(RFC 7515, `alg` `EdDSA` of RFC 8037) over the exact bytes of a JSON document, and the public
keys as a JWK Set. The signature itself is `cryptography`'s; this module only frames it.

Ed25519 signatures are deterministic, and `valid_until` comes from the clock rounded down to
half of `valid_hours`, so two builds at the same clock period write the same bytes. The
private key stays in its file: it is never copied into the output, the state or a log; a key
file that others may read is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import ConfigError

SIGNING_KEYS = {"key_file", "next_key_file", "valid_hours"}


@dataclass(frozen=True)
class SigningSettings:
    key_file: Path
    next_key_file: Path | None = None  # during a rotation: published, not yet signing
    valid_hours: float = 24.0


def parse_signing(where: str, table: Any, base: Path) -> SigningSettings | None:
    """`[signing]`; paths relative to the settings file's folder."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: signing: must be a table")
    unknown = set(table) - SIGNING_KEYS
    if unknown:
        raise ConfigError(f"{where}: signing: unknown setting '{sorted(unknown)[0]}'")
    if not table:
        return None
    paths = {}
    for key in ("key_file", "next_key_file"):
        if key in table:
            if not isinstance(table[key], str) or not table[key]:
                raise ConfigError(f"{where}: signing.{key}: must be a file name")
            paths[key] = base / table[key]
    if "key_file" not in paths:
        raise ConfigError(f"{where}: signing.key_file: required (make one with "
                          "`kindalarm keys new FILE`)")
    hours = table.get("valid_hours", 24.0)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0.01:
        raise ConfigError(f"{where}: signing.valid_hours: must be a number, at least 0.01")
    return SigningSettings(paths["key_file"], paths.get("next_key_file"), float(hours))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(public_raw: bytes) -> dict[str, str]:
    """The OKP JWK of an Ed25519 public key, with its RFC 7638 thumbprint as `kid`."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(public_raw)}
    # RFC 7638: the required members, sorted, no whitespace, hashed with SHA-256.
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return {**members, "kid": b64url(hashlib.sha256(canonical).digest()), "alg": "EdDSA",
            "use": "sig"}


class Signer:
    """The site's signing key (and the next one, published only)."""

    def __init__(self, settings: SigningSettings) -> None:
        self.settings = settings
        self._key = _load_private(settings.key_file)
        self.jwk = public_jwk(_public_raw(self._key))
        self.kid = self.jwk["kid"]
        self.jwks = [self.jwk]
        if settings.next_key_file:
            self.jwks.append(public_jwk(_public_raw(_load_private(settings.next_key_file))))

    def sign(self, payload: bytes) -> bytes:
        """Compact JWS over `payload` (embedded, so the signature and the document it signs
        are always read together)."""
        header = json.dumps({"alg": "EdDSA", "kid": self.kid, "typ": "JOSE"},
                            separators=(",", ":")).encode()
        signing_input = f"{b64url(header)}.{b64url(payload)}".encode("ascii")
        return signing_input + b"." + b64url(self._key.sign(signing_input)).encode("ascii")

    def period(self) -> timedelta:
        return timedelta(seconds=max(1, round(self.settings.valid_hours * 1800)))

    def valid_until(self, now: datetime) -> datetime:
        """`valid_hours` after the start of the current half-period: between half and all
        of `valid_hours` ahead, the same for every build in that half."""
        return self.period_start(now) + 2 * self.period()

    def period_start(self, now: datetime) -> datetime:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        return epoch + ((now - epoch) // self.period()) * self.period()

    def next_change(self, now: datetime) -> datetime:
        """When signed documents are signed again with a later `valid_until`."""
        return self.period_start(now) + self.period()


def load_signer(settings: SigningSettings | None) -> Signer | None:
    return Signer(settings) if settings else None


def _load_private(path: Path) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"signing key {path}: cannot read it ({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"signing key {path}: others may read it; run chmod 600 {path}")
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"signing key {path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"signing key {path}: not an Ed25519 key (make one with "
                          "`kindalarm keys new FILE`)")
    return key


def _public_raw(key: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw: bytes = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return raw


def new_key_file(path: Path) -> dict[str, str]:
    """Write a new Ed25519 key as PEM, mode 0600, never over an existing file; its public
    JWK (with `kid`)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # FileExistsError
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return public_jwk(_public_raw(key))
