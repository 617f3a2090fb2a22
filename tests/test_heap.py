"""The C heap (render/heap.py): two malloc arenas however many threads allocate, and freed
memory handed back to the system. Each check runs in a new interpreter, as the commands do,
with the setting on and off: what it measures is there to see with it off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from render import heap

if heap._libc() is None:  # pragma: no cover (Debian and the CI have glibc)
    pytest.skip("glibc only", allow_module_level=True)

ARENAS = """
import ctypes, json, sys, threading
from render import heap
if sys.argv[1] == "on":
    heap.limit_arenas()
start = threading.Barrier(8)
held = []
def allocate():
    start.wait()  # all at once: each thread finds the main arena busy
    held.append([bytearray(4096) for _ in range(2000)])
threads = [threading.Thread(target=allocate) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
sys.stderr.flush()
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" block per arena, on stderr
"""

GIVE_BACK = """
import json, re, sys
from pathlib import Path
from render import heap
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))
# Big blocks with small live ones between them, as pixels freed below a small survivor:
# the free memory is not at the top of the heap, so free() alone keeps it.
big, small = [], []
for _ in range(300):
    big.append(bytearray(100_000))
    small.append(bytearray(1000))  # above pymalloc's 512 bytes: from malloc too
before = rss()
big.clear()
freed = rss()
if sys.argv[1] == "on":
    heap.give_back()
print(json.dumps({"before": before, "freed": freed, "after": rss()}))
"""


def run(script: str, setting: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    return subprocess.run([sys.executable, "-c", script, setting], capture_output=True,
                          text=True, check=True, env=env)


def test_threads_share_two_arenas() -> None:
    arenas = {setting: run(ARENAS, setting).stderr.count("Arena ") for setting in ("on", "off")}
    assert arenas["on"] <= heap.ARENAS, arenas
    assert arenas["off"] > heap.ARENAS, f"8 threads without the limit: {arenas}"


def test_freed_pixels_go_back_to_the_system() -> None:
    kib = {setting: json.loads(run(GIVE_BACK, setting).stdout) for setting in ("on", "off")}
    freed_mb = 300 * 100_000 / 2**20
    off, on = kib["off"], kib["on"]
    assert off["before"] - off["after"] < freed_mb * 1024 / 4, f"free() alone keeps it: {kib}"
    assert on["before"] - on["after"] > freed_mb * 1024 * 3 / 4, kib


def test_child_processes_inherit_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert heap.limit_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == str(heap.ARENAS)


def test_render_threads_hand_back_at_most_once_a_second(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """Not after each of a new alert's urgent images: a hand-back walks the heap."""
    calls: list[int] = []
    monkeypatch.setattr(heap, "give_back", lambda: calls.append(1))
    monkeypatch.setattr(heap, "_last", 0.0)
    clock = [100.0]
    monkeypatch.setattr(heap, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    heap.now_and_then()
    heap.now_and_then()
    assert len(calls) == 1
    clock[0] += heap.EVERY
    heap.now_and_then()
    assert len(calls) == 2
