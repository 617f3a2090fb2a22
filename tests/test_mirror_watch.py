"""The mirror beside `kindalarm watch`: a watcher killed with SIGKILL in the middle of a
mirror pass, then restarted, converges, and uploads nothing again that was recorded as
uploaded (an upload cut before it was recorded may repeat: the contract allows that)."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
from typing import Any

from render.outlets import api, web
from tests.helpers.s3 import Gate, bucket_tree, mirror_settings, mirrored_files, new_bucket
from tests.helpers.sites import SiteDir, alert_doc
from tests.helpers.waiting import wait_until
from tests.helpers.watching import watching
from tests.test_kill_watch import WatchProcess
from tests.test_mirror import PREFIX, assert_bucket_is_tree, two_alerts

PUT = re.compile(r"mirror put (\S+) ([0-9a-f]{16})$")


def rows(site: SiteDir, database: str, query: str) -> dict[str, str]:
    db = sqlite3.connect(site.root / ".output.state" / database)
    try:
        return {path: sha[:16] for path, sha in db.execute(query)}
    finally:
        db.close()


def recorded(site: SiteDir) -> dict[str, str]:
    return rows(site, "mirror.sqlite", "select path, sha256 from mirrored")


def published(site: SiteDir) -> dict[str, str]:
    return {p: s for p, s in rows(site, "state.sqlite", "select path, sha256 from files").items()}


def puts(watcher: WatchProcess) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for line in watcher.lines if (m := PUT.search(line.rstrip()))]


def test_watch_killed_mid_pass_converges_without_repeating_uploads(
        s3_server: Any, s3_client: Any, site: SiteDir) -> None:
    bucket = new_bucket(s3_client)
    gate = Gate(s3_server.port)
    gate.delay = 0.15  # a slow store: the first pass is still under way at the kill
    site.settings_text(mirror_settings(gate.endpoint, bucket))
    two_alerts(site)
    try:
        first = WatchProcess(site, "-v")
        wait_until(lambda: len(puts(first)) >= 12 or first.process.poll() is not None,
                   timeout=120, what="a dozen uploads")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)
        before = recorded(site)
        assert before, "some uploads were recorded before the kill"
        assert set(before) != set(published(site)), "the kill came before the pass ended"
        gate.delay = 0.0

        second = WatchProcess(site, "-v")
        try:
            wait_until(lambda: published(site) and recorded(site) == {
                p: s for p, s in published(site).items() if p in mirrored_files(site)},
                timeout=180, interval=0.5, what="the ledger equal to the tree")
        finally:
            second.process.send_signal(signal.SIGTERM)
            assert second.process.wait(timeout=60) == 0
        again = puts(second)
        assert again, "the restarted watcher went on uploading"
        repeated = [(p, s) for p, s in again if before.get(p) == s]
        assert repeated == [], "recorded uploads were repeated"
        assert len(again) == len(set(again)), "an upload was repeated within one run"
        assert_bucket_is_tree(s3_client, bucket, site)
        assert set(bucket_tree(s3_client, bucket, PREFIX)) == set(mirrored_files(site))
    finally:
        gate.close()


def test_a_store_that_hangs_never_holds_up_a_publish(s3_server: Any, s3_client: Any,
                                                     site: SiteDir) -> None:
    """The mirror's passes run beside the build loop: with every S3 request hanging until
    its timeout, a new alert is published as fast as without a mirror, and status.json
    says why the bucket is behind."""
    bucket = new_bucket(s3_client)
    gate = Gate(s3_server.port)
    site.settings_text(mirror_settings(gate.endpoint, bucket))
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    try:
        with watching(site, mirror=True, outlets=[web, api]) as (watcher, published):
            assert watcher.mirror is not None
            wait_until(lambda: not any(watcher.mirror.diff()), timeout=60, what="mirrored")
            gate.hangs = True
            site.photo("bram.jpg", seed=2)
            site.write("bram.json", alert_doc(id="2026-test-bram", child_name="Bram",
                                              child_photo="photos/bram.jpg"))
            wait_until(lambda: any("bram.json" in p.changes for p in published), timeout=10,
                       what="bram published")
            publish = next(p for p in published if "bram.json" in p.changes)
            assert publish.seconds < 5.0, "the publish waited for the store"
            wait_until(lambda: json.loads((site.out / "status.json").read_bytes()).get(
                "mirror", {}).get("last_error") == "timeout", timeout=60,
                what="status.json naming the timeout")
            status = json.loads((site.out / "status.json").read_bytes())["mirror"]
            assert status["pending_uploads"] > 0 and status["behind_since"]
            gate.hangs = False
            gate.shut()  # the hanging connections end; new ones go through
            gate.open()
            watcher.mirror.wake()
            wait_until(lambda: not any(watcher.mirror.diff()), timeout=90, what="caught up")
    finally:
        gate.close()
    assert set(bucket_tree(s3_client, bucket, PREFIX)) == set(mirrored_files(site))
