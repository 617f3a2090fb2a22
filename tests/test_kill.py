"""A build killed with SIGKILL at any moment leaves a whole tree, and the next build
finishes the job (contract section 4: a crash at any moment leaves the last complete state)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.helpers.churn import mutate, start_churn
from tests.helpers.sites import REPO, SiteDir
from tests.helpers.treecheck import check_tree
from tests.helpers.waiting import wait_until

BASE_URL = "http://127.0.0.1:8000/"
KILLS = int(os.environ.get("KINDALARM_KILLS", "24"))  # `make soak` sets 120


def start_build(site: SiteDir) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "render.cli", "--site", str(site.root), "build",
         "--alerts", str(site.alerts), "--out", str(site.out)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_build_killed_at_random_moments_leaves_a_whole_tree(site: SiteDir) -> None:
    rng = random.Random(20261129)
    site.settings_text(f'base_url = "{BASE_URL}"\nretire_seconds = 0\n')
    start_churn(site, rng)

    assert start_build(site).wait(timeout=120) == 0
    assert check_tree(site.out, BASE_URL) == []
    # Kills fall within the time of one incremental build: what each kill interrupts. The
    # build is timed only to spread the kills over it; no time is asserted.
    mutate(site, 0, rng)
    started = time.perf_counter()
    assert start_build(site).wait(timeout=120) == 0
    full = time.perf_counter() - started

    killed_mid_publish = 0
    for step in range(KILLS):
        mutate(site, step, rng)
        process = start_build(site)
        time.sleep(rng.uniform(0.05, full))  # the kill's random moment: the point here
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_mid_publish += 1
        process.wait(timeout=60)
        assert check_tree(site.out, BASE_URL, settled=False) == [], f"after kill {step}"

    assert killed_mid_publish >= KILLS // 2  # most kills landed while it was working
    # The next build finishes the job: the tree is what a clean build of the same files makes.
    assert start_build(site).wait(timeout=120) == 0
    fresh = SiteDir(site.root.parent / "fresh")
    (fresh.root / "kindalarm.toml").write_text((site.root / "kindalarm.toml").read_text())
    for path in site.alerts.rglob("*"):
        if path.is_file() and not path.name.endswith(".error.txt"):
            target = fresh.alerts / path.relative_to(site.alerts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    fresh.build(datetime.now(UTC))  # the clock the killed builds published at
    # The killed site also remembers alerts withdrawn along the way (their notices, the
    # archive); a fresh build never saw those. Everything else must be the same bytes.
    # Feeds and CAP messages list every published version, which is history too.
    def history(path: str) -> bool:
        path = path.removesuffix(".gz")  # a gzip sibling is history when its file is
        return path in {"status.json", "index.html", "en/index.html", "archive/index.html",
                        "en/archive/index.html"} or path.startswith(("feeds/", "cap/"))

    current = {p: d for p, d in site.files().items() if not history(p)}
    expected = {p: d for p, d in fresh.files().items() if not history(p)}
    assert {p: current.get(p) for p in expected} == expected
    assert all("2026-kill-c" in p for p in set(current) - set(expected))
    assert site.build(datetime.now(UTC)).report.written == []  # converged: nothing left to do
    assert check_tree(site.out, BASE_URL) == []


def children_of(pid: int) -> set[int]:
    """The processes started by `pid` (any of its threads), from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def test_a_killed_build_leaves_no_poster_worker_behind(examples_site: SiteDir) -> None:
    """`build` sets posters in worker processes; killed with SIGKILL, it cannot stop them,
    so they must notice on their own and leave (each would hold ~70 MB for good)."""
    process = start_build(examples_site)

    def workers_up() -> set[int]:
        """The build's worker processes, once a poster is out (they then wait for the next)."""
        assert process.poll() is None, "the build ended before it set its first poster"
        workers = children_of(process.pid)
        return workers if any(examples_site.out.glob("share/*/*/poster-*.pdf")) else set()

    workers = wait_until(workers_up, timeout=60, what="the poster workers")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    def alive() -> set[int]:
        return {p for p in workers if Path(f"/proc/{p}").exists()
                and "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")}

    # They look for their parent every 0.2 s; the deadline is only for a worker that never
    # leaves.
    wait_until(lambda: not alive(), timeout=30, what="the poster workers to leave")
