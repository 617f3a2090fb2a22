"""No torn reads (contract section 4): pollers hammer real nginx while the publisher keeps
publishing. Every fetched file is whole (JSON parses, images decode, HTML ends with
</html>), and every file a fetched page, feed or manifest names is there, with the sha256
it states. A named file may only be gone if the document naming it has changed since
(a found alert's photo is deleted in the same publish, on purpose)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from deploy.nginx_local import LocalNginx
from render.outlets.registry import versioned_alert_id
from render.pipeline.build import Builder
from tests.helpers.churn import flip, start_churn
from tests.helpers.http_client import Response, get
from tests.helpers.sites import ARTIFACTS, SiteDir
from tests.helpers.treecheck import check_tree, references, stated_hashes, whole_problem

PUBLISHES = int(os.environ.get("KINDALARM_TORN_PUBLISHES", "100"))
REQUESTS = int(os.environ.get("KINDALARM_TORN_REQUESTS", "5000"))
POLLERS = 4
TIME_LIMIT = float(os.environ.get("KINDALARM_TORN_SECONDS", "240"))
DOCUMENT_SUFFIXES = (".html", ".json", ".xml", ".atom")


@dataclass
class Tally:
    requests: int = 0
    publishes: int = 0
    documents: int = 0
    references: int = 0
    superseded: int = 0  # named file gone, but the naming document had changed meanwhile
    torn: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, count in counts.items():
                setattr(self, name, getattr(self, name) + count)


def entry_points(root: Path) -> list[str]:
    """Documents an outlet polls by a fixed URL: indexes, feeds, manifests, api, status."""
    found = []
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix()
        if (path.is_file() and name.endswith(DOCUMENT_SUFFIXES) and not name.startswith(".")
                and versioned_alert_id(name) is None
                and not re.match(r"(exercise/)?(en/)?alerts/", name)):
            found.append(name)
    return sorted(found)


def named_files(name: str, body: bytes, root: Path, base_url: str
                ) -> list[tuple[list[str], str | None]]:
    """What a document names: (candidate paths, stated sha256 or None)."""
    text = body.decode("utf-8")
    named: list[tuple[list[str], str | None]] = []
    for target in references(root / name, text, root, base_url):
        if target.is_relative_to(root):
            named.append(([target.relative_to(root).as_posix()], None))
    if name.endswith(".json"):
        for ref, digest in stated_hashes(json.loads(text)):
            if ref.startswith(base_url):
                candidates = [ref[len(base_url):]]
            else:
                here = (Path(name).parent / ref).as_posix() if not ref.startswith("/") else ""
                candidates = [c for c in (here, ref.lstrip("/")) if c]
            named.append((candidates, digest))
    return named


def fetch(url: str, path: str, rng: random.Random, tally: Tally) -> Response:
    tally.add(requests=1)
    return get(url + path, {"Accept-Encoding": "gzip"} if rng.random() < 0.5 else {})


def poll(url: str, root: Path, entries: list[str], stop: threading.Event, tally: Tally,
         seed: int) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        # Keep pace with the publisher (two cores are shared with it and nginx): about
        # twice the needed requests per publish, then wait for the next one.
        while (tally.requests > (tally.publishes + 1) * 2 * REQUESTS / PUBLISHES
               and not stop.is_set()):
            time.sleep(0.01)  # pacing of the load generator, not waiting for an event
        # A document named by another is followed as it was received then (fetching it
        # again later could find it rightly deleted since: a newer version replaced it).
        queue: list[tuple[str, int, Response | None]] = [(rng.choice(entries), 0, None)]
        while queue and not stop.is_set():
            name, depth, received = queue.pop()
            document = received or fetch(url, name, rng, tally)
            if document.status != 200:
                tally.missing.append(f"{name}: HTTP {document.status}")
                continue
            problem = whole_problem(name, document.body)
            if problem:
                tally.torn.append(problem)
                continue
            if not name.endswith(DOCUMENT_SUFFIXES):
                continue
            tally.add(documents=1)
            named = named_files(name, document.body, root, url)
            for candidates, digest in rng.sample(named, min(3, len(named))):
                tally.add(references=1)
                for candidate in candidates:
                    response = fetch(url, candidate, rng, tally)
                    if response.status == 200:
                        break
                if response.status != 200:
                    if fetch(url, name, rng, tally).body != document.body:
                        tally.add(superseded=1)
                    else:
                        tally.missing.append(f"{name} names {candidates[0]}: "
                                             f"HTTP {response.status}")
                    continue
                problem = whole_problem(candidate, response.body)
                if problem:
                    tally.torn.append(problem)
                elif digest and hashlib.sha256(response.body).hexdigest() != digest:
                    tally.torn.append(f"{name} states another sha256 for {candidate}")
                elif depth < 1 and candidate.endswith(DOCUMENT_SUFFIXES):
                    queue.append((candidate, depth + 1, response))


def churn_while_polling(site: SiteDir, builder: Builder, url: str, entries: list[str],
                        rng: random.Random, after: Callable[[], None] = lambda: None,
                        pause: float = 0.005) -> tuple[Tally, int]:
    """Publish changes (calling `after` each time) while POLLERS poll `url`, until PUBLISHES
    publishes and REQUESTS requests are done (or TIME_LIMIT): the tally and the publishes."""
    tally = Tally()
    stop = threading.Event()
    publishes = 0
    started = time.monotonic()
    pollers = [threading.Thread(target=poll, args=(url, site.out, entries, stop, tally, seed),
                                daemon=True) for seed in range(POLLERS)]
    for poller in pollers:
        poller.start()
    try:
        step = 3
        while ((publishes < PUBLISHES or tally.requests < REQUESTS)
               and time.monotonic() - started < TIME_LIMIT):
            flip(site, step, rng)
            step += 1
            report = builder.run(now=datetime.now(UTC)).report
            after()
            publishes += bool(report.written or report.deleted)
            tally.publishes = publishes
            time.sleep(pause)  # let the pollers in between publishes too
    finally:
        stop.set()
        for poller in pollers:
            poller.join(timeout=30)
    return tally, publishes


def test_pollers_never_see_a_torn_file_or_a_broken_reference(site: SiteDir) -> None:
    rng = random.Random(20261130)
    nginx = LocalNginx(site.out)
    site.settings_text(f'base_url = "{nginx.url}"\n')  # retire_seconds: the default (120 s)
    start_churn(site, rng, photo_size=(300, 400))
    builder = site.builder()
    assert builder.settings.retire_seconds > 0
    builder.run(now=datetime.now(UTC))
    entries = entry_points(site.out)
    assert {"index.html", "api/alerts.json", "status.json"} <= set(entries)

    started = time.monotonic()
    with nginx:
        try:
            tally, publishes = churn_while_polling(site, builder, nginx.url, entries, rng)
        finally:
            builder.close()
    assert_nothing_torn("torn-read.txt", tally, publishes, time.monotonic() - started)
    assert check_tree(site.out, nginx.url) == []


def assert_nothing_torn(report: str, tally: Tally, publishes: int, seconds: float) -> None:
    """Write the pollers' tally to test-artifacts/REPORT, then: nothing torn or missing,
    enough publishes and requests, and the references really followed."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / report).write_text(
        f"publishes {publishes}, requests {tally.requests}, documents {tally.documents}, "
        f"references followed {tally.references}, superseded {tally.superseded}, "
        f"torn {len(tally.torn)}, missing {len(tally.missing)}, {seconds:.1f} s\n")
    assert tally.torn == []
    assert tally.missing == []
    assert publishes >= PUBLISHES and tally.requests >= REQUESTS, (publishes, tally.requests)
    assert tally.references > tally.requests // 4  # the references were really followed
