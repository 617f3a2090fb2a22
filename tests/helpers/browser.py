"""Real headless Chromium for the page tests: Debian's /usr/bin/chromium driven by Playwright
for Python (never a browser download), and a local HTTP server for the built trees."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

# One headless Chromium for a whole test module, the one `kindalarm proof` uses.
from render.player_frame import headless_chromium as chromium
from render.serve import serving

__all__ = ["VIEWPORTS", "chromium", "serve"]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map,  # noqa: RUF012
                      ".woff2": "font/woff2", ".json": "application/json"}
    answers: dict[str, tuple[int, bytes]] = {}  # noqa: RUF012  (one per serve(), see there)
    image_delay = 0.0

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in self.answers:
            status, body = self.answers[path]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return
        if self.image_delay and path.endswith((".png", ".gif", ".jpg")):
            time.sleep(self.image_delay)  # a slow network, for the player's preloading
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path, answers: dict[str, tuple[int, bytes]] | None = None,
          image_delay: float = 0.0) -> Iterator[str]:
    """Serve `root` on a free local port; yields the base URL (ending in /). `answers`, URL
    path -> (status, body), is answered instead of the file while the test changes it;
    images come `image_delay` seconds late."""
    handler = functools.partial(type("Handler", (_QuietHandler,), {
        "answers": {} if answers is None else answers, "image_delay": image_delay}),
        directory=str(root))
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as port:
        yield f"http://127.0.0.1:{port}/"
