"""Station screens and portrait signage read from afar: on the ns-station (1920x1080) and
signage-portrait (1080x1920) slides, no text smaller than 28 px, the rule being 28 px per
1080 px of a screen's short side (`card.LEGIBLE`); a text too long for that is shortened
with an ellipsis, never set smaller. Checked with the examples' longest texts and with an
80-character name beside texts of 2,000 characters."""

from __future__ import annotations

import pytest

from render.drawing import card
from render.outlets import share
from tests.helpers.posters import long_text
from tests.helpers.signage import HARD_NAMES, context
from tests.helpers.sites import SiteDir, alert_doc

SCREENS = ("ns-station", "signage-portrait")
CAP_HEIGHT = 0.7  # Inter's capitals are 0.727 em tall: a line with one is at least this


def assert_legible(canvas: card.Canvas, limit: int) -> None:
    """Every block set at `limit` px or more, its lines at least as far apart, and every
    drawn line with a capital or a figure in it at least a capital of `limit` px tall."""
    assert canvas.fitted
    for block, fitted in canvas.fitted:
        assert fitted.size >= limit and fitted.pitch >= limit, (block, fitted.size)
    lines = [line for _, fitted in canvas.fitted for line in fitted.lines]
    assert len(lines) == len(canvas.texts)
    for line, (block, (_, top, _, bottom)) in zip(lines, canvas.texts, strict=True):
        if any(c.isupper() or c.isdigit() for c in line):
            assert bottom - top >= CAP_HEIGHT * limit, (block, line, bottom - top)


def test_the_limit_is_28_px_per_1080_lines_of_the_short_side() -> None:
    assert card.legible_size((1920, 1080)) == card.legible_size((1080, 1920)) == 28
    assert card.legible_size((1200, 630)) == 17
    assert card.legible_size((3840, 2160)) == 56


def test_the_examples_longest_texts_on_screens(examples_site: SiteDir) -> None:
    for tree in ("", "exercise/"):
        ctx = context(examples_site, tree)
        for view in ctx.views:
            for name in SCREENS:
                profile = ctx.settings.displays[name]
                size = (profile.width, profile.height)
                canvas = share.render_card(ctx, view, size)
                assert_legible(canvas, 28)
                assert not any(f.ellipsized for _, f in canvas.fitted), (view.id, name)


@pytest.mark.parametrize("name", SCREENS)
def test_an_80_character_name_and_2000_character_texts(site: SiteDir, name: str) -> None:
    site.photo("anna.jpg")
    place = long_text("Utrecht, Griftpark, bij de speeltuin")
    site.write("a.json", alert_doc(
        child={"name": HARD_NAMES["long"], "age": 11, "photo": "photos/anna.jpg",
               "clothing": long_text("roze winterjas, spijkerbroek, witte sneakers")},
        last_seen={"time": "2026-11-29T13:40:00+01:00", "place": place}))
    ctx = context(site)
    profile = ctx.settings.displays[name]
    canvas = share.render_card(ctx, ctx.views[0], (profile.width, profile.height))
    assert_legible(canvas, 28)
    fitted = dict(canvas.fitted)
    assert " ".join(fitted["name"].lines) == HARD_NAMES["long"]  # whole, at 28 px or more
    for block in ("place", "clothing"):  # shortened at the limit, not shrunk below it
        assert fitted[block].ellipsized and fitted[block].size == 28, block
        assert fitted[block].lines[-1].endswith("…")


def test_the_rule_scales_with_the_screen(examples_site: SiteDir) -> None:
    """A 4K screen (2160 lines on its short side) keeps text twice as large."""
    for name in [p.name for p in examples_site.alerts.glob("*.*") if "sanne" not in p.name]:
        (examples_site.alerts / name).unlink()
    ctx = context(examples_site)
    assert_legible(share.render_card(ctx, ctx.views[0], (3840, 2160)), 56)
