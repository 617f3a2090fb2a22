"""The push settings of `kindalarm.toml` (contract section 5): `[websub] hub` and each
`[[webhooks]]` receiver. Parsed with the rest of the settings, so a bad one is one clear
error at start; secrets are named here and read from the environment only when pushing
starts (`secret`), never stored."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError

LEVELS = ("kind-alarm", "vermist-kind")
FORMATS = ("cap", "json")
WEBHOOK_KEYS = {"name", "url", "secret_env", "format", "levels", "exercise"}


@dataclass(frozen=True)
class Webhook:
    """One receiver of POSTed messages. `status.json` and the log name it by `name` only:
    URLs often carry secrets."""

    name: str
    url: str
    secret_env: str
    format: str = "cap"  # the CAP message, or a JSON event (no renewals)
    levels: tuple[str, ...] = LEVELS
    exercise: bool = False  # also the drills' messages

    def secret(self) -> bytes:
        """The HMAC key, from the environment variable the settings name."""
        value = os.environ.get(self.secret_env)
        if not value:
            raise ConfigError(f"webhook {self.name}: environment variable {self.secret_env} "
                              "(its secret_env) is not set")
        return value.encode()


def http_url(where: str, value: Any) -> str:
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https") \
            or not urlsplit(value).netloc:
        raise ConfigError(f"{where}: must be an absolute http(s) URL")  # never echo a URL
    return value


def parse_websub(where: str, table: Any) -> str | None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: websub: must be a table")
    unknown = set(table) - {"hub"}
    if unknown:
        raise ConfigError(f"{where}: websub: unknown setting '{sorted(unknown)[0]}'")
    return http_url(f"{where}: websub.hub", table["hub"]) if "hub" in table else None


def parse_webhooks(where: str, entries: Any) -> tuple[Webhook, ...]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{where}: webhooks: must be [[webhooks]] tables")
    hooks: list[Webhook] = []
    for n, entry in enumerate(entries, 1):
        here = f"{where}: webhooks #{n}"
        unknown = set(entry) - WEBHOOK_KEYS
        if unknown:
            raise ConfigError(f"{here}: unknown setting '{sorted(unknown)[0]}'")
        for key in ("name", "url", "secret_env"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ConfigError(f"{here}: {key}: required, a string")
        name = entry["name"]
        if any(h.name == name for h in hooks):
            raise ConfigError(f"{here}: name {name!r} is used twice")
        fmt = entry.get("format", "cap")
        if fmt not in FORMATS:
            raise ConfigError(f"{here} ({name}): format: must be one of {', '.join(FORMATS)}")
        levels = entry.get("levels", list(LEVELS))
        if not isinstance(levels, list) or not levels or any(v not in LEVELS for v in levels):
            raise ConfigError(f"{here} ({name}): levels: a list of {', '.join(LEVELS)}")
        exercise = entry.get("exercise", False)
        if not isinstance(exercise, bool):
            raise ConfigError(f"{here} ({name}): exercise: must be true or false")
        hooks.append(Webhook(name, http_url(f"{here} ({name}): url", entry["url"]),
                             entry["secret_env"], fmt, tuple(levels), exercise))
    return tuple(hooks)
