"""News media: read feeds/atom.xml (or feeds/rss.xml) and report new and changed entries.

    python feed_reader.py https://alarm.example.nl/ [--once]

Each entry is one published message of an alert (first alert, update, found, withdrawn);
its id stays the same for the same message, so a reader shows each message once.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

from httpcache import ConditionalGetter, poll_forever

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(feed: bytes) -> list[dict[str, str]]:
    root = ET.fromstring(feed)
    found = []
    for entry in root.iter(f"{ATOM}entry"):
        link = next((e.get("href", "") for e in entry.iter(f"{ATOM}link")
                     if e.get("rel", "alternate") == "alternate"), "")
        found.append({"id": entry.findtext(f"{ATOM}id", ""),
                      "title": entry.findtext(f"{ATOM}title", ""),
                      "updated": entry.findtext(f"{ATOM}updated", ""), "link": link})
    return found


def poll_once(base_url: str, http: ConditionalGetter, shown: set[str]) -> list[dict[str, str]]:
    """Entries not shown before (by id and updated time)."""
    feed = http.get(base_url + "feeds/atom.xml")
    new = [e for e in entries(feed.body) if (e["id"], e["updated"]) not in shown]
    shown.update((e["id"], e["updated"]) for e in new)
    return new


def main(argv: list[str]) -> None:
    base_url = argv[0].rstrip("/") + "/"
    http, shown = ConditionalGetter(), set()

    def show_new() -> None:
        for entry in poll_once(base_url, http, shown):
            print(entry["updated"], entry["title"], entry["link"])

    poll_forever(show_new, 60, "--once" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
