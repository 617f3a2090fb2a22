"""The outlets' declarations (`FILES`) are the facts the rest of the system reads: every
published file is of exactly one declared kind, made with that kind's layer and urgency; the
gzip siblings, the builder's grouping by alert and the preview server's media types follow
from them (nginx's are checked against them in test_nginx.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from render import tree
from render.outlets.outlet import FileKind, artifacts_of
from render.outlets.registry import (
    OUTLETS,
    file_kinds,
    has_gzip_sibling,
    kind_of,
    media_type,
    versioned_alert_id,
)
from render.serve import CHARSET_TYPES, serve_in_thread
from render.signing import Signer, SigningSettings, new_key_file
from tests.helpers.http_client import get
from tests.helpers.signage import context
from tests.helpers.sites import SiteDir

# A value for every named part a pattern may have (tree.PARTS).
SAMPLE = {"id": "2026-sample-1", "version": "0f1e2d3c4b5a", "lang": "en",
          "profile": "ns-station", "phase": "1", "renewal": "2", "fmt": "png", "kind": "og",
          "paper": "a4", "name": "site", "file": "logo.png"}


def claims(path: str) -> list[FileKind]:
    """Every declared kind whose pattern matches `path` (of either tree)."""
    relative = tree.tree_relative(path)[1]
    return [k for k in file_kinds() if k.pattern.match(relative) is not None]


def sample_paths() -> list[str]:
    """One path of every declared kind, in both trees."""
    paths = []
    for kind in file_kinds():
        path = kind.pattern.path(**SAMPLE)
        paths += [path, tree.EXERCISE + path]
    return paths


def test_every_declared_pattern_names_its_parts_and_matches_its_own_sample() -> None:
    for kind in file_kinds():
        path = kind.pattern.path(**SAMPLE)
        assert kind.pattern.match(path) is not None, kind.pattern
        assert kind_of(path) is kind, path
        assert kind_of(tree.EXERCISE + path) is kind, path


def test_no_two_kinds_claim_one_path() -> None:
    for path in sample_paths():
        assert len(claims(path)) == 1, (path, claims(path))


def test_every_published_file_is_of_exactly_one_declared_kind(built_examples: SiteDir) -> None:
    paths = [p for p in built_examples.files() if not p.endswith(".gz")]
    kinds: Counter[str] = Counter()
    for path in paths:
        (kind,) = claims(path)
        kinds[kind.pattern.template] += 1
    # Every kind the examples can make is there (CAP renewals once half a message's life has
    # passed; signatures only with a signing key).
    missing = {k.pattern.template for k in file_kinds()} - set(kinds)
    assert missing == {"cap/{id}/{version}-{renewal}.xml", "displays/{profile}/manifest.jws",
                       "api/alerts.jws", "keys/jwks.json"}, missing


def test_outlets_make_their_files_as_they_declare_them(built_examples: SiteDir) -> None:
    key_file = built_examples.root / "k.pem"
    new_key_file(key_file)
    signer = Signer(SigningSettings(key_file))  # so the signed kinds are made too
    for tree_name in tree.TREES:
        ctx = replace(context(built_examples, tree_name), signer=signer)
        assert ctx.views
        for outlet in OUTLETS:
            made = artifacts_of(outlet, ctx)
            assert made, outlet.NAME
            for artifact in made:
                (kind,) = [k for k in outlet.FILES if k.pattern.match(artifact.path) is not None]
                assert (artifact.layer, artifact.urgent) == (kind.layer, kind.urgent), \
                    artifact.path
                if artifact.placeholder is not None:
                    assert artifact.placeholder.layer < kind.layer, artifact.path


def test_gzip_siblings_follow_the_declared_media_types() -> None:
    by_suffix: dict[str, set[bool]] = {}
    for kind in file_kinds():
        by_suffix.setdefault(kind.pattern.suffix, set()).add(kind.compressible)
    assert all(len(seen) == 1 for seen in by_suffix.values()), by_suffix  # decided by suffix
    for path in sample_paths():
        kind = kind_of(path)
        assert kind is not None
        assert has_gzip_sibling(path) == kind.compressible, path
    assert has_gzip_sibling("feeds/rss.xml") and not has_gzip_sibling("share/a/0f/og.png")


def test_versioned_files_are_grouped_by_their_alert() -> None:
    for path in sample_paths():
        kind = kind_of(path)
        assert kind is not None
        expected = SAMPLE["id"] if kind.versioned else None
        assert versioned_alert_id(path) == expected, path
    assert versioned_alert_id("alerts/2026-sample-1/index.html") is None


def test_the_preview_server_serves_the_declared_media_types(built_examples: SiteDir) -> None:
    server = serve_in_thread(built_examples.out, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        for path in built_examples.files():
            if path.endswith(".gz") or path == "status.json":
                continue
            declared = media_type(path)
            assert declared is not None, path
            charset = "; charset=utf-8" if declared.startswith(CHARSET_TYPES) else ""
            assert get(url + path).header("Content-Type") == declared + charset, path
    finally:
        server.shutdown()
        server.server_close()
