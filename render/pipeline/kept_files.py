"""What a run keeps of the alert files for the next one: the last good document and photo of
live alerts (only the public view of ended ones), the settled files that need not be read
again, and the photo fingerprints. A part of `Builder` (render/pipeline/build.py), kept apart
by responsibility; the keys and invalidation rules are in docs/architecture.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..alert.loader import (
    AlertLoader,
    LoadResult,
)
from ..config import Settings
from ..public import PublicAlert, view_to_json
from .memory import Memory
from .state import AlertRecord, State

if TYPE_CHECKING:
    from .recorded import Recorded

log = logging.getLogger("kindalarm")

FINGERPRINTS = "photo_fingerprints"  # meta key: see photos.check_photo
SETTLED = "settled_files"  # meta key: see KeptFiles._settled_files


class KeptFiles:
    """The `Builder`'s memory of alert files between runs (see the module docstring)."""

    alert_dir: Path
    settings: Settings
    state: State
    memory: Memory
    loader: AlertLoader
    render_key: str
    _recorded: Callable[[dict[str, AlertRecord]], Recorded]  # Viewing's
    _fingerprints_saved: dict[str, Any]

    def _photo_fingerprints(self) -> dict[str, Any]:
        """The photo fingerprints to start from (see `photos.check_photo`)."""
        return dict(self._fingerprints_saved) if self.memory.trusts_state else {}


    def _remember(self, views: list[PublicAlert], fresh: dict[str, LoadResult],
                  records: dict[str, AlertRecord]) -> None:
        """Keep the last good document and photo of live alerts; only the ended public view
        of ended ones (an ended alert leaves no personal data in any file, ours included)."""
        rows: list[AlertRecord] = []
        keep_photos = []
        for view in views:
            if view.active and view.id in fresh:  # accepted from its file in this run
                result = fresh[view.id]
                assert result.alert is not None
                photo = result.alert.child.photo
                if photo:
                    self.state.keep_photo(photo.sha256, photo.path)
                    keep_photos.append(photo.sha256)
                rows.append(AlertRecord(view.id, result.source.name, view.state, view.version,
                                        result.document, photo.sha256 if photo else None,
                                        None))
            elif view.active:  # its last good version, kept while the file is rejected
                record = records[view.id]
                if record.photo_sha:
                    keep_photos.append(record.photo_sha)
                rows.append(AlertRecord(view.id, record.source, view.state, view.version,
                                        record.document, record.photo_sha, None))
            else:
                stored = records.get(view.id)
                if stored and stored.version == view.version and stored.view is not None \
                        and stored.state == view.state and stored.source is None:
                    continue  # recorded as it is: not serialised again on every run
                rows.append(AlertRecord(view.id, None, view.state, view.version, None, None,
                                        json.dumps(view_to_json(view))))
                # The stored view is this one (they round-trip equal): later runs list this
                # object, so the tree's block of ended artifacts still fits (render.ended).
                self.memory.ended_views[view.id, view.version, view.state] = view
        self.state.save_alerts(rows)
        self.state.drop_photos_except(keep_photos)
        self._save_fingerprints(set(keep_photos))

    # --- settled files: ended alerts whose file has not changed are not read again -------

    def _settled_files(self, records: dict[str, AlertRecord]) -> dict[str, str]:
        """File identity -> alert id of the alert files that gave an ended alert whose public
        view is stored, made with this render key (code and settings). Reading and parsing
        such files would be most of a rebuild with nothing to do; their view comes from the
        state instead, as for an ended alert whose file is gone."""
        if not self.memory.trusts_state:
            return {}
        if self.memory.settled_stored is None:
            self.memory.settled_stored = self.state.meta(SETTLED) or {}
        stored = self.memory.settled_stored
        if stored.get("render_key") != self.render_key:
            return {}
        files: dict[str, str] = stored.get("files", {})
        # The alerts that are not settled are few (live ones, and those with no view) beside
        # thousands that are: the stored files are filtered only if one of them is named.
        recorded = self._recorded(records)
        unsettled = {*recorded.live, *recorded.unviewed}
        named = set(files.values())
        unsettled |= named - records.keys()
        if unsettled.isdisjoint(named):
            return files
        return {identity: alert_id for identity, alert_id in files.items()
                if alert_id not in unsettled}

    def _unsettle_claimed(self, scanned: list[LoadResult], settled: dict[str, str]
                          ) -> list[LoadResult]:
        """The scan, plus the settled files whose id a file that was read claims too: two
        files with one id are judged together (the older file keeps it)."""
        claimed = {r.alert_id or (r.alert.id if r.alert else None) for r in scanned}
        if claimed.isdisjoint(settled.values()):  # the usual case: no skipped file to look up
            return scanned
        again = [self.loader.path(name) for name, identity in self.loader.skipped.items()
                 if settled.get(identity) in claimed]
        if not again:
            return scanned
        return sorted(scanned + [self.loader.load(path) for path in again],
                      key=lambda r: r.source.name)

    def _save_settled(self, views: list[PublicAlert], fresh: dict[str, LoadResult],
                      settled: dict[str, str]) -> None:
        ended = {v.id for v in views if not v.active}
        files = {identity: settled[identity] for identity in self.loader.skipped.values()
                 if identity in settled}
        for alert_id, result in fresh.items():
            identity = self.loader.identities.get(result.source)
            if alert_id in ended and identity:
                files[identity] = alert_id
        if files != settled:
            stored = {"render_key": self.render_key, "files": files}
            self.state.set_meta(SETTLED, stored)
            self.memory.settled_stored = stored

    def _save_fingerprints(self, live: set[str]) -> None:
        """Keep the photo fingerprints of live alerts' photos only (nothing of an ended alert
        stays in the state), and store them when they changed."""
        fingerprints = self.loader.fingerprints
        assert fingerprints is not None
        for identity in [k for k, facts in fingerprints.items() if facts[0] not in live]:
            del fingerprints[identity]
        if fingerprints != self._fingerprints_saved:
            self.state.set_meta(FINGERPRINTS, fingerprints)
            self._fingerprints_saved = dict(fingerprints)
