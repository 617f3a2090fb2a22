"""Where a drop's time goes: the timeline of one new alert's publish in a running watcher.

    .venv/bin/python bench/timeline.py [--fillers 5000] [--drops 5]

Starts a watcher (as figure 1 of `bench/run.py` does) on the examples, or on one alert and
`--fillers` ended ones (as figure 3), drops `--drops` new alerts with a 12-megapixel photo
and prints, for the last one, every pipeline step and every file produced: start and end in
seconds after the rename, duration, and the thread that did it. A profile of the critical
path, not a figure: the steps are timed by wrapping the builder's and publisher's methods.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sites as bench

from render.alert import loader
from render.pipeline import build, publish

STEPS = {
    build.Builder: ("_load", "_accept", "_with_fallbacks", "_views", "_record_messages",
                    "_contexts", "_artifacts", "_status", "_remember_run", "_report"),
    loader.AlertLoader: ("scan",),
    publish.Publisher: ("publish", "_plan", "_write_layers", "outdated", "_delete_obsolete"),
}


class Timeline:
    def __init__(self) -> None:
        # start, end, thread, what, CPU of the whole process (all threads) meanwhile
        self.events: list[tuple[float, float, str, str, float]] = []
        self.dropped = 0.0

    def add(self, start: float, cpu: float, what: str) -> None:
        thread = threading.current_thread().name.removeprefix("kindalarm-")
        self.events.append((start, time.monotonic(), thread, what, time.process_time() - cpu))

    def timed(self, function: Callable[..., Any], what: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.monotonic(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(start, cpu, what)
        return wrapper

    def install(self) -> None:
        for owner, names in STEPS.items():
            for name in names:
                setattr(owner, name, self.timed(getattr(owner, name), name))
        produce = publish._produce

        def traced(artifact: Any) -> Any:
            start, cpu = time.monotonic(), time.process_time()
            result = produce(artifact)
            self.add(start, cpu, artifact.path)
            return result

        publish._produce = traced
        replace = os.replace

        def replace_marking_drops(source: Any, target: Any) -> None:
            if str(target).endswith("drop.toml"):  # the drop: the clock starts here
                self.events.clear()
                self.dropped = time.monotonic()
            replace(source, target)

        bench.os.replace = replace_marking_drops  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fillers", type=int, default=0)
    parser.add_argument("--drops", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    timeline = Timeline()
    timeline.install()
    with tempfile.TemporaryDirectory(prefix="kindalarm-timeline-") as temp:
        site = Path(temp)
        alerts, out = bench.new_site(site, examples=not args.fillers)
        photo = bench.jpeg_bytes((4000, 3000))
        if args.fillers:
            bench.write_atomic(alerts / "photos" / "one.jpg", bench.photo_variant(photo, 0))
            (alerts / "one.toml").write_text(bench.active_alert("2026-one", "photos/one.jpg"))
            for number in range(args.fillers):
                (alerts / f"filler-{number:05d}.toml").write_text(bench.filler_alert(number))
        running = bench.RunningWatcher(site, alerts, out)
        try:
            urgent, everything, _ = bench.drops(running, alerts, args.drops, photo, "t")
        finally:
            running.close()
    print("drop -> urgent published: " + " ".join(f"{s:.3f}" for s in urgent) + " s")
    print("drop -> everything:       " + " ".join(f"{s:.3f}" for s in everything) + " s")
    print(f"the last drop ({args.fillers} ended alerts beside it), seconds after the rename:")
    print("(cpu: CPU seconds of the whole process, all threads, while it ran)")
    print(f"{'start':>7} {'end':>7} {'took':>6} {'cpu':>6}  thread      what")
    for start, end, thread, what, cpu in sorted(timeline.events):
        print(f"{start - timeline.dropped:7.3f} {end - timeline.dropped:7.3f} "
              f"{end - start:6.3f} {cpu:6.3f}  {thread:<10}  {what}")


if __name__ == "__main__":
    main()
