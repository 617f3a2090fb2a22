"""Display bitmaps for signs and screens: displays/PROFILE/manifest.json, current.png,
displays/PROFILE/ID/VERSION-N.png (N = slide or phase, from 1; and .gif where the profile's
`formats` ask), and player.html (`player.py`), a page that shows the manifest in a browser.

A profile (`[displays.NAME]` in kindalarm.toml, see `config.DisplayProfile`) shows the active
alerts of its levels and regions, most urgent first; several alerts rotate. Text profiles
(`content = "text"`) show phases like a real matrix sign, in the 5x7 pixel font with whole
pixels only:

    phase 1: KIND ALARM / NAME (AGE) / VERMIST      phase 2: PLACE / BEL 112
    phase 3: GEZIEN 29 NOV 13:40 / TIP 0800-6070    phase 4: clothing

and publish them as plain text too (ID/VERSION.txt: one line per sign line, a blank line
between phases), and in the manifest as NTCIP 1203 MULTI (`multi.py`). Photo profiles show
one card per alert (see `card.py`).

Colour: `mono1` is a true one-bit PNG; `amber` an 8-bit palette image whose index is the
brightness of one amber LED colour; `gray8` 8-bit grey; `rgb` colour. A GIF has the PNG's
very pixels (`gif_palette`). The idle image (no alert to show) is all black for every
profile: a sign then shows its own content.

The manifest's `sha256` is that of the image file's bytes, so each image is drawn once per
build and its bytes reused by the manifest and current.png; a slide published before from
the same key is not drawn again: the manifest takes its recorded sha256. Display files are
urgent.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from .. import tree
from ..config import DISPLAY_FORMATS, DisplayProfile
from ..drawing import pixelfont
from ..drawing.photo import encode
from ..drawing.textfit import fit_pixel_rows, require_shaping
from ..public import PublicAlert
from ..words import i18n
from . import multi
from .artifacts import INDEX, LEAF, Artifact, key_of
from .context import RenderContext
from .keys import JWS_TYPE, signed_json
from .once import Once
from .outlet import FileKind
from .player import PLAYER, player_artifact
from .share import CARD_PNG, render_card, share_image

NAME = "displays"
SLIDES = {fmt: FileKind(tree.Pattern(tree.SLIDE.template.replace("{fmt}", fmt)),
                        f"image/{fmt}", LEAF, personal=True) for fmt in DISPLAY_FORMATS}
SLIDE_TEXT = FileKind(tree.SLIDE_TEXT, "text/plain", LEAF, personal=True)
CURRENT = FileKind(tree.CURRENT_SLIDE, "image/png", LEAF, personal=True)
MANIFEST = FileKind(tree.MANIFEST, "application/json", INDEX)
MANIFEST_JWS = FileKind(tree.MANIFEST_JWS, JWS_TYPE, INDEX)  # with a signing key
FILES = (*SLIDES.values(), SLIDE_TEXT, CURRENT, MANIFEST, MANIFEST_JWS, PLAYER)
AMBER = (255, 176, 0)
RGB_TEXT, RGB_LABEL = (255, 210, 0), (255, 40, 40)


def shows(profile: DisplayProfile, view: PublicAlert) -> bool:
    """Whether a profile shows an alert: active, of one of its levels, and in its regions
    (no regions = everywhere; a national alert, region "Nederland", is shown everywhere)."""
    if not view.active or view.level not in profile.levels:
        return False
    if not profile.regions:
        return True
    return "Nederland" in view.regions or any(r in profile.regions for r in view.regions)


def phase_lines(view: PublicAlert, ctx: RenderContext, profile: DisplayProfile
                ) -> list[list[str]]:
    """The text of each phase of a text sign, `profile.phases` of them."""
    d = view.details
    assert d is not None
    settings = ctx.settings
    seen = i18n.format_short(d.last_seen_time, settings.tz, "nl")
    clothing = i18n.tr(d.clothing, "nl")
    candidates = [
        [settings.labels[view.level], f"{d.name} ({d.age})", "VERMIST"],
        [i18n.tr(d.last_seen_place, "nl"), f"BEL {view.phone}"],
        [f"GEZIEN {seen}", f"TIP {view.tipline}"],
        [clothing or i18n.tr(d.hair, "nl"), f"BEL {view.phone}"],
    ]
    said = [[line for line in c if line][: profile.lines] for c in candidates]
    phases = [c for c in said if c][: profile.phases]
    base = len(phases)
    while len(phases) < profile.phases:  # more phases than there is to say: start again
        phases.append(phases[len(phases) % base])
    if view.exercise:
        phases = [["OEFENING", *p] for p in phases]
    return phases


# --- drawing ----------------------------------------------------------------------------------


def blank(profile: DisplayProfile) -> Image.Image:
    """An all-black face in the profile's colour mode."""
    size = (profile.width, profile.height)
    if profile.color == "mono1":
        return Image.new("1", size, 0)
    if profile.color == "amber":
        image = Image.new("P", size, 0)
        image.putpalette([round(c * i / 255) for i in range(256) for c in AMBER])
        return image
    if profile.color == "gray8":
        return Image.new("L", size, 0)
    return Image.new("RGB", size, (0, 0, 0))


def draw_text_phase(profile: DisplayProfile, lines: list[str], label: str) -> Image.Image:
    """One phase of a text sign; on colour signs the level's label (KIND ALARM) is red."""
    image = blank(profile)
    pad = 1 if profile.height < 64 else max(2, profile.height // 40)
    left = pad
    if profile.pictogram:
        side = min(profile.height - 2 * pad, profile.width // 3)  # leave the text room
        draw_pictogram(image, (pad, pad, pad + side, pad + side))
        left = pad * 3 + side
    width, height = profile.width - left - pad, profile.height - 2 * pad
    rows = fit_pixel_rows(lines, width, height)
    y = pad + (height - rows.height) // 2
    lit: int | tuple[int, int, int] = 1 if profile.color == "mono1" else 255
    for row, source in zip(rows.rows, rows.source, strict=True):
        fill = lit
        if profile.color == "rgb":
            fill = RGB_LABEL if lines[source] in (label, "OEFENING") else RGB_TEXT
        x = left + (width - pixelfont.text_width(row, rows.scale)) // 2
        pixelfont.draw_text(image, (x, y), row, fill, rows.scale)
        y += pixelfont.GLYPH_HEIGHT * rows.scale + rows.gap
    return image


def draw_pictogram(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    """A child pictogram in a red-edged white square, drawn with hard edges (no grey)."""
    left, top, right, bottom = box
    size = right - left
    draw = ImageDraw.Draw(image)
    colour = image.mode == "RGB"
    red = (220, 0, 0) if colour else 255
    white = (255, 255, 255) if colour else 255
    ink = (0, 0, 0) if colour else 0
    edge = max(2, size // 12)
    draw.rectangle(box, fill=red)
    draw.rectangle((left + edge, top + edge, right - edge, bottom - edge), fill=white)

    def at(fx: float, fy: float) -> tuple[int, int]:
        return (round(left + fx * size), round(top + fy * size))

    head = size * 0.11
    cx, cy = at(0.5, 0.27)
    draw.ellipse((cx - head, cy - head, cx + head, cy + head), fill=ink)
    draw.polygon([at(0.36, 0.42), at(0.64, 0.42), at(0.7, 0.66), at(0.3, 0.66)], fill=ink)
    limb = max(1, round(size * 0.07))
    draw.line([at(0.38, 0.45), at(0.24, 0.62)], fill=ink, width=limb)
    draw.line([at(0.62, 0.45), at(0.76, 0.62)], fill=ink, width=limb)
    draw.line([at(0.43, 0.64), at(0.41, 0.84)], fill=ink, width=limb)
    draw.line([at(0.57, 0.64), at(0.59, 0.84)], fill=ink, width=limb)


def encode_display(image: Image.Image, fmt: str) -> bytes:
    if fmt == "gif":
        return encode(gif_palette(image), "GIF")
    # One-bit PNGs for mono1; photo screens as the share images (a full-HD photo slide is the
    # slowest file of an urgent publish: see share.CARD_PNG).
    options = {"bits": 1} if image.mode == "1" else CARD_PNG
    return encode(image, "PNG", **options)


def gif_palette(image: Image.Image) -> Image.Image:
    """The face as a GIF holds it, with the PNG's very pixels: mono1 a palette of black and
    white (Pillow would write a 256-grey one), rgb an 8-bit palette of exactly the colours
    it uses, no transparency. Amber and gray8 are 8-bit already. Only a photo's more than 256
    colours are brought down to the nearest 256."""
    colours: list[tuple[int, ...]]
    if image.mode == "1":
        colours = [(0, 0, 0), (255, 255, 255)]
    elif image.mode == "RGB":
        found = image.getcolors(256)
        if found is None:
            return image.quantize(256, dither=Image.Dither.NONE)
        # black first: index 0, the GIF's background
        colours = sorted(colour for _, colour in found if isinstance(colour, tuple))
    else:
        return image
    palette = Image.new("P", (1, 1))
    palette.putpalette([value for colour in colours for value in colour])
    return image.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE)


# --- artifacts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slide:
    """One slide of a display profile: an alert's phase and the file it is drawn to."""

    view: PublicAlert
    phase: int  # from 1
    path: str  # the PNG, relative to the tree
    key: str
    gif: tuple[str, str] | None = None  # (path, key) where the profile asks for GIF too


class SlideCache:
    """Every face of one profile and alert drawn once per build; bytes shared by the slide
    files, the manifest (sha256) and current.png."""

    def __init__(self) -> None:
        # A face and a slide's bytes each once, two screens' slides drawn and encoded at the
        # same time (Pillow's FreeType calls hold the GIL, so the shared fonts are safe, as
        # for the share images, which have always been drawn in parallel).
        # A few alerts' at a time: files are made alert by alert, and the manifest reads the
        # slides' hashes from the publisher (`RenderContext.published_sha`), not their bytes.
        self._faces: Once[tuple[str, str, str], list[Image.Image]] = Once(limit=4)
        self._bytes: Once[tuple[str, str, str, int, str], bytes] = Once(limit=8)

    def image_bytes(self, key: tuple[str, str, str], phase: int, fmt: str,
                    draw: Callable[[], list[Image.Image]]) -> bytes:
        faces = self._faces.get(key, draw)
        return self._bytes.get((*key, phase, fmt),
                               lambda: encode_display(faces[phase - 1], fmt))


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> tuple[Artifact, ...]:
    """None on their own: a profile's slides are made with its manifest (`tree_artifacts`)."""
    return ()


def tree_artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    """Every profile's slides (and phase texts), then its `current.png` and manifest."""
    require_shaping()
    cache = SlideCache()
    summaries: list[Artifact] = []
    # The biggest screens first: their slides are the slowest files of an urgent publish,
    # and the two render threads should each start on one of them at once.
    profiles = sorted(ctx.settings.displays.values(), key=lambda p: -p.width * p.height)
    for profile in profiles:
        slides, summary = _profile_artifacts(ctx, profile, cache)
        yield from slides
        summaries += summary
    # current.png and the manifests reuse the slides' bytes: after every slide, so the render
    # threads encode two different slides at a time instead of waiting for the same one.
    yield from summaries
    yield from (player_artifact(ctx, profile) for profile in profiles)


def _profile_artifacts(ctx: RenderContext, profile: DisplayProfile, cache: SlideCache
                       ) -> tuple[list[Artifact], list[Artifact]]:
    """(the slide files, then current.png and manifest.json that are made of them)."""
    base = tree.display_folder(profile.name)
    files: list[Artifact] = []
    slides: list[Slide] = []
    shown = [v for v in ctx.active if shows(profile, v)]
    drawers = {v.id: _drawer(ctx, profile, v) for v in shown}

    def encoded(view: PublicAlert, phase: int, fmt: str) -> bytes:
        if profile.content == "photo" and profile.color == "rgb" and fmt == "png":
            return share_image(ctx, view, (profile.width, profile.height))
        return cache.image_bytes((profile.name, view.id, view.version), phase, fmt,
                                 drawers[view.id])

    for view in shown:
        count = profile.phases if profile.content == "text" else 1
        for phase in range(1, count + 1):
            made: dict[str, tuple[str, str]] = {}
            for fmt in profile.formats:
                path = tree.slide(profile.name, view.id, view.version, phase, fmt)
                made[fmt] = path, key_of(ctx.render_key, ctx.tree, path, profile)
                files.append(SLIDES[fmt].artifact(
                    *made[fmt], functools.partial(encoded, view, phase, fmt)))
            slides.append(Slide(view, phase, *made["png"], gif=made.get("gif")))
        if profile.content == "text":
            text = _phase_text(ctx, profile, view)
            files.append(SLIDE_TEXT.artifact(
                tree.slide_text(profile.name, view.id, view.version),
                key_of(ctx.render_key, ctx.tree, profile, view.version, "txt"),
                functools.partial(bytes, text)))

    def sha256(slide: Slide, path: str, key: str, fmt: str) -> str:
        """The recorded sha256 if published from this key before, else of the bytes."""
        return ctx.published_sha(path, key) or hashlib.sha256(
            encoded(slide.view, slide.phase, fmt)).hexdigest()

    def current() -> bytes:
        if not slides:
            return encode_display(blank(profile), "png")
        return encoded(slides[0].view, slides[0].phase, "png")

    def entry(slide: Slide, phases: dict[str, list[list[str]]]) -> dict[str, object]:
        item: dict[str, object] = {
            "image": slide.path.removeprefix(base + "/"), "seconds": profile.seconds,
            "alert": slide.view.id, "level": slide.view.level,
            "sha256": sha256(slide, slide.path, slide.key, "png"),
            "width": profile.width, "height": profile.height,
        }
        if slide.gif is not None:
            item["gif"] = slide.gif[0].removeprefix(base + "/")
            item["gif_sha256"] = sha256(slide, *slide.gif, "gif")
        if profile.content == "text":
            if slide.view.id not in phases:
                phases[slide.view.id] = phase_lines(slide.view, ctx, profile)
            item["multi"] = multi.multi(phases[slide.view.id][slide.phase - 1], profile.width,
                                        profile.lines, slide.view.exercise)
        return item

    def manifest() -> dict[str, Any]:
        phases: dict[str, list[list[str]]] = {}  # each alert's phase texts, made once
        return {
            "profile": profile.name, "width": profile.width, "height": profile.height,
            "slides": [entry(s, phases) for s in slides],
        }

    slide_keys = [s.key for s in slides]
    return files, [
        CURRENT.artifact(tree.current_slide(profile.name),
                         key_of(ctx.render_key, ctx.tree, profile, slide_keys[:1]), current),
        *signed_json(ctx, MANIFEST, MANIFEST_JWS, tree.manifest(profile.name),
                     tree.manifest_jws(profile.name), (profile, slide_keys), manifest)]


def _drawer(ctx: RenderContext, profile: DisplayProfile, view: PublicAlert
            ) -> Callable[[], list[Image.Image]]:
    if profile.content == "text":
        label = ctx.settings.labels[view.level]
        return lambda: [draw_text_phase(profile, lines, label)
                        for lines in phase_lines(view, ctx, profile)]

    def photo_face() -> list[Image.Image]:
        image = render_card(ctx, view, (profile.width, profile.height)).image
        if profile.color == "gray8":
            image = image.convert("L")
        return [image]

    return photo_face


def _phase_text(ctx: RenderContext, profile: DisplayProfile, view: PublicAlert) -> bytes:
    phases = phase_lines(view, ctx, profile)
    return ("\n\n".join("\n".join(lines) for lines in phases) + "\n").encode()

