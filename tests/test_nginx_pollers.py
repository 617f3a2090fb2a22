"""The pollers of docs/outlets.md (docs/pollers/), run against real nginx serving a real
build: they work as documented, and polling again costs 304s. They are standalone
scripts, importable here because docs/pollers is on pytest's `pythonpath` (pyproject.toml)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import api_poller
import cap_reader
import display_poller
import feed_reader
import pytest
from httpcache import ConditionalGetter
from PIL import Image

from deploy.nginx_local import LocalNginx
from tests.helpers.sites import REPO, SiteDir

POLLERS = REPO / "docs" / "pollers"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteDir, str]]:
    site = SiteDir(tmp_path_factory.mktemp("pollers") / "site")
    shutil.copytree(REPO / "examples" / "alerts", site.alerts, dirs_exist_ok=True)
    nginx = LocalNginx(site.out)
    settings = (REPO / "kindalarm.toml").read_text()
    site.settings_text(settings.replace('base_url = "http://127.0.0.1:8000/"',
                                        f'base_url = "{nginx.url}"'))
    assert nginx.url in (site.root / "kindalarm.toml").read_text()
    site.build()
    with nginx:
        yield site, nginx.url


def test_api_poller_lists_the_active_alerts_then_costs_304s(served: tuple[SiteDir, str]
                                                            ) -> None:
    site, url = served
    http = ConditionalGetter()
    alerts = api_poller.poll_once(url, http)
    expected = json.loads(site.read("api/alerts.json"))["alerts"]
    assert [a["id"] for a in alerts] == [a["id"] for a in expected] and alerts
    assert http.get(url + "api/alerts.json").status == 304
    assert http.get(url + "status.json").status == 304


def test_feed_reader_shows_each_entry_once(served: tuple[SiteDir, str]) -> None:
    _, url = served
    http, shown = ConditionalGetter(), set()
    first = feed_reader.poll_once(url, http, shown)
    assert first and all(e["link"].startswith(url) for e in first)
    assert feed_reader.poll_once(url, http, shown) == []
    assert http.get(url + "feeds/atom.xml").status == 304


def test_cap_reader_reads_every_message_and_verifies_photos(served: tuple[SiteDir, str]
                                                            ) -> None:
    _, url = served
    http, known = ConditionalGetter(), {}
    messages = cap_reader.poll_once(url, http, known)
    assert messages and {m["msgType"] for m in messages} <= {"Alert", "Update", "Cancel"}
    resources = [r for m in messages for r in m["resources"]]  # type: ignore[attr-defined]
    assert resources
    for resource in resources:
        assert cap_reader.verified_resource(resource)
    assert cap_reader.poll_once(url, http, known) == []  # nothing new; the index was a 304
    tampered = {**resources[0], "digest": "0" * 40}
    with pytest.raises(ValueError, match="digest"):
        cap_reader.verified_resource(tampered)


def slide_png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_display_poller_verifies_every_slide(served: tuple[SiteDir, str],
                                             tmp_path: Path) -> None:
    """Against every manifest the build publishes, and a hand-made one in the contract's
    format (so the poller is tested even where no profile shows anything now)."""
    site, url = served
    profile = site.out / "displays" / "poller-test"
    (profile / "a-1").mkdir(parents=True, exist_ok=True)
    slides = []
    for number, colour in ((1, (255, 160, 0)), (2, (0, 0, 0))):
        data = slide_png((144, 48), colour)
        (profile / "a-1" / f"v1-{number}.png").write_bytes(data)
        slides.append({"image": f"a-1/v1-{number}.png", "seconds": 4, "alert": "a-1",
                       "level": "kind-alarm", "sha256": hashlib.sha256(data).hexdigest(),
                       "width": 144, "height": 48})
    (profile / "manifest.json").write_text(json.dumps({"slides": slides}))
    try:
        profiles = sorted(p.name for p in (site.out / "displays").iterdir() if p.is_dir())
        for name in profiles:
            manifest = json.loads((site.out / "displays" / name / "manifest.json").read_text())
            playlist = display_poller.poll_once(url, name, tmp_path / name, ConditionalGetter())
            assert len(playlist) == len(manifest["slides"]), name
        playlist = display_poller.poll_once(url, "poller-test", tmp_path / "t",
                                            ConditionalGetter())
        assert [seconds for _, seconds in playlist] == [4.0, 4.0]
        assert playlist[0][0].read_bytes() == (profile / "a-1" / "v1-1.png").read_bytes()
        (profile / "a-1" / "v1-2.png").write_bytes(slide_png((144, 48), (1, 2, 3)))
        # A verified slide on disk is kept; a new sign (empty store) refuses the bad one.
        assert display_poller.poll_once(url, "poller-test", tmp_path / "t", ConditionalGetter())
        with pytest.raises(ValueError, match="sha256"):
            display_poller.poll_once(url, "poller-test", tmp_path / "new", ConditionalGetter())
    finally:
        shutil.rmtree(profile)


@pytest.mark.parametrize("script", ["api_poller.py", "feed_reader.py", "cap_reader.py"])
def test_pollers_run_as_scripts(served: tuple[SiteDir, str], script: str) -> None:
    _, url = served
    result = subprocess.run([sys.executable, str(POLLERS / script), url, "--once"],
                            capture_output=True, text=True, timeout=60, cwd=POLLERS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() and "Traceback" not in result.stderr


def test_outlet_guide_documents_every_published_kind_of_file(served: tuple[SiteDir, str]
                                                             ) -> None:
    site, _ = served
    guide = (REPO / "docs" / "outlets.md").read_text(encoding="utf-8")
    for path in site.files():
        parts = path.removeprefix("exercise/").removeprefix("en/").split("/")
        if parts[0] == "assets" or path.endswith(".gz"):
            continue
        documented = f"`{parts[0]}/" in guide or f"`{parts[0]}`" in guide
        assert documented, path
        assert parts[-1].split(".")[-1] in guide, path  # the file's kind (.xml, .png, ...)
    for poller in POLLERS.glob("*.py"):
        assert f"pollers/{poller.name}" in guide, poller.name
