"""Built sites that between them show every page type, for the web and API tests.

    empty   no alerts at all: the quiet front page and widget
    one     one kind-alarm alert
    many    the shipped examples plus one: five active alerts, a found notice, a drill
    ended   a withdrawn and an expired alert, and two active alerts with hostile text
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.sites import NOW, REPO, SiteDir, alert_doc

# Every hostile case the pages must survive: markup and quotes, right-to-left script,
# the longest allowed name, and Dutch compounds far wider than a phone.
RTL_NAME = 'نور "<b>" בן-דוד'
LONG_NAME = ("Maximiliaan-Alexander Wilhelmina-Christoffel van Oldenbarnevelt-Zuylenburgh"
             "-Tromp")[:80]
COMPOUND = "kindercarnavalsoptochtvoorbereidingswerkzaamhedenplanningsoverleggroepje"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> \'quotes\' & "more"'


@dataclass(frozen=True)
class Gallery:
    empty: SiteDir
    one: SiteDir
    many: SiteDir
    ended: SiteDir

    def sites(self) -> dict[str, SiteDir]:
        return {"empty": self.empty, "one": self.one, "many": self.many, "ended": self.ended}


def build_gallery(root: Path) -> Gallery:
    empty = SiteDir(root / "empty")
    _build(empty)

    one = SiteDir(root / "one")
    one.photo("anna.jpg")
    one.write("anna.json", alert_doc())
    _build(one)

    many = SiteDir(root / "many")
    shutil.copytree(REPO / "examples" / "alerts", many.alerts, dirs_exist_ok=True)
    many.photo("anna.jpg", seed=7)
    many.write("anna.json", alert_doc(issued="2026-11-29T12:00:00+01:00"))
    _build(many)

    ended = SiteDir(root / "ended")
    ended.photo("anna.jpg", seed=3)
    ended.photo("wide.png", size=(900, 500), seed=4, fmt="PNG")
    ended.write("withdrawn.json", _without_photo(alert_doc(id="2026-test-withdrawn",
                                                           level="vermist-kind")))
    _build(ended)  # published first, so deleting its file withdraws it
    (ended.alerts / "withdrawn.json").unlink()
    ended.write("expired.json", alert_doc(id="2026-test-expired",
                                          expires="2026-11-29T14:30:00+01:00"))
    ended.write("rtl.json", alert_doc(
        id="2026-test-rtl", child_name=RTL_NAME, child_photo="photos/wide.png",
        description={"nl": MARKUP}, child_features=MARKUP,
        last_seen_place={"nl": "Den Haag, " + COMPOUND, "en": "The Hague"},
        vehicles=[{"description": MARKUP, "plate": "<b>XX-99</b>"}],
        suspects=[{"description": {"nl": "man met " + COMPOUND}}],
    ))
    ended.write("long.json", _without_photo(alert_doc(
        id="2026-test-long", level="vermist-kind", child_name=LONG_NAME,
        child_clothing={"nl": COMPOUND + " en " + COMPOUND}, child_hair=COMPOUND,
        contact={"phone": "112", "tipline": "0800 " + "1" * 19},
    )))
    _build(ended)
    return Gallery(empty, one, many, ended)


def _without_photo(doc: dict[str, Any]) -> dict[str, Any]:
    del doc["child"]["photo"]
    return doc


def _build(site: SiteDir) -> None:
    result = site.build(now=NOW)
    assert result.ok, ([p for r in result.rejected for p in r.problems], result.report.failed)


def html_pages(site: SiteDir) -> list[Path]:
    return sorted(site.out.rglob("*.html"))
