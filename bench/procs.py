"""Bench processes: timed children, their memory (PSS over a process tree), rebuilds."""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import KINDALARM, ROOT
from sites import active_alert, jpeg_bytes, new_site, write_atomic

# --- 4, 5: builds -----------------------------------------------------------------------------


def timed_child(args: list[str], pss: list[int] | None = None
                ) -> tuple[float, float, int, str]:
    """Run a command; (wall seconds, CPU seconds, peak RSS KiB, stderr) from its own wait4.
    With `pss`, the peak PSS (KiB) summed over the command and its worker processes, sampled
    every 0.2 s, is appended to it."""
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = None
    if pss is not None:
        peak = [0]
        sampler = threading.Thread(target=sample_pss, args=(proc.pid, peak), daemon=True)
        sampler.start()
    stderr = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if sampler is not None and pss is not None:
        sampler.join()
        pss.append(peak[0])
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {args} failed:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, stderr


REBUILD = """
import json, sys, time
from pathlib import Path
try:
    from render.pipeline.build import Builder
except ModuleNotFoundError:  # before 27d07d5
    from render.build import Builder
site, alerts, out = map(Path, sys.argv[1:4])
builder = Builder(site, alerts, out)
started = time.monotonic()
result = builder.run()
seconds = time.monotonic() - started
builder.close()
print(json.dumps([seconds, len(result.report.written) + len(result.report.deleted),
                  len(result.views)]))
"""


def rebuild_in_child(site: Path, alerts: Path, out: Path, runs: int = 5
                     ) -> tuple[float, int, int]:
    """Time `Builder.run` in a new Python process, as `kindalarm build` runs it (after its
    imports): not in this one, whose heap holds the earlier figures' thousands of alerts
    for the cycle collector to walk. The median of `runs` such processes (one run on this
    shared machine varies by +-25%); the files written are the most any run wrote."""
    times: list[float] = []
    most_written = 0
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", REBUILD, str(site), str(alerts), str(out)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        seconds, written, listed = json.loads(done.stdout)
        times.append(seconds)
        most_written = max(most_written, written)
    return statistics.median(times), most_written, listed


# --- 6: memory ------------------------------------------------------------------------------


@dataclass
class WatchMemory:
    """Memory of `kindalarm watch` publishing a dropped 50 MP photo, in KiB."""

    pss: int  # PSS of the watcher and its workers, summed, sampled every 20 ms: the figure
    rss_summed: int  # each process's own peak RSS (VmHWM), summed: shared pages counted twice
    watcher_rss: int  # the watcher's own VmHWM (figure 6 up to 6dbde57, one process then)
    seconds: float  # drop -> everything published


def watch_memory(root: Path) -> WatchMemory:
    """`kindalarm watch` publishing a dropped 50 MP photo: its peak memory, its workers'
    counted (since 6dbde57 the watcher sets posters in one)."""
    alerts, out = new_site(root, examples=False)
    write_atomic(alerts / "first.toml", active_alert("2026-first", None, "vermist-kind")
                 .encode())
    big = jpeg_bytes((8160, 6120), seed=11, draw_size=(2040, 1530))
    log_path = root / "watch.log"
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(
            [str(KINDALARM), "--site", str(root), "watch", "--alerts", str(alerts),
             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=log_file)
        pss = [0]
        threading.Thread(target=sample_pss, args=(proc.pid, pss, 0.02), daemon=True).start()
        wait_for(lambda: "watching" in log_path.read_text() and
                 "everything in" in log_path.read_text(), 300)
        write_atomic(alerts / "photos" / "big.jpg", big)
        time.sleep(0.5)
        dropped = time.monotonic()
        write_atomic(alerts / "big.toml", active_alert("2026-big", "photos/big.jpg").encode())
        wait_for(lambda: "big.toml" in log_path.read_text() and
                 "everything in" in log_path.read_text().split("big.toml", 1)[1], 300)
        seconds = time.monotonic() - dropped
        # VmHWM, each process's own high-water mark, not wait4's ru_maxrss: Linux carries the
        # parent's high-water mark over exec into the child's ru_maxrss, and this bench holds
        # the 50 MP image it drew (about 300 MB) when it starts the watcher.
        peaks = [vm_hwm_kib(pid) for pid in family(proc.pid)]
        memory = WatchMemory(pss[0], sum(peaks), peaks[0], seconds)
        proc.send_signal(signal.SIGTERM)
        proc.wait()
    return memory


def family(pid: int) -> list[int]:
    """A process and its descendants."""
    pids = [pid]
    for current in pids:  # grows as it goes
        # Each thread's children: worker processes are started by a render thread, not by
        # the main one (figure 4 up to 9e1466b counted the main thread's only).
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pids += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return pids


def tree_pss_kib(pid: int) -> int:
    """PSS of a process and its descendants (shared pages counted once in all)."""
    total = 0
    for current in family(pid):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        total += int(found.group(1)) if found else 0
    return total


def sample_pss(pid: int, peak: list[int], every: float = 0.2) -> None:
    while Path(f"/proc/{pid}/stat").exists() and "Z" not in Path(
            f"/proc/{pid}/stat").read_text().split()[2]:
        peak[0] = max(peak[0], tree_pss_kib(pid))
        time.sleep(every)


def vm_hwm_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("bench: timed out waiting")
        time.sleep(0.05)
