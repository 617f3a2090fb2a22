"""A site for the tests: an alert directory in a temp folder and its output, valid alert
documents to fill it with, and drawn (never real) photos."""

from __future__ import annotations

import io
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from render.pipeline.build import Builder
from render.pipeline.run import BuildResult
from tools.make_example_photos import draw_portrait

REPO = Path(__file__).resolve().parents[2]
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


def copy_of_examples(root: Path) -> SiteDir:
    """A site in `root` holding a copy of the shipped examples and their settings."""
    site = SiteDir(root)
    shutil.copytree(REPO / "examples" / "alerts", site.alerts, dirs_exist_ok=True)
    shutil.copy(REPO / "kindalarm.toml", site.root / "kindalarm.toml")
    return site
