"""One writer per bucket: a standby publisher (its own output folder, the same alerts)
waits while the writer's lease stands, takes over once it has expired, and makes the bucket
equal its own tree, keys only the old writer had included."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from render.mirror.lease import LEASE as LEASE_KEY
from render.mirror.lease import Lease
from render.mirror.mirror import Mirror
from render.mirror.settings import MirrorSettings
from render.mirror.store import Store, StoreError
from tests.helpers.s3 import bucket_tree, mirror_settings, mirrored_files, new_bucket
from tests.helpers.sites import NOW, SiteDir, alert_doc
from tests.test_mirror import PREFIX, assert_bucket_is_tree, two_alerts

LEASE = 8.0  # seconds: long enough for a pass here (on a shared machine), short enough to wait


def publisher(site: SiteDir, endpoint: str, bucket: str) -> tuple[Any, Mirror]:
    site.settings_text(mirror_settings(endpoint, bucket))
    builder = site.builder()
    assert builder.settings.mirror is not None
    builder.mirror = Mirror(site.out, builder.settings.mirror, lease_seconds=LEASE)
    builder.run(now=NOW)
    return builder, builder.mirror


def test_a_standby_takes_over_once_the_writers_lease_expires(
        s3_server: Any, s3_client: Any, tmp_path: Any) -> None:
    bucket = new_bucket(s3_client)
    writer_site, standby_site = SiteDir(tmp_path / "writer"), SiteDir(tmp_path / "standby")
    two_alerts(writer_site)
    two_alerts(standby_site)
    writer_site.write("extra.json", alert_doc(id="2026-test-extra", child_name="Extra",
                                              child_photo="photos/anna.jpg"))
    writer, writer_mirror = publisher(writer_site, s3_server.endpoint, bucket)
    standby, standby_mirror = publisher(standby_site, s3_server.endpoint, bucket)
    try:
        assert writer_mirror.sync(30)
        with pytest.raises(StoreError, match="standby"):
            standby_mirror.run_pass()
        assert not standby_mirror.sync(0.5)
        assert_bucket_is_tree(s3_client, bucket, writer_site)  # the standby wrote nothing
        assert standby_mirror.backlog().last_error.startswith("standby")  # type: ignore
        # The writer dies (it renews no more); the standby waits the lease out.
        time.sleep(LEASE + 0.2)
        assert standby_mirror.sync(30)
        assert_bucket_is_tree(s3_client, bucket, standby_site)
        assert not [p for p in bucket_tree(s3_client, bucket, PREFIX) if "extra" in p]
        assert set(bucket_tree(s3_client, bucket, PREFIX)) == set(mirrored_files(standby_site))
        # Back, the old writer finds the lease taken and writes nothing.
        with pytest.raises(StoreError, match="standby"):
            writer_mirror.run_pass()
    finally:
        for builder, mirror in ((writer, writer_mirror), (standby, standby_mirror)):
            mirror.close()
            builder.close()


def test_a_standby_builds_the_same_bytes_as_the_writer(tmp_path: Any) -> None:
    """What lets a standby take over a bucket: two builds of the same alert files, in two
    output folders at two moments, give the same files, `status.json`'s `generated` aside."""
    sites = [SiteDir(tmp_path / name) for name in ("writer", "standby")]
    for site in sites:
        two_alerts(site)
    sites[0].build(now=NOW)
    sites[1].build(now=NOW.replace(minute=NOW.minute + 7))
    writer, standby = (site.files() for site in sites)
    statuses = [json.loads(files.pop("status.json")) for files in (writer, standby)]
    for files in (writer, standby):
        del files["status.json.gz"]
    assert writer == standby
    assert statuses[0].pop("generated") != statuses[1].pop("generated")
    assert statuses[0] == statuses[1]


class ReadTogether(Store):
    """The real store, but the lease is read by both standbys before either writes it: the
    race a read-then-write lease loses."""

    def __init__(self, settings: MirrorSettings, barrier: threading.Barrier) -> None:
        super().__init__(settings)
        self.barrier: threading.Barrier | None = barrier

    def get(self, path: str) -> tuple[bytes, str] | None:
        found = super().get(path)
        if self.barrier is not None:
            self.barrier.wait(timeout=30)
            self.barrier = None  # once: later reads are the loser's own
        return found


@pytest.mark.parametrize("before", ["expired", "none", "damaged"])
def test_of_two_standbys_taking_the_lease_at_once_exactly_one_wins(
        s3_server: Any, s3_client: Any, before: str) -> None:
    bucket = new_bucket(s3_client)
    settings = MirrorSettings(bucket, "site/", s3_server.endpoint, "us-east-1")
    old = {"expired": json.dumps({"owner": "dead", "expires": time.time() - 1}).encode(),
           "damaged": b"{not json"}.get(before)
    if old is not None:
        s3_client.put_object(Bucket=bucket, Key="site/" + LEASE_KEY, Body=old)
    for attempt in range(3):  # a fresh race each time: the lease as it was before
        barrier = threading.Barrier(2)
        leases = [Lease(ReadTogether(settings, barrier), f"standby-{n}", LEASE, time.time)
                  for n in range(2)]
        with ThreadPoolExecutor(2) as pool:
            won = list(pool.map(lambda lease: lease.hold(), leases))
        assert sorted(won) == [False, True], (attempt, won)
        winner = leases[won.index(True)]
        held = json.loads(s3_client.get_object(Bucket=bucket, Key="site/" + LEASE_KEY)[
            "Body"].read())
        assert held["owner"] == winner.owner
        assert winner.taken_over == (before != "none")
        loser = leases[won.index(False)]
        assert not loser.hold(), "the loser waits while the winner's lease stands"
        if old is None:
            s3_client.delete_object(Bucket=bucket, Key="site/" + LEASE_KEY)
        else:
            s3_client.put_object(Bucket=bucket, Key="site/" + LEASE_KEY, Body=old)


def test_the_writer_renews_its_lease_while_a_long_layer_uploads(
        s3_server: Any, s3_client: Any, tmp_path: Any) -> None:
    """Each upload takes a quarter of the lease (a slow store, a big tree), so one layer
    takes many leases: the writer renews as it uploads, and a standby trying at every
    upload never finds the lease expired while the writer is still writing."""
    bucket = new_bucket(s3_client)
    site = SiteDir(tmp_path / "writer")
    two_alerts(site)
    site.settings_text(mirror_settings(s3_server.endpoint, bucket))
    builder = site.builder()
    builder.run(now=NOW)
    builder.close()
    settings = builder.settings.mirror
    assert settings is not None
    clock = [1_000_000.0]
    standby = Lease(Store(settings), "standby", LEASE, lambda: clock[0])
    taken: list[float] = []

    class SlowStore(Store):
        def put(self, *args: Any, **kwargs: Any) -> None:
            clock[0] += LEASE / 4
            super().put(*args, **kwargs)
            if standby.hold():
                taken.append(clock[0])

    mirror = Mirror(site.out, settings, store=SlowStore(settings), workers=1,
                    clock=lambda: clock[0], lease_seconds=LEASE, owner="writer")
    try:
        report = mirror.run_pass()
    finally:
        mirror.close()
    assert len(report.uploaded) > 20, "uploads enough to span many leases"
    assert not taken, f"the standby took the lease at {taken[:1]} while the writer wrote"
    assert_bucket_is_tree(s3_client, bucket, site)
