"""Errors an operator can act on. Each is one clean line and an exit code, never a traceback
(the mkdocs pattern: `ClickException` subclasses raised from anywhere, shown by click)."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import click

T = TypeVar("T")


class KindalarmError(click.ClickException):
    """A problem the operator can fix; exit 1."""


class ConfigError(KindalarmError):
    """`kindalarm.toml` or a command-line option is wrong; exit 2, like a usage error."""

    exit_code = 2


class PublishError(KindalarmError):
    """The output could not be written (full disk, no permission); the last tree stays."""


def guard_output(method: Callable[..., T]) -> Callable[..., T]:
    """Turn an OS or SQLite error while writing the output or the state beside it (a full
    disk, a read-only or unwritable folder) into one clear `PublishError` line instead of a
    traceback. Nothing half-done is visible: files are replaced whole, the state commits
    whole, so the last good tree stays published."""

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except OSError as exc:
            where = exc.filename or getattr(self, "out", "the output")
            raise PublishError(f"cannot write {where}: {exc.strerror or exc}; the last "
                               "published files stay as they were") from None
        except sqlite3.Error as exc:
            raise PublishError(f"cannot write the publishing state beside "
                               f"{getattr(self, 'out', 'the output')}: {exc}; the last "
                               "published files stay as they were") from None

    return guarded
