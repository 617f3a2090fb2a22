"""The shipped deploy/nginx.conf, served by real nginx on a loopback port: content types,
cache lifetimes, gzip siblings with Vary, ETag/Last-Modified and conditional GETs, no
dotfiles. The checks walk whole trees, so every output kind added later is covered too."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.nginx_local import LocalNginx
from render.outlets.registry import has_gzip_sibling, kind_of, media_type
from render.serve import CHARSET_TYPES
from tests.helpers.http_client import get
from tests.helpers.sites import REPO, SiteDir, alert_doc
from tests.test_registry import sample_paths

SHORT = "public, max-age=30"


def expected_type(path: str) -> str:
    """The media type the path's outlet declares, with the charset nginx adds to text."""
    declared = media_type(path)
    assert declared is not None, f"{path}: no outlet declares this kind of file"
    return f"{declared}; charset=utf-8" if declared.startswith(CHARSET_TYPES) else declared


def served_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and not p.name.endswith(".gz")
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


@pytest.fixture(scope="module")
def served_examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    site = SiteDir(tmp_path_factory.mktemp("nginx") / "site")
    shutil.copytree(REPO / "examples" / "alerts", site.alerts, dirs_exist_ok=True)
    shutil.copy(REPO / "kindalarm.toml", site.root / "kindalarm.toml")
    site.build()
    (site.out / ".kindalarm-tmp" / "half-written.html").write_text("<p>half")
    with LocalNginx(site.out) as nginx:
        yield site.out, nginx.url


@pytest.fixture
def synthetic_tree(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """One file of every kind an outlet declares, in both trees, so the rules are tested
    even for outputs a given build does not make."""
    root = tmp_path / "output"
    for path in sample_paths():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(f"content of {path}\n".encode())
    with LocalNginx(root) as nginx:
        yield root, nginx.url


@pytest.mark.parametrize("tree", ["served_examples", "synthetic_tree"])
def test_every_file_has_its_type_and_cache_lifetime(tree: str,
                                                    request: pytest.FixtureRequest) -> None:
    root, url = request.getfixturevalue(tree)
    paths = served_files(root)
    assert len(paths) > 20
    for path in paths:
        response = get(url + path)
        assert response.status == 200, path
        assert response.body == (root / path).read_bytes(), path
        assert response.header("Content-Type") == expected_type(path), path
        kind = kind_of(path)
        assert kind is not None, path
        cache = response.header("Cache-Control")
        assert cache == kind.cache_control, path
        if kind.personal:  # it must leave caches soon after the alert ends
            assert "immutable" not in cache and int(cache.rpartition("max-age=")[2]) <= 600, \
                path
        assert response.header("ETag") and response.header("Last-Modified"), path
        assert response.header("Access-Control-Allow-Origin") == "*", path


def test_gzip_siblings_are_served_with_vary(served_examples: tuple[Path, str]) -> None:
    root, url = served_examples
    compressible = [p for p in served_files(root) if has_gzip_sibling(p)]
    assert compressible
    for path in compressible:
        packed = get(url + path, {"Accept-Encoding": "gzip"})
        assert packed.header("Content-Encoding") == "gzip", path
        assert packed.header("Vary") == "Accept-Encoding", path
        assert packed.body == (root / path).read_bytes(), path
        plain = get(url + path)
        assert plain.header("Content-Encoding") == "" and plain.header("Vary"), path
        assert plain.body == (root / path).read_bytes(), path
        assert packed.header("Last-Modified") == plain.header("Last-Modified"), path
    image = next(p for p in served_files(root) if p.endswith(".jpg"))
    assert get(url + image, {"Accept-Encoding": "gzip"}).header("Content-Encoding") == ""


def test_dotfiles_and_paths_outside_the_tree_are_not_served(
        served_examples: tuple[Path, str]) -> None:
    _, url = served_examples
    assert get(url + ".kindalarm-tmp/half-written.html").status == 404
    assert get(url + ".kindalarm-tmp/").status == 404
    assert get(url + "alerts/.hidden").status == 404
    assert get(url + "../.output.state/state.sqlite").status in (400, 404)
    assert get(url + "%2e%2e/.output.state/state.sqlite").status in (400, 404)
    assert get(url + "alerts/").status in (403, 404)  # no directory listings


def test_conditional_get_is_304_until_the_file_changes(anna: SiteDir) -> None:
    anna.build()
    with LocalNginx(anna.out) as nginx:
        watched = ["index.html", "api/alerts.json", "status.json",
                   "alerts/2026-test-anna/index.html"]
        first = {p: get(nginx.url + p) for p in watched}
        for path, response in first.items():
            etag, modified = response.header("ETag"), response.header("Last-Modified")
            for encoding in ({}, {"Accept-Encoding": "gzip"}):
                again = get(nginx.url + path, {**encoding, "If-None-Match": etag}
                            if not encoding else {**encoding, "If-Modified-Since": modified})
                assert again.status == 304 and again.body == b"", path
                assert again.header("Cache-Control") == SHORT, path

        anna.build()  # nothing changed: nothing rewritten, still 304
        for path, response in first.items():
            assert get(nginx.url + path, {"If-None-Match": response.header("ETag")}
                       ).status == 304, path

        anna.write("anna.json", alert_doc(child_clothing="groene jas"))
        anna.build()
        for path, response in first.items():
            changed = get(nginx.url + path, {"If-None-Match": response.header("ETag"),
                                             "Accept-Encoding": "gzip"})
            assert changed.status == 200, path
            assert changed.header("ETag") != response.header("ETag"), path
            assert changed.body == (anna.out / path).read_bytes(), path
        assert b"groene jas" in get(nginx.url + "alerts/2026-test-anna/index.html").body


def test_gzip_files_are_deterministic(anna: SiteDir) -> None:
    """Same content, same .gz bytes: a rebuild elsewhere (a second server behind the CDN)
    gives the same gzip body."""
    anna.build()
    other = SiteDir(anna.root.parent / "other")
    shutil.copytree(anna.alerts, other.alerts, dirs_exist_ok=True)
    other.build()
    for path, data in anna.files().items():
        if path.endswith(".gz"):
            assert other.files()[path] == data, path
            assert gzip.decompress(data) == anna.files()[path[:-3]]
