"""Alerting systems: follow cap/feed.atom and fetch each CAP 1.2 message once.

    python cap_reader.py https://alarm.example.nl/ [--once]

The index lists the current message of every alert, linked with
type="application/cap+xml". A message URL never changes its content (one file per version),
so it is fetched once. `references` names the earlier messages a message updates or
cancels; a resource's <digest> is the SHA-1 of the photo, checked here before use.
"""

from __future__ import annotations

import hashlib
import sys
import urllib.request
import xml.etree.ElementTree as ET

from httpcache import ConditionalGetter, poll_forever

ATOM = "{http://www.w3.org/2005/Atom}"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
CAP_TYPE = "application/cap+xml"


def message_urls(index: bytes) -> list[str]:
    return [link.get("href", "") for link in ET.fromstring(index).iter(f"{ATOM}link")
            if link.get("type") == CAP_TYPE]


def read_message(data: bytes) -> dict[str, object]:
    alert = ET.fromstring(data)
    info = alert.find(f"{CAP}info")
    resources = [] if info is None else [
        {"uri": r.findtext(f"{CAP}uri", ""), "digest": r.findtext(f"{CAP}digest", ""),
         "size": int(r.findtext(f"{CAP}size", "0") or 0)}
        for r in info.iter(f"{CAP}resource")]
    return {"identifier": alert.findtext(f"{CAP}identifier", ""),
            "msgType": alert.findtext(f"{CAP}msgType", ""),
            "references": alert.findtext(f"{CAP}references", ""),
            "headline": "" if info is None else info.findtext(f"{CAP}headline", ""),
            "responseType": "" if info is None else info.findtext(f"{CAP}responseType", ""),
            "resources": resources}


def verified_resource(resource: dict) -> bytes:
    """The resource's bytes, after checking them against the message's SHA-1 digest."""
    with urllib.request.urlopen(resource["uri"], timeout=10) as reply:
        data = reply.read()
    if resource["digest"] and hashlib.sha1(data).hexdigest() != resource["digest"]:
        raise ValueError(f"{resource['uri']}: digest does not match")
    return data


def poll_once(base_url: str, http: ConditionalGetter, known: dict[str, dict]
              ) -> list[dict[str, object]]:
    """Messages not seen before; `known` maps message URL to the parsed message."""
    index = http.get(base_url + "cap/feed.atom")
    new = []
    for url in message_urls(index.body):
        if url not in known:
            known[url] = read_message(http.get(url).body)
            new.append(known[url])
    return new


def main(argv: list[str]) -> None:
    base_url = argv[0].rstrip("/") + "/"
    http, known = ConditionalGetter(), {}

    def show_new() -> None:
        for message in poll_once(base_url, http, known):
            print(message["msgType"], message["responseType"], message["headline"])

    poll_forever(show_new, 60, "--once" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
