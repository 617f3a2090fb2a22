"""Alert files on disk: which names are alert files, reading one into a document (TOML or
JSON) with a `Problem` for a file that cannot be, and the identity that tells a changed file
from an unchanged one."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import tomli  # tomllib's parser compiled (mypyc): a rebuild parses every live alert file

from .problems import Problem

ALERT_SUFFIXES = (".toml", ".json")
IGNORED_SUFFIXES = ("~", ".tmp", ".part", ".swp", ".error.txt")
ERROR_SUFFIX = ".error.txt"
MAX_FILE_BYTES = 1_000_000
RACY_NS = 2_000_000_000  # a file changed this recently may change again within one timestamp


def is_alert_file(name: str) -> bool:
    """Whether a file name in the alert directory is an alert file (contract section 2)."""
    return (
        not name.startswith(".")
        and not name.endswith(IGNORED_SUFFIXES)
        and name.endswith(ALERT_SUFFIXES)
    )


def error_file_for(alert_file: Path) -> Path:
    return alert_file.with_name(alert_file.name + ERROR_SUFFIX)


def read_document(path: Path) -> tuple[Any, list[Problem], str | None]:
    """Read and parse a TOML or JSON alert file: (document, problems, text)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem("file", f"is {size / 1e6:.1f} MB; an alert file is at most "
                                          f"{MAX_FILE_BYTES // 1_000_000} MB")], None
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem("file", f"cannot be read ({exc.strerror})")], None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem("file", f"is not UTF-8 text (bad byte at position {exc.start}); "
                                      "save it as UTF-8")], None
    return (*parse_document(text, path.suffix), text)


def parse_document(text: str, suffix: str) -> tuple[Any, list[Problem]]:
    """Parse the text of an alert file (`.toml` or `.json`)."""
    if "\x00" in text:
        return None, [Problem("file", "contains NUL bytes; it is not a text file")]
    if not text.strip():
        return None, [Problem("file", "is empty")]
    try:
        if suffix == ".json":
            return json.loads(text), []
        return tomli.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [Problem("file", f"is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                      f"column {exc.colno}")]
    except tomli.TOMLDecodeError as exc:
        return None, [Problem("file", f"is not valid TOML: {exc}")]
    except RecursionError:
        return None, [Problem("file", "is nested too deeply")]


def file_identity(st: os.stat_result, now_ns: int | None = None) -> str | None:
    """Device, inode, size and both times of a file: any write changes one of them (a new
    file by rename is a new inode; a write in place sets the change time). None while the
    file is too fresh to trust that (a second write in the same clock tick, as git guards
    its index)."""
    if (now_ns or time.time_ns()) - st.st_ctime_ns < RACY_NS:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
