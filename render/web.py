"""The public web site: front pages, alert pages, the archive, and the web photo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .artifacts import INDEX, LEAF, PAGE, Artifact, key_of
from .context import RenderContext
from .i18n import LANGS
from .photo import web_photo
from .public import PublicAlert
from .templating import BUILTIN_TEMPLATES

NAME = "web"
FONTS_WEB = BUILTIN_TEMPLATES.parent / "fonts" / "web"


def lang_prefix(lang: str) -> str:
    return "" if lang == "nl" else f"{lang}/"


def alert_page_path(view: PublicAlert, lang: str = "nl") -> str:
    return f"{lang_prefix(lang)}alerts/{view.id}/index.html"


def artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    for view in ctx.views:
        if view.photo:
            yield _photo(ctx, view)
        for lang in LANGS:
            yield _page(ctx, alert_page_path(view, lang), "alert.html", lang, view.version,
                        view=view)
    front = [(v.id, v.version) for v in ctx.front_page]
    for lang in LANGS:
        yield _page(ctx, f"{lang_prefix(lang)}index.html", "index.html", lang, front,
                    layer=INDEX, alerts=ctx.front_page)
    ended = [(v.id, v.version) for v in ctx.ended]
    yield _page(ctx, "archive/index.html", "archive.html", "nl", ended, layer=INDEX,
                alerts=ctx.ended)
    yield from _assets(ctx)


def _page(ctx: RenderContext, path: str, template: str, lang: str, inputs: object,
          layer: int = PAGE, **values: object) -> Artifact:
    depth = path.count("/")
    root = "../" * depth  # relative links: the tree works under any base path

    def produce() -> bytes:
        page = ctx.templates.get_template(template).render(
            ctx=ctx, lang=lang, root=root, path=path, settings=ctx.settings,
            lang_prefix=lang_prefix, alert_page_path=alert_page_path, **values)
        return page.encode("utf-8")

    return Artifact(path, key_of(ctx.render_key, ctx.tree, path, inputs), produce, layer)


def _photo(ctx: RenderContext, view: PublicAlert) -> Artifact:
    photo = view.photo
    assert photo is not None
    return Artifact(ctx.photo_path(view), key_of(ctx.render_key, "photo", photo.sha256),
                    lambda: web_photo(ctx.photos.image(photo.sha256)), LEAF)


def _assets(ctx: RenderContext) -> Iterator[Artifact]:
    """Stylesheet and web fonts, served from our own tree (no other host is ever asked)."""
    static = [BUILTIN_TEMPLATES / "static"]
    site_static = (ctx.site / "templates" / "static").resolve()
    if site_static.is_dir() and site_static != static[0]:
        static.append(site_static)  # a site's own files replace the built-in ones
    files: dict[str, Path] = {}
    for directory in static:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                files[f"assets/{path.relative_to(directory).as_posix()}"] = path
    if FONTS_WEB.is_dir():
        for path in sorted(FONTS_WEB.glob("*.woff2")):
            files[f"assets/fonts/{path.name}"] = path
    for target, source in files.items():
        yield Artifact(target, key_of(ctx.render_key, target),
                       lambda source=source: source.read_bytes(), LEAF)
