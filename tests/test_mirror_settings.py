"""`[mirror]` and `--mirror` (contract section 5): a bad value is one clear error at start."""

from __future__ import annotations

import pytest

from render.config import load_settings
from render.errors import ConfigError
from render.mirror.settings import MirrorSettings, with_url
from tests.helpers.sites import SiteDir


def test_mirror_settings_are_read(site: SiteDir) -> None:
    site.settings_text('[mirror]\nurl = "s3://alarm/site/nl/"\nendpoint_url = '
                       '"http://127.0.0.1:9000"\nregion = "eu-west-1"\nlease_seconds = 30\n')
    mirror = load_settings(site.root).mirror
    assert mirror == MirrorSettings("alarm", "site/nl/", "http://127.0.0.1:9000", "eu-west-1",
                                    30.0)
    assert mirror.key("index.html") == "site/nl/index.html"
    assert with_url(mirror, "s3://other") == MirrorSettings("other", "", mirror.endpoint_url,
                                                            mirror.region, 30.0)
    site.settings_text('[mirror]\nurl = "s3://alarm"\n')
    assert load_settings(site.root).mirror == MirrorSettings("alarm", "", lease_seconds=120.0)


def test_no_mirror_without_settings(site: SiteDir) -> None:
    site.settings_text('base_url = "http://127.0.0.1:8000/"\n')
    assert load_settings(site.root).mirror is None


@pytest.mark.parametrize("table, message", [
    ('url = "http://alarm/site"', "mirror.url: must be s3://BUCKET/PREFIX"),
    ('url = "s3://alarm/a/../b"', "plain folder names"),
    ('url = "s3://alarm"\nendpoint_url = "127.0.0.1:9000"', "absolute http(s) URL"),
    ('region = "eu-west-1"', "mirror.url: required"),
    ('url = "s3://alarm"\nbucket = "x"', "unknown setting 'bucket'"),
    ('url = "s3://alarm"\nlease_seconds = 1', "mirror.lease_seconds: must be a number"),
    ('url = "s3://alarm"\nlease_seconds = "60"', "mirror.lease_seconds: must be a number"),
])
def test_bad_mirror_settings_are_one_clear_error(site: SiteDir, table: str,
                                                 message: str) -> None:
    site.settings_text(f"[mirror]\n{table}\n")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(site.root)
