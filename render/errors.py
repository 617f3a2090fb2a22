"""Errors an operator can act on. Each is one clean line and an exit code, never a traceback
(the mkdocs pattern: `ClickException` subclasses raised from anywhere, shown by click)."""

from __future__ import annotations

import click


class KindalarmError(click.ClickException):
    """A problem the operator can fix; exit 1."""


class ConfigError(KindalarmError):
    """`kindalarm.toml` or a command-line option is wrong; exit 2, like a usage error."""

    exit_code = 2


class PublishError(KindalarmError):
    """The output could not be written (full disk, no permission); the last tree stays."""
