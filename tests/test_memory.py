"""The build's memory between runs (render/pipeline/memory.py) is only a shortcut: a builder
that forgets everything at every run, and trusts nothing the state stores for speed,
publishes the very same bytes, run after run, whatever operators do."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from render.pipeline.build import Builder
from render.pipeline.memory import Memory
from render.pipeline.recorded import recorded
from render.pipeline.run import RunMode
from tests.helpers.sites import NOW, SiteDir, photo_bytes
from tests.test_watch_convergence import PHOTOS, Operator

STEPS = 30


def tree_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".kindalarm-tmp" not in p.parts}


def test_a_builder_without_memory_publishes_the_same_tree(tmp_path: Path) -> None:
    site = SiteDir(tmp_path / "site")
    site.settings_text("retire_seconds = 0\n")
    for number, name in enumerate(PHOTOS):
        (site.alerts / "photos" / name).write_bytes(photo_bytes(size=(90, 120), seed=number))
    operator = Operator(site, seed=20261203)
    steps = random.Random(3)
    remembering = site.builder()
    forgetting = Builder(site.root, site.alerts, tmp_path / "forgetting",
                         memory=Memory(enabled=False))
    assert remembering.memory.enabled and not forgetting.memory.enabled
    now = NOW
    try:
        for step in range(STEPS):
            before = {p.name: p.stat().st_mtime_ns for p in site.alerts.iterdir()}
            for _ in range(steps.randint(1, 3)):
                operator.step()
            if step == STEPS // 2:
                operator.settle()
            after = {p.name: p.stat().st_mtime_ns for p in site.alerts.iterdir()}
            changed = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
            now += timedelta(minutes=steps.choice([1, 20, 90]))
            # As the watcher runs it (urgent step first, trusting the state, looking only at
            # the files it saw change) or as `build` does.
            complete = steps.random() < 0.7
            watcher = steps.random() < 0.6
            mode = RunMode(urgent_first=True, check_disk=False, changed=changed,
                           then_complete=lambda complete=complete: complete) \
                if watcher else RunMode()
            results = [b.run(now, mode=mode) for b in (remembering, forgetting)]
            assert results[0].complete == results[1].complete, step
            assert len(results[0].rejected) == len(results[1].rejected), step
            assert tree_files(site.out) == tree_files(tmp_path / "forgetting"), step
            # The records' listing, brought up to date run after run, is the one made anew.
            carried = remembering._recorded(remembering.state.alerts())
            fresh = recorded(None, remembering.state, remembering.state.alerts(),
                             remembering._ended_view)
            assert (carried.live.keys(), carried.ended, carried.unviewed.keys()) == (
                fresh.live.keys(), fresh.ended, fresh.unviewed.keys()), step
        assert len(operator.used) >= 4, "the operations should have touched most ids"
    finally:
        remembering.close()
        forgetting.close()
