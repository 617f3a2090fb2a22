"""`make bench`: the six speed figures of issue 7, measured in one run, beside their targets.

    .venv/bin/python bench/run.py [--drops 20] [--scale 5000] [--scale-drops 20] [--cold 200]
        [--rebuild 1000] [--flat 500] [--only 123456789] [--no-record]
        [--compare REV [--rounds 3]]

1. drop to publish: a `Watcher` (thread, inotify, every outlet) runs on the six
   examples; per drop a new alert file naming a 12-megapixel JPEG (4000x3000, q90) is renamed
   into place. Measured from just before `os.replace` to the watcher's own timestamps taken
   right after (a) its urgent publish step and (b) its complete step returned (the files are
   on disk by then; the bench checks the new version's page and display manifest entry).
2. floor: only the image work of (a) with bare Pillow: decode the same JPEG with `draft`,
   resize and encode every image (a) published for the alert, at the same size, mode and
   format (read back from the published files). 2n, new floor: the same work with the
   fastest codecs (libvips decode with shrink-on-load, resizes and RGB PNGs; Pillow's
   progressive JPEG, one-bit and palette images) and the pipeline's threads: the images
   side by side in as many threads as it renders with, libvips with its threads per image.
3. scale: (a) with N alerts already in the directory against 1 (see `filler_alert`).
4. throughput: cold `kindalarm build` (subprocess) of 200 active alerts with 12 MP photos,
   and its peak PSS summed over the build and its worker processes.
5. nothing to do: `Builder.run` in a new process rebuilding 1,000 alerts that are all
   published already (by a build made 2.5 s after the files were written).
6. memory: peak RSS (VmHWM of a `kindalarm watch` subprocess) when a 50 MP photo is dropped.
7. pushes: 1 again with three `[[webhooks]]` receivers down (nothing listens on their ports),
   so every delivery fails and is retried beside the watcher; the ratio to 1 of the same run.
8. mirror: drop to urgent outputs readable in a real S3 bucket (bench/mirror_figure.py).
9. flat memory: 4's peak PSS again with 500 alerts (`--flat`).

A measurement, not a test: the machine is shared, so the figures carry its load; the load
average is printed and stored with them. Results are appended to bench/results.md.

--compare REV measures this checkout (A) against git revision REV (B, unpacked by `git archive`
into a temporary folder): each figure runs `--rounds` times per side, A, B, A, B..., each run
in a child process of this file with its checkout's `render` first on the path (and on
PYTHONPATH, for the `kindalarm` and Python processes it starts) and this venv's packages.
The table gives both medians of the runs' pooled numbers and their ratio A/B: below 1, A takes
less time or memory, or scales better (3); for 4, alerts per second, above 1 is A faster.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import (
    KINDALARM,
    TARGETS,
    VIPS_THREADS,
    WORKERS,
    Builder,
    Timing,
    note,
    p95,
    record,
    revision,
    sizes,
)
from compare import compare
from floors import floor, new_floor
from procs import rebuild_in_child, timed_child, watch_memory
from sites import (
    RunningWatcher,
    active_alert,
    drop,
    drops,
    filler_alert,
    jpeg_bytes,
    new_site,
    photo_variant,
    urgent_images,
    withdraw,
    write_atomic,
)

from tools.measure_watch import wait_idle

# --- the figures ---------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run measured: each figure as printed and recorded, whether it met its target,
    and the numbers behind it, which --compare pools over its rounds."""

    text: dict[str, str] = field(default_factory=dict)
    met: dict[str, bool] = field(default_factory=dict)
    values: dict[str, list[float]] = field(default_factory=dict)


def measure_drops(figures: Figures, temp_dir: Path, args: argparse.Namespace, photo: bytes,
                  started: float) -> None:
    """1 and 2: drops into a running watcher, and the floor of the images they published."""
    site = temp_dir / "drops"
    alerts, out = new_site(site)
    running = RunningWatcher(site, alerts, out)
    try:
        urgent, everything, out = drops(running, alerts, args.drops, photo, "main")
    finally:
        running.close()
    median_a = statistics.median(urgent)
    figures.text["1a"] = f"{median_a:.3f} s"
    figures.text["1a95"] = f"{p95(urgent):.3f} s"
    figures.text["1b"] = f"{statistics.median(everything):.3f} s"
    figures.text["1b95"] = f"{p95(everything):.3f} s"
    figures.met["1a"] = median_a <= 0.150
    figures.met["1a95"] = p95(urgent) <= 0.250
    figures.met["1b"] = statistics.median(everything) <= 0.6
    images = urgent_images(out, f"2026-drop-main-{args.drops - 1}")
    floors = floor(photo, images, 9)
    floor_median = statistics.median(floors)
    ratio = median_a / floor_median
    figures.text["2"] = f"{floor_median:.3f} s for {len(images)} images; ratio {ratio:.2f}"
    figures.met["2"] = ratio <= 1.3
    new_floors = new_floor(photo, images, 9)
    new_median = statistics.median(new_floors)
    figures.text["2n"] = (f"{new_median:.3f} s ({WORKERS} threads, libvips {VIPS_THREADS} "
                          f"each); ratio {median_a / new_median:.2f}")
    figures.met["2n"] = median_a / new_median <= 1.2
    figures.values.update({"1a": urgent, "1a95": urgent, "1b": everything,
                           "1b95": everything, "2": floors, "2n": new_floors})
    note(started, "1, 2 done")


def closed_port() -> int:
    """A port nothing listens on: a receiver that is down refuses the connection."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def measure_push(figures: Figures, temp_dir: Path, args: argparse.Namespace, photo: bytes,
                 started: float) -> None:
    """7: 1 with three webhook receivers down."""
    site = temp_dir / "push"
    alerts, out = new_site(site)
    os.environ["KINDALARM_BENCH_SECRET"] = "bench"
    with (site / "kindalarm.toml").open("a", encoding="utf-8") as settings:
        for number in range(3):
            settings.write(f'\n[[webhooks]]\nname = "down{number}"\nurl = '
                           f'"http://127.0.0.1:{closed_port()}/hook"\n'
                           f'secret_env = "KINDALARM_BENCH_SECRET"\n')
    running = RunningWatcher(site, alerts, out)
    try:
        urgent, everything, _ = drops(running, alerts, args.drops, photo, "push")
        assert running.builder.outbox is not None and running.builder.outbox.pending() > 0
    finally:
        running.close()
    a, b = statistics.median(urgent), statistics.median(everything)
    text = f"{a:.3f} s, {b:.3f} s"
    if "1a" in figures.values:
        text += (f"; ratios {a / statistics.median(figures.values['1a']):.2f}, "
                 f"{b / statistics.median(figures.values['1b']):.2f}")
    figures.text["7"] = text
    figures.values["7"] = urgent
    note(started, "7 done")


def measure_scale(figures: Figures, temp_dir: Path, args: argparse.Namespace, photo: bytes,
                  started: float) -> None:
    """3: drops with N alerts in the directory against drops with 1."""
    # Both watchers run side by side and take their drops in turn, so a machine that gets
    # slower or faster meanwhile (it is shared) weighs on both alike.
    sites: dict[int, tuple[Path, RunningWatcher]] = {}
    try:
        for count in (1, args.scale):
            site = temp_dir / f"scale-{count}"
            alerts, _ = new_site(site, examples=False)
            write_atomic(alerts / "photos" / "one.jpg", photo_variant(photo, 0))
            (alerts / "one.toml").write_text(active_alert("2026-one", "photos/one.jpg"))
            for number in range(count - 1):
                (alerts / f"filler-{number:05d}.toml").write_text(filler_alert(number))
            setup = time.monotonic()
            # No periodic rescan: one of the big directory would land in the other
            # watcher's drops now and then.
            sites[count] = alerts, RunningWatcher(site, alerts, site / "output",
                                                  Timing(rescan=3600.0))
            write_atomic(alerts / "photos" / "drop.jpg", photo)
            wait_idle(sites[count][1].watcher)
            note(started, f"scale {count}: first build {time.monotonic() - setup:.0f} s")
        samples: dict[int, list[float]] = {count: [] for count in sites}
        for number in range(args.scale_drops):
            for count, (alerts, running) in sites.items():
                urgent, _ = drop(running, alerts, f"2026-drop-s{count}-{number}")
                samples[count].append(urgent)
                withdraw(running, alerts)
    finally:
        for _, running in sites.values():
            running.close()
    medians = {count: statistics.median(values) for count, values in samples.items()}
    ratio = medians[args.scale] / medians[1]
    figures.text["3"] = (f"{medians[args.scale]:.3f} s with {args.scale} vs "
                         f"{medians[1]:.3f} s with 1; ratio {ratio:.2f}")
    figures.met["3"] = ratio <= 1.2
    figures.values["3"] = [ratio]


def measure_builds(figures: Figures, temp_dir: Path, args: argparse.Namespace, photo: bytes,
                   started: float) -> None:
    """4: a cold `kindalarm build`; 5 (if asked for): a rebuild of it with nothing to do."""
    site = temp_dir / "cold"
    alerts, out = cold_site(site, photo, args.cold)
    rate, busy, peak_mb = cold_build(site, alerts, out, args.cold)
    figures.text["4"] = (f"{rate:.2f} alerts/s ({args.cold / rate:.1f} s), CPU {busy:.0f}%, "
                         f"peak PSS {peak_mb:.0f} MB")
    figures.met["4"] = rate >= 4 and busy > 180 and peak_mb <= 400
    figures.values["4"] = [rate]
    note(started, "4 done")
    if "5" not in args.only:
        return
    for number in range(args.rebuild - args.cold):
        (alerts / f"filler-{number:05d}.toml").write_text(filler_alert(number))
    # The build before is made of files older than a clock tick, as in any real alert
    # directory: files changed in the last 2 s are read again next time
    # (files.file_identity), so one made straight after writing them would not be the build
    # a rebuild follows.
    time.sleep(2.5)
    setup = Builder(site, alerts, out)
    setup.run()
    setup.close()
    seconds, written, listed = rebuild_in_child(site, alerts, out)
    figures.text["5"] = f"{seconds:.3f} s, {written} files written ({listed} alerts)"
    figures.met["5"] = seconds <= 0.5 and written == 0
    figures.values["5"] = [seconds]
    note(started, "5 done")


def cold_site(site: Path, photo: bytes, count: int) -> tuple[Path, Path]:
    """A site of `count` active alerts, each with its own copy of the 12 MP photo."""
    alerts, out = new_site(site, examples=False)
    for number in range(count):
        name = f"photos/p{number:04d}.jpg"
        (alerts / name).write_bytes(photo_variant(photo, number))
        level = "kind-alarm" if number % 2 else "vermist-kind"
        (alerts / f"a{number:04d}.toml").write_text(
            active_alert(f"2026-cold-{number:04d}", name, level))
    return alerts, out


def cold_build(site: Path, alerts: Path, out: Path, count: int) -> tuple[float, float, float]:
    """`kindalarm build` of the site: (alerts/s, CPU %, peak PSS in MB of it and its
    workers)."""
    pss: list[int] = []
    wall, cpu, _, _ = timed_child([str(KINDALARM), "--site", str(site), "build",
                                   "--alerts", str(alerts), "--out", str(out)], pss)
    return count / wall, 100 * cpu / wall, pss[0] / 1024


def measure_flat(figures: Figures, temp_dir: Path, args: argparse.Namespace, photo: bytes,
                 started: float) -> None:
    """9: the cold build's memory again with more alerts: flat, not growing with them."""
    site = temp_dir / "flat"
    alerts, out = cold_site(site, photo, args.flat)
    rate, _, peak_mb = cold_build(site, alerts, out, args.flat)
    figures.text["9"] = f"{peak_mb:.0f} MB with {args.flat} alerts; {rate:.2f} alerts/s"
    figures.met["9"] = peak_mb <= 400
    figures.values["9"] = [peak_mb]
    shutil.rmtree(site)  # gigabytes of photos
    note(started, "9 done")


def measure_memory(figures: Figures, temp_dir: Path) -> None:
    """6: the peak memory of `kindalarm watch` publishing a 50 MP photo. Since the watcher
    has a worker process, PSS summed over both, as figures 4 and 9 count (each one's RSS
    counts the pages they share, the interpreter and libraries, twice); both RSS peaks are
    printed beside it."""
    memory = watch_memory(temp_dir / "memory")
    pss = memory.pss / 1024
    figures.text["6"] = (f"{pss:.0f} MB (published in {memory.seconds:.1f} s; RSS peaks "
                         f"summed {memory.rss_summed / 1024:.0f} MB, the watcher's own "
                         f"{memory.watcher_rss / 1024:.0f} MB)")
    figures.met["6"] = pss <= 250
    figures.values["6"] = [pss]


def measure(args: argparse.Namespace, photo: bytes, started: float) -> Figures:
    """The figures in args.only, measured on ROOT's `render`."""
    figures = Figures()
    with tempfile.TemporaryDirectory(prefix="kindalarm-bench-") as temp:
        temp_dir = Path(temp)
        if "1" in args.only or "2" in args.only:
            measure_drops(figures, temp_dir, args, photo, started)
        if "3" in args.only:
            measure_scale(figures, temp_dir, args, photo, started)
        if "4" in args.only or "5" in args.only:
            measure_builds(figures, temp_dir, args, photo, started)
        if "6" in args.only:
            measure_memory(figures, temp_dir)
        if "7" in args.only:
            measure_push(figures, temp_dir, args, photo, started)
        if "8" in args.only:
            from mirror_figure import measure_mirror

            measure_mirror(sys.modules[__name__], figures, temp_dir, args, photo, started)
        if "9" in args.only:
            measure_flat(figures, temp_dir, args, photo, started)
    return figures


# --- the run -------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--scale", type=int, default=5000)
    parser.add_argument("--scale-drops", type=int, default=20)  # 10 left medians 0.05 s apart
    parser.add_argument("--cold", type=int, default=200)
    parser.add_argument("--rebuild", type=int, default=1000)
    parser.add_argument("--flat", type=int, default=500)
    parser.add_argument("--only", default="123456789", help="which figures to measure")
    parser.add_argument("--no-record", action="store_true", help="do not append to results")
    parser.add_argument("--compare", metavar="REV",
                        help="measure this checkout and git revision REV, alternately")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --compare: runs of each figure per side")
    # One side of --compare: the photo it drops, and where its numbers go (JSON).
    parser.add_argument("--photo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--side-out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    logging.getLogger("kindalarm").setLevel(logging.WARNING)
    if args.compare:
        compare(args)
        return
    load_before = os.getloadavg()[0]
    rev = revision()  # at the start: the tree may change while the bench runs
    started = time.monotonic()
    photo = args.photo.read_bytes() if args.photo else jpeg_bytes((4000, 3000))
    figures = measure(args, photo, started)
    if args.side_out:
        import render

        args.side_out.write_text(json.dumps({"render": render.__file__,
                                             "values": figures.values}))
        return

    load_after = os.getloadavg()[0]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    print(f"\nkindalarm bench, {rev}, {when} UTC, {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} before, {load_after:.1f} after, "
          f"{time.monotonic() - started:.0f} s in all\n")
    width = max(len(title) for title, _ in TARGETS.values())
    print(f"{'figure':<{width + 5}} {'measured':<48} target")
    for key, (title, target) in TARGETS.items():
        if key not in figures.text:
            continue
        verdict = "" if key not in figures.met else "  met" if figures.met[key] else "  MISSED"
        print(f"{key:<4} {title:<{width}} {figures.text[key]:<48} {target}{verdict}")
    if not args.no_record:
        record([f"\n## {rev}, {when} UTC, load {load_before:.1f} -> {load_after:.1f} "
                f"({sizes(args)})\n",
                *(f"- {key} {TARGETS[key][0]}: {value}\n"
                  for key, value in figures.text.items())])


if __name__ == "__main__":
    main()
