"""The public web site: front pages, alert pages, the archive, the widget, and the web photo.

Every page links with relative URLs (the tree works under any base path and from a local
copy); only the tags that other sites read (canonical, Open Graph, Twitter cards) are absolute.
No page asks another host for anything: stylesheet and fonts are served from `assets/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from .. import tree
from ..drawing.photo import WEB_SIDE
from ..public import PublicAlert
from ..resources import FONTS_DIR
from ..templating import BUILTIN_TEMPLATES
from ..words.i18n import LANGS
from .artifacts import ASSET, INDEX, LEAF, PAGE, TRANSLATION, Artifact, Placeholder, key_of
from .context import RenderContext
from .outlet import FileKind

NAME = "web"
HTML = "text/html"
PHOTO = FileKind(tree.PHOTO, "image/jpeg", LEAF, personal=True)
ALERT_PAGE = FileKind(tree.ALERT_PAGE, HTML, PAGE, personal=True)
# The pages of an alert name each other (language switch): the Dutch one is written first.
ALERT_PAGE_TRANSLATED = FileKind(tree.ALERT_PAGE_TRANSLATED, HTML, TRANSLATION, personal=True)
FRONT_PAGE = FileKind(tree.FRONT_PAGE, HTML, INDEX, personal=True)
FRONT_PAGE_TRANSLATED = FileKind(tree.FRONT_PAGE_TRANSLATED, HTML, INDEX, personal=True)
ARCHIVE = FileKind(tree.ARCHIVE, HTML, INDEX)
ARCHIVE_TRANSLATED = FileKind(tree.ARCHIVE_TRANSLATED, HTML, INDEX)
WIDGET = FileKind(tree.WIDGET, HTML, INDEX, personal=True)
STYLESHEET = FileKind(tree.STYLESHEET, "text/css", LEAF)  # names the fonts: a layer above
WEB_FONT = FileKind(tree.WEB_FONT, "font/woff2", ASSET)
FILES = (PHOTO, ALERT_PAGE, ALERT_PAGE_TRANSLATED, FRONT_PAGE, FRONT_PAGE_TRANSLATED, ARCHIVE,
         ARCHIVE_TRANSLATED, WIDGET, STYLESHEET, WEB_FONT)

FONTS_WEB = FONTS_DIR / "web"
OG_SIZE = (1200, 630)  # share/ID/VERSION/og.png, drawn by the share-image outlet
WIDGET_REFRESH_SECONDS = 60
lang_prefix = tree.lang_prefix


def alert_page_path(view: PublicAlert, lang: str = "nl") -> str:
    """The alert page's path (sites' own templates may call it)."""
    return tree.alert_page(view.id, lang)


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> list[Artifact]:
    """The alert's web photo and its page in every language."""
    paths = {lang: tree.alert_page(view.id, lang) for lang in LANGS}
    photo = [_photo(ctx, view)] if view.photo else []
    return photo + [_alert_page(ctx, view, paths, lang) for lang in LANGS]


def tree_artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    """Front pages, archives, the widget, stylesheet and fonts."""
    front = [(v.id, v.version) for v in ctx.front_page]
    index_paths = {lang: tree.front_page(lang) for lang in LANGS}
    archive_paths = {lang: tree.archive(lang) for lang in LANGS}
    for lang in LANGS:
        nl = lang == LANGS[0]
        yield _page(ctx, FRONT_PAGE if nl else FRONT_PAGE_TRANSLATED, index_paths, lang,
                    "index.html", front, {"alerts": ctx.front_page}, _publishing(ctx, lang))
        yield _page(ctx, ARCHIVE if nl else ARCHIVE_TRANSLATED, archive_paths, lang,
                    "archive.html", ctx.ended_digest, {"alerts": ctx.ended},
                    _publishing(ctx, lang))
    active = [(v.id, v.version) for v in ctx.active]
    yield _page(ctx, WIDGET, {"nl": tree.WIDGET.path()}, "nl", "widget.html", active,
                {"alerts": ctx.active, "refresh": WIDGET_REFRESH_SECONDS})
    yield from _assets(ctx)


def _alert_page(ctx: RenderContext, view: PublicAlert, paths: dict[str, str], lang: str
                ) -> Artifact:
    """An alert page in one language. The pages of an alert name each other (language
    switch): the Dutch one is written first, the others after it (TRANSLATION). Before the
    Dutch page names one that is not there yet, that one's placeholder, the same page without
    the language switch, is written below it."""
    # complete_for decides og:image (share image or web photo), so it is in the key.
    inputs = (view.version, ctx.complete_for(view))
    values: dict[str, object] = {"view": view, "og": _og_image(ctx, view)}
    if lang == LANGS[0]:
        return _page(ctx, ALERT_PAGE, paths, lang, "alert.html", inputs, values)
    alone = Placeholder(_render(ctx, {lang: paths[lang]}, lang, "alert.html", values))
    return _page(ctx, ALERT_PAGE_TRANSLATED, paths, lang, "alert.html", inputs, values,
                 alone)


def _publishing(ctx: RenderContext, lang: str) -> Placeholder:
    """For an index page that every page links to (header and footer), and that lists
    those pages: in a tree without it (the first publish), a placeholder that names no file
    is written first (with the images), so no alert page, nor the placeholder of one, ever
    names a missing front page or archive."""

    def placeholder() -> bytes:
        template = ctx.templates.get_template("publishing.html")
        return template.render(lang=lang, settings=ctx.settings).encode("utf-8")

    return Placeholder(placeholder, layer=LEAF)


def _page(ctx: RenderContext, kind: FileKind, paths: dict[str, str], lang: str,
          template: str, inputs: object, values: dict[str, object],
          placeholder: Placeholder | None = None) -> Artifact:
    """One page; `paths` names the same page in every language it exists in."""
    path = paths[lang]
    return kind.artifact(path, key_of(ctx.render_key, ctx.tree, path, inputs),
                         _render(ctx, paths, lang, template, values), placeholder)


def _render(ctx: RenderContext, paths: dict[str, str], lang: str, template: str,
            values: dict[str, object]) -> Callable[[], bytes]:
    path = paths[lang]
    root = "../" * path.count("/")  # relative links: the tree works under any base path

    def produce() -> bytes:
        page = ctx.templates.get_template(template).render(
            ctx=ctx, lang=lang, root=root, path=path, paths=paths, settings=ctx.settings,
            lang_prefix=lang_prefix, alert_page_path=alert_page_path,
            photo_size=lambda view: photo_size(ctx, view), **values)
        return page.encode("utf-8")

    return produce


def photo_size(ctx: RenderContext, view: PublicAlert) -> tuple[int, int]:
    """Width and height of the published web photo (for the img tag: no layout jump)."""
    assert view.photo is not None
    width, height = ctx.photos.size(view.photo.sha256)
    scale = min(1.0, WEB_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _og_image(ctx: RenderContext, view: PublicAlert) -> dict[str, object] | None:
    """The image other sites show for this page: the share image once it exists (complete
    build), the web photo before that, nothing once the alert has ended."""
    if not view.active:
        return None
    if ctx.complete_for(view):
        return {"url": ctx.url(tree.share_image(view.id, view.version)), "size": OG_SIZE}
    if view.photo:
        return {"url": ctx.url(tree.photo(view.id, view.version)), "size": None}
    return None


def _photo(ctx: RenderContext, view: PublicAlert) -> Artifact:
    photo = view.photo
    assert photo is not None
    return PHOTO.artifact(tree.photo(view.id, view.version),
                          key_of(ctx.render_key, "photo", photo.sha256),
                          lambda: ctx.photos.web_photo(photo.sha256))


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
        kind = STYLESHEET if target.endswith(".css") else WEB_FONT
        yield kind.artifact(target, key_of(ctx.render_key, target),
                            source.read_bytes)
