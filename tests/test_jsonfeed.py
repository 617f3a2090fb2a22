"""`feeds/feed.json`, JSON Feed 1.1: the spec's required fields, the same entries as RSS and
Atom, nothing personal once an alert has ended, and text that cannot break a page."""

from __future__ import annotations

import json
from datetime import datetime

import feedparser

from tests.helpers.feeds import PERSONAL, later, lifecycle_docs
from tests.helpers.sites import SiteDir, alert_doc

PATH = "feeds/feed.json"


def check_json_feed_1_1(feed: dict) -> None:  # type: ignore[type-arg]
    """What https://jsonfeed.org/version/1.1 requires (and what it says a value must be)."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list)
    for key in ("home_page_url", "feed_url"):
        assert feed[key].startswith(("http://", "https://")), key
    for author in feed.get("authors", []):
        assert author.get("name") or author.get("url") or author.get("avatar")
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids), "ids are unique"
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_text" in item or "content_html" in item
        for key in ("date_published", "date_modified"):
            if key in item:  # RFC 3339, with an offset
                assert datetime.fromisoformat(item[key]).tzinfo is not None, item[key]
        for key in ("url", "image"):
            if key in item:
                assert item[key].startswith(("http://", "https://")), item[key]
        assert isinstance(item.get("tags", []), list)


def read(site: SiteDir) -> dict:  # type: ignore[type-arg]
    data = (site.out / PATH).read_bytes()
    return json.loads(data)


def test_examples_json_feed_follows_the_spec_and_the_other_feeds(built_examples: SiteDir
                                                                  ) -> None:
    feed = read(built_examples)
    check_json_feed_1_1(feed)
    assert feed["feed_url"].endswith(PATH) and feed["language"] == "nl"
    atom = feedparser.parse((built_examples.out / "feeds/atom.xml").read_bytes())
    rss = feedparser.parse((built_examples.out / "feeds/rss.xml").read_bytes())
    assert feed["items"], "the examples publish messages"
    assert [i["id"] for i in feed["items"]] == [e.id for e in atom.entries] \
        == [e.id for e in rss.entries]
    assert [i["title"] for i in feed["items"]] == [e.title for e in atom.entries]
    for item, entry in zip(feed["items"], atom.entries, strict=True):
        assert item["url"] == entry.link
        assert item["content_text"] == entry.summary
        assert datetime.fromisoformat(item["date_published"]) \
            == datetime.fromisoformat(entry.published)
        enclosures = [link.href for link in entry.get("links", []) if link.rel == "enclosure"]
        assert ([item["image"]] if "image" in item else []) == enclosures
    exercise = json.loads((built_examples.out / "exercise" / PATH).read_bytes())
    check_json_feed_1_1(exercise)
    assert "OEFENING" in exercise["title"]


def test_json_feed_through_a_lifecycle_keeps_nothing_personal(site: SiteDir) -> None:
    site.photo("anna.jpg")
    docs = lifecycle_docs()
    for step, name in enumerate(("alert", "update")):
        site.write("anna.json", docs[name])
        site.build(now=later(step))
    feed = read(site)
    check_json_feed_1_1(feed)
    assert [i["title"].split(":")[0] for i in feed["items"]] == ["KIND ALARM (update)",
                                                                 "KIND ALARM"]
    assert feed["items"][0]["image"].endswith("/og.png")
    site.write("anna.json", docs["found"])
    site.build(now=later(2))
    feed = read(site)
    check_json_feed_1_1(feed)
    assert feed["items"][0]["title"] == "KIND ALARM: Anna is gevonden"
    assert all("image" not in item for item in feed["items"])
    data = (site.out / PATH).read_bytes()
    for secret in PERSONAL:
        assert secret not in data, secret


def test_a_name_with_markup_cannot_break_a_page_that_embeds_the_feed(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc(child_name="Eva <script>&amp;</script>"))
    site.build()
    data = (site.out / PATH).read_bytes()
    assert b"<" not in data and b">" not in data and b"&" not in data
    assert b"\\u003cscript\\u003e" in data
    (item,) = json.loads(data)["items"]
    assert "Eva <script>&amp;</script>" in item["title"]  # the same text, read back
