"""Bench set-up: alert files, photos, sites, and a running watcher to drop them into."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

from common import CARD_PNG, ROOT, Builder, Publish, Timing, Watcher
from PIL import Image

from tools.make_example_photos import draw_portrait
from tools.measure_watch import wait_idle

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
    mine = wait_for_publish(running, before, "drop.toml")
    finished = [p for p in running.publishes[before:] if p.result.complete][-1]
    check_published(running.builder.out, ident)
    return mine.result.urgent_done - dropped, finished.result.done - dropped


def withdraw(running: RunningWatcher, alerts: Path) -> None:
    before = len(running.publishes)
    (alerts / "drop.toml").unlink()
    wait_for_publish(running, before, "drop.toml")


def wait_for_publish(running: RunningWatcher, before: int, name: str) -> Publish:
    """The first publish since the `before`-th that took a change of `name`, once the watcher
    is idle again. Idle alone is not enough: on a busy machine the observer may pass the
    event on after the watcher has looked quiet for a while."""
    deadline = time.monotonic() + 120
    while True:
        wait_idle(running.watcher)
        mine = next((p for p in running.publishes[before:] if name in p.changes), None)
        if mine is not None:
            return mine
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: no publish took the change of {name} in 120 s")
        time.sleep(0.05)


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


def photo_variant(base: bytes, number: int) -> bytes:
    """Same pixels, another file (bytes after the JPEG end marker are ignored by decoders),
    so every alert's photo is decoded on its own as it would be."""
    return base + f"variant {number}".encode()
