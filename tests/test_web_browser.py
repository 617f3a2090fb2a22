"""The public pages in real headless Chromium: screenshots at phone and desktop size,
axe-core accessibility, no request to any other host, no sideways scrolling from 320 px,
fonts from our own tree, usable without JavaScript, a print stylesheet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.helpers.browser import VIEWPORTS, chromium, serve
from tests.helpers.gallery import Gallery
from tests.helpers.sites import ARTIFACTS

pytestmark = pytest.mark.browser

SCREENSHOTS = ARTIFACTS / "screenshots"
# Page types, as site/path in the gallery (tests/web_gallery.py).
PAGES = {
    "front-0": "empty/index.html",
    "front-1": "one/index.html",
    "front-5": "many/index.html",
    "front-en": "many/en/index.html",
    "alert": "many/alerts/2026-utrecht-sanne/index.html",
    "alert-en": "many/en/alerts/2026-utrecht-sanne/index.html",
    "alert-vermist": "many/alerts/2026-almere-finn/index.html",
    "found": "many/alerts/2026-groningen-milan/index.html",
    "withdrawn": "ended/alerts/2026-test-withdrawn/index.html",
    "expired": "ended/alerts/2026-test-expired/index.html",
    "archive": "ended/archive/index.html",
    "exercise-front": "many/exercise/index.html",
    "exercise-alert": "many/exercise/alerts/2026-oefening-lotte/index.html",
    "widget": "many/widget/index.html",
    "widget-0": "empty/widget/index.html",
    "hostile-front": "ended/index.html",
    "hostile-rtl": "ended/alerts/2026-test-rtl/index.html",
    "hostile-long": "ended/alerts/2026-test-long/index.html",
}
# The one exception, on purpose: the widget must reload itself without script (issue #3),
# and axe flags any <meta http-equiv="refresh"> under 20 hours (WCAG 2.2.1). The widget is a
# small live ticker inside another site's iframe; its full alert pages never refresh.
AXE_ACCEPTED = {("widget", "meta-refresh"), ("widget-0", "meta-refresh")}
SCREENSHOT_PAGES = ("front-0", "front-1", "front-5", "alert", "found", "widget",
                    "hostile-rtl", "exercise-alert")


@pytest.fixture(scope="module")
def site_url(web_gallery: Gallery) -> Iterator[str]:
    root = web_gallery.empty.root.parent  # every gallery site sits in this folder
    with serve(root) as url:
        yield url.rstrip("/") + "/{site}/output/"


def _url(site_url: str, page: str) -> str:
    site, _, path = page.partition("/")
    return site_url.format(site=site) + path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def visits(browser: Any, site_url: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every page type at both sizes, loaded once: screenshot, axe result, every request
    and response size, overflow, fonts. The tests below read from this."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    results: dict[tuple[str, str], dict[str, Any]] = {}
    requests: list[str] = []  # of the page being visited
    sizes: dict[str, tuple[int, str]] = {}  # url: (bytes, resource type)
    for size, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("response", lambda response: sizes.__setitem__(
            response.url, (len(response.body()) if response.ok else 0,
                           response.request.resource_type)))
        for name, path in PAGES.items():
            requests.clear()
            sizes.clear()
            page.goto(_url(site_url, path), wait_until="load")
            page.evaluate("document.fonts.ready")
            seen: dict[str, Any] = {
                "requests": list(requests), "sizes": dict(sizes),
                "overflow": page.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth"),
                "inter": page.evaluate("document.fonts.check('800 20px Inter')"),
            }
            if size == "phone":  # axe once per page type; its rules do not depend on size
                seen["axe"] = axe.run(page).response["violations"]
            if name in SCREENSHOT_PAGES:
                shot = SCREENSHOTS / f"{name}-{size}.png"
                page.screenshot(path=str(shot), full_page=True)
                seen["screenshot"] = shot
            results[(name, size)] = seen
        context.close()
    return results


def test_screenshots_of_every_page_type_at_phone_and_desktop_size(
        visits: dict[tuple[str, str], dict[str, Any]]) -> None:
    from PIL import Image

    for name in ("front-0", "front-1", "front-5", "alert", "found", "widget"):
        for size, viewport in VIEWPORTS.items():
            shot: Path = visits[(name, size)]["screenshot"]
            with Image.open(shot) as image:
                assert image.width == viewport["width"], shot
                assert image.height >= min(viewport["height"], 120), shot
                shades = image.convert("L").resize((64, 64)).getcolors(4096) or []
                assert len(shades) > 8, shot  # a page, not a blank


def test_axe_finds_no_serious_or_critical_violation(
        visits: dict[tuple[str, str], dict[str, Any]]) -> None:
    problems = {
        name: [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in visits[(name, "phone")]["axe"] if v["impact"] in ("serious", "critical")
               and (name, v["id"]) not in AXE_ACCEPTED]
        for name in PAGES
    }
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}
    # The accepted exceptions are real (this test would notice if they went away).
    for name, rule in AXE_ACCEPTED:
        assert rule in [v["id"] for v in visits[(name, "phone")]["axe"]], (name, rule)


def test_no_request_leaves_the_local_server(
        visits: dict[tuple[str, str], dict[str, Any]], site_url: str) -> None:
    host = urlsplit(site_url).netloc
    for (name, size), seen in visits.items():
        assert seen["requests"], name
        others = [u for u in seen["requests"]
                  if urlsplit(u).netloc != host and not u.startswith("data:")]
        assert not others, (name, size, others)


def test_no_page_scrolls_sideways_at_phone_or_desktop_size(
        visits: dict[tuple[str, str], dict[str, Any]]) -> None:
    wide = {key: seen["overflow"] for key, seen in visits.items() if seen["overflow"] > 0}
    assert not wide


def test_pages_use_our_own_inter_font(visits: dict[tuple[str, str], dict[str, Any]]) -> None:
    for name in ("front-5", "alert", "found", "archive"):
        seen = visits[(name, "desktop")]
        assert seen["inter"], name
        assert any(u.endswith("inter-latin-800.woff2") for u in seen["requests"]), name


def test_front_page_with_five_alerts_is_at_most_100_kb_without_photos(
        visits: dict[tuple[str, str], dict[str, Any]]) -> None:
    for size in VIEWPORTS:
        sizes = visits[("front-5", size)]["sizes"]
        photos = [u for u, (_, kind) in sizes.items() if kind == "image"]
        assert len(photos) >= 1
        weight = sum(n for n, kind in sizes.values() if kind != "image")
        assert 10_000 < weight <= 100 * 1024, (size, weight)


def test_hostile_pages_fit_a_320_px_phone(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        for name in ("hostile-front", "hostile-rtl", "hostile-long", "alert", "archive",
                     "front-5", "widget", "exercise-alert"):
            page.goto(_url(site_url, PAGES[name]))
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (name, overflow)
            # Markup in alert text stays text: no element was made from it.
            assert page.locator("main img[src='x'], main b, main script").count() == 0, name
        page.goto(_url(site_url, PAGES["hostile-rtl"]))
        name = page.locator("h1.name bdi")
        assert name.inner_text().startswith("نور")
        box = name.bounding_box()
        assert box and box["width"] <= 320
        page.screenshot(path=str(SCREENSHOTS / "hostile-rtl-320.png"), full_page=True)
        page.goto(_url(site_url, PAGES["hostile-long"]))
        page.screenshot(path=str(SCREENSHOTS / "hostile-long-320.png"), full_page=True)
    finally:
        context.close()


def test_alert_page_works_without_javascript(browser: Any, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    page = context.new_page()
    try:
        page.goto(_url(site_url, PAGES["alert"]))
        call = page.locator("a.call-now")
        assert call.get_attribute("href") == "tel:112" and call.is_visible()
        box = call.bounding_box()
        assert box and box["height"] >= 48 and box["width"] >= 300  # a big tap target
        copy = page.locator("a.copy-link")
        assert copy.is_visible()
        assert copy.get_attribute("href").endswith("/alerts/2026-utrecht-sanne/index.html")
        assert page.locator("img.photo").evaluate("img => img.naturalWidth") > 0
        page.locator("nav.langs a[lang=en]").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert "pink winter coat" in page.locator("main").inner_text()
    finally:
        context.close()


def test_print_stylesheet_hides_navigation_and_sharing(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    try:
        page.goto(_url(site_url, PAGES["alert"]))
        assert page.locator("section.share").is_visible()
        page.emulate_media(media="print")
        assert not page.locator("section.share").is_visible()
        assert not page.locator("nav.langs").is_visible()
        assert page.locator("h1.name").is_visible() and page.locator("img.photo").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()
