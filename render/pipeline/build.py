"""One build: alert directory -> public views -> artifacts -> published tree.

`build` runs a `Builder` once; `watch` keeps one `Builder` for its whole run and calls `run()`
whenever the directory changes, so the watcher publishes exactly what `build` would.
"""

from __future__ import annotations

import functools
import gc
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from ..alert.error_files import write_error_files
from ..alert.loader import (
    AlertLoader,
    LoadResult,
)
from ..config import Settings, load_settings
from ..drawing.photo import PhotoStore
from ..errors import guard_output
from ..mirror.mirror import Mirror
from ..outlets.artifacts import Artifact, fingerprint_sum, key_of
from ..outlets.context import RenderContext
from ..outlets.jsondoc import json_bytes
from ..outlets.once import Once
from ..outlets.outlet import Outlet
from ..outlets.registry import BUILD_FILES, OUTLETS, versioned_alert_id
from ..public import PublicAlert
from ..push.plan import backlog_status, offer, open_outbox
from ..signing import load_signer
from ..templating import environment
from ..tree import TREES
from .clock import next_change
from .ended import EndedBlock, StoredBlock, ended_block
from .intake import Intake
from .kept_files import FINGERPRINTS, KeptFiles
from .memory import Memory
from .publish import Publisher, Wanted
from .render_key import compute_render_key
from .run import BuildResult, Loaded, RunMode
from .state import AlertRecord, FileRecord, Message, State, state_dir_for
from .viewing import Viewing

log = logging.getLogger("kindalarm")
AS_BUILD = RunMode()  # how `build` runs: one complete step, every file looked at


CARDS_KEPT, POSTERS_KEPT = 24, 4  # rendered bytes kept for reuse within a run (see _contexts)
ENDED_BLOCKS = "ended_blocks:"  # meta key + tree: see render.ended.StoredBlock


class Builder(Intake, KeptFiles, Viewing):
    """Runs the pipeline for one alert directory and output tree; `build` uses one once,
    `watch` keeps one for its whole run (with what it remembers between runs)."""

    @guard_output
    def __init__(self, site: Path, alert_dir: Path, out: Path, settings: Settings | None = None,
                 outlets: Sequence[Outlet] = OUTLETS, memory: Memory | None = None) -> None:
        self.site = site
        self.alert_dir = alert_dir
        self.out = out
        self.settings = settings or load_settings(site)
        self.outlets = tuple(outlets)
        self.state = State(state_dir_for(out))
        self.outbox = open_outbox(state_dir_for(out), self.settings)  # None: nothing to push
        self.signer = load_signer(self.settings.signing)  # None: nothing is signed
        self.mirror: Mirror | None = None  # the command's, if it mirrors (status.json shows it)
        # What is kept from run to run, and its rules: render/pipeline/memory.py.
        self.memory = memory or Memory()
        self._fingerprints_saved = self.state.meta(FINGERPRINTS) or {}
        self.loader = AlertLoader(alert_dir, self._photo_fingerprints(),
                                  self.memory.loader_results, self.memory.loader_skipped)
        self.publisher = Publisher(out, self.state, self.memory.trusted_batches,
                                   self.settings.retire_seconds)
        self.templates = environment(site, self.settings.timezone)
        self.render_key = compute_render_key(site, self.settings)
        # Ended alerts' artifacts by tree and step used in this run (see _ended_block): kept
        # for the next one, the rest are let go.
        self._ended_blocks_used: dict[tuple[str, bool], EndedBlock] = {}
        self._gc_paused = False
        self._judged: dict[Path, LoadResult] = {}  # last result of each file not held back
        self._rejections: dict[str, str] = {}  # file name -> why, as last logged

    def close(self) -> None:
        self.state.close()
        if self.outbox:
            self.outbox.close()

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the pipeline -------------------------------------------------------------------

    @guard_output
    def run(self, now: datetime | None = None,
            progress: Callable[[int, int], None] | None = None,
            mode: RunMode = AS_BUILD) -> BuildResult:
        """Publish the alert directory as it is now: `build`'s one complete step, or as the
        watcher asks for it (`mode`, see `RunMode`)."""
        # Python's cycle collector walks every object the process holds (thousands of views,
        # artifacts and records), which would hold up a new alert's urgent step; it waits
        # until that step is out. In a build it waits until the first file is rendered (the
        # posters make cycles): reading and planning make little garbage it could free.
        # Reference counting frees everything else meanwhile.
        self._gc_paused = gc.isenabled()
        if self._gc_paused:
            gc.disable()
        try:
            return self._run(now or datetime.now(UTC), progress, mode)
        finally:
            self._resume_gc()

    def _resume_gc(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def _run(self, now: datetime, progress: Callable[[int, int], None] | None,
             mode: RunMode) -> BuildResult:
        result = BuildResult(started=time.perf_counter())
        self.memory.start_run()
        self.publisher.this_run = {}
        records = self.state.alerts()
        photos = PhotoStore(self.memory.photo_facts)
        loaded = self._load(records, photos, mode, result)
        views, fresh = self._views(loaded.alerts, records, now)
        history = self._record_messages(fresh, records, now)
        files = self.state.files()  # as published before this run
        contexts = self._contexts(views, history, now, photos, files)
        self._publish(contexts, files, views, now, progress, mode, result)
        if self.outbox and result.complete:  # pushes name files: only once all are there
            result.offered = offer(self.outbox, contexts, self.out, now)
        result.next_change = next_change(contexts)
        self._remember_run(views, loaded, records, result)
        self._report(views, loaded, mode, result)
        return result

    # --- the stages ---------------------------------------------------------------------

    def _load(self, records: dict[str, AlertRecord], photos: PhotoStore, mode: RunMode,
              result: BuildResult) -> Loaded:
        """Read the alert files (not those settled, nor those being written), judge them,
        and stand in the last good version of a live alert whose file is now rejected."""
        if not self.memory.trusts_state:
            self.loader.fingerprints = self._photo_fingerprints()
        settled = self._settled_files(records)
        scanned = self.loader.scan(settled=settled, changed=mode.changed)
        scanned, result.held = self._hold_back(self._unsettle_claimed(scanned, settled),
                                               mode.hold)
        accepted, rejected = self._accept(scanned, records, photos)
        alerts, fallbacks = self._with_fallbacks(accepted, rejected, records, photos)
        judged_rejects = [r for r in rejected if r.source not in result.held]
        result.accepted, result.rejected = accepted, judged_rejects
        return Loaded(alerts, fallbacks, settled)

    def _publish(self, contexts: list[RenderContext], files: dict[str, FileRecord],
                 views: list[PublicAlert], now: datetime,
                 progress: Callable[[int, int], None] | None, mode: RunMode,
                 result: BuildResult) -> None:
        """Every outlet's artifacts into the tree: in the watcher's urgent step first when
        slow ones (share images, posters) must be rendered, then all of them."""
        made, kept = self._artifacts(contexts)
        made_slow = [a for a in made if not a.urgent]
        # The ended alerts' files, urgent and slow, as kept from run to run: batches whose
        # fingerprints are summed once and which the publisher checks as one.
        kept_urgent, kept_slow = [b.urgent for b in kept], [b.slow for b in kept]
        live = {v.id for v in views if v.active}
        publish = functools.partial(
            self.publisher.publish, now=now.timestamp(),
            may_linger=lambda path: versioned_alert_id(path) in live, progress=progress,
            check_disk=mode.check_disk,
            before_rendering=None if mode.urgent_first else self._resume_gc)
        if mode.urgent_first and (waiting := self.publisher.outdated(
                made_slow, files, check_disk=mode.check_disk, kept=kept_slow)):
            # The slow artifacts stay in the wanted set (so this step deletes none of them)
            # but are not produced; pages and feeds of this step name only those of alerts
            # whose slow artifacts are all published already.
            waiting_ids = {versioned_alert_id(a.path) for a in waiting}
            # Every alert without a slow file still to come (an ended one has none at all).
            none_ready = None in waiting_ids
            ready = frozenset() if none_ready else frozenset(
                map(attrgetter("id"), views)) - waiting_ids
            # Ended alerts are ready then, so their artifacts are the complete step's (the
            # same blocks): not listed again.
            urgent_made, kept_now = self._artifacts(
                [c.urgent_step(ready) for c in contexts], ended=none_ready)
            first = [a for a in urgent_made if a.urgent] + made_slow
            first_kept = [*([b.urgent for b in kept_now] if none_ready else kept_urgent),
                          *kept_slow]
            result.report.merge(publish(
                Wanted([*first, self._status([first, *first_kept], views, now)],
                       first_kept, urgent_only=True)))
            result.urgent_done = time.monotonic()
            self._resume_gc()  # before the slow step's posters, which make many cycles
            result.complete = bool(mode.then_complete())
        if result.complete:
            kept_all = kept_urgent + kept_slow
            result.report.merge(publish(
                Wanted([*made, self._status([made, *kept_all], views, now)], kept_all)))
            self._store_blocks(kept)
        self.memory.ended_blocks, self._ended_blocks_used = self._ended_blocks_used, {}

    def _remember_run(self, views: list[PublicAlert], loaded: Loaded,
                      records: dict[str, AlertRecord], result: BuildResult) -> None:
        """What the next run starts from: the live alerts' last good files, the ended ones'
        views, the settled files, and the error files beside rejected alert files."""
        fresh = {r.alert.id: r for r in result.accepted if r.alert}
        self._remember(views, fresh, records)
        self._save_settled(views, fresh, loaded.settled)
        write_error_files(self.alert_dir, result.rejected, result.held)

    def _report(self, views: list[PublicAlert], loaded: Loaded, mode: RunMode,
                result: BuildResult) -> None:
        """The result's views and times; one log line per new rejection and per publish."""
        result.views = views
        result.done = time.monotonic()
        result.urgent_done = result.urgent_done or result.done
        result.seconds = time.perf_counter() - result.started
        rejections = {}
        for source in result.rejected:
            stays = " (its last good version stays published)" \
                if source in loaded.fallbacks else ""
            rejections[source.source.name] = "; ".join(
                f"{p.field}: {p.message}" for p in source.problems) + stays
        for name, why in rejections.items():
            if self._rejections.get(name) != why:  # the watcher says it once, not every run
                log.warning("rejected %s: %s", name, why)
        self._rejections = rejections
        if mode.announce:
            log.info("published %s", result.summary())

    def _contexts(self, views: list[PublicAlert], history: list[Message], now: datetime,
                  photos: PhotoStore, files: dict[str, FileRecord]) -> list[RenderContext]:
        """One render context per tree (public, exercise), for a complete step. Both trees
        and both steps of a run share one memo of cards and one of posters."""

        def published(path: str, key: str) -> str | None:
            made = self.publisher.this_run.get(path)
            if made and made[0] == key:
                return made[1]
            record = files.get(path)
            return record.sha256 if record and record.key == key else None

        # Rendering goes alert by alert (`by_alert`): a few alerts' cards and posters are all
        # that is ever used again, by the next artifacts of the same alert.
        cards: Once[tuple[str, str, tuple[int, int]], bytes] = Once(limit=CARDS_KEPT)
        posters: Once[tuple[str, str], dict[str, bytes]] = Once(limit=POSTERS_KEPT)
        return [RenderContext(
            settings=self.settings, views=[v for v in views if v.exercise == (tree != "")],
            history=[m for m in history if m.exercise == (tree != "")], now=now,
            photos=photos, templates=self.templates, site=self.site, tree=tree,
            render_key=self.render_key, published=published, cards=cards, posters=posters,
            carry=self.memory.carries[tree], signer=self.signer,
        ) for tree in TREES]

    def _artifacts(self, contexts: list[RenderContext], ended: bool = True
                   ) -> tuple[list[Artifact], list[EndedBlock]]:
        """Every artifact of the trees: those made in this run with each alert's files
        together (see `by_alert`), and the ended alerts' artifacts kept from earlier runs, a
        block per tree (none if not `ended`)."""
        made: list[Artifact] = []
        kept: list[EndedBlock] = []
        for ctx in contexts:
            ended_views = []
            for view in ctx.views:
                if view.active:
                    made += self._view_artifacts(ctx, view)
                elif ended:
                    ended_views.append(view)
            if ended:
                kept.append(self._ended_block(ctx, ended_views))
            for outlet in self.outlets:
                made += _in_tree(ctx, outlet.tree_artifacts(ctx))
        return by_alert(made), kept

    def _view_artifacts(self, ctx: RenderContext, view: PublicAlert) -> list[Artifact]:
        return [a for outlet in self.outlets
                for a in _in_tree(ctx, outlet.view_artifacts(ctx, view))]

    def _ended_block(self, ctx: RenderContext, views: list[PublicAlert]) -> EndedBlock:
        """The artifacts of a tree's ended alerts, as kept from the last run that listed them
        in this step (see `render.ended`). Whether their slow files may be named is the same
        for all of them: yes in a complete step, no in an urgent one that lists them."""
        assert ctx.complete or not ctx.slow_ready
        key = (ctx.tree, ctx.complete)
        previous = self.memory.ended_blocks.get(key)
        # A new process starts from the complete step's block stored by the last one.
        stored = self._stored_block(ctx.tree) if previous is None and ctx.complete else None
        block = ended_block(previous, ctx, views,
                            functools.partial(self._view_artifacts, ctx), stored)
        self._ended_blocks_used[key] = block
        return block

    def _stored_block(self, tree: str) -> StoredBlock | None:
        if not self.memory.trusts_state:
            return None
        return StoredBlock.from_json(self.state.meta(ENDED_BLOCKS + tree), self.render_key)

    def _store_blocks(self, blocks: list[EndedBlock]) -> None:
        """Store the complete step's blocks that changed, for the next process."""
        for block in blocks:
            if not block.as_stored and self.memory.stored_blocks.get(block.tree) is not block:
                self.state.set_meta(ENDED_BLOCKS + block.tree,
                                    StoredBlock.to_json(block, self.render_key))
                self.memory.stored_blocks[block.tree] = block

    def _status(self, parts: Sequence[Sequence[Artifact]], views: list[PublicAlert],
                now: datetime) -> Artifact:
        """status.json for a tree of the artifacts in `parts`: which tree this is and when it
        last changed; no personal data. Its bytes change only when some other file does, so
        pollers get their 304s."""
        build_id = f"{fingerprint_sum(parts) % 2**64:016x}"
        last = self.state.meta("status") or {}
        generated = last.get("generated") if last.get("build") == build_id else None
        generated = generated or now.astimezone(UTC).isoformat(timespec="seconds")
        self.state.set_meta("status", {"build": build_id, "generated": generated})
        kinds = Counter(map(attrgetter("active", "exercise"), views))  # one pass of thousands
        counts = {
            "active": kinds[True, False],
            "ended": kinds[False, False],
            "exercise_active": kinds[True, True],
            "files": sum(map(len, parts)) + 1,
        }
        body = {"build": build_id, "generated": generated, "counts": counts,
                "generator": "kindalarm"}
        if self.outbox:
            body["push"] = backlog_status(self.outbox, self.settings)
        if self.mirror:
            body["mirror"] = self.mirror.backlog().as_json()
        data = json_bytes(body)
        status, = BUILD_FILES
        return status.artifact(status.pattern.path(), key_of(data), lambda: data)

def _in_tree(ctx: RenderContext, artifacts: Iterable[Artifact]) -> list[Artifact]:
    """Artifacts with paths in the context's tree."""
    if not ctx.tree:  # the public tree: paths as they are (no copy of each artifact)
        return list(artifacts)
    return [replace(a, path=ctx.tree + a.path) for a in artifacts]


def by_alert(artifacts: list[Artifact]) -> list[Artifact]:
    """The artifacts with each alert's versioned files together (the publisher then orders
    them by layer, keeping this order within a layer): rendering goes alert by alert, so
    one alert's posters are set while the next one's cards are drawn, and the files of
    other paths come after them."""
    def group(artifact: Artifact) -> tuple[bool, str]:
        alert_id = versioned_alert_id(artifact.path)
        return alert_id is None, alert_id or ""
    return sorted(artifacts, key=group)
