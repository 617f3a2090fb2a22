"""Polite polling: a conditional GET that remembers each URL's ETag and Last-Modified, so an
unchanged file costs a 304 with no body. Standard library only; copy it with a poller."""

from __future__ import annotations

import gzip
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

USER_AGENT = "kindalarm-poller-example/1.0 (+mailto:you@example.org)"


@dataclass
class Fetched:
    status: int  # 200, or 304 when unchanged since the last fetch
    body: bytes  # the last body (also on a 304)
    content_type: str


@dataclass
class ConditionalGetter:
    timeout: float = 10.0
    seen: dict[str, tuple[str, str, bytes, str]] = field(default_factory=dict)
    requests: int = 0

    def get(self, url: str) -> Fetched:
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        etag, modified, body, ctype = self.seen.get(url, ("", "", b"", ""))
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        self.requests += 1
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                        timeout=self.timeout) as reply:
                data = reply.read()
                if reply.headers.get("Content-Encoding") == "gzip":
                    data = gzip.decompress(data)
                ctype = reply.headers.get("Content-Type", "")
                self.seen[url] = (reply.headers.get("ETag", ""),
                                  reply.headers.get("Last-Modified", ""), data, ctype)
                return Fetched(reply.status, data, ctype)
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return Fetched(304, body, ctype)
            raise


def poll_forever(step: Callable[[], None], seconds: float, once: bool) -> None:
    """Run `step` now and then every `seconds` (just once with --once)."""
    while True:
        step()
        if once:
            return
        time.sleep(seconds)
