"""The one small interface between renderers and the publisher.

A renderer is a module with `NAME` and `artifacts(ctx) -> Iterable[Artifact]`. An `Artifact`
names a path in the published tree, a `key` that changes whenever its bytes would, and a
`produce` callable that is only called when the key changed: a rebuild with nothing new
renders nothing and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

# Write order: a file is written before any file that names it, so a reader never follows a
# link to something that is not there yet: fonts (which the stylesheet names), then the
# stylesheet, photos and images, then placeholders (below), then
# alert pages in Dutch, then their translations (which name the Dutch page), then the messages
# that name a page (CAP messages, ready-to-post texts), then the indexes, feeds and manifests
# that list them all, then status.json. Files of one layer never name each other.
ASSET, LEAF, DRAFT, PAGE, TRANSLATION, MESSAGE, INDEX, STATUS = range(8)


@dataclass(frozen=True)
class Placeholder:
    """A first version of an artifact's file, for files that name each other (a new alert's
    Dutch page names its English page, which names it back): when the file is not in the tree
    yet, these bytes are written in `layer`, below the files that name it, and the artifact
    itself follows in its own layer. They must name only files of lower layers than `layer`
    (or files every tree has)."""

    produce: Callable[[], bytes]
    layer: int = DRAFT


@dataclass(frozen=True)
class Artifact:
    """One file of the published tree: its path, the key its bytes follow, how to produce
    them, and when to write it (layer, urgent step or not, placeholder)."""

    path: str  # relative to the tree root, with forward slashes
    key: str  # same key, same bytes
    produce: Callable[[], bytes]
    layer: int = LEAF
    urgent: bool = True  # published in the first step; share images and posters are not
    placeholder: Placeholder | None = None  # written first when the file is not there yet

    @cached_property
    def fingerprint(self) -> int:
        """64 bits of a hash of path and key. Summed, they name a tree whatever the order
        of its artifacts (status.json's build id): no sorted listing of every line in
        every publish, and an ended alert's artifacts, kept from run to run, are hashed once."""
        line = f"{self.path} {self.key}".encode()
        return int.from_bytes(hashlib.sha256(line).digest()[:8], "big")


def key_of(*parts: object) -> str:
    """A short stable hash of the inputs that decide an artifact's bytes."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


class Batch(tuple[Artifact, ...]):
    """Artifacts listed together in run after run (an ended alerts' block): their
    fingerprints are summed once, not in every publish, and the publisher checks them as one
    (see `Publisher.publish`'s `kept`)."""

    _known_fingerprint: int | None

    def __new__(cls, artifacts: Iterable[Artifact] = (), fingerprint: int | None = None
                ) -> Batch:
        """`fingerprint`: the sum, when it is known already (a block stored in the state)."""
        batch = super().__new__(cls, artifacts)
        batch._known_fingerprint = fingerprint
        return batch

    @cached_property
    def fingerprint(self) -> int:
        known: int | None = self._known_fingerprint
        return known if known is not None else sum(a.fingerprint for a in self)

    @cached_property
    def by_path(self) -> dict[str, Artifact]:
        return {a.path: a for a in self}

    @cached_property
    def urgent(self) -> tuple[Artifact, ...]:
        """Its urgent artifacts: itself when all are (no copy of thousands of references)."""
        urgent = tuple(a for a in self if a.urgent)
        return self if len(urgent) == len(self) else urgent


def fingerprint_sum(parts: Iterable[Sequence[Artifact]]) -> int:
    """The sum of the fingerprints of every artifact in `parts` (a `Batch`'s taken once)."""
    return sum(part.fingerprint if isinstance(part, Batch) else
               sum(a.fingerprint for a in part) for part in parts)
