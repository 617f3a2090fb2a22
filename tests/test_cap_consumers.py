"""Our CAP as the systems that consume it read it: IRIS (road signs), Xibo and Screenly
(signage players), Google's validator and the OASIS schema, over every message of the
examples and of a lifecycle (alert, update, found, withdrawn, expired, deleted, drills).
The readers and their sources are in tests/helpers/cap_readers.py, cap_screens.py and
cap_google.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from anyascii import anyascii
from lxml import etree

from render.outlets.cap import ENDED_EVENT, EVENT
from render.tree import CAP_RENEWAL
from tests.helpers.cap_google import google_problems
from tests.helpers.cap_readers import iris_read, iris_stores, polygon_problems
from tests.helpers.cap_screens import screenly_read, xibo_read
from tests.helpers.feeds import CAP, cap_files, later, lifecycle_docs, validate_cap
from tests.helpers.sites import SiteDir, alert_doc, copy_of_examples

# Events by language, also as cap/signs.atom spells them (ASCII).
ENDED = {lang: {f(words[lang]) for words in ENDED_EVENT.values() for f in (str, anyascii)}
         for lang in ("nl", "en")}
ACTIVE = {lang: {words[lang] for words in EVENT.values()} for lang in ("nl", "en")}
LEVEL_CODE = {"KIND ALARM": "CAE", "VERMIST KIND": "MEP"}
UTRECHT, GRONINGEN = (52.09, 5.12), (53.22, 6.57)  # a display in each


@dataclass
class Published:
    """Every CAP document a site published, by where it stood and when."""

    messages: dict[str, bytes] = field(default_factory=dict)  # cap/ID/VERSION.xml, any step
    latest: dict[str, bytes] = field(default_factory=dict)  # "step:tree" -> cap/latest.xml
    signs: dict[str, bytes] = field(default_factory=dict)  # "step:tree" -> cap/signs.atom
    order: list[str] = field(default_factory=list)  # message paths in the order first seen

    def take(self, site: SiteDir, step: str) -> None:
        for tree in ("", "exercise/"):
            for path, data in cap_files(site, tree).items():
                if path not in self.messages:
                    self.order.append(path)
                self.messages[path] = data
            for name, kept in (("latest.xml", self.latest), ("signs.atom", self.signs)):
                if (site.out / tree / "cap" / name).is_file():
                    kept[f"{step}:{tree}"] = (site.out / tree / "cap" / name).read_bytes()

    def every_message(self) -> dict[str, bytes]:
        """Each message file, each latest.xml and each alert embedded in signs.atom."""
        every = dict(self.messages) | {f"{k} latest": v for k, v in self.latest.items()}
        for key, feed in self.signs.items():
            for n, alert in enumerate(etree.fromstring(feed).iter(f"{CAP}alert")):
                every[f"{key} signs {n}"] = etree.tostring(alert)
        return every


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Published:
    site = copy_of_examples(tmp_path_factory.mktemp("examples") / "site")
    assert site.build().ok
    published = Published()
    published.take(site, "examples")
    return published


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Alerts through every state, two and more at once: Anna (KIND ALARM) is updated,
    renewed, then found; Bo (VERMIST KIND, the whole country) ends last, deleted; one is
    withdrawn, one expires, one is deleted early; a drill is found."""
    site = SiteDir(tmp_path_factory.mktemp("lifecycle") / "site")
    site.photo("anna.jpg")
    docs = lifecycle_docs()
    bo = alert_doc(id="2026-test-bo", level="vermist-kind", regions=["Nederland"],
                   issued="2026-11-29T14:10:00+01:00")
    del bo["child"]["photo"]
    drill = alert_doc(id="2026-test-drill", exercise=True)
    steps: list[tuple[int, dict[str, dict[str, object] | None]]] = [
        (0, {"anna": docs["alert"], "bo": bo, "drill": drill,
             "withdrawn": {**docs["alert"], "id": "2026-test-withdrawn"},
             "expiring": {**docs["expiring"], "id": "2026-test-expiring"},
             "gone": {**docs["alert"], "id": "2026-test-gone", "regions": ["Zeeland"]}}),
        (1, {"anna": docs["update"], "gone": None,
             "withdrawn": {**docs["cancelled"], "id": "2026-test-withdrawn"}}),
        (13 * 60, {}),  # half a day on: every active alert's message is renewed
        (13 * 60 + 1, {"anna": docs["found"], "drill": {**docs["found"],
                                                         "id": "2026-test-drill",
                                                         "exercise": True}}),
        (13 * 60 + 2, {"bo": None}),
    ]
    published = Published()
    for minutes, changes in steps:
        for name, doc in changes.items():
            if doc is None:
                (site.alerts / f"{name}.json").unlink()
            else:
                site.write(f"{name}.json", doc)
        assert site.build(now=later(minutes)).ok
        published.take(site, str(minutes))
    assert any(CAP_RENEWAL.match(p) for p in published.messages), "renewals are read too"
    return published


def _sources(request: pytest.FixtureRequest, name: str) -> Published:
    published: Published = request.getfixturevalue(name)
    return published


def _infos(data: bytes) -> list[etree._Element]:
    return etree.fromstring(data).findall(f"{CAP}info")


def _text(element: etree._Element, name: str) -> str:
    return element.findtext(CAP + name) or ""


@pytest.mark.parametrize("source", ["examples", "lifecycle"])
def test_schema_and_googles_rules_find_nothing(request: pytest.FixtureRequest,
                                               source: str) -> None:
    every = _sources(request, source).every_message()
    assert len(every) >= (8 if source == "examples" else 30), sorted(every)
    for where, data in every.items():
        validate_cap(data)
        assert google_problems(data) == [], where


@pytest.mark.parametrize("source", ["examples", "lifecycle"])
def test_iris_finds_the_event_a_polygon_and_expires(request: pytest.FixtureRequest,
                                                    source: str) -> None:
    """IRIS's reading of each message: the SAME code of its level (only CAE is one IRIS
    can configure), polygons it can store, expires, and the response type its alert
    configurations select on; drills it skips."""
    for where, data in _sources(request, source).every_message().items():
        alert = etree.fromstring(data)
        read = iris_read(data)
        if _text(alert, "status") == "Exercise":
            assert read == [], where
            continue
        assert len(read) == 2, where
        assert iris_stores(data) or " signs " not in where, where  # cap/signs.atom: ASCII
        level = alert.findtext(f"{CAP}info/{CAP}parameter/{CAP}value")  # ours, not IRIS's
        ending = _text(alert, "msgType") == "Cancel"
        for info in read:
            assert info.event == LEVEL_CODE[level], where
            assert info.configurable == (level == "KIND ALARM"), where
            assert info.response_type == ("AllClear" if ending else "Monitor"), where
            assert info.end > info.start or ending, where
            assert info.polygons and info.area_desc, where
            for points in info.polygons:
                assert polygon_problems(points) == [], (where, points)


def test_iris_clears_what_a_cancel_ends(lifecycle: Published) -> None:
    """An Update or Cancel references every earlier message of its alert (none has expired
    in this lifecycle), so IRIS clears each sign any of them put up."""
    by_alert: dict[str, list[str]] = {}
    cancels = 0
    for path in lifecycle.order:
        alert_id = path.split("/")[-2]
        data = lifecycle.messages[path]
        read = iris_read(data)
        identifier = _text(etree.fromstring(data), "identifier")
        if read:
            cancels += read[0].msg_type == "Cancel"
            assert set(read[0].references) == set(by_alert.get(alert_id, [])), path
        by_alert.setdefault(alert_id, []).append(identifier)
    assert cancels == 5  # found, withdrawn, expired, deleted early, deleted last


@pytest.mark.parametrize("source", ["examples", "lifecycle"])
def test_xibo_makes_an_item_per_info_and_area(request: pytest.FixtureRequest,
                                              source: str) -> None:
    for where, data in _sources(request, source).every_message().items():
        read = xibo_read(data)
        infos = _infos(data)
        areas = [area for info in infos for area in info.findall(f"{CAP}area")]
        assert len(read.items) == len(areas) == len(infos) == 2, where
        assert [i.event for i in read.items] == [_text(i, "event") for i in infos], where
        assert all(i.headline and i.dateTimeExpires and i.areaDesc for i in read.items)
        # What area-specific delivery reads when an area has no circle: its first polygon.
        assert all(_text(area, "polygon") for area in areas), where
        exercise = _text(etree.fromstring(data), "status") == "Exercise"
        assert read.status == ("test_alerts" if exercise else "actual_alerts"), where
        assert read.category == "Rescue"


def test_xibo_area_specific_delivery_finds_displays_in_the_regions(lifecycle: Published
                                                                   ) -> None:
    """With "Area-Specific Alert Delivery" on, an ending (its regions' polygons, no circle)
    reaches a display inside its first region and none outside; a national one reaches
    both."""
    final = lifecycle.latest[f"{13 * 60 + 2}:"]  # Bo's Cancel: all of the Netherlands
    for display in (UTRECHT, GRONINGEN):
        assert len(xibo_read(final, display=display).items) == 2, display
    (found,) = [d for p, d in lifecycle.messages.items()
                if "2026-test-anna" in p and b"<msgType>Cancel" in d]
    assert len(xibo_read(found, display=UTRECHT).items) == 2
    assert xibo_read(found, display=GRONINGEN).items == []
    only_monitor = xibo_read(found, filters={"responseType": "Monitor"})
    assert only_monitor.items == [] and only_monitor.status == "actual_alerts"


@pytest.mark.parametrize("source", ["examples", "lifecycle"])
def test_screenly_shows_the_info_of_its_language(request: pytest.FixtureRequest,
                                                 source: str) -> None:
    """Screenly picks the info whose language equals its setting, literally: `nl` gets the
    Dutch one, `en` (its default) the English one. An active message shows its photo; an
    ending one reads as over in every part of the card but the status banner."""
    for where, data in _sources(request, source).every_message().items():
        alert = etree.fromstring(data)
        ending = _text(alert, "msgType") == "Cancel"
        for language in ("nl", "en"):
            (card,) = screenly_read(data, language)
            assert card.language == language, where
            assert card.title in (ENDED if ending else ACTIVE)[language], where
            (info,) = [i for i in _infos(data) if _text(i, "language") == language]
            assert card.headline == _text(info, "headline")
            photos = [_text(r, "uri") for r in info.iterfind(f"{CAP}resource")]
            assert card.images == tuple(photos), where
            if ending:
                assert card.badge == "Past Minor Observed", where
                assert card.images == () and card.highlighted == (), where
        assert screenly_read(data) == screenly_read(data, "en")
        exercise = _text(alert, "status") == "Exercise"
        assert (screenly_read(data)[0].banner == "EXERCISE - THIS IS A DRILL") == exercise


def test_readers_see_a_broken_message(anna: SiteDir) -> None:
    """The readers can fail: a message without expires, languages nl-NL and en-US, and an
    area without a polygon is what IRIS drops, what Screenly mismatches and what Google
    rejects."""
    assert anna.build().ok
    (data,) = cap_files(anna).values()
    broken = data.replace(b"<language>nl</language>", b"<language>nl-NL</language>") \
        .replace(b"<language>en</language>", b"<language>en-US</language>")
    broken = b"".join(line for line in broken.splitlines(keepends=True)
                      if b"<expires>" not in line and b"<polygon>" not in line)
    with pytest.raises(KeyError):
        iris_read(broken)
    assert not iris_stores(data.replace(b"Anna de Test", "Zoë de Test".encode()))
    assert screenly_read(broken, "en")[0].language == "nl-NL"  # the first, not English
    problems = google_problems(broken)
    for reason in ("EXPIRES_IS_REQUIRED", "CIRCLE_POLYGON_OR_GEOCODE_IS_REQUIRED"):
        assert any(p.startswith(reason) for p in problems), problems
    assert google_problems(data.replace(b"<event>Missing child alert", b"<event>Kind Alarm"))
