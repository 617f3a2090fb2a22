"""Gzip siblings for nginx `gzip_static`: every compressible file has `X.gz` with the same
bytes and mtime, deterministic, gone with `X`, and mended after a crash between the two."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from render.config import Settings
from render.outlets.registry import has_gzip_sibling
from tests.helpers.sites import SiteDir, alert_doc
from tests.helpers.treecheck import check_tree

BASE_URL = Settings.base_url  # of a site without settings


def test_every_compressible_file_has_a_whole_gzip_sibling(built_examples: SiteDir) -> None:
    files = built_examples.files()
    compressible = [p for p in files if has_gzip_sibling(p)]
    assert len(compressible) > 10
    for path in compressible:
        assert gzip.decompress(files[path + ".gz"]) == files[path], path
        assert files[path + ".gz"][4:8] == b"\0\0\0\0", path  # gzip mtime 0: deterministic
    assert not [p for p in files if p.endswith((".jpg", ".png")) and p + ".gz" in files]
    assert not [p for p in files if p.endswith(".gz") and p[:-3] not in files]
    out = built_examples.out
    assert check_tree(out, BASE_URL) == []
    for path in compressible:
        assert (out / path).stat().st_mtime_ns == (out / f"{path}.gz").stat().st_mtime_ns


def test_siblings_change_and_go_with_their_file(anna: SiteDir) -> None:
    anna.settings_text("retire_seconds = 0\n")
    anna.build()
    page = "alerts/2026-test-anna/index.html"
    first = anna.files()[page + ".gz"]
    anna.write("anna.json", alert_doc(child_clothing="blauwe jas"))
    anna.build()
    second = anna.files()
    assert second[page + ".gz"] != first
    assert gzip.decompress(second[page + ".gz"]) == second[page]
    anna.write("anna.json", alert_doc(status="found", updated="2026-11-29T15:00:00+01:00"))
    anna.build()
    assert not any(b"blauwe jas" in gzip.decompress(data)
                   for path, data in anna.files().items() if path.endswith(".gz"))
    (anna.alerts / "anna.json").unlink()
    anna.build()
    assert not [p for p in anna.files() if p.endswith(".gz") and p[:-3] not in anna.files()]


def test_crash_between_sibling_and_file_is_mended(anna: SiteDir,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after `X.gz` was replaced but before `X`: the next run compares both with the
    disk (not with what it recorded), even when the content went back to the recorded one."""
    anna.build()
    page = "alerts/2026-test-anna/index.html"
    real_replace = os.replace

    def crash_before_page(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith(page):
            raise KeyboardInterrupt  # like a SIGKILL: nothing after this runs
        real_replace(src, dst)

    anna.write("anna.json", alert_doc(child_clothing="groene jas"))
    monkeypatch.setattr(os, "replace", crash_before_page)
    with pytest.raises(KeyboardInterrupt):
        anna.build()
    monkeypatch.setattr(os, "replace", real_replace)
    torn = anna.files()
    assert b"groene jas" in gzip.decompress(torn[page + ".gz"])
    assert b"groene jas" not in torn[page]
    assert check_tree(anna.out, BASE_URL, settled=False) == []
    assert check_tree(anna.out, BASE_URL) != []  # the settled check does see the tear

    anna.write("anna.json", alert_doc())  # back to what was recorded before the crash
    anna.build()
    assert check_tree(anna.out, BASE_URL) == []
    assert b"groene jas" not in gzip.decompress(anna.files()[page + ".gz"])
