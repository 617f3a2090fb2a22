"""Judging the alert files a run read: files still being written are held back, ids and
photos are checked, and the last good version of a live alert stands in for a file that is
now rejected. A part of `Builder` (render/pipeline/build.py), kept apart by responsibility.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path

from ..alert.files import is_alert_file
from ..alert.files import parse_document as parse_text
from ..alert.loader import AlertLoader, LoadResult
from ..alert.model import Alert, PhotoFile
from ..alert.parse import parse_alert
from ..alert.photos import check_photo, damaged_photo
from ..alert.problems import Problem, id_taken
from ..config import Settings
from ..drawing.photo import PhotoStore
from ..public import ACTIVE
from .memory import Memory
from .recorded import Recorded
from .state import AlertRecord, State

log = logging.getLogger("kindalarm")


class Intake:
    """The `Builder`'s judging of alert files (see the module docstring)."""

    alert_dir: Path
    settings: Settings
    state: State
    memory: Memory
    loader: AlertLoader
    _recorded: Callable[[dict[str, AlertRecord]], Recorded]  # Viewing's

    def _hold_back(self, results: list[LoadResult], hold: Collection[Path]
                   ) -> tuple[list[LoadResult], list[Path]]:
        """Results to judge: a file in `hold` (still being written), or an alert whose photo
        is, is replaced by its last judged result, or left out if it has none."""
        if not hold:  # the usual case: nothing to resolve (no realpath of every file)
            self._judged = {r.source: r for r in results}
            return results, []
        held_files = {Path(os.path.realpath(p)) for p in hold}
        held_photos = {p for p in held_files
                       if p.parent != self.alert_dir.resolve() or not is_alert_file(p.name)}
        kept, held = [], []
        for result in results:
            photo = result.alert.child.photo if result.alert else None
            if photo:
                waits_for_photo = Path(os.path.realpath(photo.path)) in held_photos
            else:  # a missing or damaged photo may be the one being written
                waits_for_photo = bool(held_photos) and any(
                    p.field == "child.photo" for p in result.problems)
            if Path(os.path.realpath(result.source)) in held_files or waits_for_photo:
                held.append(result.source)
                # Not judged yet: never an error file for it; a live alert it published keeps
                # its last good version meanwhile (as for a rejected file).
                kept.append(self._judged.get(result.source) or LoadResult(
                    result.source, None, [Problem("file", "is still being written")]))
            else:
                kept.append(result)
        self._judged = {r.source: r for r in kept}
        return kept, held

    def _accept(self, results: list[LoadResult], records: dict[str, AlertRecord],
                photos: PhotoStore) -> tuple[list[LoadResult], list[LoadResult]]:
        """Valid files with unique ids and photos that decode; the rest is rejected."""
        accepted: list[LoadResult] = []
        rejected = [r for r in results if not r.ok]
        by_id: dict[str, list[LoadResult]] = {}
        winners: list[LoadResult] = []
        for r in results:
            if r.ok:
                by_id.setdefault(r.alert.id, []).append(r)  # type: ignore[union-attr]
        for alert_id, claims in by_id.items():
            # The file that published this id before keeps it; otherwise the first by name.
            owner_name = records[alert_id].source if alert_id in records else None
            claims.sort(key=lambda r: (r.source.name != owner_name, r.source.name))
            winner, *losers = claims
            for loser in losers:
                # A copy: the loader's cached result must not change (the watcher's loader
                # lives on, and this file may own the id once the other one is gone).
                rejected.append(replace(loser, alert=None,
                                        problems=[id_taken(alert_id, winner.source.name)]))
            winners.append(winner)
        new_photos = []
        for winner in winners:
            alert = winner.alert
            assert alert is not None
            photo = alert.child.photo
            if photo and alert.status == ACTIVE:
                photos.add(photo.sha256, photo.path)
                known = records.get(alert.id)
                if known is None or known.photo_sha != photo.sha256:
                    new_photos.append(photo.sha256)
        # New photos are decoded now, so a damaged one is refused here: all at once, so a
        # cold build of many alerts does not decode them one by one.
        damaged = photos.decode_all(new_photos)
        for winner in winners:
            photo = winner.alert.child.photo  # type: ignore[union-attr]
            if photo and photo.sha256 in damaged:
                rejected.append(replace(winner, alert=None,
                                        problems=[damaged_photo(damaged[photo.sha256])]))
            else:
                accepted.append(winner)
        accepted.sort(key=lambda r: r.source.name)
        rejected.sort(key=lambda r: r.source.name)
        return accepted, rejected

    def _with_fallbacks(self, accepted: list[LoadResult], rejected: list[LoadResult],
                        records: dict[str, AlertRecord], photos: PhotoStore
                        ) -> tuple[dict[str, Alert], set[LoadResult]]:
        """Alerts to publish: the accepted ones, plus the last good version of every live
        alert whose file is now rejected. Returns them and the rejected files so covered."""
        alerts = {r.alert.id: r.alert for r in accepted if r.alert}
        rejected_by_name = {r.source.name: r for r in rejected}
        covered: set[LoadResult] = set()
        for alert_id in self._recorded(records).live:
            record = records[alert_id]
            if alert_id in alerts or record.source is None:
                continue
            bad = rejected_by_name.get(record.source)
            if bad is None or (bad.alert_id not in (None, alert_id)):
                continue  # the file is gone (or now names another alert): withdrawn below
            alert = self.last_good(record, photos)
            if alert:
                alerts[alert_id] = alert
                covered.add(bad)
        return alerts, covered

    def last_good(self, record: AlertRecord, photos: PhotoStore) -> Alert | None:
        """Rebuild a live alert from the document and photo kept in the state folder."""
        if not record.document or not record.source:
            return None
        raw, _ = parse_text(record.document, Path(record.source).suffix)
        photo_dir = self.state.photo_path("x").parent

        def resolve(_relative: str, sink: list[Problem]) -> PhotoFile | None:
            if not record.photo_sha:
                return None
            return check_photo(record.photo_sha, photo_dir / "alert", photo_dir, sink)

        alert, _, _ = parse_alert(raw, self.alert_dir / record.source, resolve)
        if alert and alert.child.photo:
            photos.add(alert.child.photo.sha256, alert.child.photo.path)
        return alert
