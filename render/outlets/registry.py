"""The outlets, in the order the build asks them, and the facts read from their declarations.

Adding an outlet: one module with `NAME`, `FILES`, `view_artifacts` and `tree_artifacts`
(see `render.outlets.outlet`), its paths in `render.tree`, and one line in `OUTLETS`. The
preview server's media types, the gzip siblings, the builder's grouping of an alert's
versioned files and the tests of `deploy/nginx.conf` all follow from `FILES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

from .. import tree
from . import api, cap, displays, feeds, jsonfeed, keys, poster, share, texts, web
from .artifacts import STATUS
from .outlet import ClockedOutlet, FileKind, Outlet

# The order in which the build asks them: within a write layer, files are written in this
# order (the biggest images first keeps both render threads busy; posters before share
# images: the watcher sets them in its worker process, beside the share images it draws).
OUTLETS: tuple[Outlet, ...] = (web, api, feeds, jsonfeed, cap, texts, displays, poster, share,
                               keys)

# Outlets whose files change with the clock alone, and say when (the watcher wakes then).
CLOCKED: tuple[ClockedOutlet, ...] = (cap, keys)  # renewals; signatures' valid_until

# Files of the tree that no outlet makes: the build's own status.json.
BUILD_FILES = (FileKind(tree.STATUS, "application/json", STATUS),)


def file_kinds(outlets: Sequence[Outlet] = OUTLETS) -> Iterator[FileKind]:
    """Every kind of file the outlets (and the build itself) publish."""
    for outlet in outlets:
        yield from outlet.FILES
    yield from BUILD_FILES


def kind_of(path: str) -> FileKind | None:
    """The kind of a published path (of either tree), or None if no outlet makes it."""
    _, relative = tree.tree_relative(path)
    for kind in _kinds():
        if kind.pattern.match(relative) is not None:
            return kind
    return None


def media_type(path: str) -> str | None:
    kind = kind_of(path)
    return kind.media_type if kind else None


@lru_cache(maxsize=1)
def _kinds() -> tuple[FileKind, ...]:
    return tuple(file_kinds())


@lru_cache(maxsize=1)
def _compressible_suffixes() -> tuple[str, ...]:
    return tuple(sorted({"." + k.pattern.suffix for k in _kinds() if k.compressible}))


def has_gzip_sibling(path: str) -> bool:
    """Whether the publisher writes `path.gz` beside it (text that compresses, for nginx's
    gzip_static). Decided by suffix, on every file of every publish: the registry's tests
    check that no suffix is both compressible and not."""
    return path.endswith(_compressible_suffixes())


@lru_cache(maxsize=1)
def _versioned_layouts() -> dict[tuple[str, int], int]:
    """(first folder, number of path segments) -> the segment that holds the alert id, for
    every versioned kind of file."""
    layouts: dict[tuple[str, int], int] = {}
    for kind in _kinds():
        if kind.versioned:
            segments = kind.pattern.template.split("/")
            where = next(i for i, s in enumerate(segments) if "{id}" in s)
            layouts[segments[0], len(segments)] = where
    return layouts


def versioned_alert_id(path: str) -> str | None:
    """The alert id of a versioned file (`alerts/ID/VERSION/photo.jpg`, `share/...`,
    `cap/ID/VERSION.xml`, `displays/PROFILE/ID/...`) of either tree, or None for any other
    path. Versioned files of a live alert may linger for pollers holding the last page."""
    parts = path.split("/")
    if parts[0] == tree.EXERCISE.rstrip("/"):
        parts = parts[1:]
    where = _versioned_layouts().get((parts[0], len(parts)))
    return parts[where] if where is not None else None
