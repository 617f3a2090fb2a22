"""A small preview server for the published tree (production uses nginx: deploy/).

It binds 127.0.0.1 unless told otherwise and serves only regular files inside the tree:
no dotfiles (the publisher's temp folder), no links that lead out of it.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import ConfigError

log = logging.getLogger("kindalarm")
DENIED = ".denied/none"  # never exists (the publisher writes no dotfiles): answered with 404
# Media types of files no outlet declares (the outlets' own come from their registry).
TYPES = {".xml": "application/xml", ".atom": "application/atom+xml", ".json": "application/json",
         ".txt": "text/plain", ".woff2": "font/woff2"}
# The types nginx's `charset utf-8` applies to (deploy/nginx.conf, charset_types).
CHARSET_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml",
                 "application/rss+xml", "application/cap+xml", "application/feed+json",
                 "image/svg+xml")


def parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"not an address: {address!r}; use PORT or HOST:PORT") from None
    if not 0 <= number <= 65535:
        raise ConfigError(f"not a port: {number}")
    return (host.strip("[]") or "127.0.0.1"), number


class TreeHandler(SimpleHTTPRequestHandler):
    """Serves the output tree for preview, with the published media types."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}  # noqa: RUF012

    def translate_path(self, path: str) -> str:
        translated = Path(super().translate_path(path))
        root = Path(self.directory).resolve()
        try:
            real = translated.resolve()
        except (OSError, ValueError):  # a loop of links, or a NUL byte (%00) in the path
            return str(root / DENIED)
        relative = real.relative_to(root) if real.is_relative_to(root) else None
        if relative is None or any(part.startswith(".") for part in relative.parts):
            return str(root / DENIED)  # outside the tree or hidden: 404
        return str(real)

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        from .outlets.registry import media_type

        full = Path(path)
        root = Path(self.directory).resolve()
        declared = media_type(full.relative_to(root).as_posix()) \
            if full.is_relative_to(root) else None
        media = declared or super().guess_type(path)
        return f"{media}; charset=utf-8" if media.startswith(CHARSET_TYPES) else media

    def log_message(self, format: str, *args: object) -> None:
        log.debug("serve: " + format, *args)


def make_server(root: Path, host: str, port: int) -> ThreadingHTTPServer:
    root.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(TreeHandler, directory=str(root))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise ConfigError(f"cannot serve on {host}:{port}: {exc.strerror}") from None


def serve_in_thread(root: Path, host: str, port: int) -> ThreadingHTTPServer:
    server = make_server(root, host, port)
    threading.Thread(target=server.serve_forever, name="serve", daemon=True).start()
    log.info("serving %s on http://%s:%d/", root, host, server.server_address[1])
    return server


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[int]:
    """`server` answering in a thread while the block runs (a test's, a proof's); yields its
    port, and shuts it down after."""
    threading.Thread(target=server.serve_forever, name="serve", daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def serve_forever(root: Path, host: str, port: int) -> None:
    server = make_server(root, host, port)
    log.info("serving %s on http://%s:%d/ (Ctrl-C stops)", root, host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
