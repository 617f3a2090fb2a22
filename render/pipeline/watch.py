"""`kindalarm watch`: keep the published tree in step with the alert directory.

Three parts, after mkdocs' livereload `_build_loop` and lektor's watcher:

- one watchdog observer for the whole run; its handler only records what happened
  (`ChangeTracker.record`) and wakes the build loop, it never builds;
- the build loop waits, lets a burst settle (a moment of quiet, see `Timing`), then runs the one
  `Builder` outside any lock, urgent outputs first; events that arrive meanwhile are kept for
  the next round, and a failed build is logged and retried;
- the supervisor (the caller's thread) restarts a dead observer, asks for a full rescan every
  minute (lost events, inotify overflow, expiry times) and, on stop, lets the publish in
  progress finish.

What the observer saw, and which files are still being written, is `changes.ChangeTracker`'s.
The clock wakes the loop too: when the last publish said the tree changes at a given moment
(a CAP renewal, an alert's expiry; `BuildResult.next_change`), it publishes then.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..outlets import poster, poster_weasyprint
from ..push.deliver import Deliverer
from .build import Builder
from .changes import ChangeTracker, Handler, Timing
from .run import BuildResult, RunMode
from .state import state_dir_for
from .workers import worker_processes

log = logging.getLogger("kindalarm")
# Why a publish without changes ran: the clock, or the push backlog that status.json shows.
CLOCK = "the clock (a renewal or an expiry is due) or the push backlog changed"


@dataclass
class Publish:
    """One publish of the watcher, for its log line and for measurements."""

    changes: dict[str, str]  # path relative to the alert directory -> what happened
    started: float  # time.monotonic()
    result: BuildResult
    reason: str = "change"

    @property
    def urgent_seconds(self) -> float:
        return self.result.urgent_done - self.started

    @property
    def seconds(self) -> float:
        return self.result.done - self.started


@dataclass
class Watcher:
    """Keeps `builder`'s output in step with its alert directory until `stop` is set."""

    builder: Builder
    stop: threading.Event = field(default_factory=threading.Event)
    poll: bool = False
    timing: Timing = field(default_factory=Timing)
    on_publish: Callable[[Publish], None] | None = None  # for tests and measurements
    observer: BaseObserver | None = None
    publishes: int = 0
    failures: int = 0
    observer_restarts: int = 0

    def __post_init__(self) -> None:
        alert_dir = Path(os.path.abspath(self.builder.alert_dir))
        ignored = [Path(os.path.abspath(self.builder.out)), state_dir_for(self.builder.out)]
        self.tracker = ChangeTracker(alert_dir, ignored, self.timing, self.poll)
        self._rescan = threading.Event()
        self._rescan_reason = "rescan"
        self._directory_missing = False
        self._watched_inode: int | None = None
        self._incomplete = False  # the slow second step was deferred
        self._events_seen = False  # every change since the last full look was looked at
        self._retry_at: float | None = None
        self._next_change: datetime | None = None  # the last publish's next_change
        self._backlog_changed = threading.Event()  # status.json should show the new backlog
        # Pushes go out beside the loop, never in it (a receiver that hangs delays nothing).
        self.mirror = self.builder.mirror  # its passes run in its own thread, like pushes
        self.deliverer = Deliverer(
            self.builder.outbox, self.builder.settings, on_backlog=self._on_backlog,
            hold=self.mirror.lacks if self.mirror else None) if self.builder.outbox else None
        if self.mirror:
            self.mirror.on_backlog = self._on_backlog
        self._busy = threading.Event()
        self._observer_error: str | None = None

    # --- the supervisor -----------------------------------------------------------------

    def run(self) -> None:
        """Watch and publish until `stop` is set; the publish in progress is finished."""
        # Posters are set in a worker process: WeasyPrint holds the GIL for the whole
        # setting, and the share images drawn beside it in this process would wait for it.
        processes = min(2, os.cpu_count() or 1) if poster in self.builder.outlets else 0
        with worker_processes(processes, only=[poster_weasyprint.pdfs_of],
                               warm=poster_weasyprint.warm_up):
            self._watch()

    def _watch(self) -> None:
        self._start_observer()  # first, so nothing written during the first build is missed
        if self.deliverer:
            self.deliverer.start()
        if self.mirror:
            self.mirror.start()
        self._request("startup")
        loop = self._start_loop()
        next_rescan = time.monotonic() + self.timing.rescan
        log.info("watching %s (%s); publishing to %s", self.tracker.alert_dir,
                 "polling" if self.poll else "inotify", self.builder.out)
        while not self.stop.wait(self.timing.health):
            try:
                if not self._observer_alive():
                    self._restart_observer()
                if not loop.is_alive():  # cannot happen (the loop catches everything); still
                    log.error("the build loop stopped; starting it again")
                    loop = self._start_loop()
                if time.monotonic() >= next_rescan:
                    next_rescan = time.monotonic() + self.timing.rescan
                    self._request("rescan")
            except Exception:
                log.exception("watcher health check failed; trying again")
        log.info("stopping: finishing the publish in progress")
        self.tracker.wake.set()
        loop.join()
        self._stop_observer()
        if self.deliverer:
            self.deliverer.close()  # a delivery under way ends within its timeout
        if self.mirror:
            self.mirror.close()  # an upload under way ends within its timeout
        log.info("stopped")

    def _request(self, reason: str) -> None:
        self._rescan_reason = reason
        self._rescan.set()
        self.tracker.wake.set()

    def _start_loop(self) -> threading.Thread:
        thread = threading.Thread(target=self._build_loop, name="kindalarm-build", daemon=True)
        thread.start()
        return thread

    def _observer_alive(self) -> bool:
        observer = self.observer
        if observer is None or not observer.is_alive():
            return False
        emitters = observer.emitters
        # inotify follows a directory's inode: a folder swapped in under the same name
        # (mv alerts.new alerts) would go unseen by a still-living observer.
        return bool(emitters) and all(e.is_alive() for e in emitters) and \
            self._watched_inode == _inode(self.tracker.alert_dir)

    def _start_observer(self) -> None:
        observer = (PollingObserver(timeout=self.timing.poll_interval) if self.poll
                    else Observer())
        try:
            self._watched_inode = _inode(self.tracker.alert_dir)
            observer.schedule(Handler(self.tracker), str(self.tracker.alert_dir),
                              recursive=True)
            observer.start()
        except Exception as exc:  # e.g. the directory is gone for a moment: retried
            message = f"cannot watch {self.tracker.alert_dir}: {exc}"
            if message != self._observer_error:
                log.error("%s; trying again every %.0f s", message, self.timing.health)
            self._observer_error = message
            self.observer = None
            return
        if self._observer_error:
            log.info("watching %s again", self.tracker.alert_dir)
        self._observer_error = None
        self.observer = observer

    def _restart_observer(self) -> None:
        if self._observer_error is None:
            log.warning("the file watcher stopped; starting a new one (with a full rescan)")
        self._stop_observer()
        self._start_observer()
        if self.observer is not None:
            self.observer_restarts += 1
            self._request("rescan after the watcher restarted")

    def _stop_observer(self) -> None:
        observer, self.observer = self.observer, None
        if observer is None:
            return
        try:
            observer.stop()
            observer.join(timeout=5)
        except Exception:
            log.debug("stopping the old observer failed", exc_info=True)

    # --- the build loop -----------------------------------------------------------------

    def _build_loop(self) -> None:
        wake = self.tracker.wake
        while not self.stop.is_set():
            wake.wait(self._idle_timeout())
            if self.stop.is_set():
                break
            self._debounce()
            if self.stop.is_set():
                break  # a publish in progress is finished, a new one is not started
            self._busy.set()  # before take(): while changes are in flight, never idle
            try:
                changes, held = self.tracker.take()
                due = self._retry_at is not None and time.monotonic() >= self._retry_at
                clock = self._clock_due() or self._backlog_changed.is_set()
                if not self._directory_present():
                    continue
                if changes or self._rescan.is_set() or self._incomplete or due or clock:
                    reason = (self._rescan_reason if self._rescan.is_set() else
                              CLOCK if clock and not changes else "change")
                    self._rescan.clear()
                    self._backlog_changed.clear()
                    self._publish(changes, held, reason)
            except Exception:
                self.failures += 1
                self._events_seen = False  # the changes it took may not have been looked at
                self._retry_at = time.monotonic() + self.timing.retry
                log.exception("publishing failed; the last published files stay; trying "
                              "again in %.0f s", self.timing.retry)
            finally:
                self._busy.clear()

    def _directory_present(self) -> bool:
        """A missing alert directory (an unmounted share, a folder being replaced) is not
        "every file deleted": nothing is withdrawn until it is back."""
        present = self.tracker.alert_dir.is_dir()
        if present == self._directory_missing:  # it changed since the last look
            self._directory_missing = not present
            if present:
                log.info("the alert directory %s is back", self.tracker.alert_dir)
                self._request("rescan: the alert directory is back")
            else:
                log.error("the alert directory %s is gone; everything published stays as it "
                          "is until it is back", self.tracker.alert_dir)
        return present

    def _idle_timeout(self) -> float:
        if self.tracker.waiting():
            return 0.05 if not self.poll else 0.25  # look again at files being written
        if self._retry_at is not None:
            return max(0.0, self._retry_at - time.monotonic())
        if self._next_change is not None:
            until = (self._next_change - datetime.now(UTC)).total_seconds()
            return min(self.timing.health, max(0.0, until))
        return self.timing.health

    def _on_backlog(self) -> None:
        """From a delivery thread: publish status.json with the receivers' new backlog."""
        self._backlog_changed.set()
        self.tracker.wake.set()

    def _clock_due(self) -> bool:
        return self._next_change is not None and datetime.now(UTC) >= self._next_change

    def _debounce(self) -> None:
        """Wait until the directory is quiet for a moment, or `max_wait` has passed."""
        wake = self.tracker.wake
        deadline = time.monotonic() + self.timing.max_wait
        while not self.stop.is_set():
            wake.clear()
            left = deadline - time.monotonic()
            if left <= 0 or not wake.wait(min(self.timing.quiet, left)):
                return

    def _publish(self, changes: dict[str, str], held: set[Path], reason: str) -> None:
        started = time.monotonic()
        # A run for changes trusts the events (and the state) for what did not change; the
        # start, every periodic rescan and the run after a failed one look at every file.
        trust = reason in ("change", CLOCK) and self._events_seen
        result = self.builder.run(mode=RunMode(
            urgent_first=True, hold=held, announce=False, check_disk=not trust,
            changed=changes if trust else None,
            then_complete=self._then_complete))
        self._retry_at = None
        self._next_change = result.next_change
        if result.offered and self.deliverer:
            self.deliverer.wake()
        if self.mirror:
            self.mirror.wake()
        self._events_seen = True
        self._incomplete = not result.complete
        self.publishes += 1
        publish = Publish(changes, started, result, reason)
        self._log(publish)
        if self.on_publish:
            self.on_publish(publish)

    def _then_complete(self) -> bool:
        """Between the urgent step and the complete one: the mirror takes up the urgent files
        at once; the complete step follows unless changes are waiting."""
        if self.mirror:
            self.mirror.wake()
        return self.stop.is_set() or not self.tracker.has_ready()

    def _log(self, publish: Publish) -> None:
        result = publish.result
        what = ", ".join(f"{path} ({how})" for path, how in sorted(publish.changes.items())[:5])
        if len(publish.changes) > 5:
            what += f" and {len(publish.changes) - 5} more"
        what = what or publish.reason
        if result.held:
            what += f"; waiting for {len(result.held)} file(s) still being written"
        report = result.report
        if not (publish.changes or report.written or report.deleted or publish.reason == "startup"):
            log.debug("%s: nothing changed", what)
            return
        timing = (f"urgent outputs in {publish.urgent_seconds:.2f} s, everything in "
                  f"{publish.seconds:.2f} s" if result.complete else
                  f"urgent outputs in {publish.urgent_seconds:.2f} s, the rest follows")
        log.info("%s: published %d file(s), deleted %d, %d failed; %s", what,
                 len(report.written), len(report.deleted), len(report.failed), timing)

    # --- for tests ----------------------------------------------------------------------

    def idle(self) -> bool:
        """Nothing pending, nothing being written, nothing deferred, no build running."""
        return not (self._busy.is_set() or self.tracker.wake.is_set() or self._incomplete
                    or self._rescan.is_set() or self.tracker.waiting()
                    or self.tracker.has_ready())


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None
