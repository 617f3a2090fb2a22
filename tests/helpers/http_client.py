"""A tiny HTTP client for the serving tests: raw status, headers and body (gzip undone on
request), no redirects or caching in the way, loopback only."""

from __future__ import annotations

import gzip
import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes  # decoded from gzip when the server sent gzip

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10.0) -> Response:
    parts = urlsplit(url)
    assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/", headers=headers or {})
        reply = connection.getresponse()
        body = reply.read()  # raises IncompleteRead when Content-Length is not met
        fields = {k.lower(): v for k, v in reply.getheaders()}
    finally:
        connection.close()
    if fields.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return Response(reply.status, fields, body)
