"""The first frame of each displays/PROFILE/player.html as headless Chromium shows it, for
`kindalarm proof`: what a browser-based signage player puts on screen, not only the slides it
is meant to show.

The proof folder is served on a free loopback port (the preview server of `serve.py`), each
player is opened at its profile's size, and the screenshot is taken once the player says
(`data-showing` on <body>) that the first slide of its manifest is on screen; at the
profile's size that is the slide pixel for pixel. Chromium is Debian's /usr/bin/chromium,
driven by Playwright for Python (never a browser download); both are imported only here, and
a machine without them gets the rest of the proof and one line saying the frames were left
out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import tree

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FRAMES = "player-frames"  # in the proof folder: player-frames/PROFILE.png
WAIT_MS = 15_000
# The first slide stays on screen and the manifest is not read again while we look.
QUERY = "?seconds=3600&poll=3600"


class ChromiumMissing(Exception):
    """No headless Chromium here; the message says what is missing, in one line."""


@dataclass
class Frames:
    """Each profile's first frame (path in the proof folder, label) and what was left out."""

    shots: list[tuple[str, str]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


@contextmanager
def headless_chromium(*extra_args: str) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; ChromiumMissing if either is not there or it
    does not start. `extra_args`: more switches, e.g. --allow-file-access-from-files."""
    if not Path(CHROMIUM).is_file():
        raise ChromiumMissing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise ChromiumMissing("Playwright for Python is not installed") from None
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=[*CHROMIUM_ARGS, *extra_args])
        except Error as exc:
            first = (str(exc).strip().splitlines() or ["?"])[0]
            raise ChromiumMissing(f"Chromium did not start: {first}") from None
        try:
            yield browser
        finally:
            browser.close()


def first_frames(out: Path) -> Frames:
    """Screenshots of every player in the built tree `out` whose manifest has slides, written
    to out/FRAMES/PROFILE.png. Raises ChromiumMissing when there is no browser to ask."""
    players = sorted(p for p in (out / "displays").glob("*/player.html"))
    manifests = {p.parent.name: json.loads((p.parent / "manifest.json").read_text("utf-8"))
                 for p in players if (p.parent / "manifest.json").is_file()}
    wanted = {name: doc for name, doc in manifests.items() if doc.get("slides")}
    frames = Frames()
    if not wanted:
        return frames
    from .serve import make_server, serving

    with headless_chromium() as browser, serving(make_server(out, "127.0.0.1", 0)) as port:
        from playwright.sync_api import TimeoutError as Timeout

        base = f"http://127.0.0.1:{port}/"
        (out / FRAMES).mkdir(exist_ok=True)
        for name, doc in wanted.items():
            context = browser.new_context(
                viewport={"width": doc["width"], "height": doc["height"]},
                device_scale_factor=1)
            try:
                page = context.new_page()
                page.goto(base + tree.player(name) + QUERY)
                first = doc["slides"][0]["image"]
                try:
                    page.wait_for_function("image => document.body.dataset.showing === image",
                                           arg=first, timeout=WAIT_MS)
                except Timeout:  # the player showed nothing, or another slide
                    frames.left_out.append(
                        f"{tree.player(name)} did not show {first} within "
                        f"{WAIT_MS // 1000} s; its first frame is left out")
                    continue
                shot = f"{FRAMES}/{name}.png"
                page.screenshot(path=str(out / shot))
                frames.shots.append((shot, f"{tree.player(name)}: first frame in Chromium"))
            finally:
                context.close()
    return frames
