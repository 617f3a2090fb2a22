"""Alert files (TOML or JSON) to validated `Alert`s, or to every problem of the file at once:
`load_alert_file` for one, `AlertLoader` for a directory, re-reading only what changed.

Each problem is a `Problem(field, message)` (problems.py). Reading the file is files.py,
the checks of its fields fields.py and parse.py, those of its photo photos.py.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import file_identity, is_alert_file, read_document
from .model import Alert, PhotoFile
from .parse import parse_alert
from .photos import PhotoFingerprints, check_photo
from .problems import Problem


@dataclass(eq=False)  # compared and hashed by identity: one result per file per scan
class LoadResult:
    """What one alert file gave: an alert, or the problems that stopped it."""

    source: Path
    alert: Alert | None
    problems: list[Problem] = field(default_factory=list)
    alert_id: str | None = None  # readable even when rejected, for messages and fallbacks
    document: str | None = None  # the file's text as read (kept as the last good version)

    @property
    def ok(self) -> bool:
        return self.alert is not None


def load_alert_file(path: Path, alert_dir: Path,
                    fingerprints: PhotoFingerprints | None = None) -> LoadResult:
    """Read, parse and validate one alert file, with its photo's header."""
    raw, problems, text = read_document(path)
    if problems:
        return LoadResult(path, None, problems)

    def resolve(relative: str, sink: list[Problem]) -> PhotoFile | None:
        return check_photo(relative, path, alert_dir, sink, fingerprints)

    alert, problems, alert_id = parse_alert(raw, path, resolve)
    return LoadResult(path, alert, problems, alert_id, text)


def stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class AlertLoader:
    """Loads an alert directory, re-reading only files (and photos) that changed since the
    last call. `build` uses a fresh one; the watcher keeps one for the whole run."""

    def __init__(self, alert_dir: Path, fingerprints: PhotoFingerprints | None = None,
                 results: dict[Path, tuple[Any, LoadResult]] | None = None,
                 skipped: dict[str, str] | None = None) -> None:
        """`results` and `skipped` are where it remembers files between scans (the build's
        memory gives its own: render/pipeline/memory.py)."""
        self.alert_dir = alert_dir
        self.fingerprints = fingerprints
        # path -> (stat keys of the file and its photo, its result)
        self._cache = results if results is not None else {}
        self._paths: dict[str, Path] = {}  # file name -> its path, from the last scan
        # name -> identity, of the files skipped by the last scan
        self._skipped_before = skipped if skipped is not None else {}

    def _key(self, path: Path, result: LoadResult | None) -> Any:
        photo = result.alert.child.photo if result and result.alert else None
        return stat_key(path), stat_key(photo.path) if photo else None

    def load(self, path: Path) -> LoadResult:
        cached = self._cache.get(path)
        if cached and cached[0] == self._key(path, cached[1]):
            return cached[1]
        result = load_alert_file(path, self.alert_dir, self.fingerprints)
        # A photo that is missing or bad may be fixed without touching the alert file, so
        # such a result is never cached: the next scan looks again.
        if not any(p.field == "child.photo" for p in result.problems):
            self._cache[path] = (self._key(path, result), result)
        return result

    def scan(self, settled: Callable[[str | None], bool] | None = None,
             changed: Collection[str] | None = None) -> list[LoadResult]:
        """Every alert file in the directory (not in subfolders), in name order, but those
        that `settled(identity)` says need no reading (they are listed in `skipped`).
        `identities` holds every file's `file_identity`, taken before it was read (and
        judged racy or not at that moment).

        `changed` is what the watcher saw change since the last scan (paths relative to the
        alert directory). A file skipped by the last scan and not in it is skipped again
        without a stat, since a stat of thousands of unchanged files is most of a scan. The
        watcher's periodic rescan passes None, so events it missed are still caught."""
        trusted = dict(self._skipped_before) if changed is not None else {}
        changed = changed or ()
        self._skipped_before.clear()
        try:
            names = sorted(n for n in os.listdir(self.alert_dir) if is_alert_file(n))
        except FileNotFoundError:
            names = []
        self.identities: dict[Path, str | None] = {}
        self.skipped: list[Path] = []
        results = []
        # One Path per name, kept: a watcher scans thousands of unchanged files per publish,
        # and making a new Path object (and its hash) for each would be a large part of that.
        paths = {}
        now_ns = time.time_ns()
        for name in names:
            path = paths[name] = self._paths.get(name) or self.alert_dir / name
            identity = None if name in changed else trusted.get(name)
            if identity is None:
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                identity = file_identity(st, now_ns)
            self.identities[path] = identity
            # A file too fresh to have an identity is always read, never skipped.
            if identity is not None and settled is not None and settled(identity):
                self.skipped.append(path)
                self._skipped_before[name] = identity
            else:
                results.append(self.load(path))
        self._paths = paths
        for gone in [p for p in self._cache if p not in self.identities]:  # (a few files)
            del self._cache[gone]
        return results
