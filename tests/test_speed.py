"""What keeps the watcher's urgent step short: unchanged display slides are not drawn again
(manifests take their recorded sha256), and pages of alerts whose share images already exist
keep naming them while a new alert's slow files are still to come."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from render.outlets import displays, share
from render.pipeline.run import RunMode
from tests.helpers.sites import NOW, SiteDir, alert_doc


def test_urgent_step_draws_only_the_new_alerts_slides(anna: SiteDir,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert anna.build().ok
    anna.photo("bob.jpg", seed=2)
    anna.write("bob.json", alert_doc(id="2026-test-bob", child_name="Bob de Test",
                                     child_photo="photos/bob.jpg"))
    drawn: list[str] = []
    draw_text, render_card, card_png = (displays.draw_text_phase, share.render_card,
                                        share.card_png)
    monkeypatch.setattr(displays, "draw_text_phase", lambda profile, lines, label: (
        drawn.append(" ".join(lines)), draw_text(profile, lines, label))[1])
    monkeypatch.setattr(share, "render_card", lambda ctx, view, size: (
        drawn.append(view.id), render_card(ctx, view, size))[1])
    monkeypatch.setattr(share, "card_png", lambda text, *args: (  # share images, photo screens
        drawn.append(text.name), card_png(text, *args))[1])
    builder = anna.builder()
    try:
        result = builder.run(NOW, mode=RunMode(urgent_first=True, then_complete=lambda: False))
    finally:
        builder.close()
    assert not result.complete and result.ok
    assert drawn and "2026-test-anna" not in drawn and not any("Anna" in d for d in drawn)
    assert "Bob de Test" in drawn  # a card (PNG photo screen) of the new alert
    for manifest in anna.out.glob("displays/*/manifest.json"):
        slides = json.loads(manifest.read_text(encoding="utf-8"))["slides"]
        assert {s["alert"] for s in slides} >= {"2026-test-anna"}
        for slide in slides:
            data = (manifest.parent / slide["image"]).read_bytes()
            assert slide["sha256"] == hashlib.sha256(data).hexdigest()


def test_urgent_step_keeps_naming_share_images_that_exist(anna: SiteDir) -> None:
    assert anna.build().ok
    anna.photo("bob.jpg", seed=2)
    anna.write("bob.json", alert_doc(id="2026-test-bob", child_name="Bob de Test",
                                     child_photo="photos/bob.jpg"))
    builder = anna.builder()
    try:
        builder.run(NOW, mode=RunMode(urgent_first=True, then_complete=lambda: False))
    finally:
        builder.close()
    old_page = anna.read("alerts/2026-test-anna/index.html")
    new_page = anna.read("alerts/2026-test-bob/index.html")
    assert "/og.png" in old_page
    assert "share/2026-test-bob/" not in new_page
    for page in (old_page, new_page, anna.read("feeds/rss.xml"), anna.read("feeds/atom.xml")):
        for url in set(part.split('"')[0] for part in page.split("http://")[1:]):
            path = url.split("/", 1)[1] if "/" in url else ""
            if path.startswith("share/"):
                assert (anna.out / path).is_file(), path


def test_unchanged_alert_keeps_its_view_until_it_expires(anna: SiteDir) -> None:
    """The watcher's builder views an unchanged alert once; the clock still ends it."""
    anna.write("anna.json", alert_doc(expires="2026-11-29T18:00:00+01:00"))
    builder = anna.builder(outlets=[])
    try:
        first = builder.run(now=NOW).views[0]
        again = builder.run(now=NOW + timedelta(minutes=5)).views[0]
        later = builder.run(now=datetime(2026, 11, 29, 17, 1, tzinfo=UTC)).views[0]
        anna.write("anna.json", alert_doc(child_age=9))
        edited = builder.run(now=NOW).views[0]
    finally:
        builder.close()
    assert again is first
    assert first.state == "active" and later.state == "expired" and later.details is None
    assert edited.details is not None and edited.details.age == 9
    assert edited.version != first.version


def test_slide_cache_encodes_different_slides_at_once_and_each_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two render threads encoding two slides do not wait for each other; the same slide
    asked for twice is encoded once."""
    import threading

    from PIL import Image

    both_inside = threading.Barrier(2, timeout=10)
    encoded: list[str] = []

    def encode_display(image: Image.Image, fmt: str) -> bytes:
        encoded.append(fmt)
        if fmt == "png":
            both_inside.wait()  # raises BrokenBarrierError if the other encode is locked out
        return fmt.encode()

    monkeypatch.setattr(displays, "encode_display", encode_display)
    cache = displays.SlideCache()
    key = ("profile", "2026-test-anna", "v1")

    def draw() -> list[Image.Image]:
        return [Image.new("RGB", (4, 4))]

    results: list[bytes] = []

    def encode_for(profile: str) -> None:
        results.append(cache.image_bytes((profile, *key[1:]), 1, "png", draw))

    threads = [threading.Thread(target=encode_for, args=(name,)) for name in ("profile", "other")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [b"png", b"png"]
    assert cache.image_bytes(key, 1, "png", draw) == b"png"
    assert encoded == ["png", "png"]
