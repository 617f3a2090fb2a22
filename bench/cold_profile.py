"""Where a cold build's CPU goes, per alert: the floor under figure 4.

    .venv/bin/python bench/cold_profile.py [--alerts 20]

Builds a site of `--alerts` active alerts, each with its own copy of the 12-megapixel photo
(as figure 4 does), in this process, with one render thread and no worker processes: each
file's CPU is then the whole process's CPU while that file was produced (libvips' threads
included). WeasyPrint is loaded first, once, as a worker process does. Prints the CPU per
alert of each kind of file, the rest of the build (loading, views, hashing, writing, the
state), and the rate two cores could reach at best if the files cost nothing but their own
rendering. A profile, not a figure.
"""

from __future__ import annotations

import argparse
import collections
import logging
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sites as bench
from run import cold_site

from render.outlets import poster_weasyprint
from render.pipeline import publish
from render.pipeline.build import Builder

CORES = 2


def kind(path: str) -> str:
    """The file's path with the alert's id and version taken out."""
    path = re.sub(r"^exercise/", "", path)
    path = re.sub(r"2026-cold-\d+", "ID", path)
    return re.sub(r"/[0-9a-f]{12}", "/V", path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    spent: dict[str, float] = collections.defaultdict(float)
    produce = publish._produce

    def timed(artifact: Any) -> Any:
        started = time.process_time()
        try:
            return produce(artifact)
        finally:
            spent[kind(artifact.path)] += time.process_time() - started

    publish._produce = timed
    poster_weasyprint.warm_up()  # once per process (a second or so), not per alert
    with tempfile.TemporaryDirectory(prefix="kindalarm-cold-profile-") as temp:
        site = Path(temp)
        alerts, out = cold_site(site, bench.jpeg_bytes((4000, 3000)), args.alerts)
        builder = Builder(site, alerts, out)
        builder.publisher.workers = 1
        started, wall = time.process_time(), time.monotonic()
        builder.run()
        total, wall = time.process_time() - started, time.monotonic() - wall
        builder.close()
    per = args.alerts
    files = sum(spent.values())
    print(f"cold build of {per} alerts, one thread, no workers: {wall:.1f} s, "
          f"{total / per:.3f} CPU-s per alert")
    print(f"{'CPU-s/alert':>11}  {'share':>5}  file")
    for name, cpu in sorted(spent.items(), key=lambda item: -item[1]):
        if cpu / per >= 0.001:
            print(f"{cpu / per:11.3f}  {100 * cpu / total:4.0f}%  {name}")
    print(f"{files / per:11.3f}  {100 * files / total:4.0f}%  all files")
    print(f"{(total - files) / per:11.3f}  {100 * (total - files) / total:4.0f}%  "
          "the rest (load, views, hashes, writes, state)")
    print(f"at best on {CORES} cores, files alone: {CORES * per / files:.2f} alerts/s; "
          f"with the rest: {CORES * per / total:.2f} alerts/s")


if __name__ == "__main__":
    main()
