"""Figure 8 of bench/run.py: drops into a watcher that mirrors into a real S3 server
(SeaweedFS on loopback, deploy/s3_local.py): seconds from the drop until its urgent outputs
(the alert page, and `api/alerts.json` naming it) are readable in the bucket, and the bytes
uploaded per drop (the objects the mirror's ledger shows changed, once it is idle again)."""

from __future__ import annotations

import os
import statistics
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any


def readable(url: str, ident: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}alerts/{ident}/index.html", timeout=5) as answer:
            answer.read()
        with urllib.request.urlopen(f"{url}api/alerts.json", timeout=5) as answer:
            return ident.encode() in answer.read()
    except urllib.error.HTTPError:
        return False


def settled(run: ModuleType, running: Any) -> dict[str, str]:
    """Once the watcher and its mirror are idle: the ledger (path -> sha256)."""
    mirror = running.builder.mirror
    run.wait_idle(running.watcher)
    deadline = time.monotonic() + 60
    while any(mirror.diff()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return {path: entry.sha256 for path, entry in mirror.ledger.mirrored().items()}


def measure_mirror(run: ModuleType, figures: Any, temp_dir: Path, args: Any, photo: bytes,
                   started: float) -> None:
    from deploy.s3_local import LocalS3

    with LocalS3() as s3:
        os.environ.update({**s3.env(), "AWS_ENDPOINT_URL_S3": s3.endpoint})
        import boto3

        boto3.client("s3", endpoint_url=s3.endpoint).create_bucket(Bucket="bench")
        site = temp_dir / "mirror"
        alerts, out = run.new_site(site)
        with (site / "kindalarm.toml").open("a", encoding="utf-8") as settings:
            settings.write(f'\n[mirror]\nurl = "s3://bench/site"\nendpoint_url = '
                           f'"{s3.endpoint}"\n')
        url = f"{s3.endpoint}/bench/site/"
        running = run.RunningWatcher(site, alerts, out, mirror=True)
        seconds, sizes = [], []
        try:
            run.write_atomic(alerts / "photos" / "drop.jpg", photo)
            before = settled(run, running)
            for number in range(args.drops):
                ident = f"2026-drop-mirror-{number}"
                tmp = alerts / ".drop.toml.part"
                tmp.write_bytes(run.active_alert(ident, "photos/drop.jpg").encode())
                dropped = time.monotonic()
                os.replace(tmp, alerts / "drop.toml")
                while not readable(url, ident):
                    time.sleep(0.005)  # the poll of a reader, not a guess at the time
                seconds.append(time.monotonic() - dropped)
                after = settled(run, running)
                sizes.append(sum((out / p).stat().st_size for p, sha in after.items()
                                 if before.get(p) != sha and (out / p).exists()))
                if number < args.drops - 1:
                    run.withdraw(running, alerts)
                before = settled(run, running)
        finally:
            running.close()
            running.builder.mirror.close()
    median = statistics.median(seconds)
    figures.text["8"] = (f"{median:.3f} s (p95 {run.p95(seconds):.3f} s); "
                         f"{statistics.median(sizes) / 1e6:.2f} MB uploaded per drop")
    figures.values["8"] = seconds
    run.note(started, "8 done")
