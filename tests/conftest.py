"""Layered fixtures that read like the pipeline: a site (alert directory, settings), then a
build of it, then its output tree.

    def test_x(site):                # an empty site in a temp folder
        site.photo("anna.jpg")       # a drawn (never real) photo
        site.write("anna.json", alert_doc())
        result = site.build()        # one full build, like `kindalarm build`
        assert site.read("index.html")
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # `tools.make_example_photos` draws the test photos

from render.pipeline.build import Builder, BuildResult  # noqa: E402
from tools.make_example_photos import draw_portrait  # noqa: E402

ARTIFACTS = REPO / "test-artifacts"  # screenshots and other evidence kept by the tests
NOW = datetime(2026, 11, 29, 14, 30, tzinfo=UTC)  # after every example's issue time


def alert_doc(**fields: Any) -> dict[str, Any]:
    """A valid kind-alarm document; keyword arguments replace or add fields
    (`child={...}` replaces the whole child table; use `child_name=` for one child field)."""
    doc: dict[str, Any] = {
        "id": "2026-test-anna",
        "level": "kind-alarm",
        "status": "active",
        "issued": "2026-11-29T14:05:00+01:00",
        "regions": ["Utrecht"],
        "child": {"name": "Anna de Test", "age": 8, "photo": "photos/anna.jpg",
                  "clothing": {"nl": "rode jas", "en": "red coat"}},
        "last_seen": {"time": "2026-11-29T13:40:00+01:00", "place": "Utrecht, Griftpark"},
    }
    for key, value in fields.items():
        if key.startswith("child_"):
            doc["child"][key.removeprefix("child_")] = value
        elif key.startswith("last_seen_"):
            doc["last_seen"][key.removeprefix("last_seen_")] = value
        else:
            doc[key] = value
    return {k: v for k, v in doc.items() if v is not None}


def photo_bytes(size: tuple[int, int] = (600, 800), seed: int = 1, fmt: str = "JPEG",
                exif: Any = None) -> bytes:
    image = draw_portrait(seed, size)
    buffer = io.BytesIO()
    options: dict[str, Any] = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


class SiteDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.alerts = root / "alerts"
        self.out = root / "output"
        self.alerts.mkdir(parents=True, exist_ok=True)
        (self.alerts / "photos").mkdir(exist_ok=True)

    def settings_text(self, text: str) -> None:
        (self.root / "kindalarm.toml").write_text(text, encoding="utf-8")

    def write(self, name: str, doc: dict[str, Any] | str) -> Path:
        """Write an alert file the way an operator's tool should: elsewhere, then rename."""
        path = self.alerts / name
        text = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False, indent=1)
        tmp = self.alerts / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return path

    def photo(self, name: str = "anna.jpg", **kwargs: Any) -> Path:
        path = self.alerts / "photos" / name
        path.write_bytes(photo_bytes(**kwargs))
        return path

    def builder(self, **kwargs: Any) -> Builder:
        return Builder(self.root, self.alerts, self.out, **kwargs)

    def build(self, now: datetime = NOW, **kwargs: Any) -> BuildResult:
        builder = self.builder(**kwargs)
        try:
            return builder.run(now=now)
        finally:
            builder.close()

    def read(self, path: str) -> str:
        return (self.out / path).read_text(encoding="utf-8")

    def files(self) -> dict[str, bytes]:
        """Every published file, by path relative to the tree."""
        return {p.relative_to(self.out).as_posix(): p.read_bytes()
                for p in sorted(self.out.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> SiteDir:
    return SiteDir(tmp_path / "site")


@pytest.fixture
def anna(site: SiteDir) -> SiteDir:
    """A site with one valid kind-alarm alert and its photo."""
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    return site


@pytest.fixture
def examples_site(tmp_path: Path) -> SiteDir:
    """A site holding a copy of the shipped examples (examples/alerts)."""
    s = SiteDir(tmp_path / "site")
    shutil.copytree(REPO / "examples" / "alerts", s.alerts, dirs_exist_ok=True)
    shutil.copy(REPO / "kindalarm.toml", s.root / "kindalarm.toml")
    return s


@pytest.fixture
def built_examples(examples_site: SiteDir) -> Iterator[SiteDir]:
    """The examples, built once."""
    result = examples_site.build()
    assert result.ok, [p for r in result.rejected for p in r.problems]
    yield examples_site


@pytest.fixture(scope="session")
def web_gallery(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Sites showing every page type (tests/web_gallery.py), built once per session."""
    from web_gallery import build_gallery

    return build_gallery(tmp_path_factory.mktemp("gallery"))
