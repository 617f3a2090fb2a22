"""The mirror's tests against a real S3 server (SeaweedFS on loopback, deploy/s3_local.py):
a bucket per test, a gate in front of the server that can be shut (a store that is down),
and the bucket read back as a tree."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from render.mirror.mirror import RESERVED
from render.outlets.registry import has_gzip_sibling
from tests.helpers.sites import SiteDir


@dataclass(frozen=True)
class Object:
    body: bytes
    content_type: str
    cache_control: str


def new_bucket(client: Any) -> str:
    name = "t-" + secrets.token_hex(6)
    client.create_bucket(Bucket=name)
    return name


def bucket_tree(client: Any, bucket: str, prefix: str = "") -> dict[str, Object]:
    """Every object under the prefix, by path (the prefix taken off), but the mirror's own
    (the lease)."""
    tree = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["Key"][len(prefix):].startswith(RESERVED):
                continue
            answer = client.get_object(Bucket=bucket, Key=item["Key"])
            tree[item["Key"][len(prefix):]] = Object(
                answer["Body"].read(), answer.get("ContentType", ""),
                answer.get("CacheControl", ""))
    return tree


def mirrored_files(site: SiteDir) -> dict[str, bytes]:
    """The output tree as the bucket should hold it: without the gzip siblings."""
    return {p: b for p, b in site.files().items()
            if not (p.endswith(".gz") and has_gzip_sibling(p[:-3]))}


def mirror_settings(endpoint: str, bucket: str, prefix: str = "site", extra: str = "") -> str:
    return (f'base_url = "http://127.0.0.1:8000/"\n{extra}\n[mirror]\n'
            f'url = "s3://{bucket}/{prefix}"\nendpoint_url = "{endpoint}"\n'
            'region = "us-east-1"\n')


class Gate:
    """A TCP forwarder on a loopback port in front of `upstream`: `shut()` refuses every
    connection (the store is down), `open()` lets them through again; `delay` slows each
    forwarded request down (a slow store, so a pass can be caught in the middle)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.is_open = True
        self.hangs = False  # accept, then never answer (a store that hangs)
        self.delay = 0.0
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def shut(self) -> None:
        self.is_open = False
        for conn in list(self.connections):  # kept-alive connections die too
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.connections.clear()

    def open(self) -> None:
        self.is_open = True

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.is_open:
                client.close()
                continue
            if self.hangs:
                self.connections.append(client)
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            self.connections += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False),
                             daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, slow: bool) -> None:
        try:
            while data := source.recv(65536):
                if slow and self.delay:
                    time.sleep(self.delay)
                while self.hangs and self.is_open:  # kept-alive connections hang too
                    time.sleep(0.05)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        self.shut()
        self.listener.close()
