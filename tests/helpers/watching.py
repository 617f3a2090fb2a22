"""Helpers for the watcher tests: a real `Watcher` with a real observer, run in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from render.mirror.mirror import Mirror
from render.outlets import api, web
from render.outlets.artifacts import INDEX, LEAF, Artifact, key_of
from render.outlets.context import RenderContext
from render.pipeline.watch import Publish, Timing, Watcher
from render.public import PublicAlert
from tests.helpers.sites import SiteDir
from tests.helpers.waiting import wait_until

# Short enough for tests, the same shape as the defaults.
FAST = Timing(quiet=0.05, max_wait=0.3, rescan=60.0, health=0.1, retry=0.2, settle=0.4,
              max_hold=30.0, poll_interval=0.1)


class SlowShare:
    """A stand-in for share images and posters (other outlets, not needed here): slow,
    not urgent, and named by an urgent index only once the tree is complete."""

    NAME = "slow-share"

    def __init__(self, seconds: float = 0.02) -> None:
        self.seconds = seconds

    def card(self, view_id: str) -> bytes:
        time.sleep(self.seconds)  # a slow renderer is what this stands in for
        return f"{view_id}\n".encode()

    FILES = ()

    def view_artifacts(self, ctx: RenderContext, view: PublicAlert) -> list[Artifact]:
        if not view.active:
            return []
        return [Artifact(f"share/{view.id}/{view.version}/card.txt",
                         key_of(ctx.render_key, "card", view.version),
                         lambda: self.card(view.id), LEAF, urgent=False)]

    def tree_artifacts(self, ctx: RenderContext) -> Iterator[Artifact]:
        named = [f"share/{v.id}/{v.version}/card.txt" for v in ctx.active] if ctx.complete \
            else []
        yield Artifact("share/index.txt", key_of(ctx.render_key, ctx.tree, ctx.complete, named),
                       lambda: "".join(f"{n}\n" for n in named).encode(), INDEX)


def urgent_step(outlet: Any) -> SimpleNamespace:
    """The outlet as in the watcher's urgent step, before share images and posters exist."""
    return SimpleNamespace(
        NAME=outlet.NAME, FILES=outlet.FILES,
        view_artifacts=lambda ctx, view: outlet.view_artifacts(replace(ctx, complete=False),
                                                               view),
        tree_artifacts=lambda ctx: outlet.tree_artifacts(replace(ctx, complete=False)))


def light_outlets(slow_seconds: float = 0.02) -> list[Any]:
    """Light outlets of our own, so these tests stay fast whatever outlets exist."""
    return [web, api, SlowShare(slow_seconds)]


def wait_idle(watcher: Watcher, timeout: float = 60.0) -> None:
    """Until the watcher has had nothing to do for a while (a few debounce periods)."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if watcher.idle():
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 4 * watcher.timing.quiet + 0.1:
                return
        else:
            quiet_since = None
        time.sleep(0.01)  # the poll interval
    raise AssertionError("the watcher never became idle")


@contextmanager
def watching(site: SiteDir, timing: Timing = FAST, poll: bool = False, mirror: bool = False,
             **builder_args: Any) -> Iterator[tuple[Watcher, list[Publish]]]:
    """A running watcher on `site` (its first publish done) and the list of its publishes;
    with `mirror`, mirroring to the `[mirror]` of the site's settings."""
    builder_args.setdefault("outlets", light_outlets())
    builder = site.builder(**builder_args)
    if mirror:
        assert builder.settings.mirror is not None
        builder.mirror = Mirror(site.out, builder.settings.mirror)
    published: list[Publish] = []
    watcher = Watcher(builder, timing=timing, poll=poll, on_publish=published.append)
    thread = threading.Thread(target=watcher.run, name="test-watcher", daemon=True)
    thread.start()
    try:
        wait_until(lambda: published, what="the first publish")
        wait_idle(watcher)
        yield watcher, published
    finally:
        watcher.stop.set()
        thread.join(timeout=30)
        builder.close()
    assert not thread.is_alive(), "the watcher did not stop"
