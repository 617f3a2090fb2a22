"""The core pipeline end to end: build, versions, no rewrites, lifecycle, bad edits."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from render.drawing import photo
from render.drawing.photo import PhotoError
from render.pipeline import publish
from tests.helpers.sites import NOW, SiteDir, alert_doc
from tests.helpers.treecheck import check_tree


def test_examples_build_every_page(built_examples: SiteDir) -> None:
    files = built_examples.files()
    for path in ("index.html", "en/index.html", "archive/index.html", "api/alerts.json",
                 "api/schema.json", "status.json", "alerts/2026-utrecht-sanne/index.html",
                 "en/alerts/2026-utrecht-sanne/index.html",
                 "exercise/alerts/2026-oefening-lotte/index.html"):
        assert path in files, path
    api = json.loads(files["api/alerts.json"])
    ids = [a["id"] for a in api["alerts"]]
    assert ids[:2] == ["2026-utrecht-sanne", "2026-rotterdam-noor"]  # kind-alarm, newest first
    assert "2026-groningen-milan" not in ids  # found: not active
    assert "2026-oefening-lotte" not in ids  # drills only under exercise/
    assert not any("oefening" in p for p in files if not p.startswith("exercise/"))


def test_rebuild_with_no_change_touches_nothing(built_examples: SiteDir) -> None:
    before = {p.relative_to(built_examples.out): p.stat().st_mtime_ns
              for p in built_examples.out.rglob("*") if p.is_file()}
    result = built_examples.build()
    after = {p.relative_to(built_examples.out): p.stat().st_mtime_ns
             for p in built_examples.out.rglob("*") if p.is_file()}
    assert result.report.written == []
    assert before == after


def test_the_cycle_collector_waits_until_a_build_renders(
        anna: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that renders nothing (the rebuild of an unchanged site) never starts Python's
    cycle collector, which would walk every object of the run for no garbage; one that
    renders has it running while it does (posters make cycles), and afterwards."""
    collections: list[int] = []

    def counted(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    enabled_while_rendering: list[bool] = []
    produce = publish.produced

    def watched(todo: list[Any], *args: Any) -> Iterator[Any]:
        if todo:
            enabled_while_rendering.append(gc.isenabled())
        return produce(todo, *args)

    monkeypatch.setattr(publish, "produced", watched)
    gc.callbacks.append(counted)
    try:
        first = anna.build()
        collected_while_rendering = len(collections)
        collections.clear()
        second = anna.build()
    finally:
        gc.callbacks.remove(counted)
    assert first.report.written and not second.report.written
    assert enabled_while_rendering == [True]  # the second build produced nothing
    assert collected_while_rendering > 0
    assert collections == []
    assert gc.isenabled()


def test_deleted_pages_come_back_whole(anna: SiteDir) -> None:
    """A page deleted behind the publisher's back is restored by the next build as it was,
    not left as the placeholder (without language switch) that is written before it."""
    assert anna.build().ok
    pages = sorted(p for p in anna.files() if p.endswith(".html"))
    before = {p: anna.read(p) for p in pages}
    for page in pages:
        (anna.out / page).unlink()
    result = anna.build()
    assert result.ok and sorted(result.report.written) == pages
    assert {p: anna.read(p) for p in pages} == before


def test_new_version_gets_new_urls_and_old_files_go(anna: SiteDir) -> None:
    anna.settings_text("retire_seconds = 0\n")
    anna.build()
    old = [p for p in anna.files() if p.startswith("alerts/2026-test-anna/") and "photo" in p]
    anna.write("anna.json", alert_doc(child_clothing="blauwe jas"))
    anna.build()
    new = [p for p in anna.files() if p.startswith("alerts/2026-test-anna/") and "photo" in p]
    assert len(old) == len(new) == 1 and old != new
    assert new[0] in anna.read("alerts/2026-test-anna/index.html")


def test_found_alert_leaves_no_personal_data_anywhere(anna: SiteDir) -> None:
    anna.build()
    anna.write("anna.json", alert_doc(status="found", updated="2026-11-29T15:00:00+01:00"))
    anna.build()
    files = anna.files()
    assert not any(p.endswith(".jpg") for p in files)
    for path, data in files.items():
        assert b"de Test" not in data, path
        assert b"rode jas" not in data, path
        assert b"Griftpark" not in data, path
    assert "Anna" in anna.read("alerts/2026-test-anna/index.html")  # first name only
    state = anna.root / ".output.state"
    for path in state.rglob("*"):
        if path.is_file() and path.name != "lock":
            raw = path.read_bytes()
            assert b"de Test" not in raw and b"Griftpark" not in raw, path


def test_deleted_file_means_withdrawn(anna: SiteDir) -> None:
    anna.build()
    (anna.alerts / "anna.json").unlink()
    result = anna.build()
    assert result.ok
    page = anna.read("alerts/2026-test-anna/index.html")
    assert "Ingetrokken" in page and "Anna" not in page
    assert not any(p.endswith(".jpg") for p in anna.files())


def test_bad_edit_keeps_last_good_version_across_runs(anna: SiteDir) -> None:
    anna.build()
    good = anna.read("alerts/2026-test-anna/index.html")
    anna.write("anna.json", alert_doc(child_age=19))
    for _ in range(2):  # also on a second run, from the state file
        result = anna.build()
        assert [r.source.name for r in result.rejected] == ["anna.json"]
        assert anna.read("alerts/2026-test-anna/index.html") == good
    error = (anna.alerts / "anna.json.error.txt").read_text()
    assert error == "anna.json: child.age: must be from 0 to 17, not 19\n"
    anna.write("anna.json", alert_doc())
    assert anna.build().ok
    assert not (anna.alerts / "anna.json.error.txt").exists()


def test_output_is_independent_of_the_clock_when_nothing_changes(anna: SiteDir) -> None:
    anna.build(now=NOW)
    first = anna.files()
    anna.build(now=NOW.replace(minute=59))
    assert anna.files() == first
    assert os.path.exists(anna.out / "status.json")


def test_a_file_that_fails_holds_back_every_file_that_could_name_it(
        anna: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    anna.settings_text("retire_seconds = 0\n")
    assert anna.build().ok
    before = anna.files()
    anna.write("anna.json", alert_doc(child_age=9))  # a new version, same photo

    def damaged(*args: object, **kwargs: object) -> None:
        raise PhotoError("the photo changed while it was being published; trying again")

    monkeypatch.setattr(photo, "decode", damaged)
    result = anna.build()
    assert result.report.failed and result.report.deferred
    after = anna.files()
    for path in ("alerts/2026-test-anna/index.html", "index.html", "api/alerts.json"):
        assert after[path] == before[path], path  # the last complete state stays
    assert check_tree(anna.out, "http://127.0.0.1:8000/") == []

    monkeypatch.undo()  # the photo reads again: the next run publishes the new version
    assert anna.build().ok
    assert "9 jaar" in anna.read("alerts/2026-test-anna/index.html")
    assert check_tree(anna.out, "http://127.0.0.1:8000/") == []


def test_status_names_the_tree_whatever_the_order_of_its_files(anna: SiteDir) -> None:
    """status.json's build id sums a hash per file (path and key): the same files give the
    same id in any order, so pollers get their 304s; another key gives another id."""
    from render.outlets.artifacts import Artifact, Batch, fingerprint_sum

    assert anna.build().ok
    status = json.loads(anna.read("status.json"))
    assert anna.build().ok
    assert json.loads(anna.read("status.json")) == status  # nothing changed: same bytes

    builder = anna.builder()
    try:
        files = [Artifact(path, record.key, lambda: b"")
                 for path, record in sorted(builder.state.files().items())
                 if path != "status.json"]

        def build_id(*parts: Sequence[Artifact]) -> str:
            """The id status.json states for a tree of these files: their fingerprints'
            sum, as 16 hex digits."""
            return f"{fingerprint_sum(parts) % 2**64:016x}"

        assert build_id(files) == status["build"]
        assert build_id(files[::-1]) == status["build"]
        # As the watcher lists it: ended alerts' files in batches whose sum is kept.
        assert build_id(files[:3], Batch(files[3:])) == status["build"]
        changed = [*files[:-1], Artifact(files[-1].path, "another key", lambda: b"")]
        assert build_id(changed) != status["build"]
        assert build_id(files[1:]) != status["build"]
    finally:
        builder.close()

    anna.write("anna.json", alert_doc(child_age=9))
    assert anna.build().ok
    assert json.loads(anna.read("status.json"))["build"] != status["build"]


def test_status_counts_the_alerts_of_each_kind(examples_site: SiteDir) -> None:
    """status.json counts the public tree's live and ended alerts and the live drills
    (contract section 4): the examples have four live alerts, one found child and one
    drill; two more found children make each count differ from the others."""
    for number in ("one", "two"):
        examples_site.write(f"found-{number}.json", alert_doc(
            id=f"2026-test-found-{number}", status="found", level="vermist-kind",
            child={"name": "Een Kind", "age": 7}))
    result = examples_site.build()
    assert result.ok, [p for r in result.rejected for p in r.problems]
    counts = json.loads(examples_site.read("status.json"))["counts"]
    views = result.views
    assert (counts["active"], counts["ended"], counts["exercise_active"]) == (
        sum(1 for v in views if v.active and not v.exercise),
        sum(1 for v in views if not v.active and not v.exercise),
        sum(1 for v in views if v.active and v.exercise)) == (4, 3, 1)
    assert counts["files"] == len(examples_site.files()) - len(
        [p for p in examples_site.files() if p.endswith(".gz")])
