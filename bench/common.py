"""What every part of the bench shares: the checkout measured (its `render` first on the
path), the `kindalarm` that runs it, the figures' titles and targets, and the record."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The checkout measured: this one, or under --compare the other one in a child process of this
# file, whose `render` (and tools/, examples/, kindalarm.toml) come first on its path.
ROOT = Path(os.environ.get("KINDALARM_BENCH_ROOT", REPO)).resolve()
sys.path.insert(0, str(ROOT))

try:
    from render.outlets.share import CARD_PNG
    from render.pipeline.build import Builder
    from render.pipeline.publish import WORKERS
    from render.pipeline.watch import Publish, Timing, Watcher
except ModuleNotFoundError:  # a checkout from before the sub-packages (27d07d5), --compare
    from render.build import Builder  # noqa: F401 (for the other modules)
    from render.publish import WORKERS  # noqa: F401 (for the other modules)
    from render.share import CARD_PNG  # noqa: F401 (for the other modules)
    from render.watch import Publish, Timing, Watcher  # noqa: F401 (for the other modules)
try:
    from render.drawing.vips import THREADS as VIPS_THREADS
except ModuleNotFoundError:  # a checkout from before libvips (--compare): as it is set now
    VIPS_THREADS = 1

KINDALARM = Path(sys.executable).parent / "kindalarm"  # imports ROOT's render: PYTHONPATH

RESULTS = REPO / "bench" / "results.md"
TARGETS = {  # issue 21's, where it set one; issue 7's otherwise
    "1a": ("drop -> urgent published, median", "<= 0.150 s"),
    "1a95": ("drop -> urgent published, p95", "<= 0.250 s"),
    "1b": ("drop -> everything published, median", "<= 0.6 s"),
    "1b95": ("drop -> everything published, p95", "(none)"),
    "2": ("floor (bare Pillow), median; ratio 1a / floor", "ratio <= 1.3"),
    "2n": ("new floor (bare libvips), median; ratio 1a / it", "ratio <= 1.2"),
    "3": ("1a with N alerts vs 1 alert, ratio", "<= 1.2"),
    "4": ("cold build of 200 alerts: alerts/s, CPU, peak PSS",
          ">= 4/s, CPU > 180%, <= 400 MB"),
    "5": ("rebuild of 1,000 unchanged, median of 5: time, files written", "<= 0.5 s, 0 files"),
    "6": ("peak PSS, 50 MP photo dropped, watcher and worker", "<= 250 MB"),
    "7": ("1a, 1b with 3 receivers down; ratios to 1a, 1b", "(none)"),
    "8": ("drop -> urgent readable in the bucket; bytes/drop", "(none)"),
    "9": ("cold build of 500 alerts: peak PSS; alerts/s", "<= 400 MB"),
}


def note(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:.0f} s] {message}", file=sys.stderr)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def revision() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return commit + ("-dirty" if dirty else "")


SIZES = ("drops", "scale", "scale_drops", "cold", "rebuild", "flat")  # the options a side is given

def sizes(args: argparse.Namespace) -> str:
    return (f"drops {args.drops}, scale {args.scale} x {args.scale_drops} drops, "
            f"cold {args.cold}, rebuild {args.rebuild}, flat {args.flat}")


def record(lines: list[str]) -> None:
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Bench results\n\nAppended by `make bench` (bench/run.py); newest last. Targets: "
            + "; ".join(f"{k} {t}" for k, (_, t) in TARGETS.items() if t != "(none)")
            + ".\nThe machine is shared by other jobs: compare runs with the load beside "
            "them.\n")
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.writelines(lines)
