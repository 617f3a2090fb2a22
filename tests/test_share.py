"""Share images: exact sizes, every text box inside the margins for hard names, a GEVONDEN
card without photo once found, none once withdrawn, OEFENING on drills, and each drawn once
(how long they take is `make bench`'s business)."""

from __future__ import annotations

import io
import itertools
import os

import pytest
from PIL import Image

from render.drawing import photo as photo_module
from render.drawing.card import YELLOW, Canvas, card_text, draw_card
from render.outlets import share
from render.outlets.outlet import artifacts_of
from render.pipeline import workers
from render.public import FOUND
from tests.helpers.signage import HARD_NAMES, context
from tests.helpers.sites import SiteDir, alert_doc

PHOTO_DISPLAYS = {"ns-station": (1920, 1080), "signage-portrait": (1080, 1920)}


def assert_readable_layout(canvas: Canvas) -> None:
    """Every line of text lies inside the image's margins, and no two blocks overlap."""
    width, height = canvas.size
    inset = canvas.margin // 2
    assert canvas.texts
    for block, (left, top, right, bottom) in canvas.texts:
        assert inset <= left and right <= width - inset, (block, left, right, width)
        assert top >= 0 and bottom <= height, (block, top, bottom, height)
    for (a, box_a), (b, box_b) in itertools.combinations(canvas.texts, 2):
        if a != b:
            apart = (box_a[2] <= box_b[0] or box_b[2] <= box_a[0]
                     or box_a[3] <= box_b[1] or box_b[3] <= box_a[1])
            assert apart, (a, box_a, b, box_b)


def test_share_images_have_exact_sizes_and_no_metadata(anna: SiteDir) -> None:
    assert anna.build().ok
    files = anna.files()
    version_dirs = {p.rsplit("/", 1)[0] for p in files if p.startswith("share/")}
    assert len(version_dirs) == 1
    folder = version_dirs.pop()
    for kind, size in share.SIZES.items():
        image = Image.open(io.BytesIO(files[f"{folder}/{kind}.png"]))
        assert image.size == size and image.mode == "RGB"
        assert not {"exif", "icc_profile", "XML:com.adobe.xmp"} & set(image.info)


@pytest.mark.parametrize("key", sorted(HARD_NAMES))
def test_hard_names_stay_inside_every_image(site: SiteDir, key: str) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc(child={"name": HARD_NAMES[key], "age": 11,
                                          "photo": "photos/anna.jpg"}))
    ctx = context(site)
    view = ctx.views[0]
    for size in [*share.SIZES.values(), *PHOTO_DISPLAYS.values()]:
        canvas = share.render_card(ctx, view, size)
        assert canvas.image.size == size
        assert_readable_layout(canvas)
        name_lines = [box for block, box in canvas.texts if block == "name"]
        assert name_lines, size


@pytest.mark.parametrize("key", ["long", "compound", "arabic"])
def test_hard_names_without_photo_or_optional_fields(site: SiteDir, key: str) -> None:
    site.write("a.json", alert_doc(level="vermist-kind", child={"name": HARD_NAMES[key],
                                                                "age": 0}))
    ctx = context(site)
    text = card_text(ctx.views[0], ctx.settings, share.address(ctx, ctx.views[0]))
    assert text is not None and not text.clothing
    for size in share.SIZES.values():
        assert_readable_layout(draw_card(text, size))


def test_found_card_says_gevonden_with_first_name_and_no_photo(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc(status="found"))
    ctx = context(site)
    view = ctx.views[0]
    assert view.state == FOUND
    canvas = share.render_card(ctx, view, share.SIZES["og"])
    words = [block for block, _ in canvas.texts]
    assert "name" in words and "call" not in words
    text = card_text(view, ctx.settings, "x")
    assert text is not None and text.label == "GEVONDEN" and text.name == "Anna"
    assert_readable_layout(canvas)
    # No photo: the body holds only white and text ink, none of the portrait's skin tones.
    body = canvas.image.crop((0, 120, 1200, 500)).convert("RGB")
    colours = {c for _, c in body.getcolors(1 << 20)}
    assert all(abs(r - g) < 40 and abs(g - b) < 40 for r, g, b in colours)


def test_share_images_of_found_but_not_of_withdrawn_alerts(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("found.json", alert_doc(id="found-one", status="found"))
    site.write("gone.json", alert_doc(id="gone-one", status="cancelled"))
    assert site.build().ok
    paths = site.files()
    assert any(p.startswith("share/found-one/") and p.endswith("og.png") for p in paths)
    # A withdrawn alert keeps only its outcome-only texts.json (see test_texts), no images.
    assert not any(p.startswith("share/gone-one/")
                   and not p.endswith(("/texts.json", "/texts.json.gz"))
                   for p in paths)
    assert not any(p.startswith("share/found-one/") and p.endswith(".pdf") for p in paths)


def test_share_artifacts_are_not_urgent(anna: SiteDir) -> None:
    arts = list(artifacts_of(share, context(anna)))
    assert len(arts) == 3 and not any(a.urgent for a in arts)


def test_exercise_images_are_marked(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc(exercise=True))
    ctx = context(site, "exercise/")
    for size in share.SIZES.values():
        canvas = share.render_card(ctx, ctx.views[0], size)
        assert canvas.image.getpixel((2, 2)) == YELLOW
        assert any(block == "exercise" for block, _ in canvas.texts)


def test_share_images_decode_the_photo_once_and_draw_each_card_once(
        anna: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """What keeps share images quick: the three sizes share one decoded photo, and a card
    asked for again in the same run is not drawn again."""
    ctx = context(anna)
    view = ctx.views[0]
    decoded: list[object] = []
    drawn: list[tuple[int, int]] = []
    decode, card_png = photo_module.decode, share.card_png
    monkeypatch.setattr(photo_module, "decode", lambda path, *args, **kwargs: (
        decoded.append(path), decode(path, *args, **kwargs))[1])
    monkeypatch.setattr(share, "card_png", lambda text, size, *args: (
        drawn.append(size), card_png(text, size, *args))[1])
    for _ in range(2):
        images = [share.share_image(ctx, view, size) for size in share.SIZES.values()]
    assert len(decoded) == 1
    assert drawn == list(share.SIZES.values())
    assert [Image.open(io.BytesIO(data)).size for data in images] == drawn


def test_cards_drawn_in_worker_processes_are_the_same_bytes(site: SiteDir) -> None:
    """`build` draws cards in worker processes, the photo in shared memory; the cards must
    be exactly those the watcher draws in its own process."""
    site.photo("anna.jpg", size=(900, 1200))
    site.write("a.json", alert_doc())
    here = context(site)
    [view] = here.views
    expected = {size: share.share_image(here, view, size) for size in share.SIZES.values()}
    there = context(site)
    with workers.worker_processes(2):
        assert workers.run(os.getpid) != os.getpid()  # really another process
        drawn = {size: share.share_image(there, view, size) for size in share.SIZES.values()}
    assert drawn == expected


def test_cards_and_posters_have_workers_of_their_own() -> None:
    """The workers that set posters import WeasyPrint; those that draw cards must not carry
    it too: each kind of job has its own pool, one worker each on two cores."""
    from render.outlets import poster_weasyprint

    with workers.worker_processes(2):
        assert workers._pools is not None
        cards, posters = (workers._pools.of(f)
                          for f in (share.card_png, poster_weasyprint.pdfs_of))
        assert cards is not posters
        assert cards is workers._pools.of(share.card_png)
        assert cards._max_workers == posters._max_workers == 1


def test_a_card_is_drawn_without_measuring_its_ink(anna: SiteDir,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Laying a line out again for its ink box costs as much as measuring it: only the
    checks of legibility ask for ink boxes, so drawing a card measures none."""
    from PIL import ImageDraw

    ctx = context(anna)
    asked: list[str] = []
    real = ImageDraw.ImageDraw.textbbox
    monkeypatch.setattr(ImageDraw.ImageDraw, "textbbox",
                        lambda self, xy, text, *a, **k: asked.append(text) or real(
                            self, xy, text, *a, **k))
    canvas = share.render_card(ctx, ctx.views[0], share.SIZES["og"])
    assert asked == []
    assert len(canvas.texts) == len(asked) == sum(len(f.lines) for _, f in canvas.fitted)
