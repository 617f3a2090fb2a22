"""Real headless Chromium for the page tests: Debian's /usr/bin/chromium driven by Playwright
for Python (never a browser download), and a local HTTP server for the built trees."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
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
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(*extra_args: str) -> Iterator[object]:
    """One headless Chromium for a whole test module (`extra_args`: more command-line
    switches, e.g. --allow-file-access-from-files)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, *extra_args],
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()
