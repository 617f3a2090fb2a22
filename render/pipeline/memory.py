"""What the build remembers from run to run, in one place, with the rule of each entry.

Everything here is a shortcut: a `Builder` with `Memory(enabled=False)` forgets all of it at
the start of every run and trusts nothing the state stores for speed, and it must publish
the same bytes (tests/test_memory.py). The state's own tables (the published files and
their keys, the messages sent, the live alerts' last good documents) are not memory: they
are the record of what was published, and the lifecycle depends on them.

In this process (a watcher keeps one `Builder`, so these last for its whole run), each
entry with its key and what invalidates it:

- `views`: alert id -> (the `Alert` object, expired?). Invalid when the loader hands
  another `Alert` (its file or photo changed) or the expiry flips; alerts no longer loaded
  are dropped.
- `ended_views`: (id, version, state). Never invalid: an ended view does not change.
- `recorded`: the state's alert records as a run lists them (render/pipeline/recorded.py),
  for the state, its `alerts_epoch` and how many of its `alerts_changed` it took in.
  Brought up to date with the records changed since; made anew in another epoch (the
  records were read again).
- `ended_blocks`: (tree, complete step). Invalid when the tree's ended views' versions
  differ or one of them has a new message (`EndedBlock.fits`); a block unused in a run is
  dropped.
- `stored_blocks`: tree -> the block this process last stored, so it is not stored again.
- `carries`: tree -> `Carry`, checked against the views' versions and the history.
- `photo_facts`: photo sha256. Never invalid: content-addressed.
- `loader_results`: file path, checked against the (mtime, size, inode) of the file and
  its photo; a result with a photo problem is never kept; a file gone is dropped.
- `loader_skipped`: file name -> identity, of the settled files the scans skip. Invalid
  when the watcher saw the name change, the name left the directory listing or the
  identity is no longer settled, and on every full scan.
- `settled_stored`: the settled files as stored in the state (below), read once. Never
  invalid: only this process writes the state while it holds its lock, and it keeps this
  copy in step.
- `trusted_batches`: a batch's fingerprint (its paths and keys). Invalid once one of its
  files is written, deleted or retired, or the records are read again; used only by runs
  that do not check the disk.

In the state (`.output.state/`, across processes), each with the render key it was made
with (an upgrade or a restyle invalidates them all):

- settled files (`settled_files`): file identity -> alert id. Invalid when the alert is
  live again or has no stored view, or another file claims its id.
- stored blocks (`ended_blocks:TREE`): per ended view, (id, version, state, history) -> its
  files' paths, keys and layers. A view whose key differs is made again.
- photo fingerprints (`photo_fingerprints`): a photo file's identity -> its sha256 and size.
  Invalid when the identity changes; kept for live alerts' photos only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..drawing.photo import PhotoFacts
from ..outlets.artifacts import Batch
from ..outlets.context import Carry
from ..tree import TREES

if TYPE_CHECKING:
    from ..alert.loader import LoadResult
    from ..alert.model import Alert
    from ..public import PublicAlert
    from .ended import EndedBlock
    from .recorded import Recorded


@dataclass(eq=False)
class Memory:
    """The build's memory between runs (see the module's docstring for each entry)."""

    enabled: bool = True
    views: dict[str, tuple[Alert, bool, PublicAlert]] = field(default_factory=dict)
    ended_views: dict[tuple[str, str, str], PublicAlert] = field(default_factory=dict)
    ended_blocks: dict[tuple[str, bool], EndedBlock] = field(default_factory=dict)
    stored_blocks: dict[str, EndedBlock] = field(default_factory=dict)
    carries: dict[str, Carry] = field(default_factory=lambda: {t: Carry() for t in TREES})
    photo_facts: PhotoFacts = field(default_factory=PhotoFacts)
    loader_results: dict[Path, tuple[Any, LoadResult]] = field(default_factory=dict)
    loader_skipped: dict[str, str] = field(default_factory=dict)
    settled_stored: dict[str, Any] | None = None
    recorded: Recorded | None = None
    trusted_batches: dict[int, Batch] = field(default_factory=dict)

    @property
    def trusts_state(self) -> bool:
        """Whether the state's shortcuts (settled files, stored blocks, photo fingerprints)
        are used."""
        return self.enabled

    def start_run(self) -> None:
        """At the start of every run: memory that is switched off forgets everything (in
        place: the loader and the publisher hold these very dicts)."""
        if self.enabled:
            return
        for entry in (self.views, self.ended_views, self.ended_blocks, self.stored_blocks,
                      self.loader_results, self.loader_skipped, self.trusted_batches):
            entry.clear()
        self.carries.update({t: Carry() for t in TREES})
        self.photo_facts = PhotoFacts()
        self.settled_stored = None
        self.recorded = None
