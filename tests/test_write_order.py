"""Every single write and deletion of a publish leaves a tree in which every reference
resolves: the deterministic form of the kill tests. A kill can land between any two file
operations, so the tree is checked at each of those moments, over builds that add alerts
(whose pages in two languages name each other), change versions and photos, end and
withdraw alerts (superseded versioned files are deleted), in full builds and in the
watcher's urgent-first steps.

The very first build into an empty output is checked too: its alert pages name the front
pages and archives, which list them, so placeholders of those are written first.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from render.outlets.artifacts import Artifact
from render.pipeline.build import Builder
from render.pipeline.ended import EndedBlock
from render.pipeline.publish import Publisher
from render.pipeline.run import RunMode
from render.pipeline.state import State
from tests.helpers.sites import NOW, SiteDir, alert_doc
from tests.helpers.treecheck import TEXT_SUFFIXES, check_tree, json_strings, references

BASE_URL = "http://127.0.0.1:8000/"


class StepChecker:
    """Follows the publisher's file operations and notes every moment at which a file in
    the tree names one that is not there."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.names: dict[Path, set[Path]] = {}  # text file -> the files of ours it names
        self.problems: list[str] = []
        self.writes = self.deletions = 0
        for path in self.root.rglob("*"):
            if path.is_file() and path.suffix in TEXT_SUFFIXES and not self._hidden(path):
                self.names[path] = self._named_by(path)

    def _hidden(self, path: Path) -> bool:
        return any(p.startswith(".") for p in path.relative_to(self.root).parts)

    def _named_by(self, path: Path) -> set[Path]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            text = "\n".join(json_strings(json.loads(text)))
        return {t for t in references(path, text, self.root, BASE_URL)
                if t.is_relative_to(self.root)}

    def written(self, path: str) -> None:
        self.writes += 1
        target = (self.root / path).resolve()
        if target.suffix not in TEXT_SUFFIXES:
            return
        self.names[target] = self._named_by(target)
        self.problems += [f"after writing {path}: it names missing {t.relative_to(self.root)}"
                          for t in sorted(self.names[target]) if not t.is_file()]

    def removed(self, path: str) -> None:
        self.deletions += 1
        target = (self.root / path).resolve()
        self.names.pop(target, None)
        self.problems += [f"after deleting {path}: {source.relative_to(self.root)} names it"
                          for source, named in sorted(self.names.items()) if target in named]


@pytest.fixture
def checked_site(site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> tuple[SiteDir, StepChecker]:
    """A site whose output exists (one build of an empty alert directory), with every later
    write and deletion of the publisher followed by a `StepChecker`."""
    site.settings_text(f'base_url = "{BASE_URL}"\nretire_seconds = 0\n')
    for name, seed in (("a.jpg", 1), ("b.jpg", 2), ("e.jpg", 3)):
        site.photo(name, size=(300, 400), seed=seed)
    assert site.build().ok
    return site, follow(site.out, monkeypatch)


def follow(out: Path, monkeypatch: pytest.MonkeyPatch) -> StepChecker:
    """A `StepChecker` told of every write and deletion of the publisher from now on."""
    out.mkdir(parents=True, exist_ok=True)
    checker = StepChecker(out)
    write, remove = Publisher._write, Publisher._remove

    def checked_write(publisher: Publisher, path: str, data: bytes) -> None:
        write(publisher, path, data)
        checker.written(path)

    def checked_remove(publisher: Publisher, path: str) -> None:
        remove(publisher, path)
        checker.removed(path)

    monkeypatch.setattr(Publisher, "_write", checked_write)
    monkeypatch.setattr(Publisher, "_remove", checked_remove)
    return checker


@pytest.mark.parametrize("urgent_first", [False, True], ids=["build", "watcher-steps"])
def test_every_moment_of_the_first_publish_leaves_a_whole_tree(
        examples_site: SiteDir, monkeypatch: pytest.MonkeyPatch, urgent_first: bool) -> None:
    """Into an empty output: alert pages name the front pages and archives, which list them
    and so come after them; placeholders of those (naming only the stylesheet) come first."""
    checker = follow(examples_site.out, monkeypatch)
    builder = examples_site.builder()
    try:
        builder.run(NOW, mode=RunMode(urgent_first=urgent_first))
    finally:
        builder.close()
    assert checker.problems == [], "\n".join(checker.problems)
    assert checker.writes > 100
    front = (examples_site.out / "index.html").read_text(encoding="utf-8")
    assert "2026-utrecht-sanne" in front  # the real page replaced its placeholder


def test_every_moment_of_every_publish_leaves_a_whole_tree(
        checked_site: tuple[SiteDir, StepChecker]) -> None:
    site, checker = checked_site
    a = dict(id="2026-order-a", child_photo="photos/a.jpg")
    b = dict(id="2026-order-b", child_photo="photos/b.jpg", level="vermist-kind")
    edits = [
        # A new alert (its two pages name each other), and a drill in the exercise tree.
        lambda: (site.write("a.json", alert_doc(**a)),
                 site.write("e.json", alert_doc(id="2026-order-e", exercise=True,
                                                child_photo="photos/e.jpg"))),
        # A new version of one alert and a second new alert.
        lambda: (site.write("a.json", alert_doc(**a, child_clothing="blauwe jas")),
                 site.write("b.json", alert_doc(**b))),
        # A new photo: every versioned file of the alert is superseded.
        lambda: site.photo("a.jpg", size=(300, 400), seed=9),
        # Found, and withdrawn by deleting the file.
        lambda: (site.write("b.json", alert_doc(**b, status="found")),
                 (site.alerts / "e.json").unlink()),
        # A new version of the alert, then the alert ends while a new one with its id comes.
        lambda: site.write("a.json", alert_doc(**a, child_age=11)),
        lambda: (site.write("a.json", alert_doc(**a, status="cancelled")),
                 site.write("b2.json", alert_doc(id="2026-order-b2",
                                                 child_photo="photos/b.jpg"))),
    ]
    builder = site.builder()
    try:
        for number, edit in enumerate(edits):
            edit()
            now = NOW + timedelta(minutes=number)
            # In turn: a full build, the watcher's two steps, and its urgent step alone
            # (the slow files follow in the next run).
            if number % 3 == 0:
                builder.run(now=now)
            else:
                builder.run(now, mode=RunMode(urgent_first=True,
                                              then_complete=lambda n=number: n % 3 == 1))
            assert checker.problems == [], f"edit {number}: {checker.problems}"
        builder.run(now=now)
    finally:
        builder.close()
    assert checker.problems == []
    assert checker.writes > 100 and checker.deletions > 20, (checker.writes, checker.deletions)
    assert check_tree(site.out, BASE_URL) == []
    assert site.build(now=now).report.written == []


def built_artifacts(site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> dict[str, Artifact]:
    """The artifacts of one full build of the site, by path (the tree holds their bytes)."""
    made: list[tuple[list[Artifact], list[EndedBlock]]] = []
    artifacts_of = Builder._artifacts

    def capture(builder: Builder, *args: object, **kwargs: object
                ) -> tuple[list[Artifact], list[EndedBlock]]:
        made.append(artifacts_of(builder, *args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(Builder, "_artifacts", capture)
    assert site.build().ok
    monkeypatch.undo()
    fresh, kept = made[-1]
    return {a.path: a for a in [*fresh, *(a for block in kept for a in block.artifacts)]}


def test_no_file_names_one_written_after_it(examples_site: SiteDir, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The write order, checked on every reference of the examples' build: a file names only
    files of lower layers, or files whose placeholder is written below it (which holds for
    the very first build into an empty output too)."""
    artifacts = built_artifacts(examples_site, monkeypatch)
    root = examples_site.out.resolve()
    assert BASE_URL in (root / "feeds" / "rss.xml").read_text(encoding="utf-8")
    checked, wrong = 0, []
    for path, artifact in artifacts.items():
        file = root / path
        if file.suffix not in TEXT_SUFFIXES:
            continue
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".json":
            text = "\n".join(json_strings(json.loads(text)))
        for target in references(file, text, root, BASE_URL):
            named = target.relative_to(root).as_posix()
            checked += 1
            if named == path:
                continue
            other = artifacts[named]
            first = other.placeholder.layer if other.placeholder else other.layer
            if first >= artifact.layer:
                wrong.append(f"{path} (layer {artifact.layer}) names {named} (layer {first})")
    assert checked > 200
    assert wrong == []


def test_a_state_from_before_files_knew_their_layer_is_upgraded(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "state.sqlite")
    db.executescript("create table files (path text primary key, key text not null, "
                     "sha256 text not null, retire_at real);"
                     "create table pending (path text primary key);"
                     "insert into files values ('index.html', 'k', 's', null);"
                     "insert into pending values ('alerts/x/index.html');")
    db.commit()
    db.close()
    state = State(tmp_path)
    try:
        assert state.files()["index.html"].layer == 0
        assert state.pending_layers() == {"alerts/x/index.html": 0}
    finally:
        state.close()
