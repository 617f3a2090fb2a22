"""Layered fixtures that read like the pipeline: a site (alert directory, settings), then a
build of it, then its output tree. Only fixtures live here; what tests import (SiteDir,
alert_doc, wait_until, check_tree, ...) is in the helpers package, tests/helpers/.

    def test_x(site):                # an empty site in a temp folder
        site.photo("anna.jpg")       # a drawn (never real) photo
        site.write("anna.json", alert_doc())
        result = site.build()        # one full build, like `kindalarm build`
        assert site.read("index.html")
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deploy.s3_local import LocalS3
from tests.helpers.gallery import Gallery, build_gallery
from tests.helpers.sites import SiteDir, alert_doc, copy_of_examples


@pytest.fixture
def site(tmp_path: Path) -> SiteDir:
    return SiteDir(tmp_path / "site")


@pytest.fixture
def anna(site: SiteDir) -> SiteDir:
    """A site with one valid kind-alarm alert and its photo."""
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    return site


@pytest.fixture
def examples_site(tmp_path: Path) -> SiteDir:
    """A site holding a copy of the shipped examples (examples/alerts)."""
    return copy_of_examples(tmp_path / "site")


@pytest.fixture
def built_examples(examples_site: SiteDir) -> Iterator[SiteDir]:
    """The examples, built once."""
    result = examples_site.build()
    assert result.ok, [p for r in result.rejected for p in r.problems]
    yield examples_site


@pytest.fixture(scope="session")
def web_gallery(tmp_path_factory: pytest.TempPathFactory) -> Gallery:
    """Sites showing every page type (tests/helpers/gallery.py), built once per session."""
    return build_gallery(tmp_path_factory.mktemp("gallery"))


@pytest.fixture(scope="session")
def s3_server() -> Iterator[LocalS3]:
    """SeaweedFS's S3 gateway on loopback for the whole session, its credentials in the
    environment (as AWS's standard variables) for the mirror and the tests' client."""
    server = LocalS3().start()
    saved = {name: os.environ.get(name) for name in server.env()}
    os.environ.update(server.env())
    try:
        yield server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_server: LocalS3) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1")
