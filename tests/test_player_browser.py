"""displays/PROFILE/player.html in real headless Chromium, as a signage player runs it: the
first slide shown, then the others in turn, each image loaded before it replaces the one
on screen (slow images, and not one frame without a picture); a new manifest picked up,
and a slide whose alert has ended gone at once; a failing or garbage manifest keeps the
picture; an empty one goes black. Scaled with whole pixels for matrix signs, no request to
any other host, the status corner only with ?debug, and from file:// where allowed.

The player's `data-showing` (the slide on screen), `data-polls` and `data-failures` on
<body> are what the tests wait on; Playwright's wait_for_function polls them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.helpers.browser import chromium, serve
from tests.helpers.sites import ARTIFACTS, SiteDir, alert_doc

pytestmark = pytest.mark.browser

SCREENSHOTS = ARTIFACTS / "screenshots"
TEKST = "/displays/drip-tekst/manifest.json"  # the URL path the tests answer for
WAIT_MS = 15_000
# Counts the frames in which a slide is meant to be on screen but no picture is: no image
# visible, or the visible one not (yet) drawn. Runs before the player's own script.
FRAME_WATCH = """
window.__frames = 0; window.__blank = 0; window.__seen = [];
(function tick() {
  var body = document.body;
  if (body && body.dataset.showing) {
    window.__frames++;
    var drawn = Array.prototype.some.call(document.images, function (img) {
      return getComputedStyle(img).visibility === "visible" && img.complete &&
             img.naturalWidth > 0;
    });
    if (!drawn) { window.__blank++; }
  }
  if (body) {
    var last = window.__seen[window.__seen.length - 1];
    if (body.dataset.showing !== last) { window.__seen.push(body.dataset.showing); }
  }
  requestAnimationFrame(tick);
})();
"""


@pytest.fixture(scope="module")
def player_site(tmp_path_factory: pytest.TempPathFactory) -> SiteDir:
    """Two kind-alarm alerts: four slides on drip-tekst (two phases each)."""
    site = SiteDir(tmp_path_factory.mktemp("player") / "site")
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.write("bram.json", alert_doc(id="2026-test-bram", child_name="Bram Jansen",
                                      issued="2026-11-29T14:20:00+01:00"))
    assert site.build().ok
    return site


@pytest.fixture(scope="module")
def answers() -> dict[str, tuple[int, bytes]]:
    """What the server says instead of a file; each test sets what it needs."""
    return {}


@pytest.fixture(scope="module")
def base_url(player_site: SiteDir, answers: dict[str, tuple[int, bytes]]) -> Iterator[str]:
    # Images 0.3 s late: a player that switched before the next image was there would show
    # a blank or half-drawn frame.
    with serve(player_site.out, answers, image_delay=0.3) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium("--allow-file-access-from-files") as b:
        yield b


@pytest.fixture
def page(browser: Any, answers: dict[str, tuple[int, bytes]]) -> Iterator[Any]:
    answers.clear()
    context = browser.new_context(viewport={"width": 1000, "height": 600},
                                  device_scale_factor=1)
    page = context.new_page()
    page.add_init_script(FRAME_WATCH)
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    try:
        yield page
    finally:
        context.close()


def slides(site: SiteDir, profile: str = "drip-tekst") -> list[dict[str, Any]]:
    return json.loads(site.read(f"displays/{profile}/manifest.json"))["slides"]


def play(page: Any, site: SiteDir, base_url: str, query: str, profile: str = "drip-tekst"
         ) -> list[dict[str, Any]]:
    """Open a profile's player with `query`, wait for its first slide; the slides."""
    shown = slides(site, profile)
    page.goto(f"{base_url}displays/{profile}/player.html?{query}")
    wait_showing(page, shown[0]["image"])
    return shown


def wait_showing(page: Any, image: str, timeout: float = WAIT_MS) -> None:
    page.wait_for_function("image => document.body.dataset.showing === image", arg=image,
                           timeout=timeout)


def wait_polls(page: Any, key: str, more: int) -> None:
    """Until `more` further polls (key "polls") or failures ("failures") have happened."""
    now = int(page.evaluate(f"document.body.dataset.{key}"))
    page.wait_for_function(f"() => Number(document.body.dataset.{key}) >= {now + more}",
                           timeout=WAIT_MS)


def screen(page: Any) -> Image.Image:
    return Image.open(io.BytesIO(page.screenshot())).convert("RGB")


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {c for _, c in image.getcolors(1 << 20) or []}


def test_first_slide_then_each_in_turn_never_a_blank_frame(
        page: Any, player_site: SiteDir, base_url: str) -> None:
    expected = [s["image"] for s in play(page, player_site, base_url, "poll=0.5&seconds=0.8")]
    assert len(expected) == 4
    # Whole pixels: the one-bit face scaled ~6.9 times shows black and white, no grey.
    shot = screen(page)
    assert colours(shot) == {(0, 0, 0), (255, 255, 255)}
    # At the profile's aspect ratio (144x48 in 1000x600: 1000x333), centred, black around.
    lit = shot.convert("L").getbbox()
    assert lit is not None
    assert lit[1] >= (600 - 333) // 2 and lit[3] <= 600 - (600 - 333) // 2
    page.wait_for_function("() => window.__seen.length >= 6", timeout=WAIT_MS)
    seen = page.evaluate("window.__seen")
    assert seen[:6] == ["", *expected, expected[0]]
    frames, blank = page.evaluate("[window.__frames, window.__blank]")
    assert frames > 20 and blank == 0
    host = urlsplit(base_url).netloc
    assert {urlsplit(u).netloc for u in page.requests} == {host}
    assert page.locator("#status").is_hidden()  # no status corner without ?debug
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot.save(SCREENSHOTS / "player-drip-tekst.png")


def test_a_new_manifest_is_picked_up_and_an_ended_alert_leaves_at_once(
        page: Any, player_site: SiteDir, base_url: str,
        answers: dict[str, tuple[int, bytes]]) -> None:
    current = play(page, player_site, base_url, "poll=0.3&seconds=60")
    # The first alert has ended: only the other's slides are left. The slide on screen has
    # almost a minute to go, and must leave at the next poll.
    rest = [s for s in current if s["alert"] != current[0]["alert"]]
    answers[TEKST] = (200, json.dumps({"slides": rest}).encode())
    wait_showing(page, rest[0]["image"], timeout=5_000)
    assert page.evaluate("window.__blank") == 0


def test_slides_that_do_not_load_are_skipped_and_an_ended_picture_still_goes(
        page: Any, player_site: SiteDir, base_url: str,
        answers: dict[str, tuple[int, bytes]]) -> None:
    current = play(page, player_site, base_url, "poll=0.3&seconds=60")
    missing = {**current[0], "image": "2026-test-gone/0a0a0a0a-1.png"}
    station = slides(player_site, "ns-station")[0]["image"]  # 1920x1080, not 144x48
    wrong_size = {**current[0], "image": f"../ns-station/{station}"}
    answers[TEKST] = (200, json.dumps({"slides": [missing, wrong_size, current[3]]}).encode())
    wait_showing(page, current[3]["image"], timeout=5_000)
    # Not one of them loads, and the alert on screen has ended: black, not its picture.
    answers[TEKST] = (200, json.dumps({"slides": [missing, wrong_size]}).encode())
    wait_showing(page, "", timeout=5_000)
    assert colours(screen(page)) == {(0, 0, 0)}


@pytest.mark.parametrize("failure", [
    (500, b"Internal Server Error"),
    (200, b'{"slides": [{"image": "2026-test-anna/'),
    (200, b"<html>a captive portal</html>"),
    (200, b'{"slides": "none"}'),
    (200, json.dumps({"slides": [{"image": "https://example.org/x.png", "seconds": 5}]}
                     ).encode()),
    (404, b""),
])
def test_a_failing_manifest_keeps_the_last_picture(
        page: Any, player_site: SiteDir, base_url: str,
        answers: dict[str, tuple[int, bytes]], failure: tuple[int, bytes]) -> None:
    first = play(page, player_site, base_url, "poll=0.2&seconds=60")[0]["image"]
    before = screen(page)
    answers[TEKST] = failure
    wait_polls(page, "failures", 3)
    assert page.evaluate("document.body.dataset.showing") == first
    assert page.evaluate("document.body.dataset.slides") == "4"  # the last good playlist
    assert screen(page).tobytes() == before.tobytes()
    assert not any("example.org" in u for u in page.requests)


def test_an_empty_manifest_goes_black(page: Any, player_site: SiteDir, base_url: str,
                                      answers: dict[str, tuple[int, bytes]]) -> None:
    first = play(page, player_site, base_url, "poll=0.2&seconds=60")[0]["image"]
    assert colours(screen(page)) != {(0, 0, 0)}
    answers[TEKST] = (200, b'{"profile": "drip-tekst", "slides": []}')
    wait_showing(page, "")
    assert colours(screen(page)) == {(0, 0, 0)}
    assert page.evaluate("Array.prototype.every.call(document.images, "
                         "img => !img.getAttribute('src'))")  # nothing of it kept
    answers.clear()  # the alerts are back
    wait_showing(page, first)


def test_photo_screen_with_the_debug_corner(page: Any, player_site: SiteDir,
                                            base_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    play(page, player_site, base_url, "debug&seconds=60", "ns-station")
    corner = page.locator("#status")
    page.wait_for_function("() => /showing: 2026-test/.test("
                           "document.getElementById('status').textContent)", timeout=WAIT_MS)
    assert corner.is_visible() and "ns-station" in corner.inner_text()
    box = corner.bounding_box()
    assert box and box["width"] < 640 and box["x"] + box["width"] == 1280  # a small corner
    img = page.locator("img.shown")
    assert img.evaluate("img => getComputedStyle(img).imageRendering") == "auto"
    shown = img.bounding_box()
    assert shown and round(shown["width"]) == 1280 and round(shown["height"]) == 720
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "player-ns-station-debug.png"))


def test_from_a_file_where_the_browser_allows_it(page: Any, player_site: SiteDir) -> None:
    first = slides(player_site)[0]["image"]
    player = player_site.out / "displays" / "drip-tekst" / "player.html"
    page.goto(player.as_uri() + "?seconds=60")
    wait_showing(page, first)
    assert {urlsplit(u).scheme for u in page.requests} == {"file"}
