"""What a run of the build is asked (`RunMode`), what it judged (`Loaded`), and what it did
(`BuildResult`)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..alert.loader import LoadResult
from ..alert.model import Alert
from ..public import PublicAlert
from ..push.outbox import Offer
from .publish import PublishReport


@dataclass(frozen=True)
class RunMode:
    """How a run goes. The default is `build`'s: one complete step that reads every alert
    file and checks every published file on disk. The watcher asks for `urgent_first`:
    when slow artifacts (share images, posters) must be rendered, the urgent ones are
    published first, then, if `then_complete()` still says so, everything (otherwise its
    next run finishes it)."""

    urgent_first: bool = False
    then_complete: Callable[[], bool] = lambda: True
    # Files still being written: not judged yet (the last judged version of such a file
    # stands in for it, a new one is left out).
    hold: Collection[Path] = ()
    # False trusts the state for which files exist (see `Publisher.outdated`).
    check_disk: bool = True
    # What the watcher saw change since the last run (names in the alert directory): files
    # not named are not looked at (see `AlertLoader.scan`). None: every file.
    changed: Collection[str] | None = None
    announce: bool = True  # one log line for the publish (the watcher writes its own)


@dataclass(frozen=True)
class Loaded:
    """The alerts a run publishes, as judged from the files."""

    alerts: dict[str, Alert]  # by id: the accepted ones and the last good of rejected ones
    fallbacks: set[LoadResult]  # rejected files whose alert's last good version stands in
    settled: dict[str, str]  # file identity -> id of the ended alerts not read again


@dataclass
class BuildResult:
    """What one run did: the files judged, the views published, the publisher's report and
    its timings."""

    accepted: list[LoadResult] = field(default_factory=list)
    rejected: list[LoadResult] = field(default_factory=list)
    views: list[PublicAlert] = field(default_factory=list)
    report: PublishReport = field(default_factory=PublishReport)
    seconds: float = 0.0
    held: list[Path] = field(default_factory=list)  # files still being written, not judged
    complete: bool = True  # False when the watcher deferred the slow artifacts
    urgent_done: float = 0.0  # time.monotonic() when the urgent artifacts were published
    done: float = 0.0  # time.monotonic() at the end of the run
    started: float = 0.0  # time.perf_counter() at its start
    next_change: datetime | None = None  # when the clock alone next changes the tree
    offered: list[Offer] = field(default_factory=list)  # new pushes handed to the outbox

    def summary(self) -> str:
        live = sum(1 for v in self.views if v.active)
        report = self.report
        return (f"{len(self.views)} alert(s) ({live} active): {len(report.written)} file(s) "
                f"written, {len(report.deleted)} deleted, {report.unchanged} unchanged, "
                f"{len(report.failed)} failed, in {self.seconds:.2f} s")

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.report.failed
