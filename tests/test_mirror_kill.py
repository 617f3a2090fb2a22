"""A writer killed for real: two `kindalarm watch --mirror` processes on one bucket (their own
output folders, the same alert files), the writer `kill -9`ed in the middle of its first
pass. The standby waits while the dead writer's lease stands, takes the bucket over once it
has expired, and makes the bucket equal its tree, uploading only what the bucket lacked or
held other bytes for (`[mirror] lease_seconds` short, so the test waits seconds, not
minutes)."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

from render.mirror.lease import LEASE as LEASE_KEY
from tests.helpers.s3 import Gate, bucket_tree, mirror_settings, mirrored_files, new_bucket
from tests.helpers.sites import SiteDir, alert_doc
from tests.helpers.waiting import wait_until
from tests.test_kill_watch import WatchProcess
from tests.test_mirror import PREFIX, assert_bucket_is_tree, two_alerts
from tests.test_mirror_watch import published, puts, recorded

LEASE = 10  # seconds: a layer's uploads through the slowed gate take well under it


def test_a_standby_takes_over_from_a_writer_killed_mid_pass(
        s3_server: Any, s3_client: Any, tmp_path: Any) -> None:
    bucket = new_bucket(s3_client)
    gate = Gate(s3_server.port)
    gate.delay = 0.1  # a slow store for the writer: its first pass is under way at the kill
    writer_site, standby_site = SiteDir(tmp_path / "writer"), SiteDir(tmp_path / "standby")
    for site, endpoint in ((writer_site, gate.endpoint), (standby_site, s3_server.endpoint)):
        two_alerts(site)
        site.settings_text(mirror_settings(endpoint, bucket) + f"lease_seconds = {LEASE}\n")
    writer_site.write("extra.json", alert_doc(id="2026-test-extra", child_name="Extra",
                                              child_photo="photos/anna.jpg"))
    writer = standby = None
    try:
        writer = WatchProcess(writer_site, "-v")
        wait_until(lambda: len(puts(writer)) >= 12 or writer.process.poll() is not None,
                   timeout=120, what="a dozen uploads by the writer")
        standby = WatchProcess(standby_site, "-v")
        standby.wait_for("standby: another publisher holds the lease", timeout=120)
        assert puts(standby) == [], "the standby wrote while the writer's lease stood"

        writer.process.send_signal(signal.SIGKILL)
        writer.process.wait(timeout=30)
        assert set(recorded(writer_site)) != set(published(writer_site)), \
            "the kill came before the writer's pass ended"
        # The gate may still hold chunks of an upload the dead writer had sent (it forwards
        # them slowly): cut them off, so nothing of the writer lands after the snapshot below;
        # a request already whole at the store lands (or not) within the second.
        gate.shut()
        time.sleep(1.0)
        lease = json.loads(s3_client.get_object(Bucket=bucket, Key=PREFIX + LEASE_KEY)[
            "Body"].read())
        assert lease["owner"].endswith(str(writer_site.out))
        left = {p: o.body for p, o in bucket_tree(s3_client, bucket, PREFIX).items()}
        assert left, "the writer had uploaded something"

        standby.wait_for("took the lease", timeout=LEASE + 60)
        assert time.time() >= lease["expires"], "taken over before the lease expired"
        assert puts(standby) == [], "the standby wrote before it held the lease"
        wait_until(lambda: published(standby_site) and recorded(standby_site) == {
            p: s for p, s in published(standby_site).items()
            if p in mirrored_files(standby_site)}, timeout=180, interval=0.5,
            what="the standby's ledger equal to its tree")
        assert_bucket_is_tree(s3_client, bucket, standby_site)
        tree = mirrored_files(standby_site)
        assert set(bucket_tree(s3_client, bucket, PREFIX)) == set(tree)
        # Listed once, the objects the writer had left right were not uploaded again.
        again = {p for p, _ in puts(standby)}
        assert again == {p for p, body in tree.items() if left.get(p) != body}, sorted(again)
    finally:
        for watcher in (writer, standby):
            if watcher is not None and watcher.process.poll() is None:
                watcher.process.send_signal(signal.SIGTERM)
                watcher.process.wait(timeout=60)
        gate.close()
