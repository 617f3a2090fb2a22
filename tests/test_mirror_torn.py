"""No torn reads from the bucket either (contract section 8): pollers fetch the index, the
API, the manifests and what they name straight from the S3 endpoint (anonymously, with the
folder-URL rewrite a CDN in front of an object store needs: `.../` -> `.../index.html`)
while alerts are published and the mirror's thread keeps the bucket in step. Every file a
fetched document names is there, whole, with the sha256 it states, unless the naming
document has changed since (a found alert's photo goes in the same pass, on purpose)."""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from render.mirror.mirror import Mirror
from tests import test_torn
from tests.helpers.churn import start_churn
from tests.helpers.http_client import Response, get
from tests.helpers.s3 import mirror_settings, new_bucket
from tests.helpers.sites import SiteDir

PUBLISHES = int(os.environ.get("KINDALARM_S3_TORN_PUBLISHES", "40"))
REQUESTS = int(os.environ.get("KINDALARM_S3_TORN_REQUESTS", "2000"))


def cdn_path(path: str) -> str:
    """The CDN's rewrite of folder URLs, which an object store does not do itself."""
    last = path.rsplit("/", 1)[-1]
    return path + "index.html" if path == "" or path.endswith("/") else (
        path + "/index.html" if "." not in last else path)


def test_bucket_pollers_never_see_a_torn_file_or_a_broken_reference(
        s3_server: Any, s3_client: Any, site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20261203)
    bucket = new_bucket(s3_client)
    url = f"{s3_server.endpoint}/{bucket}/site/"
    site.settings_text(mirror_settings(s3_server.endpoint, bucket, extra="")
                       .replace('base_url = "http://127.0.0.1:8000/"', f'base_url = "{url}"'))
    monkeypatch.setattr(test_torn, "REQUESTS", REQUESTS)
    monkeypatch.setattr(test_torn, "PUBLISHES", PUBLISHES)
    monkeypatch.setattr(test_torn, "TIME_LIMIT", 240.0)

    def fetch(base: str, path: str, _rng: random.Random, tally: test_torn.Tally) -> Response:
        tally.add(requests=1)
        return get(base + cdn_path(path))

    monkeypatch.setattr(test_torn, "fetch", fetch)
    start_churn(site, rng, photo_size=(300, 400))
    builder = site.builder()
    assert builder.settings.mirror is not None
    mirror = builder.mirror = Mirror(site.out, builder.settings.mirror)
    builder.run(now=datetime.now(UTC))
    assert mirror.sync(60)
    entries = test_torn.entry_points(site.out)
    assert {"index.html", "api/alerts.json", "status.json"} <= set(entries)

    started = time.monotonic()
    mirror.start()
    try:
        tally, publishes = test_torn.churn_while_polling(site, builder, url, entries, rng,
                                                         after=mirror.wake, pause=0.05)
    finally:
        mirror.close()
        builder.close()
    test_torn.assert_nothing_torn("torn-read-s3.txt", tally, publishes,
                                  time.monotonic() - started)
