"""Printable posters: share/ID/VERSION/poster-a4.pdf and poster-a3.pdf, with WeasyPrint.

The HTML comes from `templates/poster.html` (a site may override it). The photo is the
published web photo (150 to 290 dpi at its printed size: never the raw camera file), the
QR code (pixels scaled unsmoothed: sharp at any size) leads to the alert page.
`poster_pdf` sets the HTML with WeasyPrint (in a worker process if there is one).
`poster_layout` plans the page (the photo and the name take the
room the texts leave; texts too long are cut, never set smaller); should WeasyPrint still
spill onto a second page, it is planned again with more room to spare. Posters exist for
active alerts only, and are not urgent.
"""

from __future__ import annotations

import base64
import functools
import io

from .. import tree
from ..drawing.card import BANDS, FOOTERS
from ..pipeline import workers
from ..public import PublicAlert
from ..words import i18n
from . import poster_layout as layout
from .artifacts import LEAF, Artifact, key_of
from .context import RenderContext
from .outlet import FileKind
from .poster_weasyprint import PAPERS, pdfs_of
from .share import address

NAME = "poster"
POSTER = FileKind(tree.POSTER, "application/pdf", LEAF, urgent=False, personal=True)
FILES = (POSTER,)
# How much narrower than its box each line is planned: as measured, then with more room to
# spare, should WeasyPrint set a line wider than Pillow measured it (a second page).
SAFETIES = (layout.SAFETY, layout.SAFETY - 0.05)
NO_PHOTO = {"nl": "Geen foto beschikbaar", "en": "No photo available"}
FACT_LABELS = {
    "nl": {"height": "Lengte", "build": "Postuur", "hair": "Haar", "eyes": "Ogen",
           "clothing": "Kleding", "features": "Kenmerken", "vehicle": "Voertuig:",
           "suspect": "Gezocht:"},
    "en": {"height": "Height", "build": "Build", "hair": "Hair", "eyes": "Eyes",
           "clothing": "Clothing", "features": "Features", "vehicle": "Vehicle:",
           "suspect": "Wanted:"},
}
def view_artifacts(ctx: RenderContext, view: PublicAlert) -> list[Artifact]:
    """The active alert's posters, one per paper size (none once it has ended)."""
    if not view.active:
        return []
    return [POSTER.artifact(tree.poster(view.id, view.version, paper),
                            key_of(ctx.render_key, ctx.tree, NAME, paper, view.version),
                            functools.partial(poster_pdf, ctx, view, paper))
            for paper in PAPERS]


def tree_artifacts(ctx: RenderContext) -> tuple[Artifact, ...]:
    """None: posters belong to one alert each."""
    return ()


def qr_png_uri(url: str) -> str:
    """The QR code as a PNG of one pixel per module (quiet zone included), which the poster
    scales up without smoothing (`image-rendering: pixelated`, so no interpolation in the
    PDF either): as sharp as vector art at any size, and set in a fraction of the time of
    an SVG path of a thousand segments."""
    import qrcode
    from PIL import Image

    code = qrcode.QRCode(border=2)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)))
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def photo_uri(ctx: RenderContext, view: PublicAlert) -> str | None:
    """The published web photo itself (1200 px on its long side: 150 to 290 dpi on either
    paper), which the build has encoded anyway: a print-sized copy of its own would cost
    two more resizes and encodes per poster."""
    if not view.photo:
        return None
    data = ctx.photos.web_photo(view.photo.sha256)
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def poster_pdf(ctx: RenderContext, view: PublicAlert, paper: str) -> bytes:
    return ctx.posters.get((ctx.tree, view.version), lambda: _posters(ctx, view))[paper]


def _posters(ctx: RenderContext, view: PublicAlert) -> dict[str, bytes]:
    """Both papers' posters of an alert, planned once and set once (once a run) in a
    worker process if there are any: see `pdfs_of`."""
    text = poster_text(ctx, view, "nl")
    aspect = _aspect(ctx, view)
    plans = [layout.plan(text, aspect, safety) for safety in SAFETIES]
    return workers.run(pdfs_of, _pages(ctx, view, text, plans))


def _pages(ctx: RenderContext, view: PublicAlert, text: layout.PosterText,
           plans: list[layout.Plan]) -> list[str]:
    """The poster's HTML on A4, one for each plan."""
    url = ctx.url(tree.alert_folder(view.id))
    values = dict(
        view=view, lang="nl", paper="A4", label=text.label, band=_css(BANDS[view.level]),
        footer=_css(FOOTERS[view.level][0]), photo_uri=photo_uri(ctx, view),
        focus=_focus(view), no_photo=NO_PHOTO["nl"], age=text.age, qr_uri=qr_png_uri(url),
        address=address(ctx, view), settings=ctx.settings, L=layout, pt=_pt,
        call_size=layout.call_size(i18n.WORDS["nl"]["call"], view.phone),
        # What a site's own poster.html from before the plan sets its sizes in.
        page_height_mm=297, root_pt=13, call_height_pt=round(layout.CALL_H, 1),
    )
    template = ctx.templates.get_template("poster.html")
    return [template.render(plan=plan, **values) for plan in plans]


def poster_text(ctx: RenderContext, view: PublicAlert, lang: str) -> layout.PosterText:
    """What the poster of an active alert says."""
    d = view.details
    assert d is not None
    words = i18n.WORDS[lang]
    labels = FACT_LABELS[lang]

    def fact(key: str, value: str | None) -> list[layout.Fact]:
        return [layout.Fact(labels[key], (layout.Value(value),))] if value else []

    seen = layout.Fact(words["last_seen"], (
        layout.Value(i18n.format_datetime(d.last_seen_time, ctx.settings.tz, lang), keep=True),
        layout.Value(i18n.tr(d.last_seen_place, lang))))
    facts = [seen, *fact("height", f"{d.height_cm} cm" if d.height_cm else None)]
    for key in ("build", "hair", "eyes", "clothing", "features"):
        facts += fact(key, i18n.tr(getattr(d, key), lang))
    description = i18n.tr(d.description, lang)
    paragraphs = [layout.Paragraph("", description)] if description.strip() else []
    paragraphs += [layout.Paragraph(labels["vehicle"], i18n.tr(v.description, lang)
                                    + (f" ({v.plate})" if v.plate else ""))
                   for v in d.vehicles]
    paragraphs += [layout.Paragraph(labels["suspect"], i18n.tr(s, lang)) for s in d.suspects]
    return layout.PosterText(
        label=ctx.settings.labels[view.level], name=d.name, age=i18n.age_text(d.age, lang),
        facts=tuple(facts), paragraphs=tuple(paragraphs), more_info=words["more_info"],
        exercise=view.exercise)


def _aspect(ctx: RenderContext, view: PublicAlert) -> float:
    """Width over height of the web photo as published (turned upright); a missing photo's
    box has a portrait's shape."""
    if not view.photo:
        return 0.75
    from PIL import Image

    with Image.open(io.BytesIO(ctx.photos.web_photo(view.photo.sha256))) as image:
        return image.width / image.height


def _focus(view: PublicAlert) -> str:
    """The photo's focus as CSS `object-position`, which crops as `ImageOps.fit` does."""
    x, y = view.photo.focus if view.photo else (0.5, 0.3)
    return f"{x * 100:.1f}% {y * 100:.1f}%"


def _pt(length: float) -> str:
    return f"{length:.2f}pt"


def _css(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
