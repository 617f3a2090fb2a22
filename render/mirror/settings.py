"""The mirror's settings (contract sections 5 and 8): `[mirror] url` (`s3://BUCKET/PREFIX`),
`endpoint_url` (an S3-compatible store other than AWS), `region` and `lease_seconds` (how
long a writer's lease stands without renewal: a standby takes the bucket over that long after
the writer died). Credentials come from the standard AWS environment variables or files,
never from `kindalarm.toml`."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError

MIRROR_KEYS = {"url", "endpoint_url", "region", "lease_seconds"}
LEASE_SECONDS = 120.0


@dataclass(frozen=True)
class MirrorSettings:
    """Where the tree is mirrored: a bucket and a key prefix ("" or ending in "/")."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    lease_seconds: float = LEASE_SECONDS

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, path: str) -> str:
        return self.prefix + path

    @property
    def target(self) -> str:
        """What the mirror's records are about: other records are of another bucket."""
        endpoint = (self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
                    or os.environ.get("AWS_ENDPOINT_URL") or "aws")
        return f"{endpoint} {self.region or ''} {self.url}"


def parse_url(where: str, value: Any) -> tuple[str, str]:
    """`s3://BUCKET/PREFIX` -> (bucket, prefix with a trailing slash, or "")."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme != "s3" or not parts.netloc or parts.query \
            or parts.fragment:
        raise ConfigError(f"{where}: must be s3://BUCKET/PREFIX")
    prefix = parts.path.strip("/")
    if "//" in prefix or any(p in (".", "..") for p in prefix.split("/")):
        raise ConfigError(f"{where}: the prefix must be plain folder names")
    return parts.netloc, prefix + "/" if prefix else ""


def parse_mirror(where: str, table: Any) -> MirrorSettings | None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: mirror: must be a table")
    unknown = set(table) - MIRROR_KEYS
    if unknown:
        raise ConfigError(f"{where}: mirror: unknown setting '{sorted(unknown)[0]}'")
    for key in ("endpoint_url", "region"):
        if key in table and (not isinstance(table[key], str) or not table[key]):
            raise ConfigError(f"{where}: mirror.{key}: must be a string")
    lease = table.get("lease_seconds", LEASE_SECONDS)
    if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not 3 <= lease <= 3600:
        raise ConfigError(f"{where}: mirror.lease_seconds: must be a number of seconds, "
                          "3 to 3600")
    endpoint = table.get("endpoint_url")
    if endpoint is not None and (urlsplit(endpoint).scheme not in ("http", "https")
                                 or not urlsplit(endpoint).netloc):
        raise ConfigError(f"{where}: mirror.endpoint_url: must be an absolute http(s) URL")
    if "url" not in table:
        if table:
            raise ConfigError(f"{where}: mirror.url: required (s3://BUCKET/PREFIX)")
        return None
    bucket, prefix = parse_url(f"{where}: mirror.url", table["url"])
    return MirrorSettings(bucket, prefix, endpoint, table.get("region"), float(lease))


def with_url(settings: MirrorSettings | None, url: str) -> MirrorSettings:
    """The `--mirror` option: its bucket and prefix, the rest from `[mirror]`."""
    bucket, prefix = parse_url("--mirror", url)
    if settings is None:
        return MirrorSettings(bucket, prefix)
    return replace(settings, bucket=bucket, prefix=prefix)
