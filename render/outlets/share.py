"""Social images: share/ID/VERSION/og.png (1200x630), square.png (1080x1080), story.png
(1080x1920).

Active alerts get the full card (photo, name, age, last seen, call to action, address); a
found child gets a GEVONDEN card with the first name and no photo, so a post that is shared
on after the child is found shows the good news. Withdrawn and expired alerts get no share
images at all: there is nothing left to share. Not urgent: the watcher publishes these after
the pages, feeds and displays.
"""

from __future__ import annotations

import functools
from typing import Any

from PIL import Image

from .. import tree
from ..drawing.card import Canvas, CardText, card_text, draw_card
from ..drawing.photo import encode
from ..drawing.pixels import Pixels
from ..drawing.textfit import require_shaping
from ..pipeline import workers
from ..public import PublicAlert
from .artifacts import LEAF, Artifact, key_of
from .context import RenderContext
from .outlet import FileKind

NAME = "share"
SHARE_IMAGE = FileKind(tree.SHARE_IMAGE, "image/png", LEAF, urgent=False, personal=True)
FILES = (SHARE_IMAGE,)
SIZES = {"og": (1200, 630), "square": (1080, 1080), "story": (1080, 1920)}


def address(ctx: RenderContext, view: PublicAlert) -> str:
    """The alert page's address as people type it: no scheme, no trailing slash."""
    url = ctx.url(tree.alert_folder(view.id))
    return url.split("://", 1)[-1].rstrip("/")


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> list[Artifact]:
    """The alert's three share images (none once it has ended without a card)."""
    require_shaping()
    if card_text(view, ctx.settings, "") is None:
        return []
    return [SHARE_IMAGE.artifact(tree.share_image(view.id, view.version, kind),
                                 key_of(ctx.render_key, ctx.tree, NAME, kind, view.version),
                                 functools.partial(share_image, ctx, view, size))
            for kind, size in SIZES.items()]


def tree_artifacts(ctx: RenderContext) -> tuple[Artifact, ...]:
    """None: share images belong to one alert each."""
    return ()


# zlib level 2 without row filters (libvips, see photo.encode): a card is written in a
# fraction of the time of Pillow's level 1, and smaller; the social networks re-encode what
# they get anyway.
CARD_PNG = {"compress_level": 2}


def share_image(ctx: RenderContext, view: PublicAlert, size: tuple[int, int]) -> bytes:
    """The card as PNG, drawn and encoded once a run (in a worker process in a batch build):
    the photo screens of the same size (signage-portrait is the story card) show these very
    bytes."""
    def draw() -> bytes:
        text, photo, focus = _card_inputs(ctx, view, pixels=workers.sends(card_png))
        return workers.run(card_png, text, size, photo, focus)

    return ctx.cards.get((ctx.tree, view.version, size), draw)


def card_png(text: CardText, size: tuple[int, int], photo: Image.Image | Pixels | None,
             focus: tuple[float, float]) -> bytes:
    if isinstance(photo, Pixels):
        photo = photo.image()
    return encode(draw_card(text, size, photo, focus).image, "PNG", **CARD_PNG)


def render_card(ctx: RenderContext, view: PublicAlert, size: tuple[int, int]) -> Canvas:
    """The card `Canvas` of a view at `size` (also used by the photo display profiles)."""
    text, photo, focus = _card_inputs(ctx, view)
    return draw_card(text, size, photo, focus)


def _card_inputs(ctx: RenderContext, view: PublicAlert, pixels: bool = False
                 ) -> tuple[CardText, Any, tuple[float, float]]:
    """What a card is drawn from: its texts, the photo (decoded once a run; as `Pixels` for
    a worker process), its focus."""
    text = card_text(view, ctx.settings, address(ctx, view))
    if text is None:
        raise ValueError(f"{view.id} has ended without being found: no card")
    photo = view.photo
    if photo is None:
        return text, None, (0.5, 0.3)
    image = ctx.photos.pixels(photo.sha256) if pixels else ctx.photos.image(photo.sha256)
    return text, image, photo.focus
