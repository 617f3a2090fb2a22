"""`make bench`: the six speed figures of issue 7, measured in one run, beside their targets.

    .venv/bin/python bench/run.py [--drops 20] [--scale 5000] [--scale-drops 20] [--cold 200]
        [--rebuild 1000] [--only 123456] [--no-record] [--compare REV [--rounds 3]]

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
4. throughput: cold `kindalarm build` (subprocess) of 200 active alerts with 12 MP photos.
5. nothing to do: `Builder.run` in a new process rebuilding 1,000 alerts that are all
   published already (by a build made 2.5 s after the files were written).
6. memory: peak RSS (VmHWM of a `kindalarm watch` subprocess) when a 50 MP photo is dropped.
7. pushes: 1 again with three `[[webhooks]]` receivers down (nothing listens on their ports),
   so every delivery fails and is retried beside the watcher; the ratio to 1 of the same run.

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
import io
import json
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

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
    from render.build import Builder
    from render.publish import WORKERS
    from render.share import CARD_PNG
    from render.watch import Publish, Timing, Watcher
try:
    from render.drawing.vips import THREADS as VIPS_THREADS
except ModuleNotFoundError:  # a checkout from before libvips (--compare): as it is set now
    VIPS_THREADS = 1
from tools.make_example_photos import draw_portrait  # noqa: E402
from tools.measure_watch import wait_idle  # noqa: E402

KINDALARM = Path(sys.executable).parent / "kindalarm"  # imports ROOT's render: PYTHONPATH
RESULTS = REPO / "bench" / "results.md"
TARGETS = {
    "1a": ("drop -> urgent published, median", "<= 0.250 s"),
    "1a95": ("drop -> urgent published, p95", "(none)"),
    "1b": ("drop -> everything published, median", "<= 1.2 s"),
    "1b95": ("drop -> everything published, p95", "(none)"),
    "2": ("floor (bare Pillow), median; ratio 1a / floor", "ratio <= 1.3"),
    "2n": ("new floor (bare libvips), median; ratio 1a / it", "ratio <= 1.3"),
    "3": ("1a with N alerts vs 1 alert, ratio", "<= 1.2"),
    "4": ("cold build of 200 alerts: alerts/s, CPU, peak PSS", ">= 2/s, CPU > 180%"),
    "5": ("rebuild of 1,000 unchanged: time, files written", "<= 0.5 s, 0 files"),
    "6": ("peak RSS, 50 MP photo dropped", "<= 250 MB"),
    "7": ("1a, 1b with 3 receivers down; ratios to 1a, 1b", "(none)"),
    "8": ("drop -> urgent readable in the bucket; bytes/drop", "(none)"),
}


# --- alert files --------------------------------------------------------------------------------


def active_alert(ident: str, photo: str | None, level: str = "kind-alarm") -> str:
    """An active alert like the Utrecht example, with its own id and photo."""
    text = (ROOT / "examples" / "alerts" / "2026-utrecht-sanne.toml").read_text(encoding="utf-8")
    text = re.sub(r'id = "[^"]+"', f'id = "{ident}"', text, count=1)
    text = text.replace('level = "kind-alarm"', f'level = "{level}"')
    if photo:
        return text.replace("photos/sanne.jpg", photo)
    return re.sub(r"\nphoto = .*\nphoto_focus = .*\n", "\n", text)


def filler_alert(number: int) -> str:
    """The bulk of the big directories: a cancelled (withdrawn) vermist-kind alert without a
    photo: ended, so a page, CAP message and texts, but no share card, poster or display
    slide (a found filler costs ~0.3 s each to set up: its GEVONDEN cards and posters)."""
    return f"""id = "2025-filler-{number:05d}"
level = "vermist-kind"
status = "cancelled"
issued = 2025-03-01T10:00:00+01:00
updated = 2025-03-02T10:00:00+01:00
regions = ["Utrecht"]

[child]
name = "Kind {number} Filler"
age = {5 + number % 10}

[last_seen]
time = 2025-03-01T09:00:00+01:00
place = "Utrecht"
"""


def jpeg_bytes(size: tuple[int, int], seed: int = 7, draw_size: tuple[int, int] | None = None
               ) -> bytes:
    image = draw_portrait(seed, draw_size or size)
    if image.size != size:
        image = image.resize(size, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def new_site(root: Path, examples: bool = True) -> tuple[Path, Path]:
    alerts = root / "alerts"
    if examples:
        shutil.copytree(ROOT / "examples" / "alerts", alerts)
    else:
        (alerts / "photos").mkdir(parents=True)
    shutil.copy(ROOT / "kindalarm.toml", root / "kindalarm.toml")
    return alerts, root / "output"


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- 1, 2, 3: drops into a running watcher ------------------------------------------------------


class RunningWatcher:
    def __init__(self, site: Path, alerts: Path, out: Path, timing: Timing | None = None,
                 mirror: bool = False) -> None:
        self.builder = Builder(site, alerts, out)
        if mirror:  # figure 8: the [mirror] of the site's settings
            from render.mirror.mirror import Mirror

            self.builder.mirror = Mirror(out, self.builder.settings.mirror)
        self.publishes: list[Publish] = []
        self.watcher = Watcher(self.builder, on_publish=self.publishes.append,
                               timing=timing or Timing())
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)
        self.thread.start()
        while not self.publishes:
            time.sleep(0.05)
        wait_idle(self.watcher)

    def close(self) -> None:
        self.watcher.stop.set()
        self.thread.join()
        self.builder.close()


def drops(running: RunningWatcher, alerts: Path, count: int, photo: bytes, label: str
          ) -> tuple[list[float], list[float], Path]:
    """Drop `count` new alerts one by one (each withdrawn again afterwards, but the last)."""
    write_atomic(alerts / "photos" / "drop.jpg", photo)
    wait_idle(running.watcher)
    urgent, everything = [], []
    for number in range(count):
        first, last = drop(running, alerts, f"2026-drop-{label}-{number}")
        urgent.append(first)
        everything.append(last)
        if number < count - 1:
            withdraw(running, alerts)
    return urgent, everything, running.builder.out


def drop(running: RunningWatcher, alerts: Path, ident: str) -> tuple[float, float]:
    """Rename a new alert file into place (photos/drop.jpg, written before); seconds until
    its urgent outputs and until everything was published."""
    text = active_alert(ident, "photos/drop.jpg").encode()
    tmp = alerts / ".drop.toml.part"
    tmp.write_bytes(text)
    before = len(running.publishes)
    dropped = time.monotonic()
    os.replace(tmp, alerts / "drop.toml")
    wait_idle(running.watcher)
    mine = next(p for p in running.publishes[before:] if "drop.toml" in p.changes)
    finished = [p for p in running.publishes[before:] if p.result.complete][-1]
    check_published(running.builder.out, ident)
    return mine.result.urgent_done - dropped, finished.result.done - dropped


def withdraw(running: RunningWatcher, alerts: Path) -> None:
    (alerts / "drop.toml").unlink()
    wait_idle(running.watcher)


def check_published(out: Path, ident: str) -> None:
    """The dropped alert is really out: its page and its slides in every display manifest
    that shows kind-alarms."""
    listing = json.loads((out / "api" / "alerts.json").read_text(encoding="utf-8"))
    text = json.dumps(listing)
    if ident not in text:
        raise SystemExit(f"bench: {ident} is not in api/alerts.json after its publish")
    if not (out / "alerts" / ident / "index.html").is_file():
        raise SystemExit(f"bench: no page for {ident}")
    for manifest in (out / "displays").glob("*/manifest.json"):
        body = json.loads(manifest.read_text(encoding="utf-8"))
        for slide in body["slides"]:
            if slide["alert"] == ident and not (manifest.parent / slide["image"]).is_file():
                raise SystemExit(f"bench: {manifest} names a missing {slide['image']}")


def urgent_images(out: Path, ident: str) -> list[tuple[tuple[int, int], str, str, dict]]:
    """(size, mode, format, save options) of every image published urgently for `ident`."""
    found = []
    paths = [*(out / "alerts" / ident).glob("*/photo.jpg"),
             *(out / "displays").glob(f"*/{ident}/*.png"),
             *(out / "displays").glob(f"*/{ident}/*.gif")]
    for path in paths:
        with Image.open(path) as image:
            fmt = image.format or "PNG"
            options: dict = {"quality": 85, "optimize": True, "progressive": True} \
                if fmt == "JPEG" else {"bits": 1} if image.mode == "1" else \
                dict(CARD_PNG) if fmt == "PNG" else {}
            found.append((image.size, image.mode, fmt, options))
    return found


def floor(photo: bytes, images: list[tuple[tuple[int, int], str, str, dict]], rounds: int
          ) -> list[float]:
    """The unavoidable image work of one urgent publish, with nothing else around it."""
    times = []
    for _ in range(rounds):
        started = time.monotonic()
        source = Image.open(io.BytesIO(photo))
        # Ask for the thumbnail's own size: a square request keeps a 4:3 photo at full scale.
        longest = max(source.size)
        source.draft("RGB", (-(-source.width * 1600 // longest),
                             -(-source.height * 1600 // longest)) if longest > 1600 else None)
        source.load()
        source.thumbnail((1600, 1600), Image.Resampling.LANCZOS, reducing_gap=2.0)
        for size, mode, fmt, options in images:
            image = source.copy()
            if size[0] * source.height == size[1] * source.width:
                image = image.resize(size, Image.Resampling.LANCZOS)
            else:
                from PIL import ImageOps
                image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
            if mode != image.mode:
                image = image.convert(mode)
            image.save(io.BytesIO(), fmt, **options)
        times.append(time.monotonic() - started)
    return times


def new_floor(photo: bytes, images: list[tuple[tuple[int, int], str, str, dict]], rounds: int
              ) -> list[float]:
    """`floor` with the fastest codecs and the pipeline's threads (see the docstring, 2n)."""
    import pyvips

    pyvips.concurrency_set(VIPS_THREADS)
    pyvips.cache_set_max(0)

    def make(master: pyvips.Image, size: tuple[int, int], mode: str, fmt: str, options: dict
             ) -> None:
        image = master.thumbnail_image(size[0], height=size[1], crop="centre")
        if fmt == "PNG" and mode in ("RGB", "L") and "bits" not in options:
            if mode == "L":
                image = image.colourspace("b-w")
            image.pngsave_buffer(compression=options.get("compress_level", 6), filter="none",
                                 keep="none")
            return
        pixels = Image.frombytes("RGB", size, image.write_to_memory())
        (pixels.convert(mode) if mode != "RGB" else pixels).save(io.BytesIO(), fmt, **options)

    times = []
    for _ in range(rounds):
        started = time.monotonic()
        thumb = pyvips.Image.thumbnail_buffer(photo, 1600, height=1600, size="down")
        master = pyvips.Image.new_from_memory(thumb.write_to_memory(), thumb.width,
                                              thumb.height, thumb.bands, "uchar")
        with ThreadPoolExecutor(WORKERS) as pool:
            for done in [pool.submit(make, master, *spec) for spec in images]:
                done.result()
        times.append(time.monotonic() - started)
    return times


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


def photo_variant(base: bytes, number: int) -> bytes:
    """Same pixels, another file (bytes after the JPEG end marker are ignored by decoders),
    so every alert's photo is decoded on its own as it would be."""
    return base + f"variant {number}".encode()


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


def rebuild_in_child(site: Path, alerts: Path, out: Path) -> tuple[float, int, int]:
    """Time `Builder.run` in a new Python process, as `kindalarm build` runs it (after its
    imports): not in this one, whose heap holds the earlier figures' thousands of alerts
    for the cycle collector to walk."""
    done = subprocess.run([sys.executable, "-c", REBUILD, str(site), str(alerts), str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, written, listed = json.loads(done.stdout)
    return seconds, written, listed


# --- 6: memory ------------------------------------------------------------------------------


def peak_rss_watch(root: Path) -> tuple[int, float]:
    """Peak RSS (KiB, VmHWM) of `kindalarm watch` that publishes a dropped 50 MP photo."""
    alerts, out = new_site(root, examples=False)
    write_atomic(alerts / "first.toml", active_alert("2026-first", None, "vermist-kind")
                 .encode())
    big = jpeg_bytes((8160, 6120), seed=11, draw_size=(2040, 1530))
    log_path = root / "watch.log"
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(
            [str(KINDALARM), "--site", str(root), "watch", "--alerts", str(alerts),
             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=log_file)
        wait_for(lambda: "watching" in log_path.read_text() and
                 "everything in" in log_path.read_text(), 300)
        write_atomic(alerts / "photos" / "big.jpg", big)
        time.sleep(0.5)
        dropped = time.monotonic()
        write_atomic(alerts / "big.toml", active_alert("2026-big", "photos/big.jpg").encode())
        wait_for(lambda: "big.toml" in log_path.read_text() and
                 "everything in" in log_path.read_text().split("big.toml", 1)[1], 300)
        seconds = time.monotonic() - dropped
        # VmHWM, the watcher's own high-water mark, not wait4's ru_maxrss: Linux carries the
        # parent's high-water mark over exec into the child's ru_maxrss, and this bench holds
        # the 50 MP image it drew (about 300 MB) when it starts the watcher.
        peak = vm_hwm_kib(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait()
    return peak, seconds


def tree_pss_kib(pid: int) -> int:
    """PSS of a process and its descendants (shared pages counted once in all)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        total += int(found.group(1)) if found else 0
        # Each thread's children: worker processes are started by a render thread, not by
        # the main one (figure 4 up to 9e1466b counted the main thread's only).
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pids += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return total


def sample_pss(pid: int, peak: list[int]) -> None:
    while Path(f"/proc/{pid}/stat").exists() and "Z" not in Path(
            f"/proc/{pid}/stat").read_text().split()[2]:
        peak[0] = max(peak[0], tree_pss_kib(pid))
        time.sleep(0.2)


def vm_hwm_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("bench: timed out waiting")
        time.sleep(0.05)


# --- the figures ---------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run measured: each figure as printed and recorded, whether it met its target,
    and the numbers behind it, which --compare pools over its rounds."""

    text: dict[str, str] = field(default_factory=dict)
    met: dict[str, bool] = field(default_factory=dict)
    values: dict[str, list[float]] = field(default_factory=dict)


def note(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:.0f} s] {message}", file=sys.stderr)


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
    figures.met["1a"] = median_a <= 0.25
    figures.met["1b"] = statistics.median(everything) <= 1.2
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
    figures.met["2n"] = median_a / new_median <= 1.3
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
    alerts, out = new_site(site, examples=False)
    for number in range(args.cold):
        name = f"photos/p{number:04d}.jpg"
        (alerts / name).write_bytes(photo_variant(photo, number))
        level = "kind-alarm" if number % 2 else "vermist-kind"
        (alerts / f"a{number:04d}.toml").write_text(
            active_alert(f"2026-cold-{number:04d}", name, level))
    pss: list[int] = []
    wall, cpu, _, _ = timed_child([str(KINDALARM), "--site", str(site), "build",
                                   "--alerts", str(alerts), "--out", str(out)], pss)
    rate, busy = args.cold / wall, 100 * cpu / wall
    figures.text["4"] = (f"{rate:.2f} alerts/s ({wall:.1f} s), CPU {busy:.0f}%, peak PSS "
                         f"{pss[0] / 1024:.0f} MB")
    figures.met["4"] = rate >= 2 and busy > 180
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


def measure_memory(figures: Figures, temp_dir: Path) -> None:
    """6: the peak RSS of `kindalarm watch` publishing a 50 MP photo."""
    peak_kib, seconds = peak_rss_watch(temp_dir / "memory")
    figures.text["6"] = f"{peak_kib / 1024:.0f} MB (published in {seconds:.1f} s)"
    figures.met["6"] = peak_kib / 1024 <= 250
    figures.values["6"] = [peak_kib / 1024]


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
    return figures


# --- the run -------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def revision() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return commit + ("-dirty" if dirty else "")


SIZES = ("drops", "scale", "scale_drops", "cold", "rebuild")  # the options a side is given


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--scale", type=int, default=5000)
    parser.add_argument("--scale-drops", type=int, default=20)  # 10 left medians 0.05 s apart
    parser.add_argument("--cold", type=int, default=200)
    parser.add_argument("--rebuild", type=int, default=1000)
    parser.add_argument("--only", default="12345678", help="which figures to measure")
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


def sizes(args: argparse.Namespace) -> str:
    return (f"drops {args.drops}, scale {args.scale} x {args.scale_drops} drops, "
            f"cold {args.cold}, rebuild {args.rebuild}")


def record(lines: list[str]) -> None:
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Bench results\n\nAppended by `make bench` (bench/run.py); newest last. Targets: "
            + "; ".join(f"{k} {t}" for k, (_, t) in TARGETS.items() if t != "(none)")
            + ".\nThe machine is shared by other jobs: compare runs with the load beside "
            "them.\n")
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.writelines(lines)


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
    "6": ("peak RSS, 50 MP photo dropped, median", "MB"),
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
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--only", only,
                           *options, "--photo", str(photo), "--side-out", str(out)],
                          env=side_env(root), cwd=root)
    if done.returncode:
        raise SystemExit(f"bench: figures {only} of {root} failed (exit {done.returncode})")
    side = json.loads(out.read_text())
    if not Path(side["render"]).is_relative_to(root):
        raise SystemExit(f"bench: the side of {root} imported render from {side['render']}")
    return side["values"]


if __name__ == "__main__":
    main()
