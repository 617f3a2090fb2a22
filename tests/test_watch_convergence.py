"""Whatever operators do, once the directory is quiet the watched output is what `build` makes.

Hundreds of seeded random operations (create, edit, rename, delete, bad edits, replaced photos;
by rename or in place; with pauses long enough for builds to run in between) on a watched
directory. Then every bad file is fixed and every alert that ever existed is back in some file,
so the final state does not depend on history; the watched tree must then equal a fresh build
of that directory, except for what legitimately records history.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from render.outlets.registry import OUTLETS
from render.pipeline.memory import Memory
from tests.helpers.sites import SiteDir, alert_doc, photo_bytes
from tests.helpers.watching import SlowShare, wait_idle, watching

OPERATIONS = 320
IDS = [f"2026-conv-{n}" for n in range(6)]  # few: real outlets (posters) are slow
NAMES = [f"file-{n}.{'toml' if n % 4 == 3 else 'json'}" for n in range(10)]
PHOTOS = ["p0.jpg", "p1.jpg", "p2.jpg"]
# History, which a fresh build cannot know: every published version in feeds and CAP, and
# status.json (build time).
HISTORY_PREFIXES = ("feeds/", "cap/", "exercise/feeds/", "exercise/cap/")


def toml_text(doc: dict) -> str:  # type: ignore[type-arg]
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)

    lines = [f"{k} = {value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for table in ("child", "last_seen"):
        lines += [f"\n[{table}]"] + [f"{k} = {value(v)}" for k, v in doc[table].items()]
    return "\n".join(lines) + "\n"


class Operator:
    """Random but valid-by-construction operations; no two files ever hold the same id."""

    def __init__(self, site: SiteDir, seed: int) -> None:
        self.site = site
        self.random = random.Random(seed)
        self.files: dict[str, str] = {}  # file name -> alert id in it
        self.bad: set[str] = set()
        self.used: set[str] = set()

    def doc(self, alert_id: str) -> dict:  # type: ignore[type-arg]
        r = self.random
        level = r.choice(["kind-alarm", "kind-alarm", "vermist-kind"])
        return alert_doc(
            id=alert_id, level=level, status=r.choice(["active"] * 4 + ["found", "cancelled"]),
            exercise=r.random() < 0.2, regions=[r.choice(["Utrecht", "Drenthe", "Nederland"])],
            updated=f"2026-11-29T14:{r.randint(5, 59):02d}:00+01:00",
            child_name=f"Kind {alert_id[-1]} {r.choice(['Jansen', 'Bakker', 'Visser'])}",
            child_age=r.randint(0, 17), child_photo=f"photos/{r.choice(PHOTOS)}",
            child_clothing={"nl": r.choice(["rode jas", "blauwe trui", "gele regenjas"])},
            found_message=None)

    def write(self, name: str, text: str, in_place: bool | None = None) -> None:
        path = self.site.alerts / name
        if in_place if in_place is not None else self.random.random() < 0.3:
            path.write_text(text, encoding="utf-8")  # open, write, close
        else:
            tmp = self.site.alerts / f".{name}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)

    def text(self, name: str, doc: dict) -> str:  # type: ignore[type-arg]
        return toml_text(doc) if name.endswith(".toml") else json.dumps(doc, indent=1)

    def put(self, name: str, alert_id: str, in_place: bool | None = None) -> None:
        self.write(name, self.text(name, self.doc(alert_id)), in_place)
        self.files[name] = alert_id
        self.used.add(alert_id)
        self.bad.discard(name)

    def step(self) -> None:
        r = self.random
        free_names = [n for n in NAMES if n not in self.files]
        free_ids = [i for i in IDS if i not in self.files.values()]
        existing = sorted(self.files)
        choice = r.random()
        if choice < 0.2 and free_names and free_ids:
            self.put(r.choice(free_names), r.choice(free_ids))
        elif choice < 0.5 and existing:
            self.put(name := r.choice(existing), self.files[name])
        elif choice < 0.62 and existing:  # bad edit: the last good version stays published
            name = r.choice(existing)
            doc = self.doc(self.files[name])
            broken = r.choice(["age", "field", "syntax", "photo"])
            if broken == "age":
                doc["child"]["age"] = 19
            elif broken == "field":
                doc["colour"] = "rood"
            elif broken == "photo":
                doc["child"]["photo"] = "photos/missing.jpg"
            text = self.text(name, doc)
            self.write(name, text[: len(text) // 2] if broken == "syntax" else text)
            self.bad.add(name)
        elif choice < 0.75 and existing:  # rename, sometimes over another file
            source = r.choice(existing)
            target = r.choice(free_names + existing)
            if target != source and target.rsplit(".")[1] == source.rsplit(".")[1]:
                os.replace(self.site.alerts / source, self.site.alerts / target)
                self.files[target] = self.files.pop(source)
                if source in self.bad:
                    self.bad.discard(source)
                    self.bad.add(target)
                else:
                    self.bad.discard(target)
        elif choice < 0.88 and existing:
            name = r.choice(existing)
            (self.site.alerts / name).unlink()
            del self.files[name]
            self.bad.discard(name)
        else:  # a photo replaced by a new one
            name = r.choice(PHOTOS)
            tmp = self.site.alerts / "photos" / f".{name}.part"
            tmp.write_bytes(photo_bytes(size=(90, 120), seed=r.randint(1, 10_000)))
            os.replace(tmp, self.site.alerts / "photos" / name)

    def settle(self) -> None:
        """Fix every bad file; give every id that ever existed a file again."""
        for name in sorted(self.bad):
            self.put(name, self.files[name])
        for alert_id in sorted(self.used - set(self.files.values())):
            self.put(next(n for n in NAMES if n not in self.files), alert_id)


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    return {p: data for p, data in files.items()
            if p not in ("status.json", "status.json.gz")
            and not p.startswith(HISTORY_PREFIXES)}


def test_random_operations_converge_to_a_fresh_build(site: SiteDir, tmp_path: Path) -> None:
    site.settings_text("retire_seconds = 0\n")
    for number, name in enumerate(PHOTOS):
        (site.alerts / "photos" / name).write_bytes(photo_bytes(size=(90, 120), seed=number))
    operator = Operator(site, seed=20261129)
    outlets = [*OUTLETS, SlowShare()]  # every real outlet, and a slow step
    with watching(site, outlets=outlets) as (watcher, published):
        for _ in range(OPERATIONS):
            operator.step()
            # Mostly bursts, now and then a pause in which a build (or a part of one) runs.
            time.sleep(operator.random.choice([0, 0, 0.002, 0.01, 0.03, 0.12]))
        operator.settle()
        wait_idle(watcher)
        assert watcher.failures == 0
        rounds = len(published)
    assert len(operator.used) >= 5, "the operations should have touched most ids"
    assert not list(site.alerts.glob("*.error.txt"))
    watched = site.files()
    # The watcher publishes at the clock's time, so these builds do too: which found
    # notices a front page shows depends on it (they leave after found_notice_hours).
    now = datetime.now(UTC)

    fresh = SiteDir(tmp_path / "fresh")
    fresh.settings_text("retire_seconds = 0\n")
    fresh.alerts = site.alerts  # the same final directory, built once from nothing
    result = fresh.build(now, outlets=outlets)
    assert result.ok
    assert comparable(watched) == comparable(fresh.files())
    # The same again by a builder that remembers nothing from run to run (memory.py).
    forgetful = SiteDir(tmp_path / "forgetful")
    forgetful.settings_text("retire_seconds = 0\n")
    forgetful.alerts = site.alerts
    assert forgetful.build(now, outlets=outlets, memory=Memory(enabled=False)).ok
    assert forgetful.files() == fresh.files()
    assert any(p.startswith("alerts/") for p in watched)
    assert any(p.startswith("exercise/") for p in watched)

    # And `build` on the watched output has nothing left to do.
    again = site.build(now, outlets=outlets)
    assert again.ok
    assert again.report.written == [] and again.report.deleted == []
    print(f"{OPERATIONS} operations, {rounds} publishes")
