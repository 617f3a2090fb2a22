"""The preview server (`kindalarm serve`): loopback by default, and nothing outside the
published tree: no ../, no link leading out, no dotfiles (the publisher's temp folder)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from render.serve import parse_address, serve_in_thread
from tests.helpers.http_client import get
from tests.helpers.sites import SiteDir, alert_doc


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteDir, str]]:
    tmp_path = tmp_path_factory.mktemp("preview")
    anna = SiteDir(tmp_path / "site")
    anna.photo("anna.jpg")
    anna.write("anna.json", alert_doc())
    anna.build()
    secret = tmp_path / "secret.txt"
    secret.write_text("the state folder and other files beside the tree")
    os.symlink(secret, anna.out / "link-out.txt")
    os.symlink(tmp_path, anna.out / "folder-out")
    (anna.out / ".kindalarm-tmp" / "half.html").write_text("<p>half")
    server = serve_in_thread(anna.out, "127.0.0.1", 0)
    try:
        yield anna, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_default_address_is_loopback() -> None:
    assert parse_address("8000") == ("127.0.0.1", 8000)
    assert parse_address(":8000") == ("127.0.0.1", 8000)
    assert parse_address("0.0.0.0:8000") == ("0.0.0.0", 8000)  # only when asked for


def test_serves_the_tree_with_outlet_types(preview: tuple[SiteDir, str]) -> None:
    site, url = preview
    page = get(url + "alerts/2026-test-anna/index.html")
    assert page.status == 200 and page.body == (site.out / "alerts/2026-test-anna/index.html"
                                                ).read_bytes()
    assert get(url + "api/alerts.json").header("Content-Type").startswith("application/json")
    assert get(url).status == 200  # the index of a folder


@pytest.mark.parametrize("path", [
    "../secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt", "alerts/../../secret.txt",
    "link-out.txt", "folder-out/secret.txt", ".kindalarm-tmp/half.html", ".kindalarm-tmp/",
    "../.site.state/state.sqlite", "/etc/passwd", "%2fetc%2fpasswd", "alerts/%00",
])
def test_nothing_outside_the_tree_is_served(preview: tuple[SiteDir, str], path: str) -> None:
    _, url = preview
    response = get(url + path)
    assert response.status in (400, 403, 404), (path, response.status)
    assert b"the state folder" not in response.body and b"root:" not in response.body


def test_the_preview_server_does_not_listen_beyond_loopback(anna: SiteDir) -> None:
    anna.build()
    server = serve_in_thread(anna.out, *parse_address("0"))
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        outward = [address for address in {info[4][0] for info in socket.getaddrinfo(
            socket.gethostname(), None, socket.AF_INET)} if not address.startswith("127.")]
        for address in outward:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=1).close()
    finally:
        server.shutdown()
        server.server_close()
