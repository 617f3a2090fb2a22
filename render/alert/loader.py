"""Alert files (TOML or JSON) to validated `Alert`s, or to every problem of the file at once:
`load_alert_file` for one, `AlertLoader` for a directory, re-reading only what changed.

Each problem is a `Problem(field, message)` (problems.py). Reading the file is files.py,
the checks of its fields fields.py and parse.py, those of its photo photos.py.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Collection, Mapping
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
        # name -> identity of the files the last scan skipped (see `scan`); kept up to date
        # in place from scan to scan, not made again, since it may hold thousands.
        self.skipped: dict[str, str] = skipped if skipped is not None else {}
        # identity of each file the last scan looked at (read, or found settled)
        self.identities: dict[Path, str | None] = {}
        self._listing: set[str] = set()  # every name in the directory at the last scan
        self._names: set[str] = set()  # the alert files among them

    def path(self, name: str) -> Path:
        return self.alert_dir / name

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

    def scan(self, settled: Mapping[str, object] | None = None,
             changed: Collection[str] | None = None) -> list[LoadResult]:
        """Every alert file in the directory (not in subfolders), in name order, but those
        whose identity is in `settled` (they need no reading: they are listed in `skipped`).
        `identities` holds the identity of every file looked at, taken before it was read
        (and judged racy or not at that moment).

        `changed` is what the watcher saw change since the last scan (paths relative to the
        alert directory). A file skipped by the last scan, still there, still settled and
        not in it is skipped again without a stat, since a stat of thousands of unchanged
        files is most of a scan; the work of such a scan is in set operations on names, not
        in a pass over the files. The directory is still listed, so a new file is found even
        if its event was lost. The watcher's periodic rescan passes None, so a change whose
        event was lost is still caught."""
        skipped = self.skipped
        try:
            listing = set(os.listdir(self.alert_dir))
        except FileNotFoundError:
            listing = set()
        if changed is None or settled is None:
            skipped.clear()
            self._names = {name for name in listing if is_alert_file(name)}
            for gone in [path for path in self._cache if path.name not in self._names]:
                del self._cache[gone]
        else:
            if listing != self._listing:
                left = self._listing - listing
                self._names -= left
                self._names |= {name for name in listing - self._listing if is_alert_file(name)}
                for name in left:
                    self._cache.pop(self.alert_dir / name, None)
            for name in skipped.keys() - self._names:
                del skipped[name]
            for name in skipped.keys() & set(changed):
                del skipped[name]
            # A file skipped while its alert was settled is read again once it is not (its
            # id is live again, or claimed by another file).
            if unsettled := set(skipped.values()) - settled.keys():
                for name in [n for n, identity in skipped.items() if identity in unsettled]:
                    del skipped[name]
        self._listing = listing
        self.identities = {}
        results = []
        now_ns = time.time_ns()
        for name in sorted(self._names - skipped.keys()):
            path = self.alert_dir / name
            try:
                st = os.stat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            identity = self.identities[path] = file_identity(st, now_ns)
            # A file too fresh to have an identity is always read, never skipped.
            if identity is not None and settled is not None and identity in settled:
                skipped[name] = identity
                self._cache.pop(path, None)  # its view comes from the state, not from it
            else:
                results.append(self.load(path))
        return results
