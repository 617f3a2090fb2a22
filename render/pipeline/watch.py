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

A file still being written is not judged: on inotify until the writer closes it (or renames
it into place), with the polling observer until its size and time have been still for a
while. So a slow writer never gets an error file for its half-written state.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..alert.loader import IGNORED_SUFFIXES
from .build import Builder
from .run import BuildResult, RunMode
from .state import state_dir_for

log = logging.getLogger("kindalarm")


@dataclass
class Timing:
    """How the watcher paces itself; tests shorten these."""

    quiet: float = 0.02  # a burst is over after this long without a new event
    max_wait: float = 0.3  # ... or after this long, however busy the directory is
    rescan: float = 60.0  # full rescan, whatever the events said
    health: float = 1.0  # how often the observer is checked
    retry: float = 5.0  # after a failed build
    settle: float = 2.0  # polling: a file is written once its size and time stay still this long
    max_hold: float = 30.0  # inotify: a writer that keeps a file open longer is judged anyway
    poll_interval: float = 1.0  # polling observer: seconds between directory snapshots


@dataclass
class FileActivity:
    """What the observer saw of one file that may still be being written."""

    opens: int = 0  # opens minus closes (inotify only)
    writing: bool = False  # created or modified since the last close-after-write
    last_change: float = 0.0  # time.monotonic() of the last write seen
    stat: tuple[int, int] | None = None  # (size, mtime_ns) when last looked at


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


class ChangeTracker:
    """Changes seen since the last build, and files that are still being written.

    `record` runs in the observer's thread, everything else in the build loop; one short lock
    guards the dictionaries, and nothing slow happens under it.
    """

    def __init__(self, alert_dir: Path, ignored_dirs: list[Path], timing: Timing,
                 polling: bool) -> None:
        self.alert_dir = alert_dir
        self.ignored_dirs = ignored_dirs
        self.timing = timing
        self.polling = polling
        self.wake = threading.Event()
        self._lock = threading.Lock()
        self._changes: dict[str, str] = {}
        self._activity: dict[str, FileActivity] = {}

    def relevant(self, path: str) -> bool:
        """Alert files, photos and folders of the alert directory; not our own output, state
        or error files, nor names the contract tells us to ignore."""
        if not path:
            return False
        candidate = Path(path)
        if any(candidate == d or candidate.is_relative_to(d) for d in self.ignored_dirs):
            return False
        try:
            parts = candidate.relative_to(self.alert_dir).parts
        except ValueError:
            return False
        return bool(parts) and not any(p.startswith(".") for p in parts) and not \
            candidate.name.endswith(IGNORED_SUFFIXES)

    # --- the observer's thread ----------------------------------------------------------

    def record(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        src, dest = str(event.src_path), str(getattr(event, "dest_path", "") or "")
        if event.is_directory:
            if kind in ("created", "deleted", "moved"):  # e.g. a photo folder renamed
                self._note(src, kind, None)
                self._note(dest, "created", None)
            return
        now = time.monotonic()
        with self._lock:
            if kind == "opened" and self.relevant(src):
                self._activity.setdefault(src, FileActivity()).opens += 1
                return
            if kind in ("closed", "closed_no_write") and src in self._activity:
                activity = self._activity[src]
                activity.opens = max(0, activity.opens - 1)
                if kind == "closed":
                    activity.writing = False
            if kind in ("created", "modified") and self.relevant(src):
                activity = self._activity.setdefault(src, FileActivity())
                activity.writing, activity.last_change = True, now
        if kind == "moved":
            self._note(src, "moved away", None)
            self._note(dest, "moved here", FileActivity())  # renamed into place: complete
        elif kind == "deleted":
            self._note(src, "deleted", None)
        elif kind in ("created", "modified", "closed", "attrib"):
            self._note(src, {"created": "new", "closed": "written"}.get(kind, "changed"),
                       self._activity.get(src))

    def _note(self, path: str, what: str, activity: FileActivity | None) -> None:
        if not self.relevant(path):
            return
        with self._lock:
            if activity is None:
                self._activity.pop(path, None)
            else:
                self._activity[path] = activity
            earlier = self._changes.get(path)
            if earlier == "new" or (earlier == "deleted" and what != "moved away"):
                what = "new" if what != "deleted" else "deleted"
            self._changes[path] = what
        self.wake.set()

    # --- the build loop -----------------------------------------------------------------

    def in_flight(self, path: str, now: float) -> bool:
        activity = self._activity.get(path)
        if activity is None or not activity.writing:
            return False
        if self.polling:
            try:
                st = os.stat(path)
            except OSError:
                return False
            stat = (st.st_size, st.st_mtime_ns)
            if stat != activity.stat:  # still growing: wait on
                activity.stat, activity.last_change = stat, now
            return now - activity.last_change < self.timing.settle
        # inotify: a file someone opened and wrote to is being written until closed.
        return activity.opens > 0 and now - activity.last_change < self.timing.max_hold

    def take(self) -> tuple[dict[str, str], set[Path]]:
        """Changes that are ready to be judged (forgotten here), and every file still being
        written (kept, to be judged once it is complete)."""
        now = time.monotonic()
        with self._lock:
            held = {p for p in self._activity if self.in_flight(p, now)}
            for path, activity in list(self._activity.items()):
                if path not in held and activity.opens == 0:
                    del self._activity[path]  # done with it
                elif path not in held:
                    activity.writing = False
            ready = {p: w for p, w in self._changes.items() if p not in held}
            for path in ready:
                del self._changes[path]
        return ({self._label(p): w for p, w in ready.items()}, {Path(p) for p in held})

    def has_ready(self) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(not self.in_flight(p, now) for p in self._changes)

    def waiting(self) -> bool:
        """Whether some file is being written (the loop then looks again soon)."""
        with self._lock:
            return any(a.writing for a in self._activity.values())

    def _label(self, path: str) -> str:
        try:
            return Path(path).relative_to(self.alert_dir).as_posix()
        except ValueError:
            return path


class Handler(FileSystemEventHandler):
    """Records the event and wakes the build loop; never raises into the observer."""

    def __init__(self, tracker: ChangeTracker) -> None:
        self.tracker = tracker

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            self.tracker.record(event)
        except Exception:  # an exception here would kill the observer's thread
            log.exception("could not handle file event %s", event)


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
        self._busy = threading.Event()
        self._observer_error: str | None = None

    # --- the supervisor -----------------------------------------------------------------

    def run(self) -> None:
        """Watch and publish until `stop` is set; the publish in progress is finished."""
        self._start_observer()  # first, so nothing written during the first build is missed
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
                if not self._directory_present():
                    continue
                if changes or self._rescan.is_set() or self._incomplete or due:
                    reason = self._rescan_reason if self._rescan.is_set() else "change"
                    self._rescan.clear()
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
        return self.timing.health

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
        trust = reason == "change" and self._events_seen
        result = self.builder.run(mode=RunMode(
            urgent_first=True, hold=held, announce=False, check_disk=not trust,
            changed=changes if trust else None,
            then_complete=lambda: self.stop.is_set() or not self.tracker.has_ready()))
        self._retry_at = None
        self._events_seen = True
        self._incomplete = not result.complete
        self.publishes += 1
        publish = Publish(changes, started, result, reason)
        self._log(publish)
        if self.on_publish:
            self.on_publish(publish)

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
