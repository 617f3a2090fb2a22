"""A newsroom's webhook receiver: accept kindalarm's POSTs, check their signature, and show
each message once.

    KINDALARM_SECRET=... python webhook_receiver.py 8080

kindalarm signs the exact body: `X-Kindalarm-Signature: sha256=HEX` is HMAC-SHA256 of the
body with the secret you agreed (set as `secret_env` on their side). A repeat of a delivery
(after a timeout, a restart, a standby publisher) carries the same `X-Kindalarm-Delivery`:
answer 2xx and skip it. Answer 2xx quickly; do slow work after answering.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


def signed_by(secret: bytes, body: bytes, header: str) -> bool:
    """Whether `header` is the HMAC-SHA256 of `body` with `secret` (compared in constant
    time, so a forger learns nothing from how long a refusal takes)."""
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


class Receiver(BaseHTTPRequestHandler):
    secret = b""
    seen: ClassVar[set[str]] = set()  # delivery ids shown (one process: in memory)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not signed_by(self.secret, body, self.headers.get("X-Kindalarm-Signature", "")):
            self.send_response(401)  # not from the publisher: ignore it
            self.end_headers()
            return
        delivery = self.headers.get("X-Kindalarm-Delivery", "")
        self.send_response(204)
        self.end_headers()
        if delivery not in self.seen:
            self.seen.add(delivery)
            print(f"{delivery} {self.headers.get('Content-Type')}: {len(body)} bytes",
                  flush=True)


def main(argv: list[str]) -> None:
    Receiver.secret = os.environ["KINDALARM_SECRET"].encode()
    port = int(argv[0]) if argv else 8080
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
