"""`bench/run.py --compare REV`: this checkout and another, alternately."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import REPO, SIZES, note, p95, record, revision, sizes
from sites import jpeg_bytes

# --- --compare REV ---------------------------------------------------------------------------

# What --compare sets side by side: the number behind each figure, pooled over the rounds.
COMPARED = {
    "1a": ("drop -> urgent published, median", "s"),
    "1a95": ("drop -> urgent published, p95", "s"),
    "1b": ("drop -> everything published, median", "s"),
    "1b95": ("drop -> everything published, p95", "s"),
    "2": ("floor (bare Pillow), median", "s"),
    "2n": ("new floor (bare libvips), median", "s"),
    "3": ("1a with N alerts / with 1 alert, median", "x"),
    "4": ("cold build, median", "alerts/s"),
    "5": ("rebuild of the cold build + fillers, median", "s"),
    "6": ("peak PSS, 50 MP photo dropped, median", "MB"),
}
# Figures measured in one run: 2 reads the images of 1's drops, 5 rebuilds 4's build.
GROUPS = ("12", "3", "45", "6")


def compare(args: argparse.Namespace) -> None:
    """Each figure for this checkout (A) and for REV (B), A, B, A, B...: both in child
    processes of this file, each with its checkout first on the path, this venv's packages."""
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    revs = {"A": revision(), "B": git("rev-parse", "--short", f"{args.compare}^{{commit}}")}
    with tempfile.TemporaryDirectory(prefix="kindalarm-compare-") as temp:
        temp_dir = Path(temp)
        roots = {"A": REPO, "B": temp_dir / revs["B"]}
        roots["B"].mkdir()
        archive = subprocess.run(["git", "archive", revs["B"]], cwd=REPO, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "x", "-C", str(roots["B"])], input=archive, check=True)
        photo = temp_dir / "photo.jpg"
        photo.write_bytes(jpeg_bytes((4000, 3000)))
        where = {side: imported_render(root, temp_dir) for side, root in roots.items()}
        pooled: dict[str, dict[str, list[float]]] = {"A": {}, "B": {}}
        for group in GROUPS:
            only = "".join(figure for figure in group if figure in args.only)
            for number in range(args.rounds if only else 0):
                for side, root in roots.items():
                    values = run_side(root, only, args, photo, temp_dir)
                    for key, numbers in values.items():
                        pooled[side].setdefault(key, []).extend(numbers)
                note(started, f"{only} round {number + 1} of {args.rounds} done")

    load_after = os.getloadavg()[0]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    print(f"\nkindalarm bench --compare {args.compare}, {when} UTC, {os.cpu_count()} CPUs, "
          f"load average {load_before:.1f} before, {load_after:.1f} after, "
          f"{time.monotonic() - started:.0f} s in all; {args.rounds} rounds per figure, "
          f"A and B in turn ({sizes(args)})")
    for side in roots:
        print(f"  {side} {revs[side]}: render from {where[side]}")
    width = max(len(title) for title, _ in COMPARED.values())
    print(f"\n{'figure':<{width + 5}} {'A ' + revs['A']:>18} {'B ' + revs['B']:>18} "
          f"{'A/B':>6}")
    lines = []
    for key, (title, unit) in COMPARED.items():
        if key not in pooled["A"]:
            continue
        a, b = (p95(pooled[side][key]) if key.endswith("95") else
                statistics.median(pooled[side][key]) for side in ("A", "B"))
        cells = [f"{value:.3f} {unit}" for value in (a, b)]
        print(f"{key:<4} {title:<{width}} {cells[0]:>18} {cells[1]:>18} {a / b:6.2f}")
        lines.append(f"- {key} {title}: {a:.3f} {unit} vs {b:.3f} {unit}; A/B {a / b:.2f}\n")
    if not args.no_record:
        record([f"\n## {revs['A']} (A) vs {revs['B']} (B), {when} UTC, load "
                f"{load_before:.1f} -> {load_after:.1f} ({args.rounds} rounds each, in turn; "
                f"{sizes(args)})\n", *lines])


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()


SIDE_SITE = Path(__file__).resolve().parent / "side"  # sitecustomize: no editable finder


def side_env(root: Path) -> dict[str, str]:
    """The environment of a side: its checkout's `render` and nothing of this venv's
    editable install (see side/sitecustomize.py), for the side's process and every one it
    starts."""
    return {**os.environ, "KINDALARM_BENCH_ROOT": str(root),
            "PYTHONPATH": f"{SIDE_SITE}{os.pathsep}{root}"}


def imported_render(root: Path, cwd: Path) -> str:
    """Where a side's subprocesses (`kindalarm`, the rebuild) import `render` from: every
    module of it, the pipeline's included, must be the side's checkout's."""
    code = ("import sys\n"
            "try:\n    import render.pipeline.build\n"
            "except ModuleNotFoundError:  # before the sub-packages\n    import render.build\n"
            "import render\nprint(render.__file__)\n"
            "print(*(m.__file__ for n, m in sys.modules.items()\n"
            "        if n.split('.')[0] == 'render' and getattr(m, '__file__', None)), sep='\\n')")
    done = subprocess.run([sys.executable, "-c", code], env=side_env(root), cwd=cwd,
                          capture_output=True, text=True, check=True)
    where, *modules = done.stdout.split()
    strays = [m for m in [where, *modules] if not Path(m).is_relative_to(root)]
    if strays:
        raise SystemExit(f"bench: {root}'s subprocesses would import render from {strays[0]}")
    return where


def run_side(root: Path, only: str, args: argparse.Namespace, photo: Path, temp_dir: Path
             ) -> dict[str, list[float]]:
    """One run of the figures `only` on the checkout at `root`, in a child process."""
    out = temp_dir / "side.json"
    options = [f"--{name.replace('_', '-')}={getattr(args, name)}" for name in SIZES]
    run_py = Path(__file__).resolve().with_name("run.py")
    done = subprocess.run([sys.executable, str(run_py), "--only", only, *options,
                           "--photo", str(photo), "--side-out", str(out)],
                          env=side_env(root), cwd=root)
    if done.returncode:
        raise SystemExit(f"bench: figures {only} of {root} failed (exit {done.returncode})")
    side = json.loads(out.read_text())
    if not Path(side["render"]).is_relative_to(root):
        raise SystemExit(f"bench: the side of {root} imported render from {side['render']}")
    return side["values"]

