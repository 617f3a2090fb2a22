"""The mirror against a real S3 server (SeaweedFS on loopback, started once per session):
the bucket equals the tree, ends an alert's personal files in the same pass that publishes
its ending, and converges after an outage."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from deploy.ports import free_port
from render.mirror.mirror import Mirror
from render.mirror.settings import MirrorSettings
from render.mirror.store import Store, StoreError
from render.outlets.registry import kind_of
from render.push.deliver import Deliverer
from render.push.plan import named_paths
from tests.helpers.feeds import lifecycle_docs
from tests.helpers.receivers import Receiver, receiving
from tests.helpers.s3 import (
    Gate,
    bucket_tree,
    mirror_settings,
    mirrored_files,
    new_bucket,
)
from tests.helpers.sites import NOW, REPO, SiteDir, alert_doc
from tests.helpers.waiting import wait_until
from tests.test_push import SECRET, SECRET_ENV, hooks_settings

PREFIX = "site/"


def assert_bucket_is_tree(client: Any, bucket: str, site: SiteDir) -> None:
    objects = bucket_tree(client, bucket, PREFIX)
    files = mirrored_files(site)
    assert sorted(objects) == sorted(files)
    for path, obj in objects.items():
        assert obj.body == files[path], path
        kind = kind_of(path)
        assert kind is not None, path
        assert (obj.content_type, obj.cache_control) == (kind.media_type, kind.cache_control), \
            path


def two_alerts(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.photo("bram.jpg", seed=2)
    site.write("bram.json", alert_doc(id="2026-test-bram", child_name="Bram",
                                      child_photo="photos/bram.jpg"))


def test_build_mirrors_the_tree_with_each_kinds_headers(s3_server: Any, s3_client: Any,
                                                       site: SiteDir) -> None:
    bucket = new_bucket(s3_client)
    s3_client.put_object(Bucket=bucket, Key=PREFIX + "left/over.html", Body=b"old")  # unrecorded
    s3_client.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"not ours")  # outside
    site.settings_text(mirror_settings(s3_server.endpoint, "unused-bucket"))
    two_alerts(site)
    done = subprocess.run(
        [sys.executable, "-m", "render.cli", "--site", str(site.root), "build", "--alerts",
         str(site.alerts), "--out", str(site.out), "--mirror", f"s3://{bucket}/site"],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert_bucket_is_tree(s3_client, bucket, site)
    objects = bucket_tree(s3_client, bucket, PREFIX)
    assert not [p for p in objects if p.endswith(".gz")]
    assert "left/over.html" not in objects
    assert s3_client.get_object(Bucket=bucket, Key="elsewhere.txt")["Body"].read() == b"not ours"
    photos = [p for p in objects if p.endswith("/photo.jpg")]
    assert photos and all(objects[p].cache_control == "public, max-age=600" for p in photos)
    status = json.loads(objects["status.json"].body)
    assert status["mirror"] == {"pending_uploads": 0, "pending_deletions": 0,
                                "behind_since": None, "last_error": None}


class Recording(Store):
    """The real store, with the order of its calls written down."""

    def __init__(self, settings: MirrorSettings) -> None:
        super().__init__(settings)
        self.calls: list[tuple[str, str]] = []

    def put(self, path: str, body: bytes, content_type: str, cache_control: str) -> None:
        super().put(path, body, content_type, cache_control)
        self.calls.append(("put", path))

    def delete(self, path: str) -> None:
        super().delete(path)
        self.calls.append(("delete", path))


def test_an_ending_clears_the_personal_files_in_the_same_pass(s3_server: Any, s3_client: Any,
                                                              site: SiteDir) -> None:
    bucket = new_bucket(s3_client)
    site.settings_text(mirror_settings(s3_server.endpoint, bucket))
    site.photo("anna.jpg")
    site.write("anna.json", lifecycle_docs()["alert"])
    builder = site.builder()
    settings = builder.settings.mirror
    assert settings is not None
    store = Recording(settings)
    mirror = builder.mirror = Mirror(site.out, settings, store=store)
    try:
        builder.run(now=NOW)
        assert mirror.sync(30)
        personal = {p for p in mirrored_files(site)
                    if (k := kind_of(p)) and k.personal and k.versioned}
        assert any(p.endswith("photo.jpg") for p in personal)
        site.write("anna.json", lifecycle_docs()["found"])
        builder.run(now=NOW)
        store.calls.clear()
        report = mirror.run_pass()  # one pass
        assert report.converged
        assert_bucket_is_tree(s3_client, bucket, site)
        deleted = {path for call, path in store.calls if call == "delete"}
        assert personal <= deleted
        last_put = max(i for i, (call, _) in enumerate(store.calls) if call == "put")
        first_delete = min(i for i, (call, _) in enumerate(store.calls) if call == "delete")
        assert last_put < first_delete  # the ending documents first, then the deletions
        assert "Anna is terecht" in bucket_tree(s3_client, bucket, PREFIX)[
            "alerts/2026-test-anna/index.html"].body.decode()
    finally:
        mirror.close()
        builder.close()


def test_a_store_that_was_down_converges_once_back(s3_server: Any, s3_client: Any,
                                                   site: SiteDir) -> None:
    bucket = new_bucket(s3_client)
    gate = Gate(s3_server.port)
    site.settings_text(mirror_settings(gate.endpoint, bucket))
    two_alerts(site)
    builder = site.builder()
    assert builder.settings.mirror is not None
    mirror = builder.mirror = Mirror(site.out, builder.settings.mirror)
    try:
        builder.run(now=NOW)
        assert mirror.sync(30)
        gate.shut()
        site.write("bram.json", alert_doc(id="2026-test-bram", child_name="Bram",
                                          child_photo="photos/bram.jpg", status="cancelled",
                                          updated="2026-11-29T15:00:00+01:00"))
        site.photo("carla.jpg", seed=3)
        site.write("carla.json", alert_doc(id="2026-test-carla", child_name="Carla",
                                           child_photo="photos/carla.jpg"))
        builder.run(now=NOW)  # the local publish goes on
        assert (site.out / "alerts/2026-test-carla/index.html").exists()
        assert not mirror.sync(1.5)
        backlog = mirror.backlog()
        assert backlog.uploads and backlog.deletions and backlog.last_error
        assert backlog.behind_since is not None
        builder.run(now=NOW)
        shown = json.loads((site.out / "status.json").read_bytes())["mirror"]
        assert shown["pending_uploads"] == backlog.uploads and shown["last_error"]
        gate.open()
        assert mirror.sync(30)
        builder.run(now=NOW)  # status.json: caught up
        assert mirror.sync(30)
        assert_bucket_is_tree(s3_client, bucket, site)
        assert json.loads((site.out / "status.json").read_bytes())["mirror"][
            "pending_uploads"] == 0
    finally:
        mirror.close()
        builder.close()
        gate.close()


@contextlib.contextmanager
def pushing(site: SiteDir, endpoint: str, bucket: str, store: type[Store] = Store
            ) -> Iterator[tuple[Receiver, Mirror, Deliverer]]:
    """A site with one alert, a CAP webhook and a mirror (its store of class `store`)."""
    receiver = Receiver(free_port())
    site.settings_text(mirror_settings(endpoint, bucket,
                                       extra=hooks_settings(("media", receiver, "cap"))))
    site.photo("anna.jpg")
    site.write("anna.json", lifecycle_docs()["alert"])
    builder = site.builder()
    assert builder.settings.mirror is not None and builder.outbox is not None
    mirror = builder.mirror = Mirror(site.out, builder.settings.mirror,
                                     store=store(builder.settings.mirror))
    deliverer = Deliverer(builder.outbox, builder.settings, hold=mirror.lacks)
    try:
        with receiving(receiver):
            assert builder.run(now=NOW).offered
            yield receiver, mirror, deliverer
    finally:
        deliverer.close(timeout=2)
        mirror.close()
        builder.close()


def test_a_push_waits_until_the_files_it_names_are_in_the_bucket(
        s3_server: Any, s3_client: Any, site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    bucket = new_bucket(s3_client)
    gate = Gate(s3_server.port)
    gate.shut()
    try:
        with pushing(site, gate.endpoint, bucket) as (receiver, mirror, deliverer):
            mirror.start()
            deliverer.start()
            wait_until(lambda: mirror.backlog().last_error, what="the mirror failing")
            time.sleep(1.0)  # the deliverer had its chances to send
            assert receiver.received == [], "pushed while the bucket lacked the files"
            gate.open()
            mirror.wake()
            wait_until(lambda: receiver.received, timeout=60, what="the push")
        body = receiver.received[0].body
        assert bucket_tree(s3_client, bucket, PREFIX)["cap/latest.xml"].body == body
    finally:
        gate.close()


class NoPlayers(Store):
    """The real store, refusing the display players (the top layer, named by no push)."""

    def put(self, path: str, body: bytes, content_type: str, cache_control: str) -> None:
        if path.endswith("player.html"):
            raise StoreError("S3 AccessDenied")
        super().put(path, body, content_type, cache_control)


def test_a_push_waits_for_the_files_it_names_not_the_whole_tree(
        s3_server: Any, s3_client: Any, site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    bucket = new_bucket(s3_client)
    with pushing(site, s3_server.endpoint, bucket, NoPlayers) as (receiver, mirror,
                                                                   deliverer):
        mirror.start()
        deliverer.start()
        wait_until(lambda: receiver.received, timeout=60, what="the push")
        wait_until(lambda: mirror.backlog().last_error, timeout=60, what="the refused upload")
        backlog = mirror.backlog()
        body = receiver.received[0].body
    named = named_paths(body, "application/cap+xml", "http://127.0.0.1:8000/")
    assert named == {"alerts/2026-test-anna/index.html", "en/alerts/2026-test-anna/index.html",
                     next(p for p in mirrored_files(site) if p.endswith("/photo.jpg"))}
    objects = bucket_tree(s3_client, bucket, PREFIX)
    files = mirrored_files(site)
    assert all(objects[p].body == files[p] for p in named)
    # The bucket still lacked files of the tree when the push went.
    assert not [p for p in objects if p.endswith("player.html")]
    assert backlog.uploads > 0 and backlog.last_error == "S3 AccessDenied"


def kindalarm_build(site: SiteDir, *options: str) -> list[str]:
    """`kindalarm -v build`; the paths it uploaded to the bucket, in order."""
    done = subprocess.run(
        [sys.executable, "-m", "render.cli", "-v", "--site", str(site.root), "build",
         "--alerts", str(site.alerts), "--out", str(site.out), *options],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [m[1] for line in done.stderr.splitlines()
            if (m := re.search(r"mirror put (\S+) [0-9a-f]{16}$", line))]


def test_mirror_check_lists_the_bucket_again(s3_server: Any, s3_client: Any,
                                             site: SiteDir) -> None:
    bucket = new_bucket(s3_client)
    site.settings_text(mirror_settings(s3_server.endpoint, bucket))
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    kindalarm_build(site)
    s3_client.put_object(Bucket=bucket, Key=PREFIX + "stray.html", Body=b"someone's")
    s3_client.delete_object(Bucket=bucket, Key=PREFIX + "index.html")
    s3_client.put_object(Bucket=bucket, Key=PREFIX + "api/alerts.json", Body=b"{}")
    kindalarm_build(site)  # trusts its records: the bucket is not listed every time
    assert "stray.html" in bucket_tree(s3_client, bucket, PREFIX)
    puts = kindalarm_build(site, "--mirror-check")
    assert_bucket_is_tree(s3_client, bucket, site)
    # Listed once, the objects whose ETag is their file's MD5 are not uploaded again: only
    # the two the bucket lacked or held other bytes for (and status.json, rebuilt).
    assert len(mirrored_files(site)) > 50
    assert {"index.html", "api/alerts.json"} <= set(puts) <= {
        "index.html", "api/alerts.json", "status.json"}, puts
