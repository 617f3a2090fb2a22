"""What the watcher saw of the alert directory: the changes since the last build, and the
files that are still being written (a file still being written is not judged: on inotify
until the writer closes it or renames it into place, with the polling observer until its size
and time have been still for a while, so a slow writer never gets an error file for its
half-written state).

The observer's handler only records (`ChangeTracker.record`) and wakes the build loop; the
loop takes what is ready (`take`). One short lock guards the dictionaries.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from ..alert.files import IGNORED_SUFFIXES

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
