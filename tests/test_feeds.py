"""RSS 2.0 and Atom 1.0: what feed readers get, through the lifecycle, byte-stable."""

from __future__ import annotations

import dataclasses

import feedparser

from render.outlets import feeds
from render.outlets.registry import OUTLETS
from tests.helpers.feeds import PERSONAL, assert_link_resolves, later, lifecycle_docs
from tests.helpers.sites import NOW, SiteDir, alert_doc
from tests.helpers.watching import urgent_step

FEEDS = ("feeds/rss.xml", "feeds/atom.xml")


def _parse(site: SiteDir, path: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((site.out / path).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def _feed_files(site: SiteDir) -> dict[str, bytes]:
    """Every file this issue publishes: feeds, CAP messages and index, texts."""
    return {p: b for p, b in site.files().items()
            if "feeds/" in p or "cap/" in p or p.endswith("texts.json")}


def test_example_feeds_read_back(built_examples: SiteDir) -> None:
    for path in FEEDS:
        parsed = _parse(built_examples, path)
        entries = parsed.entries
        assert len(entries) == 5  # one message per public alert; the drill is not here
        moments = [e.published_parsed for e in entries]
        assert moments == sorted(moments, reverse=True)  # newest first
        titles = " | ".join(e.title for e in entries)
        assert "KIND ALARM: Sanne de Vries (8)" in titles
        assert "Milan is gevonden" in titles
        assert "OEFENING" not in titles and "Lotte" not in titles
        for entry in entries:
            assert_link_resolves(built_examples, entry.link)
            for enclosure in entry.get("enclosures", []):
                assert_link_resolves(built_examples, enclosure.href)
        milan = next(e for e in entries if "Milan" in e.title)
        assert not milan.get("enclosures")  # ended: no picture
        assert_link_resolves(built_examples, parsed.feed.link)


def test_exercise_feeds_are_marked(built_examples: SiteDir) -> None:
    for path in FEEDS:
        parsed = _parse(built_examples, f"exercise/{path}")
        assert "OEFENING" in parsed.feed.title
        assert [e.title.split(":")[0] for e in parsed.entries] == ["OEFENING KIND ALARM"]
        assert "/exercise/" in parsed.entries[0].link


def test_second_build_leaves_feed_bytes_alone(built_examples: SiteDir) -> None:
    before = _feed_files(built_examples)
    assert any(p.endswith("rss.xml") for p in before) and any("cap/" in p for p in before)
    built_examples.build(now=later(3))
    assert _feed_files(built_examples) == before


def test_fresh_render_does_not_depend_on_the_clock(examples_site: SiteDir, tmp_path) -> None:
    """Render everything twice, from scratch, at different moments: same bytes."""
    examples_site.build(now=NOW)
    first = _feed_files(examples_site)
    other = SiteDir(examples_site.root)
    other.out = tmp_path / "elsewhere"
    other.build(now=later(2))
    assert _feed_files(other) == first


def test_lifecycle_entries_and_no_details_once_found(site: SiteDir) -> None:
    site.photo("anna.jpg")
    docs = lifecycle_docs()
    for step, name in enumerate(("alert", "update")):
        site.write("anna.json", docs[name])
        site.build(now=later(step))
    parsed = _parse(site, "feeds/atom.xml")
    assert [e.title.split(":")[0] for e in parsed.entries] == [
        "KIND ALARM (update)", "KIND ALARM"]
    assert "blauwe jas" in parsed.entries[1].summary  # every entry shows the current view
    site.write("anna.json", docs["found"])
    site.build(now=later(2))
    for path in FEEDS:
        entries = _parse(site, path).entries
        assert len(entries) == 3
        assert entries[0].title == "KIND ALARM: Anna is gevonden"
        assert entries[0].summary == "Anna is terecht."
        assert all(not e.get("enclosures") for e in entries)
        data = (site.out / path).read_bytes()
        for secret in PERSONAL:
            assert secret not in data, (path, secret)


def test_withdrawn_and_expired_entries(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", lifecycle_docs()["expiring"])
    site.photo("bram.jpg", seed=2)
    site.write("bram.json", alert_doc(id="2026-test-bram", child_name="Bram Test",
                                      child_photo="photos/bram.jpg"))
    site.build()
    (site.alerts / "bram.json").unlink()
    site.build(now=later(60))
    titles = [e.title for e in _parse(site, "feeds/rss.xml").entries]
    assert "KIND ALARM: melding ingetrokken" in titles
    assert "KIND ALARM: melding beëindigd" in titles
    assert not any("Bram" in t or "Anna" in t for t in titles)


def test_urgent_step_names_the_web_photo_not_the_share_image(anna: SiteDir) -> None:
    """Before the slow step has run, share images do not exist: enclose the web photo."""
    outlets = [o for o in OUTLETS if o is not feeds] + [urgent_step(feeds)]
    anna.build(outlets=outlets)
    for path in FEEDS:
        entry = _parse(anna, path).entries[0]
        (enclosure,) = entry.enclosures
        assert enclosure.href.endswith("/photo.jpg") and enclosure.type == "image/jpeg"
        target = anna.out / enclosure.href.split("/", 3)[3]
        if path.endswith("rss.xml"):
            assert int(enclosure.length) == target.stat().st_size


def test_control_characters_and_markup_are_escaped(site: SiteDir) -> None:
    site.settings_text('site_name = "Kind\\u0007 Alarm <&>"\n'
                       '[labels]\nkind-alarm = "KIND\\u0001 ALARM"\n')
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc(child_name='Anna <script>&amp;"x"</script>'))
    site.build()
    for path in FEEDS:
        parsed = _parse(site, path)
        assert parsed.feed.title == "Kind Alarm <&>"
        assert parsed.entries[0].title.startswith('KIND ALARM: Anna <script>&amp;"x"</script>')


def test_feeds_list_the_50_newest_messages_of_many(site: SiteDir) -> None:
    """Fifty-five withdrawn alerts, issued in a shuffled order: the feeds list the fifty
    newest messages, newest first (the build takes the top, it no longer sorts them all)."""
    order = [(number * 37) % 55 for number in range(55)]  # every hour once, shuffled
    for number, hour in enumerate(order):
        moment = f"2026-11-{1 + hour // 24:02d}T{hour % 24:02d}:00:00+01:00"
        site.write(f"a{number:02d}.json", alert_doc(
            id=f"2026-many-{hour:02d}", level="vermist-kind", status="cancelled",
            issued=moment, updated=moment, child={"name": f"Kind {hour}", "age": 9},
            last_seen_time=moment))
    assert site.build().ok
    for path in FEEDS:
        entries = _parse(site, path).entries
        assert len(entries) == 50, path
        ids = [e.link.rstrip("/").rsplit("/", 1)[-1] for e in entries]
        assert ids == [f"2026-many-{hour:02d}" for hour in range(54, 4, -1)], path


@dataclasses.dataclass(eq=False)
class _View:
    """What the feeds' and archive's lists read of a view."""

    id: str
    active: bool
    updated_us: int

    @property
    def id_version(self) -> str:
        """As a view's version, a hash of everything it shows: another state, another one."""
        return f"{self.id} {self.active} {self.updated_us}"

    @property
    def version(self) -> str:
        return f"v{self.updated_us % 3}"


def test_lists_carried_from_run_to_run_are_those_of_a_fresh_look() -> None:
    """A watcher's contexts carry the feeds' newest messages, the archive's ended list, the
    messages by alert and the ended alerts with earlier messages (CAP's Cancels) from run to
    run (`context.Carry`), looking only at what was added: after every one of 60
    runs of random changes (new messages, some dated in the past; alerts that come, end, go
    and come back with their old messages), they are exactly what a fresh context finds."""
    import random

    from render.outlets.context import Carry, RenderContext
    from render.pipeline.state import Message

    rng = random.Random(7)
    carry = Carry()
    history: list[Message] = []
    views = {f"a{n}": _View(f"a{n}", active=True, updated_us=n) for n in range(40)}
    hidden: dict[str, _View] = {}
    reused, carry_before = 0, None

    def context(views: list[_View], carry: Carry) -> RenderContext:
        return RenderContext(settings=None, views=views, history=list(history),  # type: ignore[arg-type]
                             now=NOW, photos=None, templates=None, site=None,  # type: ignore[arg-type]
                             tree="", render_key="", carry=carry)

    for run in range(60):
        for _ in range(rng.randrange(0, 8)):
            alert_id = rng.choice([*views, *hidden, f"a{rng.randrange(100)}"])
            hour = rng.randrange(24 * 28)
            sent = f"2026-11-{1 + hour // 24:02d}T{hour % 24:02d}:00:00+01:00"
            history.append(Message(len(history) + 1, alert_id, f"v{rng.randrange(3)}", "alert",
                                   sent, False))
            if alert_id not in views and alert_id not in hidden:
                views[alert_id] = _View(alert_id, active=True, updated_us=run)
        for _ in range(rng.randrange(0, 3)):  # an alert ends: a new view of it
            alert_id = rng.choice(list(views))
            views[alert_id] = _View(alert_id, active=False, updated_us=rng.randrange(10**6))
        if rng.random() < 0.2:  # an alert leaves the views, or one comes back
            if hidden and rng.random() < 0.5:
                alert_id = rng.choice(list(hidden))
                views[alert_id] = hidden.pop(alert_id)
            else:
                alert_id = rng.choice(list(views))
                hidden[alert_id] = views.pop(alert_id)
        listed = list(views.values())
        carried, fresh = context(listed, carry), context(listed, Carry())
        assert carried.newest_messages == fresh.newest_messages, run
        assert carried.ended == fresh.ended and carried.ended_digest == fresh.ended_digest, run
        assert carried.history_by_alert == fresh.history_by_alert, run
        assert carried.ended_messaged == fresh.ended_messaged, run
        reused += carried.ended_messaged is carry_before
        carry_before = carried.ended_messaged
    assert len(fresh.newest_messages) == 50 and carry.newest is not None
    # Some runs changed nothing the Cancels depend on, and reused the carried list.
    assert 0 < reused < 60 and 0 < len(fresh.ended_messaged) < len(fresh.ended)
