"""`kindalarm watch` killed with SIGKILL at random moments while alerts change: every kill
leaves a whole tree, and a restarted watcher converges (`build` afterwards has nothing to
do). A few kills in `make test`; `make soak` sets KINDALARM_WATCH_KILLS=100. The moments
between any two file operations are checked one by one in tests/test_write_order.py. As in
tests/test_kill.py, the kills start once a first build has made the output."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

from tests.helpers.churn import mutate, start_churn
from tests.helpers.sites import REPO, SiteDir
from tests.helpers.treecheck import check_tree
from tests.helpers.waiting import wait_until

BASE_URL = "http://127.0.0.1:8000/"
KILLS = int(os.environ.get("KINDALARM_WATCH_KILLS", "6"))  # `make soak` sets 100


class WatchProcess:
    """A real `kindalarm watch` subprocess whose log lines are collected as they come."""

    def __init__(self, site: SiteDir, *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "render.cli", *options, "--site", str(site.root), "watch",
             "--alerts", str(site.alerts), "--out", str(site.out)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, words: str, timeout: float = 60) -> None:
        """Until a log line holds `words`; fails at once if the process ends first."""
        def logged() -> bool:
            if any(words in line for line in self.lines):
                return True
            assert self.process.poll() is None, "".join(self.lines)
            return False

        try:
            wait_until(logged, timeout=timeout, what=f"'{words}' in the log")
        except AssertionError as exc:
            raise AssertionError(f"{exc}:\n{''.join(self.lines)}") from None

    @property
    def publishes(self) -> int:
        return sum("published" in line for line in self.lines)


def was_writing(site: SiteDir) -> bool:
    """Whether the publisher was killed between announcing and recording its writes."""
    db = sqlite3.connect(site.root / ".output.state" / "state.sqlite")
    try:
        return db.execute("select count(*) from pending").fetchone()[0] > 0
    finally:
        db.close()


def test_watch_killed_at_random_moments_leaves_a_whole_tree(site: SiteDir) -> None:
    rng = random.Random(1129)
    site.settings_text(f'base_url = "{BASE_URL}"\nretire_seconds = 0\n')
    start_churn(site, rng)
    # The output exists before the first kill: the watcher logs "watching" while its first
    # build runs, and a first build killed part-way has no earlier tree to keep whole (its
    # alert pages name the front page, which lists them and so comes after them).
    assert site.build(datetime.now(UTC)).ok  # the clock the watchers publish at
    publishes = mid_write = 0
    for kill in range(KILLS):
        watcher = WatchProcess(site)
        watcher.wait_for("watching")
        for step in range(rng.randint(1, 4)):
            mutate(site, kill * 4 + step, rng)
            time.sleep(rng.uniform(0.05, 0.6))  # random moments to change and kill: the point
        watcher.process.send_signal(signal.SIGKILL)
        watcher.process.wait(timeout=30)
        publishes += watcher.publishes
        mid_write += was_writing(site)
        problems = check_tree(site.out, BASE_URL, settled=False)
        assert problems == [], f"after kill {kill}: {problems}\n{''.join(watcher.lines[-40:])}"
    # The watchers were working, not idle: publishes completed, and on a loaded machine
    # kills also land mid-write (the publisher's pending journal is then not empty).
    assert publishes + mid_write >= KILLS // 2, (publishes, mid_write)
    print(f"watch kills: {KILLS}, mid-publish: {mid_write}, publishes between kills: "
          f"{publishes}, inconsistent trees: 0")  # the figures for issue 8 (pytest -s)

    # A watcher started on what the kills left brings the tree up to date, then stops on
    # SIGTERM; a build afterwards finds nothing to do.
    watcher = WatchProcess(site)
    watcher.wait_for("watching")
    watcher.wait_for("published")  # its first publish (at startup) is done
    watcher.process.send_signal(signal.SIGTERM)
    assert watcher.process.wait(timeout=120) == 0
    assert check_tree(site.out, BASE_URL) == []
    assert site.build(datetime.now(UTC)).report.written == []
