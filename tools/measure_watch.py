"""Median drop-to-publish time of the watcher, for examples-size photos (1600x2000 JPEG).

    .venv/bin/python tools/measure_watch.py [--rounds 15] [--poll]

Copies the examples into a temporary site, runs a real `Watcher` with every outlet,
then, per round: writes a new photo, waits until the watcher is idle, renames a new alert file
into place and records when its urgent outputs and when everything were published (the
watcher's own timestamps, taken right after each publish step). The alert is then deleted
again. A measurement, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from render.pipeline.build import Builder  # noqa: E402
from render.pipeline.watch import Publish, Watcher  # noqa: E402
from tools.make_example_photos import draw_portrait  # noqa: E402


def wait_idle(watcher: Watcher) -> None:
    quiet_since = None
    while True:
        if watcher.idle():
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 0.3:
                return
        else:
            quiet_since = None
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--poll", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp)
        alerts = site / "alerts"
        shutil.copytree(REPO / "examples" / "alerts", alerts)
        shutil.copy(REPO / "kindalarm.toml", site / "kindalarm.toml")
        template = (alerts / "2026-utrecht-sanne.toml").read_text(encoding="utf-8")
        builder = Builder(site, alerts, site / "output")
        publishes: list[Publish] = []
        watcher = Watcher(builder, poll=args.poll, on_publish=publishes.append)
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        while not publishes:
            time.sleep(0.05)
        wait_idle(watcher)
        urgent, everything = [], []
        for number in range(args.rounds):
            photo = io.BytesIO()
            draw_portrait(1000 + number, (1600, 2000)).save(photo, "JPEG", quality=90)
            tmp = alerts / "photos" / ".drop.part"
            tmp.write_bytes(photo.getvalue())
            os.replace(tmp, alerts / "photos" / f"drop-{number}.jpg")
            wait_idle(watcher)
            text = re.sub(r'id = "[^"]+"', f'id = "2026-drop-{number}"', template)
            text = text.replace("photos/sanne.jpg", f"photos/drop-{number}.jpg")
            tmp = alerts / ".drop.toml.tmp"
            tmp.write_text(text, encoding="utf-8")
            before = len(publishes)
            dropped = time.monotonic()
            os.replace(tmp, alerts / "drop.toml")
            wait_idle(watcher)
            mine = next(p for p in publishes[before:] if "drop.toml" in p.changes)
            finished = [p for p in publishes[before:] if p.result.complete][-1]
            urgent.append(mine.result.urgent_done - dropped)
            everything.append(finished.result.done - dropped)
            (alerts / "drop.toml").unlink()
            wait_idle(watcher)
        watcher.stop.set()
        thread.join()
        builder.close()
    outlets = ", ".join(o.NAME for o in builder.outlets)
    print(f"outlets: {outlets}; {args.rounds} rounds; "
          f"{'polling' if args.poll else 'inotify'} observer")
    print(f"drop -> urgent outputs published: median {statistics.median(urgent):.3f} s "
          f"(min {min(urgent):.3f}, max {max(urgent):.3f})")
    print(f"drop -> everything published:     median {statistics.median(everything):.3f} s "
          f"(min {min(everything):.3f}, max {max(everything):.3f})")


if __name__ == "__main__":
    main()
