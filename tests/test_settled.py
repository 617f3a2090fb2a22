"""A build with nothing to do reads no more than it must: the files of ended alerts and the
photos of live ones are known by their file identity (device, inode, size, both times) from
an earlier run, and read again as soon as any of that changes, or while it is too fresh to
trust (written within the last 2 s). The watcher's runs for changes look only at the files
its events name, and at every file after a failed run."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from render.alert import files, loader, photos
from render.pipeline.run import RunMode
from tests.helpers.sites import NOW, SiteDir, alert_doc
from tests.helpers.waiting import wait_until
from tests.helpers.watching import FAST, wait_idle, watching


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names of the alert files parsed and the photos hashed, from now on."""
    seen: dict[str, list[str]] = {"files": [], "photos": []}
    load = loader.load_alert_file

    def counted_load(path: Path, *args: object) -> loader.LoadResult:
        seen["files"].append(path.name)
        return load(path, *args)  # type: ignore[arg-type]

    class CountingHashlib:
        @staticmethod
        def sha256(data: bytes = b"") -> object:
            seen["photos"].append(f"{len(data)} bytes")
            return hashlib.sha256(data)

    monkeypatch.setattr(loader, "load_alert_file", counted_load)
    monkeypatch.setattr(photos, "hashlib", CountingHashlib)
    return seen


def bob(**fields: object) -> dict[str, object]:
    """A vermist-kind alert without a photo."""
    return alert_doc(id="2026-test-bob", level="vermist-kind",
                     child={"name": "Bob de Test", "age": 9}, **fields)


@pytest.fixture
def settled_site(site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> SiteDir:
    """A live alert with a photo and a withdrawn one, built once; no file counts as fresh."""
    monkeypatch.setattr(files, "RACY_NS", 0)
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.write("bob.json", bob(status="cancelled"))
    assert site.build().ok
    return site


def test_a_rebuild_reads_only_the_live_alerts_file(settled_site: SiteDir,
                                                   reads: dict[str, list[str]]) -> None:
    result = settled_site.build()
    assert result.ok and result.report.written == [] and result.report.deleted == []
    assert reads == {"files": ["anna.json"], "photos": []}
    assert "2026-test-bob" in {v.id for v in result.views}  # still listed, from the state


def test_an_edited_ended_alert_is_read_again(settled_site: SiteDir,
                                             reads: dict[str, list[str]]) -> None:
    settled_site.write("bob.json", bob())  # active again
    result = settled_site.build()
    assert reads["files"] == ["anna.json", "bob.json"]
    page = (settled_site.out / "alerts" / "2026-test-bob" / "index.html").read_text()
    assert "Bob de Test" in page and result.ok


def test_a_new_photo_under_the_same_name_is_hashed_again(settled_site: SiteDir,
                                                         reads: dict[str, list[str]]) -> None:
    before = next(settled_site.out.glob("alerts/2026-test-anna/*/photo.jpg")).parent.name
    settled_site.photo("anna.jpg", seed=5)
    result = settled_site.build()
    assert len(reads["photos"]) >= 1
    after = next(settled_site.out.glob("alerts/2026-test-anna/*/photo.jpg")).parent.name
    assert after != before and result.ok  # a new version, with the new photo


def test_a_file_written_just_now_is_not_trusted(site: SiteDir,
                                                reads: dict[str, list[str]]) -> None:
    site.write("bob.json", bob(status="cancelled"))
    assert site.build().ok
    assert site.build().ok  # within 2 s of the write: read again, not settled
    assert reads["files"] == ["bob.json", "bob.json"]


def test_a_new_file_claiming_a_settled_alerts_id_is_judged_with_it(
        settled_site: SiteDir) -> None:
    settled_site.write("zz-bob.json", bob())
    result = settled_site.build(now=NOW)
    rejected = {r.source.name: r.problems for r in result.rejected}
    assert "zz-bob.json" in rejected  # bob.json had the id first, as without the memo
    assert "already used by bob.json" in rejected["zz-bob.json"][0].message


def test_a_watchers_run_for_changes_looks_only_at_named_settled_files(
        settled_site: SiteDir, reads: dict[str, list[str]]) -> None:
    builder = settled_site.builder()
    try:
        assert builder.run(now=NOW).ok  # the watcher's first run: every file looked at
        reads["files"].clear()
        settled_site.write("bob.json", bob())  # active again, but no event names it
        result = builder.run(NOW, mode=RunMode(changed={"photos/other.jpg"}))
        assert reads["files"] == [] and result.report.written == []
        result = builder.run(NOW, mode=RunMode(changed={"bob.json"}))
        assert reads["files"] == ["bob.json"]
        assert "2026-test-bob" in {v.id for v in result.views if v.active}
        settled_site.write("bob.json", bob(status="cancelled"))
        assert builder.run(NOW, mode=RunMode(changed={"bob.json"})).ok  # settled again
        settled_site.write("bob.json", bob())
        reads["files"].clear()
        result = builder.run(now=NOW)  # a rescan (no events given) looks at every file
        assert reads["files"] == ["bob.json"]
        assert "2026-test-bob" in {v.id for v in result.views if v.active}
    finally:
        builder.close()


def test_a_change_taken_by_a_failed_run_is_seen_by_the_next(
        site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher trusts its events only while every run since its last full look went
    through: a run that failed before it looked may have taken an event with it."""
    monkeypatch.setattr(files, "RACY_NS", 0)
    site.settings_text("retire_seconds = 0\n")
    site.write("bob.json", bob(status="cancelled"))
    with watching(site, timing=replace(FAST, rescan=600.0)) as (watcher, published):
        site.write("carl.json", alert_doc(id="2026-test-carl", status="found"))
        wait_until(lambda: len(published) == 2, what="a run that skips bob.json as settled")
        wait_idle(watcher)
        real_scan = watcher.builder.loader.scan
        failures = [OSError("the alert directory could not be read")]

        def scan_failing_once(*args: Any, **kwargs: Any) -> list[loader.LoadResult]:
            if failures:
                raise failures.pop()
            return real_scan(*args, **kwargs)

        monkeypatch.setattr(watcher.builder.loader, "scan", scan_failing_once)
        site.write("bob.json", bob())
        wait_until(lambda: watcher.failures == 1, what="the failed run")
        wait_until(lambda: "2026-test-bob" in site.read("api/alerts.json"),
                   what="bob, active again, published by the retry")


def test_a_new_process_makes_no_ended_alerts_files_unless_one_must_be_written(
        settled_site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ended alerts' paths and keys are stored in the state: a new process lists them as
    stored and makes an alert's artifacts for real only when one of its files is missing (and
    then writes the very same bytes)."""
    from render.pipeline.build import Builder

    made: list[str] = []
    view_artifacts = Builder._view_artifacts

    def counted(builder: Builder, ctx: Any, view: Any) -> Any:
        made.append(view.id)
        return view_artifacts(builder, ctx, view)

    monkeypatch.setattr(Builder, "_view_artifacts", counted)
    bobs = sorted(path for path in settled_site.files()
                  if "/2026-test-bob/" in f"/{path}" and not path.endswith(".gz"))
    # Pages in both languages and ready-made texts (found when first seen: no CAP message).
    assert len(bobs) >= 3, bobs
    before = {path: settled_site.read(path) for path in bobs}
    status = settled_site.read("status.json")

    result = settled_site.build()  # a new Builder: a new process would do the same
    assert result.ok and result.report.written == []
    assert made == ["2026-test-anna"]  # only the live alert's, not bob's ...
    assert settled_site.read("status.json") == status  # ... and the same build id

    for path in bobs[::2]:
        (settled_site.out / path).unlink()
    result = settled_site.build()
    assert result.ok and sorted(result.report.written) == bobs[::2]
    assert "2026-test-bob" in made
    assert {path: settled_site.read(path) for path in bobs} == before
